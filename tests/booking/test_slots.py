"""A room's day never shows a slot as bookable that the booking rules would refuse:
each slot says why it cannot be booked, from the same checks create_booking makes."""
from datetime import timedelta

from booking import rooms, rules
from booking.slots import bookable_starts, closed_refusal, day_slots
from booking.models import Booking
from community.extensions import db
from community.holidays import load_calendar
from tests.booking.conftest import NOW, TZ, at


def slots_of(room, day, tenant_id=None, staff=False, now=NOW):
    calendar = load_calendar(db.session, day)
    return day_slots(db.session, room, day, now, TZ, calendar, tenant_id=tenant_id,
                           staff=staff)


def by_time(slots):
    return {f"{s.starts_at.astimezone(TZ):%H:%M}": s for s in slots}


def add_booking(room, tenant, start, end, status="confirmed"):
    booking = Booking(room=room, tenant_id=tenant.id if tenant else None, purpose="路演彩排",
                      starts_at=start, ends_at=end, status=status)
    db.session.add(booking)
    db.session.commit()
    return booking


def test_each_slot_says_why_it_cannot_be_booked(app, make_room, member, staff, make_tenant):
    room = make_room(book_ahead_days=30)
    rooms.add_blackout(db.session, staff, room, at("11-17", "12:00"), at("11-17", "13:00"),
                       "地毯清洗")
    db.session.commit()
    add_booking(room, make_tenant(), at("11-17", "09:00"), at("11-17", "10:00"))
    add_booking(room, make_tenant(), at("11-17", "10:00"), at("11-17", "10:30"), "pending")
    add_booking(room, None, at("11-17", "10:30"), at("11-17", "11:00"), "provisional")
    add_booking(room, member.tenant, at("11-17", "11:00"), at("11-17", "11:30"))
    day = by_time(slots_of(room, at("11-17", "00:00").date(), tenant_id=member.tenant_id))
    assert [day[t].state for t in ("09:00", "10:00", "10:30", "11:00", "11:30", "12:00",
                                   "12:30", "13:00")] == [
        "taken", "pending", "provisional", "mine", "free", "blackout", "blackout", "free"]
    assert day["12:00"].refusal.code == "blackout"
    assert day["12:00"].refusal.params["reason"] == "地毯清洗"

    today = by_time(slots_of(room, NOW.date()))  # 08:00 now: the room opens at 09:00
    assert today["09:00"].state == "free"
    assert by_time(slots_of(room, NOW.date(), now=at("11-16", "10:10")))["09:30"].state == "past"

    last = NOW + timedelta(days=30)  # 2026-12-16 08:00: slots from then on are beyond
    edge = by_time(slots_of(room, last.date()))
    assert edge["09:00"].state == "beyond"
    assert edge["09:00"].refusal.params["last"] == "2026-12-16"
    beyond = slots_of(room, last.date() + timedelta(days=1))
    assert {s.state for s in beyond} == {"beyond"}
    assert {s.state for s in slots_of(room, last.date() + timedelta(days=1), staff=True)} == \
        {"free"}  # staff book beyond the window, as the rule lets them


def test_a_slot_is_free_exactly_when_the_rule_would_book_it(app, make_room, member, staff,
                                                           make_tenant):
    """One source of truth: every slot of a week is asked of check_request too."""
    room = make_room(book_ahead_days=3, quota_hours_per_week=0, min_minutes=30)
    rooms.add_blackout(db.session, staff, room, at("11-18", "15:00"), at("11-19", "10:00"),
                       "")
    db.session.commit()
    add_booking(room, make_tenant(), at("11-17", "14:00"), at("11-17", "15:30"))
    now = at("11-16", "13:10")
    for offset in range(-1, 6):
        day = now.date() + timedelta(days=offset)
        calendar = load_calendar(db.session, day)
        for slot in day_slots(db.session, room, day, now, TZ, calendar,
                                    tenant_id=member.tenant_id):
            try:
                rules.check_request(db.session, room, member.tenant_id, slot.starts_at,
                                    slot.ends_at, now, TZ, calendar=calendar)
                allowed = True
            except rules.BookingRefused as exc:
                allowed = False
                if slot.refusal is not None:
                    assert exc.code == slot.refusal.code
            assert allowed == slot.free, (slot.starts_at, slot.state)


def test_a_closed_day_has_no_slots_and_says_why(app, make_room):
    room = make_room()
    sunday_closed = make_room(opening_hours={str(d): ["09:00", "21:00"] for d in range(6)})
    sunday = at("11-22", "00:00").date()
    assert slots_of(sunday_closed, sunday) == []
    assert closed_refusal(sunday_closed, sunday, TZ,
                                load_calendar(db.session, sunday)).code == "closed"
    assert slots_of(room, sunday)  # the default hours open on Sundays


def test_only_starts_the_shortest_booking_fits_are_offered(app, make_room, make_tenant):
    room = make_room(min_minutes=60)
    add_booking(room, make_tenant(), at("11-17", "10:00"), at("11-17", "11:00"))
    starts = [f"{t.astimezone(TZ):%H:%M}" for t in bookable_starts(
        room, slots_of(room, at("11-17", "00:00").date()))]
    assert "09:00" in starts and "09:30" not in starts and "10:00" not in starts
    assert "11:00" in starts and "20:00" in starts and "20:30" not in starts
