"""A plausible year of bookings for the demo community (fixed dates, seeded)."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.models import Booking
from booking.hours import holiday_name, opening_for
from booking.rooms import ensure_rooms
from booking import SERVED_SOURCE
from community.served import record_served

FIRST_DAY, LAST_PAST_DAY, LAST_DAY = date(2025, 12, 1), date(2026, 11, 20), date(2026, 12, 4)
PURPOSES = ("客户洽谈", "项目评审", "团队周会", "投资人路演", "产品演示", "面试", "合作签约")
TZ = ZoneInfo("Asia/Shanghai")


def load_demo(session, tenants, rng):
    """Rooms with their rules and about a year of bookings, check-ins and no-shows."""
    rooms = ensure_rooms(session)
    session.flush()
    residents = [t for t in tenants if t.moved_in_on]
    day = FIRST_DAY
    while day <= LAST_DAY:
        for room in rooms:
            opening = opening_for(room, day)
            if opening is None or holiday_name(day):
                continue
            hall = room.zone.kind == "roadshow_hall"
            free_from = opening[0].hour
            for start_hour in sorted(rng.sample(range(opening[0].hour, opening[1].hour - 4),
                                                k=rng.choice((0, 1, 1, 2, 3)) if not hall
                                                else rng.choice((0, 0, 0, 1)))):
                if start_hour >= free_from:  # never two bookings of a room at once
                    free_from = _add(session, rng, room, residents, day, start_hour, hall)
        day += timedelta(days=1)


def _add(session, rng, room, residents, day, start_hour, hall):
    """Add one booking; return the hour the room is free again."""
    hours = rng.choice((2, 3, 4)) if hall else rng.choice((1, 1, 2))
    starts_at = datetime.combine(day, time(start_hour), TZ)
    ends_at = starts_at + timedelta(hours=hours)
    tenant = rng.choice([t for t in residents if t.moved_in_on <= day] or residents)
    booking = Booking(room=room, tenant_id=tenant.id, purpose=rng.choice(PURPOSES),
                      starts_at=starts_at, ends_at=ends_at, status="confirmed",
                      created_at=starts_at - timedelta(days=rng.randrange(1, 10)),
                      updated_at=starts_at - timedelta(days=1))
    if day > LAST_PAST_DAY:
        booking.status = "pending" if hall else "confirmed"
    else:
        fate = rng.random()
        if fate < 0.08:
            booking.status, booking.cancelled_at = "cancelled", starts_at - timedelta(days=1)
        elif fate < 0.14:
            booking.status = "released"
            booking.released_at = starts_at + timedelta(minutes=room.release_after_minutes)
        else:
            booking.checked_in_at = starts_at + timedelta(minutes=rng.randrange(-10, 10))
    session.add(booking)
    session.flush()
    if booking.status == "confirmed":
        record_served(session, None, tenant.id, day, SERVED_SOURCE, booking.id,
                      room.zone.name)
    return start_hour + hours
