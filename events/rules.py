"""The events package's decisions as plain functions: no request, no template.

The actor and the clock (`now`, timezone-aware) are parameters; a refusal
raises ``Refused(code, **params)`` or ``Invalid({field: code})``.

Who an attendee is known to belong to, and the purge of personal data, are in
events/attendees.py.
"""
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from community import audit
from community.dbsetup import lock_row
from community.files import check_content, save_attachment
from community.models import Member, ServedRecord
from community.permissions import can
from community.refusals import Invalid, Refused
from community.served import void_served
from community.validators import clean_email, clean_phone
from events import SERVED_SOURCE
from events.models import KINDS, Event, Registration

NOTICE, PHOTO = "event_notice", "event_photo"  # attachment owner types of the evidence

EDITABLE = ("draft", "published")
MAX_CAPACITY = 5000
PERSONAL = ("name", "mobile", "email", "organisation")


def can_view(user):
    """Staff, admin and assessors read events; tenant members do not."""
    return can(user, "view")


def can_edit(user):
    """Staff and admin run events."""
    return can(user, "edit")


def new_secret():
    """A ticket secret: 192 random bits, URL-safe, never derived from an id."""
    return secrets.token_urlsafe(24)


# --- events -----------------------------------------------------------------------

def _text(data, key, limit, required=False):
    value = (data.get(key) or "").strip()
    if required and not value:
        raise Refused("required")
    if len(value) > limit:
        raise Refused("text_too_long")
    return value


def check_event(session, data, event=None):
    """Validate event fields; return clean values or raise Invalid with every problem."""
    errors, clean = {}, {}

    def field(name, fn):
        try:
            clean[name] = fn()
        except Refused as exc:
            errors[name] = exc.code

    field("title", lambda: _text(data, "title", 200, required=True))
    field("organiser", lambda: _text(data, "organiser", 200, required=True))
    field("co_organisers", lambda: _text(data, "co_organisers", 300))
    field("venue_address", lambda: _text(data, "venue_address", 300))
    clean["description"] = (data.get("description") or "").strip()
    clean["notice_text"] = (data.get("notice_text") or "").strip()
    if data.get("kind") not in KINDS:
        errors["kind"] = "choice_invalid"
    clean["kind"] = data.get("kind")
    for key in ("starts_at", "ends_at"):
        value = data.get(key)
        if not isinstance(value, datetime) or value.tzinfo is None:
            errors[key] = "required"
        clean[key] = value
    if "starts_at" not in errors and "ends_at" not in errors \
            and clean["ends_at"] <= clean["starts_at"]:
        errors["ends_at"] = "event_time_order"
    closes = data.get("registration_closes_at") or clean.get("starts_at")
    if closes and clean.get("ends_at") and "ends_at" not in errors and closes > clean["ends_at"]:
        errors["registration_closes_at"] = "closes_after_end"
    clean["registration_closes_at"] = closes
    capacity = data.get("capacity")
    if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = "capacity_invalid"
    clean["capacity"] = capacity
    room = data.get("room")
    clean["room"] = room
    if room is None and not clean.get("venue_address") and "venue_address" not in errors:
        errors["venue_address"] = "venue_required"
    elif room is not None and clean.get("venue_address"):
        errors["venue_address"] = "venue_both"
    if event is not None and "capacity" not in errors:
        taken = registered_count(session, event.id)
        if capacity < taken:
            errors["capacity"] = "capacity_below_registered"
    if errors:
        raise Invalid(errors)
    return clean


def save_event(session, actor, data, now, event=None):
    """Create or change an event (draft or published); a community room is reserved
    through booking, and released again when the room or the time changes."""
    if event is not None:
        event = lock_row(session, Event, event.id)  # seats are counted under the lock
        if event.status not in EDITABLE:
            raise Refused("event_not_editable")
    clean = check_event(session, data, event)
    room = clean.pop("room")
    room_id = room.id if room is not None else None  # may load: before the event is pending
    before = audit.snapshot(event) if event is not None else None
    if event is None:
        event = Event(status="draft", created_by_id=getattr(actor, "id", None), created_at=now)
    moved = (room_id != event.room_id or clean["starts_at"] != event.starts_at
             or clean["ends_at"] != event.ends_at)
    for key, value in clean.items():
        setattr(event, key, value)
    session.add(event)
    if moved:
        _release_room(session, actor, event, now)
        if room is not None:
            event.booking = _reserve_room(session, actor, room, clean, now,
                                          provisional=event.status == "draft")
            event.room = room
    if before is not None:
        promote_waitlist(session, event, now)
    audit.record(session, actor, "event.updated" if before else "event.created", event,
                 before=before)
    return event


