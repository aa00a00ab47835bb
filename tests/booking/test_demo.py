"""The booking demo tells the truth whatever day it is loaded on: pending requests lie
ahead, history is what took place, served records follow the rules."""
import hashlib
from datetime import date, datetime, time, timedelta
from functools import partial

import pytest
from sqlalchemy import func, select

from booking.demo import load_demo as load_bookings
from booking.models import Booking
from community.demo import load_demo
from community.extensions import db
from community.models import Holiday, ServedRecord
from tests.booking.conftest import TZ


def load(day):
    assert load_demo(db.session, [partial(load_bookings, today=day)])
    db.session.commit()


def fingerprint():
    rows = db.session.execute(select(Booking.room_id, Booking.tenant_id, Booking.starts_at,
                                     Booking.status).order_by(Booking.id)).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.parametrize("day", [date(2026, 12, 1), date(2026, 6, 15), date(2027, 1, 20)])
def test_pending_requests_lie_after_the_load_day(app, day):
    load(day)
    tomorrow = datetime.combine(day + timedelta(days=1), time(0), TZ)
    pending = db.session.scalars(select(Booking).where(Booking.status == "pending")).all()
    assert pending and all(b.starts_at >= tomorrow for b in pending)
    assert all(b.created_at < datetime.combine(day, time(0), TZ) for b in pending)
    ahead = db.session.scalars(select(Booking).where(Booking.starts_at >= tomorrow)).all()
    assert all(b.status in ("pending", "confirmed") and b.checked_in_at is None for b in ahead)
    assert max(b.starts_at for b in ahead).date() <= day + timedelta(days=14)
    past = db.session.scalars(select(Booking).where(Booking.starts_at < tomorrow)).all()
    assert past and {b.status for b in past} == {"confirmed", "cancelled", "released"}
    assert all(b.checked_in_at for b in past if b.status == "confirmed")


def test_served_records_follow_the_rules(app):
    load(date(2026, 12, 1))
    served = dict(db.session.execute(select(ServedRecord.ref, ServedRecord.served_on).where(
        ServedRecord.source == "booking", ServedRecord.voided_at.is_(None))).all())
    for b in db.session.scalars(select(Booking)):
        if b.checked_in_at is not None:
            assert served[str(b.id)] == b.starts_at.astimezone(TZ).date()
        else:  # cancelled or released: never took place; pending or ahead: not yet
            assert str(b.id) not in served


def test_the_holiday_table_is_filled_for_2025_and_2026(app):
    load(date(2026, 12, 1))
    years = {d.year for d in db.session.scalars(select(Holiday.day))}
    assert years == {2025, 2026}
    assert db.session.scalar(select(func.count()).select_from(Holiday).where(
        Holiday.source.not_like("chinese-calendar %"))) == 0
    national_day = datetime(2026, 10, 1, 0, 0, tzinfo=TZ)
    assert db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.starts_at >= national_day,
        Booking.starts_at < national_day + timedelta(days=1))) == 0


def test_the_same_day_gives_the_same_demo(app, request):
    load(date(2026, 12, 1))
    first = fingerprint()
    other = request.getfixturevalue("other_app")
    with other.app_context():
        load(date(2026, 12, 1))
        assert fingerprint() == first
        db.engine.dispose()
