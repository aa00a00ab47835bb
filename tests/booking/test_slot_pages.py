"""The booking pages a founder and staff read: a slot nobody may book says why and is
no link, a refused booking comes back with what was typed, a blackout over bookings
names them, and the calendars give each room a column and each booking a label."""
import re
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from booking.models import Blackout, Booking
from community.dbsetup import utcnow
from community.extensions import db
from tests.booking.conftest import TZ
from tests.booking.test_views import book_form, count, next_workday


def page(client, path, **query):
    response = client.get(path, query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def start_choices(text):
    select_ = re.search(r'<select[^>]*name="start".*?</select>', text, re.DOTALL)
    return re.findall(r'<option[^>]*value="([^"]+)"', select_.group(0)) if select_ else []


def blackout(room, day, start, end, reason="地毯清洗"):
    row = Blackout(room_id=room.id, starts_at=datetime.combine(day, start, TZ),
                   ends_at=datetime.combine(day, end, TZ), reason=reason)
    db.session.add(row)
    db.session.commit()
    return row


def test_a_blackout_shows_its_reason_and_is_not_offered(client, login, make_room):
    room = make_room()
    day = next_workday()
    blackout(room, day, time(12), time(14))
    login("member")
    text = page(client, f"/booking/rooms/{room.id}", day=day.isoformat())
    assert re.search(r'<span class="slot blackout"[^>]*title="该时段空间维护或停用[^"]*">12:00',
                     text)
    assert "地毯清洗" in text and "start=12:00" not in text and "start=11:30" in text
    starts = start_choices(text)
    assert "11:30" in starts and "12:00" not in starts and "13:30" not in starts
    assert "14:00" in starts
    assert 'class="slot-legend"' in text and "停用" in text  # a word, not only a colour


def test_a_day_beyond_the_window_says_so_and_offers_no_form(client, login, make_room):
    room = make_room(book_ahead_days=30)
    day = next_workday(40)
    login("member")
    text = page(client, f"/booking/rooms/{room.id}", day=day.isoformat())
    last = (utcnow() + timedelta(days=30)).astimezone(TZ).date()
    assert "当天没有可预约的时段" in text
    assert f"只能预约 30 天以内的时段（最晚 {last.isoformat()}）" in text
    assert "确认预约" not in text and 'class="slot free"' not in text
    assert 'class="slot beyond"' in text
    login("staff")  # staff book beyond the window: the day is open to them
    text = page(client, f"/booking/rooms/{room.id}", day=day.isoformat())
    assert "确认预约" in text and 'class="slot free"' in text


def test_a_past_day_says_it_is_past(client, login, make_room):
    room = make_room()
    day = utcnow().astimezone(TZ).date() - timedelta(days=3)
    login("member")
    text = page(client, f"/booking/rooms/{room.id}", day=day.isoformat())
    assert "不能预约已经过去的时间" in text and "确认预约" not in text
    assert 'class="slot free"' not in text


def test_the_rooms_list_counts_only_what_may_be_booked(client, login, make_room):
    room = make_room()
    today = utcnow().astimezone(TZ).date()
    blackout(room, today, time(0), time(23, 59))
    login("member")
    assert "今日已满或不开放" in page(client, "/booking/rooms")


def test_a_refused_booking_keeps_what_was_typed(client, login, make_room):
    room = make_room(quota_hours_per_week=1)
    login("member")
    day = next_workday()
    response = client.post(f"/booking/rooms/{room.id}/book", data=book_form(
        day, start="14:00", duration=120, purpose="与投资人的第二轮路演彩排", weeks=1))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "超出每周 1 小时的预约限额" in text
    assert 'value="与投资人的第二轮路演彩排"' in text
    assert re.search(r'<option selected value="120">|<option value="120" selected', text)
    assert re.search(r'<option selected value="14:00">|<option value="14:00" selected', text)
    assert text.count("超出每周 1 小时的预约限额") == 1  # beside the form, not twice
    assert count() == 0


def test_a_form_error_keeps_what_was_typed(client, login, make_room):
    room = make_room()
    login("staff")
    day = next_workday()
    response = client.post(f"/booking/rooms/{room.id}/book", data=book_form(
        day, purpose="x" * 201, weeks=3))
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "x" * 201 in text and 'value="3"' in text
    assert count() == 0


def test_a_blackout_over_bookings_names_them(client, login, make_room, make_tenant):
    room = make_room()
    tenant = make_tenant(name="重庆星火智能科技有限公司")
    day = next_workday()
    hit = Booking(room=room, tenant_id=tenant.id, purpose="客户洽谈", status="confirmed",
                  starts_at=datetime.combine(day, time(14), TZ),
                  ends_at=datetime.combine(day, time(15), TZ))
    spared = Booking(room=room, tenant_id=tenant.id, purpose="团队周会", status="confirmed",
                     starts_at=datetime.combine(day, time(9), TZ),
                     ends_at=datetime.combine(day, time(10), TZ))
    db.session.add_all([hit, spared])
    db.session.commit()
    login("staff")
    response = client.post(f"/booking/rooms/{room.id}/blackouts", data={
        "starts_at": f"{day.isoformat()}T13:00", "ends_at": f"{day.isoformat()}T18:00",
        "reason": "电路检修"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "已添加停用时段" in text
    assert "与 1 个已有预约重叠" in text and "预约未被取消" in text
    assert "重庆星火智能科技有限公司" in text and f"{day:%m-%d} 14:00–15:00" in text
    assert "已确认" in text
    db.session.expire_all()
    assert {b.status for b in db.session.scalars(select(Booking))} == {"confirmed"}
    row = db.session.scalars(select(Blackout)).one()
    link = f"/booking/bookings?blackout={row.id}"
    assert link in text  # the settings page keeps them findable
    listed = page(client, "/booking/bookings", blackout=row.id)
    assert "客户洽谈" in listed and "团队周会" not in listed
    login("member", tenant=tenant)  # a founder is not shown staff's filter
    assert "团队周会" in page(client, "/booking/bookings", blackout=row.id)


def test_a_blackout_over_nothing_says_nothing_more(client, login, make_room):
    room = make_room()
    login("staff")
    day = next_workday()
    text = client.post(f"/booking/rooms/{room.id}/blackouts", data={
        "starts_at": f"{day.isoformat()}T13:00", "ends_at": f"{day.isoformat()}T18:00",
        "reason": ""}, follow_redirects=True).get_data(as_text=True)
    assert "已添加停用时段" in text and "重叠" not in text


def test_the_week_view_labels_booked_cells(client, login, make_room, make_tenant):
    room = make_room(quota_hours_per_week=0)
    tenant = make_tenant(name="重庆两江医疗科技有限公司")
    day = next_workday()
    db.session.add(Booking(room=room, tenant_id=tenant.id, purpose="投资人路演",
                           status="confirmed", starts_at=datetime.combine(day, time(10), TZ),
                           ends_at=datetime.combine(day, time(11), TZ)))
    db.session.commit()
    login("staff")
    text = page(client, f"/booking/rooms/{room.id}/week", start=day.isoformat())
    assert re.search(r'<td class="cell taken" title="重庆两江医疗科技有限公司 · 投资人路演">'
                     r'<span class="booked">两江医疗</span>', text)
    login("member")
    text = page(client, f"/booking/rooms/{room.id}/week", start=day.isoformat())
    assert re.search(r'<td class="cell taken" title="已预约"><span class="booked">已预约</span>',
                     text)
    assert "两江医疗" not in text and "投资人路演" not in text
    assert 'class="slot-legend"' in text


def test_the_all_rooms_calendar_has_a_date_picker_and_a_column_per_room(client, login,
                                                                        make_room):
    rooms = [make_room(), make_room(), make_room()]
    login("staff")
    day = next_workday()
    text = page(client, "/booking/calendar", day=day.isoformat())
    assert f'<input type="date" id="calendar-day" name="day" value="{day.isoformat()}"' in text
    assert f'day={(day - timedelta(days=1)).isoformat()}' in text
    assert f'day={(day + timedelta(days=1)).isoformat()}' in text
    assert text.count('<col class="room">') == len(rooms)
    assert "--rooms: 3" in text and 'class="tablewrap calwrap"' in text


def test_garbage_blackout_filters_are_ignored(client, login, make_room):
    login("staff")
    for value in ("x", "-1", "0", str(2 ** 70), "99999"):
        assert client.get("/booking/bookings", query_string={"blackout": value}).status_code \
            == 200
    assert db.session.scalar(select(func.count()).select_from(Blackout)) == 0
