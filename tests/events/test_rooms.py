"""An event in a community room reserves it through booking, and gives it back."""
from datetime import timedelta

import pytest

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from community.extensions import db
from community.models import AuditEntry
from community.periods import Period
from community.refusals import Refused
from booking.ledger import utilisation_rows
from booking.models import Booking
from booking.rooms import ensure_rooms
from booking.rules import reserve_for_event
from community.refusals import Invalid
from events import rules
from tests.events.conftest import NOW, event_data


@pytest.fixture
def room(app, make_zone):
    make_zone(name="创业培训室", kind="meeting_room", capacity=40, bookable=True)
    made = ensure_rooms(db.session)
    db.session.commit()
    return made[0]


def test_an_event_in_a_room_holds_it_provisionally_until_published(app, room):
    event = rules.save_event(db.session, None, event_data(room=room, venue_address=""), NOW)
    db.session.commit()
    booking = event.booking
    assert (booking.room_id, booking.status, booking.source, booking.tenant_id) == (
        room.id, "provisional", "event", None)
    assert (booking.starts_at, booking.ends_at) == (event.starts_at, event.ends_at)
    # Nobody else can take the room meanwhile.
    with pytest.raises(Refused) as caught:
        reserve_for_event(db.session, None, room, event.starts_at, event.ends_at, "别的活动", NOW)
    assert caught.value.code == "slot_taken"
    db.session.rollback()
    rules.publish_event(db.session, None, event, NOW)
    db.session.commit()
    assert booking.status == "confirmed"
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.object_type == "booking", AuditEntry.object_id == booking.id)
        .order_by(AuditEntry.id.desc()).limit(1)) == "booking.confirmed"


def test_a_draft_events_hold_is_not_a_booking_granted(app, room):
    """S3's booked hours and 功能空间利用率 count no draft's hold, even once its time
    has passed; the published event's reservation counts once it took place."""
    start = NOW - timedelta(days=10)
    draft = rules.save_event(db.session, None, event_data(
        room=room, venue_address="", starts_at=start), start - timedelta(days=5))
    held = rules.save_event(db.session, None, event_data(
        room=room, venue_address="", starts_at=start + timedelta(days=1)),
        start - timedelta(days=5))
    rules.publish_event(db.session, None, held, start - timedelta(days=4))
    db.session.commit()
    assert draft.booking.status == "provisional"
    period = Period(date(2026, 5, 1), date(2026, 5, 31), as_of=date(2026, 5, 31))
    rows = [r for r in utilisation_rows(db.session, period) if r["month"] == "2026-05"]
    assert [(r["booked_hours"], r["used_hours"]) for r in rows] == [
        (Decimal("3.0"), Decimal("3.0"))]  # the published event's three hours only


def test_moving_the_event_moves_the_booking(app, room):
    event = rules.save_event(db.session, None, event_data(room=room, venue_address=""), NOW)
    old = event.booking
    later = event.starts_at + timedelta(days=1)
    rules.save_event(db.session, None, event_data(
        room=room, venue_address="", starts_at=later, ends_at=later + timedelta(hours=2)),
        NOW, event)
    assert old.status == "cancelled" and event.booking.status == "provisional"
    assert event.booking.starts_at == later
    rules.save_event(db.session, None, event_data(room=None), NOW, event)
    assert event.booking is None and event.room is None


def test_cancelling_the_event_frees_the_room(app, room):
    event = rules.save_event(db.session, None, event_data(room=room, venue_address=""), NOW)
    booking = event.booking
    rules.cancel_event(db.session, None, event, NOW)
    assert booking.status == "cancelled" and event.booking_id is None


def test_a_taken_room_is_refused_and_nothing_is_saved(app, room):
    data = event_data(room=room, venue_address="")
    reserve_for_event(db.session, None, room, data["starts_at"], data["ends_at"], "别的活动",
                      NOW)
    db.session.commit()
    with pytest.raises(Invalid) as caught:
        rules.save_event(db.session, None, data, NOW)
    assert caught.value.errors == {"room_id": "slot_taken"}
    db.session.rollback()
    assert db.session.query(Booking).count() == 1


def test_a_room_and_an_address_at_once_is_refused(app, room):
    with pytest.raises(Invalid) as caught:
        rules.save_event(db.session, None, event_data(room=room), NOW)
    assert caught.value.errors == {"venue_address": "venue_both"}


def test_an_events_history_reads_as_words_in_local_time(app, client, login, room):
    """The 变更记录 names each field, says a status by its label and a moment in local
    minutes."""
    staff = login("staff")
    event = rules.save_event(db.session, staff, event_data(room=room, venue_address=""), NOW)
    db.session.commit()
    rules.publish_event(db.session, staff, event, NOW)  # 09:00 in Chongqing
    db.session.commit()
    history = client.get(f"/events/{event.id}").get_data(as_text=True).split("变更记录")[1]
    assert "<b>发布时间</b>: — → 2026-06-01 09:00" in history
    assert "<b>状态</b>: 草稿 → " in history
    assert "published_at" not in history and "T01:00" not in history and "None" not in history


def test_the_trail_keeps_no_secret(app, make_event, make_registration):
    registration = make_registration(make_event())
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "registration", AuditEntry.object_id == registration.id))
    assert entry is not None and "secret" not in (entry.after or {})
    assert registration.secret not in str(entry.after)
