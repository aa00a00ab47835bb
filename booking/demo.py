"""A plausible year of bookings for the demo community (seeded).

The past runs from FIRST_DAY to the day before the demo is loaded; the future,
the two weeks after it. Loaded on a given day the demo is always the same, and
whatever day that is, a pending request is never in the past: history is what
took place (checked in, cancelled, or released as a no-show, with served records
only where the booking happened), the future is what is reserved or requested.
The demo's holiday table is filled from chinese-calendar for the years it
spans and the library knows, as staff would.
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking import SERVED_SOURCE
from booking.hours import opening_for
from booking.models import Booking
from booking.rooms import ensure_rooms
from community.dbsetup import utcnow
from community.holidays import import_year, library_years, load_calendar
from community.served import record_served

FIRST_DAY = date(2025, 12, 1)
FUTURE_DAYS = 14  # requests and reservations the fortnight after the load day
PURPOSES = ("客户洽谈", "项目评审", "团队周会", "投资人路演", "产品演示", "面试", "合作签约")
TZ = ZoneInfo("Asia/Shanghai")


def load_demo(session, tenants, rng, today=None):
    """Rooms with their rules, about a year of bookings, check-ins and no-shows up to
    yesterday, and a fortnight of reservations and pending requests from tomorrow.
    `today` is the day the demo is loaded (the community's today by default)."""
    today = today or utcnow().astimezone(TZ).date()
    last_day = today + timedelta(days=FUTURE_DAYS)
    for year in range(FIRST_DAY.year, last_day.year + 1):
        if year in library_years():
            import_year(session, None, year)
    rooms = ensure_rooms(session)
    session.flush()
    calendar = load_calendar(session, FIRST_DAY, last_day)
    residents = [t for t in tenants if t.moved_in_on]
    day = FIRST_DAY
    while day <= last_day:
        if day != today:  # today is left free: whether its hours have passed depends on when
            for room in rooms:
                _day(session, rng, calendar, room, residents, day, today)
        day += timedelta(days=1)


def _day(session, rng, calendar, room, residents, day, today):
    opening = opening_for(room, day, calendar)
    if opening is None or calendar.holiday(day):
        return
    hall = room.zone.kind == "roadshow_hall"
    if hall and day > today and day.weekday() >= 5:
        return  # weekends ahead are kept for the community's own events
    free_from = opening[0].hour
    count = rng.choice((0, 0, 0, 1)) if hall else rng.choice((0, 1, 1, 2, 3))
    for start_hour in sorted(rng.sample(range(opening[0].hour, opening[1].hour - 4), k=count)):
        if start_hour >= free_from:  # never two bookings of a room at once
            free_from = _add(session, rng, room, residents, day, start_hour, hall, today)


def _add(session, rng, room, residents, day, start_hour, hall, today):
    """Add one booking; return the hour the room is free again."""
    hours = rng.choice((2, 3, 4)) if hall else rng.choice((1, 1, 2))
    starts_at = datetime.combine(day, time(start_hour), TZ)
    ends_at = starts_at + timedelta(hours=hours)
    tenant = rng.choice([t for t in residents if t.moved_in_on <= day] or residents)
    created_at = starts_at - timedelta(days=rng.randrange(1, 10))
    booking = Booking(room=room, tenant_id=tenant.id, purpose=rng.choice(PURPOSES),
                      starts_at=starts_at, ends_at=ends_at, status="confirmed")
    if day > today:  # requested before the load day; the hall's wait for staff
        booking.created_at = min(created_at, datetime.combine(today, time(9), TZ)
                                 - timedelta(days=rng.randrange(1, 4)))
        booking.status = "pending" if hall else "confirmed"
    else:
        booking.created_at = created_at
        fate = rng.random()
        if fate < 0.08:
            booking.status, booking.cancelled_at = "cancelled", starts_at - timedelta(days=1)
        elif fate < 0.14:
            booking.status = "released"
            booking.released_at = starts_at + timedelta(minutes=room.release_after_minutes)
        else:
            booking.checked_in_at = starts_at + timedelta(minutes=rng.randrange(-10, 10))
    booking.updated_at = booking.cancelled_at or booking.released_at or \
        booking.checked_in_at or booking.created_at
    session.add(booking)
    session.flush()
    # As the rules do: a booking serves its tenant once checked in; one cancelled or
    # released never took place, a pending or future one has not yet.
    if booking.checked_in_at is not None:
        record_served(session, None, tenant.id, day, SERVED_SOURCE, booking.id,
                      room.zone.name)
    return start_hour + hours
