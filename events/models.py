"""Events, registrations (each one a ticket) and the scanner devices at the door."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from booking.models import Booking, Room
from community.dbsetup import UTCDateTime, utcnow
from community.models import Tenant, User

KINDS = ("competition", "matching", "training", "roadshow", "salon", "other")
STATUSES = ("draft", "published", "held", "cancelled")
REG_STATUSES = ("registered", "waitlisted", "cancelled")
SOURCES = ("online", "walk_in", "paper")
METHODS = ("scanner", "device", "manual", "self", "walk_in", "paper")


class Event(db.Model):
    """An event of the community (E1): a notice, registrations, check-ins, photos."""

    __table_args__ = (Index("ix_event_starts_at", "starts_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The venue is a community room (reserved through booking) or an outside address.
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int]
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    organiser: Mapped[str] = mapped_column(String(200))
    co_organisers: Mapped[str] = mapped_column(String(300), default="")
    notice_text: Mapped[str] = mapped_column(Text, default="")  # 活动通知
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the retention command removed the attendees' personal data.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    room: Mapped[Room | None] = relationship()
    booking: Mapped[Booking | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def open_for_registration(self):
        return self.status == "published"


class Registration(db.Model):
    """One person's place at an event; its random `secret` is the QR ticket.

    Check-in is a column, set once by a conditional UPDATE (see events.checkin):
    two scanners reading one ticket at once still make one check-in.
    """

    __table_args__ = (UniqueConstraint("event_id", "mobile"),
                      Index("ix_registration_event_status", "event_id", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    # Personal data (PIPL): emptied by the retention command, counts stay.
    name: Mapped[str] = mapped_column(String(100))
    mobile: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id"), index=True)
    # How the attendee is known to belong to the tenant: "member" (the mobile of one of
    # its registered members) or "staff" (confirmed by staff); "" means not linked.
    tenant_basis: Mapped[str] = mapped_column(String(16), default="")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assessor_consent: Mapped[bool] = mapped_column(default=False)  # PIPL Art. 23
    secret: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16), default="online")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # waitlist order
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkin_method: Mapped[str | None] = mapped_column(String(16))
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    checkin_device_id: Mapped[int | None] = mapped_column(ForeignKey("scanner_device.id"))
    # The scanning client's nonce: a retried scan is answered, not refused.
    checkin_nonce: Mapped[str | None] = mapped_column(String(64))

    event: Mapped[Event] = relationship()
    tenant: Mapped[Tenant | None] = relationship()
    checked_in_by: Mapped[User | None] = relationship()
    checkin_device: Mapped["ScannerDevice | None"] = relationship()

    @property
    def purged(self):
        return self.mobile is None and not self.name


class ScannerDevice(db.Model):
    """A phone or scanner at the door; it authenticates with a token we keep only hashed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()