def _reserve_room(session, actor, room, clean, now, provisional):
    from booking import rules as booking_rules
    try:
        with session.begin_nested():
            return booking_rules.reserve_for_event(
                session, actor, room, clean["starts_at"], clean["ends_at"], clean["title"],
                now, provisional=provisional)
    except Refused as exc:  # booking's own code (slot_taken, not_bookable, …)
        raise Invalid({"room_id": exc.code}) from None


def _release_room(session, actor, event, now):
    """Cancel the event's room booking (the room or time changed, or the event was cancelled)."""
    if event.booking is not None:
        from booking import rules as booking_rules
        if event.booking.status in ("pending", "confirmed", "provisional"):
            booking_rules.cancel_booking(session, actor, event.booking, now, force=True)
    event.booking, event.room = None, None


def publish_event(session, actor, event, now):
    """Open a draft for public registration."""
    if event.status != "draft":
        raise Refused("event_not_draft")
    before = audit.snapshot(event)
    event.status, event.published_at = "published", now
    if event.booking is not None:
        from booking import rules as booking_rules
        booking_rules.confirm_for_event(session, actor, event.booking)
    audit.record(session, actor, "event.published", event, before=before)
    return event


def cancel_event(session, actor, event, now):
    """Cancel an event: its room is released and its tickets stop working."""
    if event.status == "cancelled":
        raise Refused("event_already_cancelled")
    if event.status == "held":
        raise Refused("event_held")
    before = audit.snapshot(event)
    _release_room(session, actor, event, now)
    event.status, event.cancelled_at = "cancelled", now
    audit.record(session, actor, "event.cancelled", event, before=before)
    for record in session.scalars(select(ServedRecord).where(
            ServedRecord.source == SERVED_SOURCE,
            ServedRecord.ref.like(f"event:{event.id}:tenant:%"))).all():
        void_served(session, actor, SERVED_SOURCE, record.ref, "活动已取消", now)
    return event


def mark_held(session, actor, event, now, summary=""):
    """Record that a published event took place (it counts for E1 from then on)."""
    if event.status != "published":
        raise Refused("event_not_published")
    if now < event.starts_at:
        raise Refused("event_not_started")
    before = audit.snapshot(event)
    event.status, event.held_at = "held", now
    if summary.strip():
        event.summary = summary.strip()
    audit.record(session, actor, "event.held", event, before=before)
    return event


def save_summary(session, actor, event, summary):
    """The short summary written after the event."""
    summary = (summary or "").strip()
    if not summary:
        raise Invalid({"summary": "summary_required"})
    before = audit.snapshot(event)
    event.summary = summary
    audit.record(session, actor, "event.updated", event, before=before)
    return event


def add_evidence(session, actor, folder, event, owner_type, files):
    """Attach notice files or photos [(filename, bytes)] to an event; return how many.
    Every file is checked before any is written, so a refused one leaves nothing on
    disk; a photo must be an image."""
    for filename, data in files:
        kind = check_content(filename, data)
        if owner_type == PHOTO and not kind.startswith("image/"):
            raise Refused("photo_not_image")
    for filename, data in files:
        save_attachment(session, actor, folder, owner_type, event.id, filename, data)
    return len(files)


# --- registrations ---------------------------------------------------------------

def registered_count(session, event_id):
    return session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status == "registered"))


def check_person(session, data, require_consent=True):
    """Validate an attendee's details. The organisation is free text: it never links
    the attendee to a tenant (see member_tenant and link_tenant)."""
    errors, clean = {}, {}
    try:
        clean["name"] = _text(data, "name", 100, required=True)
    except Refused as exc:
        errors["name"] = exc.code
    try:
        clean["mobile"] = clean_phone(data.get("mobile"), mobile_only=True)
    except Refused as exc:
        errors["mobile"] = exc.code
    try:
        clean["email"] = clean_email(data.get("email"))
    except Refused as exc:
        errors["email"] = exc.code
    try:
        clean["organisation"] = _text(data, "organisation", 200)
    except Refused as exc:
        errors["organisation"] = exc.code
    if require_consent and not data.get("consent"):
        errors["consent"] = "consent_required"
    if errors:
        raise Invalid(errors)
    clean["assessor_consent"] = bool(data.get("assessor_consent"))
    return clean


def member_tenant(session, mobile):
    """The tenant a mobile belongs to: the one firm with a registered member of that
    phone (national digits, as community.validators.clean_phone stores it). A phone
    shared by members of two firms links to neither: staff decide."""
    ids = session.scalars(select(Member.tenant_id).where(Member.phone == mobile)
                          .distinct().limit(2)).all()
    return ids[0] if len(ids) == 1 else None


