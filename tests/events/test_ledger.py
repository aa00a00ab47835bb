"""E1, the sheets 活动台账 and 活动签到明细, the export, the purge command, the demo."""
import io
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func, select

from community.extensions import db
from community.files import save_attachment
from community.models import AssessorGrant, AuditEntry, ServedRecord
from community.models import Attachment as AttachmentModel
from community.periods import Period
from community.registry import registry
from community.settings import targets
from events import checkin
from events.gaps import lacking_evidence
from events.ledger import checkin_rows, event_rows, events_held, events_held_by_kind
from events.models import KINDS, METHODS, Event, Registration
from tests.events.conftest import NOW

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 31))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def held_event(make_event, make_registration, app, **overrides):
    event = make_event(status="published", **overrides)
    named = make_registration(event, name="李娜", mobile="13900001111", assessor_consent=True)
    hidden = make_registration(event, name="王小明", mobile="13900002222",
                               organisation="重庆隐私保护研究所")
    make_registration(event)  # a no-show
    for r in (named, hidden):
        checkin.check_in(db.session, event.id, secret=r.secret, method="scanner",
                         now=event.starts_at)
    from events.rules import mark_held
    mark_held(db.session, None, event, event.ends_at, "顺利")
    save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], "event_photo", event.id,
                    "a.jpg", JPEG)
    db.session.commit()
    return event


def test_e1_counts_held_events_by_kind(app, make_event, make_registration):
    held_event(make_event, make_registration, app)
    held_event(make_event, make_registration, app, kind="competition", title="大赛")
    make_event(kind="salon")  # published, not held: not counted
    make_event(status="cancelled")
    assert events_held(db.session, YEAR) == 2
    assert events_held_by_kind(db.session, YEAR) == "赛事 1 · 资源对接 0 · 培训 1 · 其他 0"
    e1 = next(i for i in registry().indicators if i.code == "E1")
    assert e1.target_for(targets(db.session), YEAR) == 24
    h1 = Period(date(2026, 1, 1), date(2026, 6, 30), date(2026, 6, 30))
    assert e1.target_for({}, h1) == 12


def test_e1_shows_the_named_kinds_apart_from_the_others(app, make_event, make_registration):
    for kind in ("matching", "roadshow", "roadshow", "salon", "other"):
        held_event(make_event, make_registration, app, kind=kind)
    assert events_held_by_kind(db.session, YEAR) == \
        "赛事 0 · 资源对接 1 · 培训 0 · 其他 4（路演 2、沙龙 1、其他 1）"
    e1 = next(i for i in registry().indicators if i.code == "E1")
    assert e1.detail is events_held_by_kind and registry().gap_counts["E1"] is lacking_evidence


def test_held_events_without_notice_sign_in_or_photos_lack_evidence(
        app, make_event, make_registration):
    from events.rules import mark_held
    complete = held_event(make_event, make_registration, app)
    no_notice = held_event(make_event, make_registration, app, notice_text="", title="无通知")
    nobody = make_event(title="无人签到")  # held with photos and a notice, nobody checked in
    save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], "event_photo", nobody.id,
                    "b.jpg", JPEG)
    mark_held(db.session, None, nobody, nobody.ends_at, "")
    no_photos = make_event(title="无照片")
    r = make_registration(no_photos)
    checkin.check_in(db.session, no_photos.id, secret=r.secret, method="scanner",
                     now=no_photos.starts_at)
    mark_held(db.session, None, no_photos, no_photos.ends_at, "")
    make_event(title="未举办", notice_text="")  # published, not held: not E1, not counted
    db.session.commit()
    assert events_held(db.session, YEAR) == 4
    assert lacking_evidence(db.session, YEAR) == 3
    rows = {row["title"]: row["lacking"] for row in event_rows(db.session, YEAR)}
    assert rows == {complete.title: "", no_notice.title: "活动通知", "无人签到": "签到记录",
                    "无照片": "现场照片",
                    # published and started by the period's reference day, never closed
                    "未举办": "活动通知、签到记录、现场照片"}
    # A notice file counts as the notice.
    save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], "event_notice",
                    no_notice.id, "通知.pdf", b"%PDF-1.4\n%%EOF\n")
    db.session.commit()
    assert lacking_evidence(db.session, YEAR) == 2


def test_the_events_list_flags_the_same_events_as_the_cover(client, login, app, make_event,
                                                            make_registration):
    from community.dbsetup import utcnow
    from events.rules import mark_held
    event = make_event(live=True, notice_text="", title="缺通知的培训",
                       starts_at=utcnow() - timedelta(days=1))
    mark_held(db.session, None, event, utcnow(), "")
    db.session.commit()
    today = utcnow().date()
    period = Period(date(today.year - 1, 1, 1), date(today.year, 12, 31), today)
    assert lacking_evidence(db.session, period) == 1
    login("staff")
    body = client.get("/events").get_data(as_text=True)
    attention = body.split('id="attention"')[1].split("</section>")[0]
    assert "缺通知的培训" in attention and "缺活动通知" in attention


