"""What a room's day looks like: opening hours, statutory holidays and 调休
working days, the slots a booking may take and which of them are free."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import chinese_calendar
from sqlalchemy import select

from booking.models import ACTIVE, Booking


# --- opening hours and holidays ---------------------------------------------------------

def holiday_name(day):
    """The statutory holiday on a day (None on ordinary days and where no data exists)."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # chinese-calendar has no data for that year yet
        return None
    return name if on_holiday and name else None


def is_adjusted_workday(day):
    """A weekend day that is a working day (调休)."""
    try:
        return day.weekday() >= 5 and chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False


def _hhmm(text):
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def opening_for(room, day):
    """(opens, closes) on a day as local times, or None when the room is closed."""
    if holiday_name(day) and not room.open_on_holidays:
        return None
    weekday = 0 if is_adjusted_workday(day) else day.weekday()  # 调休: weekday hours
    hours = (room.opening_hours or {}).get(str(weekday))
    if not hours:
        return None
    return _hhmm(hours[0]), _hhmm(hours[1])


def open_hours_on(room, day):
    opening = opening_for(room, day)
    if opening is None:
        return 0
    start, end = (datetime.combine(day, t) for t in opening)
    return (end - start).total_seconds() / 3600


def room_in_service(room, day):
    zone = room.zone
    return zone.bookable and zone.in_service_on <= day and (
        zone.out_of_service_on is None or zone.out_of_service_on >= day)


# --- what a day looks like -------------------------------------------------------------------

@dataclass
class Slot:
    starts_at: datetime
    ends_at: datetime
    state: str  # free, taken, pending, mine, past
    booking: Booking | None = None


def slot_starts(room, day):
    """The local start times a booking may have on a day (from the opening hours)."""
    opening = opening_for(room, day)
    if opening is None:
        return []
    cursor, closes = (datetime.combine(day, t) for t in opening)
    step, starts = timedelta(minutes=room.slot_minutes), []
    while cursor + step <= closes:
        starts.append(cursor.time())
        cursor += step
    return starts


def day_slots(session, room, day, now, tz, tenant_id=None):
    """The room's slots on a local day, each free, taken, pending, mine or past."""
    opening = opening_for(room, day)
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
