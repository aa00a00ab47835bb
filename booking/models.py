"""Bookable rooms (the rules of a bookable zone), blackouts and bookings."""
import secrets
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.dbsetup import UTCDateTime, utcnow
from community.models import Tenant, User, Zone

# Statuses that hold the room. "provisional": a draft event's hold, confirmed when the
# event is published; it keeps the room from others but is not yet a booking granted.
ACTIVE = ("pending", "confirmed", "provisional")
STATUSES = ("pending", "confirmed", "provisional", "rejected", "cancelled", "released")
# Monday=0 … Sunday=6 -> [opens, closes] as "HH:MM", or None when closed.
DEFAULT_HOURS = {str(d): ["09:00", "21:00"] for d in range(5)} | {
    "5": ["09:00", "18:00"], "6": ["09:00", "18:00"]}


def new_token():
    return secrets.token_urlsafe(24)


class Room(db.Model):
    """The booking rules of one bookable zone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"), unique=True)
    opening_hours: Mapped[dict] = mapped_column(JSON, default=lambda: dict(DEFAULT_HOURS))
    slot_minutes: Mapped[int] = mapped_column(default=30)
    min_minutes: Mapped[int] = mapped_column(default=30)
    max_minutes: Mapped[int] = mapped_column(default=240)
    book_ahead_days: Mapped[int] = mapped_column(default=30)
    cancel_deadline_minutes: Mapped[int] = mapped_column(default=120)
    needs_approval: Mapped[bool] = mapped_column(default=False)
    quota_hours_per_week: Mapped[int] = mapped_column(default=8)  # 0: no quota
    open_on_holidays: Mapped[bool] = mapped_column(default=False)
    release_after_minutes: Mapped[int] = mapped_column(default=15)  # 0: never released
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    door_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)

    zone: Mapped[Zone] = relationship()

    @property
    def name(self):
        return self.zone.name


class Blackout(db.Model):
    """A period a room cannot be booked (maintenance, a private event)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")


class Booking(db.Model):
    """A room for [starts_at, ends_at). Two active bookings of a room never overlap:
    PostgreSQL has an exclusion constraint, SQLite serialised write transactions."""

    __table_args__ = (Index("ix_booking_room_time", "room_id", "starts_at"),
                      CheckConstraint("ends_at > starts_at", name="ck_booking_times"))
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True,
                                     default=lambda: secrets.token_hex(16))
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id"), index=True)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    purpose: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    series_id: Mapped[str | None] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(16), default="booking")  # or "event"
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(String(300), default="")
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    room: Mapped[Room] = relationship()
    tenant: Mapped[Tenant | None] = relationship()
    booked_by: Mapped[User | None] = relationship(foreign_keys=[booked_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def active(self):
        return self.status in ACTIVE


class TenantFeed(db.Model):
    """The secret token of a tenant's own bookings feed."""

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
