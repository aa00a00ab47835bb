"""Booking through HTTP: founders book and cancel, staff approve, feeds parse."""
from datetime import datetime, time, timedelta

import icalendar
import pytest
import vobject
from sqlalchemy import func, select

from community.extensions import db
from booking.models import Booking, TenantFeed
from community.dbsetup import utcnow
from tests.booking.conftest import TZ


def next_workday(days=2):
    """A Monday–Friday at least `days` ahead (a test's holiday table starts empty, so
    no such day is a holiday)."""
    day = utcnow().astimezone(TZ).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def book_form(day, start="10:00", duration=60, **extra):
    return {"day": day.isoformat(), "start": start, "duration": duration,
            "purpose": "客户洽谈", "weeks": 1} | extra


def count():
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_member_books_sees_and_cancels(client, login, make_room):
    room = make_room()
    member = login("member")
    day = next_workday()
    page = client.get(f"/booking/rooms/{room.id}", query_string={"day": day.isoformat()})
    assert page.status_code == 200 and 'class="slot free"' in page.get_data(as_text=True)
    response = client.post(f"/booking/rooms/{room.id}/book", data=book_form(day),
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "预约成功" in text and "客户洽谈" in text
    booking = db.session.scalars(select(Booking)).one()
    assert booking.tenant_id == member.tenant_id
    assert booking.starts_at == datetime.combine(day, time(10), TZ)
    response = client.post(f"/booking/bookings/{booking.id}/cancel", follow_redirects=True)
    assert "已取消 1 次预约" in response.get_data(as_text=True)
    assert db.session.get(Booking, booking.id).status == "cancelled"


def test_member_cancels_the_rest_of_a_weekly_series(client, login, make_room):
    room = make_room(quota_hours_per_week=0)
    login("member")
    day = next_workday()
    client.post(f"/booking/rooms/{room.id}/book", data=book_form(day, weeks=3))
    made = db.session.scalars(select(Booking).order_by(Booking.starts_at)).all()
    assert len(made) == 3
    response = client.post(f"/booking/bookings/{made[1].id}/cancel", data={"scope": "rest"},
                           follow_redirects=True)
    assert "已取消 2 次预约" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [b.status for b in db.session.scalars(select(Booking).order_by(
        Booking.starts_at))] == ["confirmed", "cancelled", "cancelled"]


def test_taken_slot_says_so_and_saves_nothing(client, login, make_room):
    room = make_room()
    login("member")
    day = next_workday()
    client.post(f"/booking/rooms/{room.id}/book", data=book_form(day))
    login("member")  # another firm's founder
    response = client.post(f"/booking/rooms/{room.id}/book",
                           data=book_form(day, start="10:30"), follow_redirects=True)
    assert "该时段已被预约" in response.get_data(as_text=True)
    assert count() == 1


def test_member_cannot_cancel_another_tenants_booking(client, login, make_room):
    room = make_room()
    login("member")
    client.post(f"/booking/rooms/{room.id}/book", data=book_form(next_workday()))
    booking = db.session.scalars(select(Booking)).one()
    login("member")
    assert client.post(f"/booking/bookings/{booking.id}/cancel").status_code == 403
    assert client.get(f"/booking/bookings/{booking.id}.ics").status_code == 403
    assert db.session.get(Booking, booking.id).status == "confirmed"


def test_assessor_cannot_book(client, login, make_room):
    room = make_room()
    login("assessor")
    assert client.post(f"/booking/rooms/{room.id}/book",
                       data=book_form(next_workday())).status_code == 403


def test_staff_approves_a_roadshow_request(client, login, make_room):
    hall = make_room(kind="roadshow_hall", needs_approval=True)
    founder = login("member")
    response = client.post(f"/booking/rooms/{hall.id}/book",
                           data=book_form(next_workday(), duration=120), follow_redirects=True)
    assert "等待运营人员审批" in response.get_data(as_text=True)
    booking = db.session.scalars(select(Booking)).one()
    login("staff")
    response = client.post(f"/booking/bookings/{booking.id}/decide",
                           data={"reason": "", "reject": "1"}, follow_redirects=True)
    assert "拒绝时请填写理由" in response.get_data(as_text=True)
    client.post(f"/booking/bookings/{booking.id}/decide", data={"approve": "1", "reason": ""})
    assert db.session.get(Booking, booking.id).status == "confirmed"
    with client.session_transaction() as session:
        session["_user_id"] = founder.get_id()
    from flask import g
    g.pop("_login_user", None)
    assert "已确认" in client.get("/booking/bookings").get_data(as_text=True)


def parse_both(body):
    """Parse with icalendar and, independently, with vobject."""
    cal = icalendar.Calendar.from_ical(body)
    vcal = vobject.readOne(body.decode("utf-8"))
    return cal, vcal


def test_feeds_are_valid_icalendar(client, login, make_room):
    room = make_room()
    login("member")
    day = next_workday()
    client.post(f"/booking/rooms/{room.id}/book", data=book_form(day))
    client.post(f"/booking/rooms/{room.id}/book", data=book_form(day, start="14:00"))
    cancelled = db.session.scalars(select(Booking).order_by(Booking.id)).all()[1]
    client.post(f"/booking/bookings/{cancelled.id}/cancel")

    public = client.get(f"/booking/feeds/rooms/{room.id}.ics")
    assert public.mimetype == "text/calendar"
    cal, vcal = parse_both(public.data)
    events = cal.walk("VEVENT")
    assert {str(e["SUMMARY"]) for e in events} == {"已预约"}  # busy only, no titles
    assert sorted(str(e["STATUS"]) for e in events) == ["CANCELLED", "CONFIRMED"]
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Asia/Shanghai"
    start = events[0]["DTSTART"]
    assert start.params["TZID"] == "Asia/Shanghai"
    assert vcal.vevent.dtstart.value.utcoffset() == timedelta(hours=8)

    private = client.get(f"/booking/feeds/rooms/{room.id}/{room.feed_token}.ics")
    cal, _ = parse_both(private.data)
    assert any("客户洽谈" in str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    assert client.get(f"/booking/feeds/rooms/{room.id}/wrong-token.ics").status_code == 404

    again = icalendar.Calendar.from_ical(client.get(f"/booking/feeds/rooms/{room.id}.ics").data)
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(e["UID"]) for e in events]

    one = client.get(f"/booking/bookings/{cancelled.id}.ics")
    assert "attachment" in one.headers["Content-Disposition"]
    parse_both(one.data)


def test_tenant_feed(client, login, make_room):
    room = make_room()
    member = login("member")
    client.post(f"/booking/rooms/{room.id}/book", data=book_form(next_workday()))
    assert "/booking/feeds/tenants/" in client.get("/booking/feeds").get_data(as_text=True)
    token = db.session.get(TenantFeed, member.tenant_id).token
    cal, _ = parse_both(client.get(f"/booking/feeds/tenants/{token}.ics").data)
    assert len(cal.walk("VEVENT")) == 1
    assert client.get("/booking/feeds/tenants/forged.ics").status_code == 404


def test_door_qr_leads_to_check_in(client, login, make_room):
    room = make_room()
    login("staff")
    svg = client.get(f"/booking/rooms/{room.id}/door.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get(f"/booking/rooms/{room.id}/door/forged").status_code == 404
    assert client.get(f"/booking/rooms/{room.id}/door/{room.door_token}").status_code == 200


def test_rooms_list_gives_bookable_zones_their_rules(client, login, make_zone):
    make_zone(kind="meeting_room", bookable=True, name="会议室909")
    login("member")
    assert "会议室909" in client.get("/booking/rooms").get_data(as_text=True)


def test_bookings_reach_the_ledger(client, login, make_room):
    import io

    import pandas as pd
    room = make_room()
    login("member")
    day = next_workday()
    client.post(f"/booking/rooms/{room.id}/book", data=book_form(day))
    login("staff")
    sheets = pd.read_excel(io.BytesIO(client.get(
        "/ledger.xlsx", query_string={"period": "custom", "start": day.isoformat(),
                                      "end": day.isoformat()}).data), sheet_name=None)
    assert sheets["预约台账"]["用途"].tolist() == ["客户洽谈"]
    assert sheets["功能空间利用率"]["预约小时"].tolist() == [1.0]


@pytest.mark.parametrize("days_ahead, form, text", [
    (-3, {}, "不能预约已经过去的时间"),
    (60, {}, "只能预约 30 天以内的时段"),
    (2, {"duration": 600}, "不是有效的选择"),  # longer than the room allows: not offered
    (2, {"purpose": ""}, "用途"),
])
def test_bad_booking_requests_show_why_and_save_nothing(client, login, make_room, days_ahead,
                                                        form, text):
    room = make_room()
    login("member")
    day = next_workday(days_ahead) if days_ahead > 0 else \
        utcnow().astimezone(TZ).date() + timedelta(days=days_ahead)
    response = client.post(f"/booking/rooms/{room.id}/book",
                           data=book_form(day) | form, follow_redirects=True)
    assert text in response.get_data(as_text=True)
    assert count() == 0


def test_non_bookable_room_is_not_found(client, login, make_room):
    room = make_room(bookable=False)
    login("member")
    assert client.get(f"/booking/rooms/{room.id}").status_code == 404
    assert client.post(f"/booking/rooms/{room.id}/book",
                       data=book_form(next_workday())).status_code == 404


def test_dashboard_points_staff_at_waiting_requests(client, login, make_room):
    hall = make_room(kind="roadshow_hall", needs_approval=True)
    login("member")
    client.post(f"/booking/rooms/{hall.id}/book", data=book_form(next_workday()))
    login("staff")
    assert "1 条场地预约待审批" in client.get("/").get_data(as_text=True)


def room_rules(**overrides):
    data = {"slot_minutes": 30, "min_minutes": 30, "max_minutes": 240, "book_ahead_days": 30,
            "cancel_deadline_minutes": 120, "quota_hours_per_week": 8,
            "release_after_minutes": 15}
    data |= {f"open_{d}": "09:00" for d in range(5)} | {f"close_{d}": "21:00" for d in range(5)}
    return data | overrides


def test_staff_change_a_rooms_rules(client, login, make_room):
    room = make_room()
    login("staff")
    response = client.post(f"/booking/rooms/{room.id}/settings",
                           data=room_rules(needs_approval="y", open_5="10:00", close_5="16:00"),
                           follow_redirects=True)
    assert "预约规则已保存" in response.get_data(as_text=True)
    db.session.refresh(room)
    assert room.needs_approval and room.opening_hours["5"] == ["10:00", "16:00"]
    assert room.opening_hours["6"] is None  # left empty: closed on Sundays


@pytest.mark.parametrize("change, text", [
    ({"open_0": "21:00", "close_0": "09:00"}, "关门时间须晚于开门时间"),
    ({"open_0": "9点"}, "时间格式应为 HH:MM"),
    ({"min_minutes": 300}, "最短时长不能超过最长时长"),
])
def test_bad_room_rules_are_refused(client, login, make_room, change, text):
    room = make_room()
    login("staff")
    response = client.post(f"/booking/rooms/{room.id}/settings", data=room_rules(**change),
                           follow_redirects=True)
    assert text in response.get_data(as_text=True)
    db.session.refresh(room)
    assert room.opening_hours["0"] == ["09:00", "21:00"] and room.min_minutes == 30


def test_blackout_closes_the_room(client, login, make_room):
    room = make_room()
    day = next_workday()
    login("staff")
    client.post(f"/booking/rooms/{room.id}/blackouts", data={
        "starts_at": f"{day.isoformat()}T08:00", "ends_at": f"{day.isoformat()}T22:00",
        "reason": "地毯清洗"})
    login("member")
    response = client.post(f"/booking/rooms/{room.id}/book", data=book_form(day),
                           follow_redirects=True)
    assert "维护或停用" in response.get_data(as_text=True)
    assert count() == 0


def test_looking_at_a_room_releases_its_no_shows(client, login, make_room, make_tenant):
    room = make_room(release_after_minutes=15)
    start = utcnow() - timedelta(minutes=20)
    no_show = Booking(room=room, tenant_id=make_tenant().id, purpose="洽谈", status="confirmed",
                      starts_at=start, ends_at=start + timedelta(hours=1))
    db.session.add(no_show)
    db.session.commit()
    login("member")
    client.get(f"/booking/rooms/{room.id}")
    db.session.refresh(no_show)
    assert no_show.status == "released" and no_show.released_at is not None


@pytest.mark.parametrize("path", ["/booking/rooms/{id}?day=9999-12-31",
                                  "/booking/rooms/{id}/week?start=9999-12-30",
                                  "/booking/calendar?day=0001-01-01"])
def test_absurd_days_show_today_instead(client, login, make_room, path):
    room = make_room()
    login("staff")
    assert client.get(path.format(id=room.id)).status_code == 200
