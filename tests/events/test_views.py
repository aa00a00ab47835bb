"""The events pages through HTTP: who may do what, the staff console, the public
registration and ticket, and the door (manual search, walk-ins, paper)."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.dbsetup import utcnow
from community.models import Attachment
from community.web import community_tz
from events.models import Event, Registration
from tests.events.conftest import next_mobile


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def text(response):
    return response.get_data(as_text=True)


# --- permissions -------------------------------------------------------------------

STAFF_GETS = ["/events/new", "/events/{id}/edit", "/events/{id}/door", "/events/{id}/screen",
              "/events/{id}/venue.png", "/events/{id}/sheet", "/events/{id}/paper",
              "/events/devices"]
STAFF_POSTS = ["/events/new", "/events/{id}/edit", "/events/{id}/publish",
               "/events/{id}/cancel", "/events/{id}/held", "/events/{id}/summary",
               "/events/{id}/files/photo", "/events/{id}/door/scan",
               "/events/{id}/door/checkin/1", "/events/{id}/door/walk-in",
               "/events/{id}/paper", "/events/devices", "/events/devices/1/revoke"]


@pytest.mark.parametrize("role", ["member", "assessor"])
@pytest.mark.parametrize("path", STAFF_GETS)
def test_only_staff_open_the_working_pages(client, login, make_event, role, path):
    event = make_event(live=True)
    login(role)
    assert client.get(path.format(id=event.id)).status_code == 403


@pytest.mark.parametrize("path", STAFF_POSTS)
def test_a_tenant_member_cannot_change_events(client, login, make_event, path):
    event = make_event(live=True)
    before = (event.status, event.title)
    login("member")
    response = client.post(path.format(id=event.id), data={"title": "改名", "summary": "x"})
    assert response.status_code == 403
    db.session.refresh(event)
    assert (event.status, event.title) == before


@pytest.mark.parametrize("role, status", [("member", 403), ("assessor", 403),
                                          ("staff", 200), ("admin", 200)])
def test_who_reads_the_events(client, login, make_event, role, status):
    event = make_event(live=True)
    login(role)
    assert client.get("/events").status_code == status
    assert client.get(f"/events/{event.id}").status_code == status
    assert client.get(f"/events/{event.id}/stats.json").status_code == status


def test_working_pages_need_a_login(client, make_event):
    event = make_event(live=True)
    for path in ("/events", f"/events/{event.id}", f"/events/{event.id}/door"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_public_pages_need_no_login_but_drafts_stay_hidden(client, make_event,
                                                           make_registration):
    event, draft = make_event(live=True), make_event(live=True, status="draft")
    r = make_registration(event)
    assert client.get(f"/e/{event.id}").status_code == 200
    assert client.get(f"/e/{event.id}/event.ics").status_code == 200
    assert client.get(f"/t/{r.secret}").status_code == 200
    assert client.get(f"/e/{draft.id}").status_code == 404
    assert client.get(f"/e/{draft.id}/event.ics").status_code == 404


# --- the staff console --------------------------------------------------------------

def event_form(**overrides):
    return {"kind": "matching", "title": "算力资源对接会", "room_id": "0",
            "starts_at": "2030-03-01T14:00", "ends_at": "2030-03-01T17:00",
            "venue_address": "两江新区互联网产业园", "capacity": "80",
            "organiser": "重庆渝创空间运营管理有限公司", "co_organisers": "",
            "description": "", "notice_text": "欢迎报名"} | overrides


def test_staff_create_publish_and_close_an_event(client, login):
    login("staff")
    response = client.post("/events/new", data=event_form())
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.status == "draft"
    assert f"{event.starts_at:%H:%M}" == "06:00"  # 14:00 in Chongqing, stored in UTC
    client.post(f"/events/{event.id}/publish")
    db.session.refresh(event)
    assert event.status == "published"
    response = client.post(f"/events/{event.id}/held", follow_redirects=True)
    assert "活动尚未开始" in text(response)


def test_event_form_shows_what_is_wrong(client, login):
    login("staff")
    response = client.post("/events/new", data=event_form(
        venue_address="", ends_at="2030-03-01T13:00"))
    body = text(response)
    assert "请选择社区场地，或填写外部地址" in body and "结束时间必须晚于开始时间" in body
    assert count(Event) == 0


def test_evidence_flags_on_the_list(client, login, make_event):
    event = make_event(notice_text="", starts_at=utcnow() - timedelta(hours=5))
    login("staff")
    body = text(client.get("/events"))
    assert "缺活动通知" in body and "缺签到记录" in body and "缺现场照片" in body
    assert "待标记已举办" in body
    assert event.title in body


def test_photos_must_be_images_and_count_as_evidence(client, login, make_event):
    event = make_event(live=True)
    login("staff")
    pdf = b"%PDF-1.4\n%%EOF\n"
    response = client.post(f"/events/{event.id}/files/photo", follow_redirects=True,
                           data={"file": (io.BytesIO(pdf), "notice.pdf")})
    assert "活动照片须为图片文件" in text(response)
    assert count(Attachment) == 0
    client.post(f"/events/{event.id}/files/notice",
                data={"file": (io.BytesIO(pdf), "notice.pdf")})
    assert count(Attachment, Attachment.owner_type == "event_notice") == 1


def test_a_batch_with_one_non_image_saves_no_photo(client, login, make_event, app):
    import os
    event = make_event(live=True)
    login("staff")
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
    response = client.post(f"/events/{event.id}/files/photo", follow_redirects=True, data={
        "file": [(io.BytesIO(jpeg), "a.jpg"), (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "b.pdf")]})
    assert "活动照片须为图片文件" in text(response)
    assert count(Attachment) == 0
    folder = app.config["UPLOAD_FOLDER"]
    assert not os.path.isdir(folder) or os.listdir(folder) == []
    response = client.post(f"/events/{event.id}/files/photo", follow_redirects=True,
                           data={"file": [(io.BytesIO(jpeg), "a.jpg")]})
    assert "已上传 1 个文件" in text(response)
    assert count(Attachment, Attachment.owner_type == "event_photo") == 1


def test_an_upload_without_a_file_is_refused_with_a_message(client, login, make_event):
    event = make_event(live=True)
    login("staff")
    response = client.post(f"/events/{event.id}/files/notice", data={}, follow_redirects=True)
    assert "请选择文件" in text(response) and count(Attachment) == 0
    assert client.post(f"/events/{event.id}/files/video", data={}).status_code == 404


# --- public registration and the ticket ---------------------------------------------------

def register_form(**overrides):
    return {"name": "陈晨", "mobile": next_mobile(), "organisation": "重庆大学", "email": "",
            "consent": "y"} | overrides


def test_an_attendee_registers_and_gets_a_ticket(client, make_event):
    event = make_event(live=True)
    page = text(client.get(f"/e/{event.id}"))
    assert "个人信息处理说明" in page and 'name="consent"' in page
    assert 'name="consent" type="checkbox" value="y">' in page  # unticked
    response = client.post(f"/e/{event.id}", data=register_form(mobile="13900112233"))
    registration = db.session.scalar(select(Registration))
    assert response.headers["Location"] == f"/t/{registration.secret}"
    ticket = text(client.get(response.headers["Location"]))
    assert "报名成功" in ticket and f"/t/{registration.secret}/qr.png" in ticket
    assert "139****2233" in ticket
    qr = client.get(f"/t/{registration.secret}/qr.png")
    assert qr.mimetype == "image/png" and qr.data[:4] == b"\x89PNG"


def test_the_same_mobile_gets_the_same_ticket_back(client, make_event):
    event = make_event(live=True)
    first = client.post(f"/e/{event.id}", data=register_form(mobile="13900112233"))
    again = client.post(f"/e/{event.id}", data=register_form(mobile="13900112233"))
    assert first.headers["Location"] == again.headers["Location"]
    assert "这是您的票券" in text(client.get(again.headers["Location"]))
    assert count(Registration) == 1


@pytest.mark.parametrize("overrides, says", [
    ({"mobile": "1234567"}, "不是有效的中国电话号码"),
    ({"mobile": "02363001234"}, "请填写手机号码"),
    ({"consent": ""}, "请阅读个人信息处理说明并勾选同意"),
])
def test_bad_registrations_say_what_is_wrong(client, make_event, overrides, says):
    event = make_event(live=True)
    response = client.post(f"/e/{event.id}", data=register_form(**overrides))
    assert response.status_code == 200 and says in text(response)
    assert count(Registration) == 0


def test_registration_after_close(client, make_event):
    event = make_event(live=True, registration_closes_at=utcnow() - timedelta(minutes=1))
    assert "报名已截止" in text(client.get(f"/e/{event.id}"))
    response = client.post(f"/e/{event.id}", data=register_form())
    assert "报名已截止" in text(response) and count(Registration) == 0


def test_a_full_event_goes_to_the_waitlist(client, make_event, make_registration):
    event = make_event(live=True, capacity=1)
    make_registration(event)
    assert "已满，可报名候补" in text(client.get(f"/e/{event.id}"))
    response = client.post(f"/e/{event.id}", data=register_form(), follow_redirects=True)
    body = text(response)
    assert "候补名单" in body and "qr.png" not in body


@pytest.mark.parametrize("mangle", [lambda s: s[:-1], lambda s: s[:16], lambda s: s + "x",
                                    lambda s: "A" * len(s), lambda s: "1"])
def test_a_ticket_opens_only_with_its_secret(client, make_event, make_registration, mangle):
    event = make_event(live=True)
    r = make_registration(event)
    assert client.get(f"/t/{mangle(r.secret)}").status_code == 404
    assert client.get(f"/t/{mangle(r.secret)}/qr.png").status_code == 404
    assert client.get(f"/t/{r.id}").status_code == 404


def test_the_attendee_cancels_and_the_waitlist_moves_up(client, make_event, make_registration):
    event = make_event(live=True, capacity=1)
    first, waiting = make_registration(event), make_registration(event)
    client.post(f"/t/{first.secret}/cancel")
    db.session.refresh(first)
    db.session.refresh(waiting)
    assert (first.status, waiting.status) == ("cancelled", "registered")
    assert "该报名已取消" in text(client.get(f"/t/{first.secret}"))
    assert client.get(f"/t/{first.secret}/qr.png").status_code == 404


def test_the_ics_carries_the_zone(client, make_event):
    event = make_event(live=True)
    response = client.get(f"/e/{event.id}/event.ics")
    body = text(response)
    assert response.mimetype == "text/calendar"
    assert "DTSTART;TZID=Asia/Shanghai" in body and "BEGIN:VTIMEZONE" in body
    assert event.title in body


# --- the door -------------------------------------------------------------------------

def test_manual_search_finds_by_name_and_last_four_digits(client, login, make_event,
                                                          make_registration):
    event = make_event(live=True)
    make_registration(event, name="欧阳娜娜", mobile="13900004567")
    login("staff")
    assert "欧阳娜娜" in text(client.get(f"/events/{event.id}/door?q=娜娜"))
    assert "欧阳娜娜" in text(client.get(f"/events/{event.id}/door?q=4567"))
    assert "欧阳娜娜" not in text(client.get(f"/events/{event.id}/door?q=9999"))


def test_manual_check_in_answers_green_then_amber(client, login, make_event,
                                                  make_registration):
    event = make_event(live=True)
    r = make_registration(event, name="欧阳娜娜")
    staff = login("staff")
    url = f"/events/{event.id}/door/checkin/{r.id}"
    page = text(client.post(url, follow_redirects=True))
    assert 'class="scan-result ok"' in page and "签到成功：欧阳娜娜" in page
    answer = client.post(url, headers={"Accept": "application/json"}).get_json()
    assert (answer["status"], answer["reason"], answer["colour"]) == (
        "error", "already_checked_in", "warn")
    assert answer["checked_in_by"] == staff.name and "已于" in answer["message"]


def test_door_scan_answers_red_for_other_events_and_cancelled_tickets(
        client, login, make_event, make_registration):
    event, other = make_event(live=True), make_event(live=True, title="AIGC创作者沙龙")
    theirs, cancelled = make_registration(other), make_registration(event)
    from events import rules
    rules.cancel_registration(db.session, None, cancelled, utcnow())
    db.session.commit()
    login("staff")
    scan = f"/events/{event.id}/door/scan"
    for code, reason in ((f"http://localhost/t/{theirs.secret}", "wrong_event"),
                         (cancelled.secret, "cancelled"), ("garbage", "unknown_ticket")):
        answer = client.post(scan, json={"code": code, "nonce": "n1"}).get_json()
        assert (answer["status"], answer["reason"], answer["colour"]) == ("error", reason, "bad")
    assert count(Registration, Registration.checked_in_at.is_not(None)) == 0


def test_a_walk_in_is_registered_and_checked_in(client, login, make_event):
    event = make_event(live=True)
    login("staff")
    response = client.post(f"/events/{event.id}/door/walk-in", follow_redirects=True,
                           data=register_form(name="现场来宾"))
    assert "现场登记并签到：现场来宾" in text(response)
    r = db.session.scalar(select(Registration))
    assert (r.source, r.checkin_method) == ("walk_in", "walk_in")
    bad = client.post(f"/events/{event.id}/door/walk-in", data=register_form(consent=""))
    assert bad.status_code == 422 and "请阅读个人信息处理说明" in text(bad)


def test_a_walk_in_already_checked_in_is_told_beside_the_mobile(client, login, make_event):
    event = make_event(live=True)
    login("staff")
    form = register_form(name="现场来宾", mobile="13900007788")
    client.post(f"/events/{event.id}/door/walk-in", data=form)
    again = client.post(f"/events/{event.id}/door/walk-in", data=form)
    assert again.status_code == 422 and "该手机号已报名并已签到" in text(again)
    assert count(Registration) == 1


def test_paper_walk_ins_are_recorded_or_refused_with_a_message(client, login, make_event):
    event = make_event(live=True)
    login("staff")
    at = event.starts_at.astimezone(community_tz()).strftime("%Y-%m-%dT%H:%M")
    ok = client.post(f"/events/{event.id}/paper/walk-in", follow_redirects=True,
                     data=register_form(name="纸上来宾", checked_at=at))
    assert "已补录纸质签到：纸上来宾" in text(ok)
    bad = client.post(f"/events/{event.id}/paper/walk-in", follow_redirects=True,
                      data=register_form(name="没同意", consent="", checked_at=at))
    assert "请阅读个人信息处理说明" in text(bad)
    late = (event.starts_at + timedelta(days=3)).astimezone(community_tz())
    bad = client.post(f"/events/{event.id}/paper/walk-in", follow_redirects=True,
                      data=register_form(checked_at=late.strftime("%Y-%m-%dT%H:%M")))
    assert "纸质签到时间应在活动开始前后当天内" in text(bad)
    assert [r.name for r in db.session.scalars(select(Registration))] == ["纸上来宾"]


def test_a_device_token_is_shown_once(client, login):
    login("staff")
    page = text(client.post("/events/devices", data={"name": "签到台平板2"}))
    assert 'id="device-token"' in page and "签到台平板2" in page
    assert 'id="device-token"' not in text(client.get("/events/devices"))
    bad = text(client.post("/events/devices", data={"name": ""}))
    assert 'id="device-token"' not in bad


def test_paper_sign_ins_are_recorded_as_paper(client, login, make_event, make_registration):
    event = make_event(live=True)
    a, b = make_registration(event, name="纸质一"), make_registration(event, name="纸质二")
    login("staff")
    sheet = text(client.get(f"/events/{event.id}/sheet"))
    assert "纸质一" in sheet and "签名" in sheet
    local_start = event.starts_at.astimezone(community_tz()).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/events/{event.id}/paper",
                data={"checked_at": local_start, "registration_id": [str(a.id)]})
    db.session.refresh(a)
    db.session.refresh(b)
    assert (a.checkin_method, b.checkin_method) == ("paper", None)
    assert a.checked_in_at == event.starts_at.replace(second=0, microsecond=0)


def test_live_counter(client, login, make_event, make_registration):
    event = make_event(live=True)
    r = make_registration(event)
    login("staff")
    client.post(f"/events/{event.id}/door/checkin/{r.id}")
    stats = client.get(f"/events/{event.id}/stats.json").get_json()
    assert (stats["checked_in"], stats["registered"]) == (1, 1)


def test_assessors_see_only_the_names_of_those_who_agreed(client, login, make_event,
                                                          make_registration):
    event = make_event(live=True)
    make_registration(event, name="李同意", assessor_consent=True)
    make_registration(event, name="王不同意")
    login("assessor")  # names reach it through the ledger only (test_ledger)
    assert client.get(f"/events/{event.id}").status_code == 403
    assert client.get("/events?q=王").status_code == 403  # nor can it probe names
    login("staff")
    assert "王不同意" in text(client.get(f"/events/{event.id}"))


def test_a_blank_summary_is_refused_with_a_message(client, login, make_event):
    event = make_event(status="held")
    login("staff")
    response = client.post(f"/events/{event.id}/summary", data={"summary": "   "},
                           follow_redirects=True)
    assert response.status_code == 200
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.summary == "小结"
    assert "请填写活动小结" in response.get_data(as_text=True)
    client.post(f"/events/{event.id}/summary", data={"summary": "签到 2 人"})
    db.session.refresh(event)
    assert event.summary == "签到 2 人"


def test_the_registration_page_says_how_long_names_are_kept(client, make_event):
    event = make_event(live=True)
    page = text(client.get(f"/e/{event.id}"))
    assert "2028-06-30" in page and "365" in page  # the keep-until day, then 365 days
