"""A room's booking rules and blackouts, set by staff."""
from sqlalchemy import select

from booking.models import Blackout, Room
from booking.rules import BookingRefused
from community import audit


def ensure_rooms(session):
    """Give every bookable zone its booking rules (the roadshow hall needs approval)."""
    from community.models import Zone
    have = set(session.scalars(select(Room.zone_id)))
    made = []
    for zone in session.scalars(select(Zone).where(Zone.bookable.is_(True))):
        if zone.id not in have:
            hall = zone.kind == "roadshow_hall"
            made.append(Room(zone=zone, needs_approval=hall, max_minutes=480 if hall else 240,
                             quota_hours_per_week=8))
    session.add_all(made)
    return made


ROOM_FIELDS = ("slot_minutes", "min_minutes", "max_minutes", "book_ahead_days",
               "cancel_deadline_minutes", "quota_hours_per_week", "release_after_minutes",
               "needs_approval", "open_on_holidays")


def save_room(session, actor, room, data, hours):
    """Change a room's booking rules; `hours` maps weekday -> (opens, closes) or None."""
    for opens_closes in hours.values():
        if opens_closes and (not all(opens_closes) or opens_closes[0] >= opens_closes[1]):
            raise BookingRefused("hours_invalid")
    if data["min_minutes"] > data["max_minutes"]:
        raise BookingRefused("min_over_max")
    before = audit.snapshot(room)
    for key in ROOM_FIELDS:
        setattr(room, key, data[key])
    room.opening_hours = {str(d): list(v) if v else None for d, v in hours.items()}
    audit.record(session, actor, "room.updated", room, before=before)
    return room


def add_blackout(session, actor, room, starts_at, ends_at, reason):
    """Close a room for a period (maintenance)."""
    if ends_at <= starts_at:
        raise BookingRefused("ends_not_after_start")
    blackout = Blackout(room_id=room.id, starts_at=starts_at, ends_at=ends_at,
                        reason=(reason or "")[:200])
    session.add(blackout)
    audit.record(session, actor, "blackout.created", blackout)
    return blackout