def _same_name(a, b):
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def register(session, event, data, now, source="online", actor=None):
    """Register a person and return (registration, created). The same mobile gets its
    existing ticket back; a full event puts newcomers on the waitlist. Staff walk-ins
    (an actor at the door) are let in even when the event is full."""
    if event.status == "cancelled":
        raise Refused("event_cancelled")
    if source == "online":
        if event.status == "draft":
            raise Refused("registration_not_open")
        if event.status != "published" or now >= event.registration_closes_at:
            raise Refused("registration_closed")
    elif event.status not in ("published", "held"):
        raise Refused("registration_not_open")
    clean = check_person(session, data, require_consent=True)
    lock_row(session, Event, event.id)  # PostgreSQL: one registration at a time per event
    existing = session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.mobile == clean["mobile"]))
    if existing is not None and existing.status != "cancelled":
        if not _same_name(existing.name, clean["name"]):
            raise Invalid({"mobile": "mobile_taken"})
        return existing, False
    full = registered_count(session, event.id) >= event.capacity
    status = "waitlisted" if full and actor is None else "registered"
    tenant_id = member_tenant(session, clean["mobile"])
    if tenant_id is not None:
        clean |= {"tenant_id": tenant_id, "tenant_basis": "member"}
    if existing is not None:  # registering again after cancelling: a fresh ticket
        before = public_fields(existing)
        for key, value in clean.items():  # a staff link survives when no member matches
            setattr(existing, key, value)
        existing.status, existing.secret, existing.cancelled_at = status, new_secret(), None
        existing.consent_at = existing.queued_at = now
        audit.record(session, actor, "registration.renewed", object_type="registration",
                     object_id=existing.id, before=before, after=public_fields(existing))
        return existing, True
    registration = Registration(event_id=event.id, status=status, source=source,
                                secret=new_secret(), consent_at=now, created_at=now,
                                queued_at=now, **clean)
    try:
        with session.begin_nested():
            session.add(registration)
            session.flush()
    except IntegrityError:  # the same mobile registered a moment ago
        existing = session.scalar(select(Registration).where(
            Registration.event_id == event.id, Registration.mobile == clean["mobile"]))
        if existing is None:
            raise
        return existing, False
    audit.record(session, actor, "registration.created", object_type="registration",
                 object_id=registration.id, after=public_fields(registration))
    return registration, True


def public_fields(registration):
    """What the audit trail keeps of a registration: no personal data (PIPL)."""
    return {"event_id": registration.event_id, "status": registration.status,
            "source": registration.source, "tenant_id": registration.tenant_id,
            "tenant_basis": registration.tenant_basis,
            "assessor_consent": registration.assessor_consent}


def cancel_registration(session, actor, registration, now):
    """Cancel a registration (its ticket stops working); the waitlist moves up."""
    lock_row(session, Event, registration.event_id)  # the waitlist moves under the lock
    if registration.status == "cancelled":
        raise Refused("registration_cancelled")
    if registration.checked_in_at is not None:
        raise Refused("checked_in_cannot_cancel")
    if registration.event.status not in EDITABLE:
        raise Refused("event_not_editable")
    before = public_fields(registration)
    registration.status, registration.cancelled_at = "cancelled", now
    audit.record(session, actor, "registration.cancelled", object_type="registration",
                 object_id=registration.id, before=before, after=public_fields(registration))
    session.flush()
    promote_waitlist(session, registration.event, now)
    return registration


def promote_waitlist(session, event, now):
    """Move waitlisted people up, first come first served, while seats are free."""
    free = event.capacity - registered_count(session, event.id)
    if free <= 0 or event.status not in EDITABLE:
        return []
    waiting = session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == "waitlisted")
        .order_by(Registration.queued_at, Registration.id).limit(free)).all()
    for registration in waiting:
        registration.status = "registered"
        audit.record(session, None, "registration.promoted", object_type="registration",
                     object_id=registration.id, after=public_fields(registration))
    return waiting


def waitlist_position(session, registration):
    """1 for the first person waiting."""
    return session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == registration.event_id, Registration.status == "waitlisted",
        (Registration.queued_at < registration.queued_at)
        | ((Registration.queued_at == registration.queued_at)
           & (Registration.id < registration.id)))) + 1


def withdraw_assessor_consent(session, registration):
    """The attendee takes back the consent to be shown to assessors (PIPL Art. 23)."""
    before = public_fields(registration)
    registration.assessor_consent = False
    audit.record(session, None, "registration.consent_withdrawn", object_type="registration",
                 object_id=registration.id, before=before, after=public_fields(registration))
    return registration
