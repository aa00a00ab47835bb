"""Which slots of a room's day may be booked, and why the others may not: the
booking rules (booking.rules) asked slot by slot, over the opening hours
(booking.hours). It sits above both, so the pages show exactly what the rules allow.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select

from booking import rules
from booking.hours import opening_for
from booking.models import ACTIVE, Booking


@dataclass
class Slot:
    """One slot of a room's day. `state`: free, or why it cannot be booked: held by a
    booking (taken, pending, provisional, mine) or refused by the booking rules (past,
    beyond, blackout, closed, unavailable), with the rule's refusal in `refusal`."""
    starts_at: datetime
    ends_at: datetime
    state: str
    booking: Booking | None = None
    refusal: object = None  # the BookingRefused the rules gave a start here

    @property
    def free(self):
        return self.state == "free"


# What each refusal of the booking rules makes of a slot nobody holds.
REFUSED_STATE = {"in_past": "past", "beyond_window": "beyond", "blackout": "blackout",
                 "not_bookable": "unavailable", "holiday": "closed", "closed": "closed",
                 "outside_hours": "closed", "off_slot": "closed"}


def day_slots(session, room, day, now, tz, calendar, tenant_id=None, staff=False):
    """The room's slots on a local day, each free or saying why not: held by a booking,
    or refused by the very checks rules.create_booking makes (past, beyond the booking
    window, a blackout, closed). `staff` book beyond the window, as the rule lets them."""
    opening = opening_for(room, day, calendar)
    if opening is None:
        return []
    opens, closes = (datetime.combine(day, t, tz) for t in opening)
    bookings = session.scalars(select(Booking).where(
        Booking.room_id == room.id, Booking.status.in_(ACTIVE),
        Booking.starts_at < closes, Booking.ends_at > opens)).all()
    blackouts = rules.blackouts_over(session, room.id, opens, closes)
    step, slots, cursor = timedelta(minutes=room.slot_minutes), [], opens
    while cursor + step <= closes:
        end = cursor + step
        held = next((b for b in bookings if b.starts_at < end and b.ends_at > cursor), None)
        state, refusal = "free", None
        if held is not None:
            state = "mine" if tenant_id and held.tenant_id == tenant_id else (
                held.status if held.status in ("pending", "provisional") else "taken")
        else:
            try:
                rules.check_when(room, cursor, now, tz, staff)
                rules.check_open(room, cursor, end, tz, calendar, blackouts)
            except rules.BookingRefused as exc:
                state, refusal = REFUSED_STATE.get(exc.code, "closed"), exc
        slots.append(Slot(cursor, end, state, held, refusal))
        cursor = end
    return slots


def bookable_starts(room, slots):
    """The local start times of `slots` from which the room's shortest booking fits in
    free slots only: the starts a booking form may offer."""
    need = max(1, -(-room.min_minutes // room.slot_minutes))
    return [slots[n].starts_at for n in range(len(slots) - need + 1)
            if all(s.free for s in slots[n:n + need])]


def closed_refusal(room, day, tz, calendar):
    """Why the room has no slots on a day (a holiday, a closed day), in the rule's words."""
    midnight = datetime.combine(day, time(0), tz)
    try:
        rules.check_open(room, midnight, midnight, tz, calendar, [])
    except rules.BookingRefused as exc:
        return exc
    return None