def test_the_period_is_counted_in_the_community_zone(app, make_event, make_registration):
    # 2026-12-31 23:30 in Chongqing is 15:30 UTC: it belongs to 2026, not 2027.
    from datetime import datetime, timezone
    starts = datetime(2026, 12, 31, 15, 30, tzinfo=timezone.utc)
    held_event(make_event, make_registration, app, starts_at=starts,
               now=starts - timedelta(days=3))
    assert events_held(db.session, YEAR) == 1
    next_day = Period(date(2027, 1, 1), date(2027, 1, 1), date(2027, 1, 1))
    assert events_held(db.session, next_day) == 0


def test_event_sheet_rows(app, make_event, make_registration):
    held_event(make_event, make_registration, app, co_organisers="重庆市软件行业协会")
    (row,) = list(event_rows(db.session, YEAR))
    assert row | {"date": None} == {
        "date": None, "kind": "创业培训", "title": "一人公司财税合规培训",
        "venue": "重庆大学虎溪校区图书馆报告厅",
        "organisers": "重庆渝创空间运营管理有限公司；协办：重庆市软件行业协会",
        "status": "已举办", "registered": 3, "attended": 2, "has_notice": True, "photos": 1,
        "summary": "顺利", "lacking": "", "evidence_id": row["evidence_id"]}
    assert row["date"] == (NOW + timedelta(days=7)).date()


def test_checkin_sheet_names_only_those_who_agreed(app, make_event, make_registration):
    held_event(make_event, make_registration, app)
    rows = sorted(checkin_rows(db.session, YEAR), key=lambda r: r["attendee"])
    assert [(r["attendee"], r["mobile"], r["method"]) for r in rows] == [
        ("李娜", "13900001111", "扫码"), ("王**", None, "扫码")]


def test_assessor_export_masks_phones_and_unconsented_names(client, login, make_event,
                                                           make_registration, app):
    held_event(make_event, make_registration, app)
    assessor = login("assessor")
    db.session.add(AssessorGrant(user_id=assessor.id, start_on=date(2026, 1, 1),
                                 end_on=date(2026, 12, 31)))
    db.session.commit()
    response = client.get("/ledger.xlsx?period=custom&start=2026-01-01&end=2026-12-31")
    sheets = pd.read_excel(io.BytesIO(response.data), sheet_name=None)
    events, detail = sheets["活动台账"], sheets["活动签到明细"]
    assert list(events["签到人数"]) == [2] and list(events["照片数"]) == [1]
    assert "缺少材料" in events.columns
    cover = pd.read_excel(io.BytesIO(response.data), sheet_name=0, skiprows=2)
    e1 = cover[cover["指标编号"] == "E1"].iloc[0]
    assert e1["缺证据记录"] == 0 and e1["说明"] == "赛事 0 · 资源对接 0 · 培训 1 · 其他 0"
    # nothing personal beyond masked phones: one who agreed to be named reads 李* too
    assert sorted(detail["参会人"]) == ["李*", "王**"]
    assert "139****1111" in list(detail["手机号"]) and "13900001111" not in detail.to_string()
    assert "王小明" not in detail.to_string()
    assert "重庆隐私保护研究所" not in detail.to_string()  # no consent: only "外部嘉宾"


def test_served_tenants_appear_in_the_s4_ledger(app, make_event, make_registration,
                                                make_member):
    member = make_member(name="李娜", phone="13900002468")
    event = make_event()
    r = make_registration(event, name="李娜", mobile=member.phone)
    checkin.check_in(db.session, event.id, secret=r.secret, method="self", now=event.starts_at)
    db.session.commit()
    record = db.session.scalar(select(ServedRecord).where(ServedRecord.source == "events"))
    assert (record.tenant_id, record.note) == (member.tenant_id, event.title)
    assert registry().served_sources["events"] == "活动参与"
    (row,) = checkin_rows(db.session, YEAR)
    assert (row["tenant"], row["tenant_basis"]) == (True, "成员手机号")


def keep_until_passed():
    """Settings whose keep-until day is behind us: a period that ended in 2024."""
    from community.settings import save_settings
    save_settings(db.session, None, {"name": "社区", "timezone": "Asia/Shanghai",
                                     "period_start_on": date(2023, 1, 1),
                                     "period_end_on": date(2024, 6, 30),
                                     "personal_data_until": None})
    db.session.commit()


