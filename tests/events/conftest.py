"""Fixtures of the events tests: events, registrations and scanner devices with
sensible defaults. Rules tests pass a fixed clock (NOW); view tests use the real one."""
import itertools
from datetime import datetime, timedelta, timezone

import pytest

from community import rules as community_rules
from community.extensions import db
from community.dbsetup import utcnow
from events import checkin, rules

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc)  # 09:00 in Chongqing
_mobiles = itertools.count(1)


def next_mobile():
    """A valid mainland mobile number, different on every call."""
    return f"139{next(_mobiles):08d}"


def event_data(starts_at=None, **overrides):
    starts_at = starts_at or NOW + timedelta(days=7)
    return {"kind": "training", "title": "一人公司财税合规培训", "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=3), "capacity": 50,
            "organiser": "重庆渝创空间运营管理有限公司", "co_organisers": "",
            "venue_address": "重庆大学虎溪校区图书馆报告厅", "room": None,
            "description": "", "notice_text": "活动通知：欢迎报名。"} | overrides


def person(**overrides):
    return {"name": "张三", "mobile": next_mobile(), "email": "", "organisation": "重庆大学",
            "consent": True, "assessor_consent": False} | overrides


@pytest.fixture
def make_event(app):
    """An event (published unless told), by default a week after NOW; `live=True`
    puts it on the real clock, starting in two days, for tests through HTTP."""
    def make(status="published", live=False, now=None, **overrides):
        if live:
            overrides.setdefault("starts_at", utcnow() + timedelta(days=2))
        now = now or (utcnow() if live else NOW)
        event = rules.save_event(db.session, None, event_data(**overrides), now)
        if status != "draft":
            rules.publish_event(db.session, None, event, now)
        if status == "cancelled":
            rules.cancel_event(db.session, None, event, now)
        if status == "held":
            rules.mark_held(db.session, None, event, event.ends_at, "小结")
        db.session.commit()
        return event
    return make


@pytest.fixture
def make_registration(app):
    def make(event, now=None, **overrides):
        now = now or min(NOW, event.registration_closes_at - timedelta(minutes=1))
        registration, _ = rules.register(db.session, event, person(**overrides), now)
        db.session.commit()
        return registration
    return make


@pytest.fixture
def make_member(app, make_tenant):
    """A tenant's member with a registered mobile (by default of a new tenant): the
    events tests need the phone that links an attendee to the firm."""
    def make(tenant=None, name="李四", phone=""):
        member = community_rules.add_member(db.session, None, tenant or make_tenant(), name,
                                            phone)
        db.session.commit()
        return member
    return make


@pytest.fixture
def make_device(app):
    """A scanner device: (device, token)."""
    def make(name="签到台平板"):
        device, token = checkin.create_device(db.session, None, name, utcnow())
        db.session.commit()
        return device, token
    return make
