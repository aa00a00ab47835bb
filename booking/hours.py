"""What a room's day looks like: opening hours, statutory holidays and 调休
working days, the slots a booking may take and which of them are free.

Holidays come from the staff-kept table (community.holidays), loaded once per
request or rule as a `Calendar` and passed in: nothing here asks the library,
so a year the table does not know is a known unknown, not a silent guess.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, or_, select

from booking.models import ACTIVE, Booking, Room
from community.holidays import load_calendar
from community.models import Zone


# --- opening hours and holidays ---------------------------------------------------------

def _hhmm(text):
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def opening_for(room, day, calendar):
    """(opens, closes) on a day as local times, or None when the room is closed."""
    if calendar.holiday(day) and not room.open_on_holidays:
        return None
    weekday = 0 if calendar.is_adjusted_workday(day) else day.weekday()  # 调休: weekday hours
    hours = (room.opening_hours or {}).get(str(weekday))
    if not hours:
        return None
    return _hhmm(hours[0]), _hhmm(hours[1])


def open_hours_on(room, day, calendar):
    opening = opening_for(room, day, calendar)
    if opening is None:
        return 0
    start, end = (datetime.combine(day, t) for t in opening)
    return (end - start).total_seconds() / 3600


def room_in_service(room, day):
    zone = room.zone
    return zone.bookable and zone.in_service_on <= day and (
        zone.out_of_service_on is None or zone.out_of_service_on >= day)


def booking_window(session, today):
    """(today, the furthest day any bookable room in service may be booked), or None
    when there is no such room."""
    ahead = session.scalar(select(func.max(Room.book_ahead_days)).join(
        Zone, Room.zone_id == Zone.id).where(
        Zone.bookable.is_(True),
        or_(Zone.out_of_service_on.is_(None), Zone.out_of_service_on >= today)))
    return None if ahead is None else (today, today + timedelta(days=ahead))


def years_without_holidays(session, today):
    """The years inside the booking window the holiday table knows nothing of."""
    window = booking_window(session, today)
    return load_calendar(session, *window).unknown_years() if window else []


# --- what a day looks like -------------------------------------------------------------------

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


def slot_starts(room, day, calendar):
    """The local start times a booking may have on a day (from the opening hours)."""
    opening = opening_for(room, day, calendar)
    if opening is None:
        return []
    cursor, closes = (datetime.combine(day, t) for t in opening)
    step, starts = timedelta(minutes=room.slot_minutes), []
    while cursor + step <= closes:
        starts.append(cursor.time())
        cursor += step
    return starts


def day_slots(session, room, day, now, tz, calendar, tenant_id=None, staff=False):
    """The room's slots on a local day, each free or saying why not: held by a booking,
    or refused by the very checks rules.create_booking makes (past, beyond the booking
    window, a blackout, closed). `staff` book beyond the window, as the rule lets them."""
    from booking import rules  # rules builds on this module's opening hours

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
    from booking import rules

    midnight = datetime.combine(day, time(0), tz)
    try:
        rules.check_open(room, midnight, midnight, tz, calendar, [])
    except rules.BookingRefused as exc:
        return exc
    return None