def test_purge_command(runner, make_event, make_registration):
    from community.dbsetup import utcnow
    now = utcnow()
    event = make_event(starts_at=now - timedelta(days=400), now=now - timedelta(days=420))
    make_registration(event, now=now - timedelta(days=410))
    keep_until_passed()
    result = runner.invoke(args=["events", "purge", "--older-than-days", "5"])
    assert result.exit_code != 0 and "保留天数至少为30天" in result.output
    result = runner.invoke(args=["events", "purge", "--older-than-days", "365"])
    assert result.exit_code == 0 and "1 registrations in 1 events" in result.output
    db.session.expire_all()
    r = db.session.scalar(select(Registration))
    assert (r.name, r.mobile, r.status) == ("", None, "registered")


def test_purge_command_refuses_before_the_keep_until_day(runner, make_event,
                                                         make_registration):
    """Default settings keep names until 2028-06-30 (2027-12-31 + six months)."""
    from community.dbsetup import utcnow
    now = utcnow()
    event = make_event(starts_at=now - timedelta(days=400), now=now - timedelta(days=420))
    make_registration(event, name="赵六", now=now - timedelta(days=410))
    result = runner.invoke(args=["events", "purge"])
    assert result.exit_code == 1
    assert "参会人个人信息按设置保留至 2028-06-30" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Registration.name)) == "赵六"
    assert db.session.get(Event, event.id).purged_at is None
    help_text = runner.invoke(args=["events", "purge", "--help"]).output
    assert "keep-until" in help_text and "refuses" in help_text


def test_demo_has_a_plausible_year_of_events(demo):
    held = db.session.scalars(select(Event).where(Event.status == "held")).all()
    assert len(held) >= 24 and {e.kind for e in held} == set(KINDS)
    assert events_held(db.session, YEAR) >= 24
    methods = set(db.session.scalars(select(Registration.checkin_method).distinct()))
    assert set(METHODS) <= methods
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.status == "waitlisted")) > 0
    assert len(list(event_rows(db.session, YEAR))) >= 28
    assert len(list(checkin_rows(db.session, YEAR))) > 500
    assert db.session.scalar(select(func.count()).select_from(ServedRecord).where(
        ServedRecord.source == "events")) > 50


def test_demo_summaries_state_the_recorded_attendance(demo):
    from events.checkin import attendance
    held = db.session.scalars(select(Event).where(Event.status == "held")).all()
    for event in held:
        stats = attendance(db.session, event.id)
        assert f"报名确认 {stats['registered']} 人" in event.summary
        assert f"实际签到 {stats['checked_in']} 人" in event.summary


def test_demo_attendees_credit_firms_only_by_member_mobile_or_staff(demo):
    from community.models import Member
    linked = db.session.scalars(select(Registration).where(
        Registration.tenant_id.is_not(None))).all()
    bases = {r.tenant_basis for r in linked}
    assert bases == {"member", "staff"}
    phones = {(m.tenant_id, m.phone) for m in db.session.scalars(select(Member))}
    for r in linked:
        if r.tenant_basis == "member":
            assert (r.tenant_id, r.mobile) in phones
    staff_links = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "registration.tenant_linked"))
    assert staff_links == sum(1 for r in linked if r.tenant_basis == "staff") > 0
    # Some typed a firm's name and were never linked: that alone credits nobody.
    from community.models import Tenant
    names = set(db.session.scalars(select(Tenant.name)))
    assert any(r.organisation in names for r in db.session.scalars(select(Registration).where(
        Registration.tenant_id.is_(None))))


def test_the_event_sheet_lists_its_notices_and_photos_in_force(app, make_event,
                                                               make_registration):
    from community.export import EVIDENCE_TITLE, sheet_frame
    from community.files import withdraw_attachment
    event = held_event(make_event, make_registration, app)
    folder = app.config["UPLOAD_FOLDER"]
    notice = save_attachment(db.session, None, folder, "event_notice", event.id, "通知.jpg",
                             JPEG + b"n")
    blurred = save_attachment(db.session, None, folder, "event_photo", event.id, "糊了.jpg",
                              JPEG + b"b")
    withdraw_attachment(db.session, None, blurred, "照片模糊")
    db.session.commit()
    sheet = next(s for s in registry().sheets if s.title == "活动台账")
    cell = sheet_frame(db.session, sheet, YEAR)[EVIDENCE_TITLE][0]
    photo = db.session.scalars(select(AttachmentModel).where(
        AttachmentModel.owner_type == "event_photo", AttachmentModel.filename == "a.jpg")).one()
    assert cell.splitlines() == [f"a.jpg {photo.sha256}", f"通知.jpg {notice.sha256}"]
