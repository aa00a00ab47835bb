"""E1, the sheets 活动台账 and 活动签到明细, the export, the purge command, the demo."""
import io
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func, select

from community.extensions import db
from community.files import save_attachment
from community.models import ServedRecord
from community.periods import Period
from community.registry import registry
from community.settings import targets
from events import checkin
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
    assert events_held_by_kind(db.session, YEAR) == "创新创业赛事 1 · 创业培训 1"
    e1 = next(i for i in registry().indicators if i.code == "E1")
    assert e1.target_for(targets(db.session), YEAR) == 24
    h1 = Period(date(2026, 1, 1), date(2026, 6, 30), date(2026, 6, 30))
    assert e1.target_for({}, h1) == 12


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
        "summary": "顺利"}
    assert row["date"] == (NOW + timedelta(days=7)).date()


def test_checkin_sheet_names_only_those_who_agreed(app, make_event, make_registration):
    held_event(make_event, make_registration, app)
    rows = sorted(checkin_rows(db.session, YEAR), key=lambda r: r["attendee"])
    assert [(r["attendee"], r["mobile"], r["method"]) for r in rows] == [
        ("李娜", "13900001111", "扫码"), ("王**", None, "扫码")]


def test_assessor_export_masks_phones_and_unconsented_names(client, login, make_event,
                                                           make_registration, app):
    held_event(make_event, make_registration, app)
    login("assessor")
    response = client.get("/ledger.xlsx?period=custom&start=2026-01-01&end=2026-12-31")
    sheets = pd.read_excel(io.BytesIO(response.data), sheet_name=None)
    events, detail = sheets["活动台账"], sheets["活动签到明细"]
    assert list(events["签到人数"]) == [2] and list(events["照片数"]) == [1]
    assert sorted(detail["参会人"]) == ["李娜", "王**"]
    assert "139****1111" in list(detail["手机号"]) and "13900001111" not in detail.to_string()
    assert "王小明" not in detail.to_string()
    assert "重庆隐私保护研究所" not in detail.to_string()  # no consent: only "外部嘉宾"


def test_served_tenants_appear_in_the_s4_ledger(app, make_event, make_registration,
                                                make_tenant):
    tenant = make_tenant(name="重庆云启科技有限公司")
    event = make_event()
    r = make_registration(event, organisation=tenant.name)
    checkin.check_in(db.session, event.id, secret=r.secret, method="self", now=event.starts_at)
    db.session.commit()
    record = db.session.scalar(select(ServedRecord).where(ServedRecord.source == "events"))
    assert (record.tenant_id, record.note) == (tenant.id, event.title)
    assert registry().served_sources["events"] == "活动参与"


def test_purge_command(runner, make_event, make_registration):
    event = make_event(starts_at=NOW - timedelta(days=400), now=NOW - timedelta(days=420))
    make_registration(event, now=NOW - timedelta(days=410))
    result = runner.invoke(args=["events", "purge", "--older-than-days", "5"])
    assert result.exit_code != 0 and "保留天数至少为30天" in result.output
    result = runner.invoke(args=["events", "purge", "--older-than-days", "365"])
    assert result.exit_code == 0 and "1 registrations in 1 events" in result.output
    db.session.expire_all()
    r = db.session.scalar(select(Registration))
    assert (r.name, r.mobile, r.status) == ("", None, "registered")


def test_demo_has_a_plausible_year_of_events(runner):
    assert "loaded" in runner.invoke(args=["demo"]).output
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
