"""What a room's day looks like: opening hours, statutory holidays and 调休
working days, the start times a booking may have (booking.slots says which are free).

Holidays come from the staff-kept table (community.holidays), loaded once per
request or rule as a `Calendar` and passed in: nothing here asks the library,
so a year the table does not know is a known unknown, not a silent guess.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import func, or_, select

from booking.models import Room
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
