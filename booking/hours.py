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
    starts_at: datetime
    ends_at: datetime
    state: str  # free, taken, pending, mine, past
    booking: Booking | None = None


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


def day_slots(session, room, day, now, tz, calendar, tenant_id=None):
    """The room's slots on a local day, each free, taken, pending, mine or past."""
    opening = opening_for(room, day, calendar)
    if opening is None:
        return []
    opens, closes = (datetime.combine(day, t, tz) for t in opening)
    bookings = session.scalars(select(Booking).where(
        Booking.room_id == room.id, Booking.status.in_(ACTIVE),
        Booking.starts_at < closes, Booking.ends_at > opens)).all()
    step, slots, cursor = timedelta(minutes=room.slot_minutes), [], opens
    while cursor + step <= closes:
        end = cursor + step
        held = next((b for b in bookings if b.starts_at < end and b.ends_at > cursor), None)
        if held is not None:
            state = "mine" if tenant_id and held.tenant_id == tenant_id else (
                "pending" if held.status == "pending" else "taken")
        else:
            state = "past" if cursor < now else "free"
        slots.append(Slot(cursor, end, state, held))
        cursor = end
    return slots
