"""Check-in at the door: tickets, venue codes, walk-ins, paper, scanner devices.

A check-in is one conditional UPDATE … WHERE checked_in_at IS NULL: whichever
scanner's statement changes the row wins, every other one is told "already
checked in", on SQLite and PostgreSQL alike (RELIABILITY.md).
"""
import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from community import audit
from community.rules import Refused, clean_phone, record_served
from community.settings import current_settings
from events.models import Registration, ScannerDevice
from events.rules import register

SECRET_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")
VENUE_WINDOWS = 2   # a venue code works in its minute and the next one
PASS_WINDOWS = 6    # after scanning it, the attendee has five more minutes to type
OPEN_STATUSES = ("published", "held")


class CheckinRefused(Refused):
    """A scan that does not check anyone in; `registration` is the ticket when known."""

    def __init__(self, code, registration=None, **params):
        super().__init__(code, **params)
        self.registration = registration


# --- tickets -------------------------------------------------------------------------

def secret_from_code(code):
    """The ticket secret in a scanned QR text: the ticket URL, or the bare secret."""
    code = (code or "").strip()
    if "/" in code:
        code = urlsplit(code).path.rstrip("/").rsplit("/", 1)[-1]
    return code if SECRET_RE.fullmatch(code) else None


def _by_whom(registration):
    if registration.checked_in_by is not None:
        return registration.checked_in_by.name
    if registration.checkin_device is not None:
        return registration.checkin_device.name
    return registration.checkin_method or ""


def check_in(session, event, *, secret=None, registration_id=None, method, now,
             user=None, device=None, nonce=None):
    """Check one ticket in, exactly once; return the registration.

    A retried scan carrying the nonce of the scan that succeeded is answered as that
    success (``registration.replayed``), not as "already checked in"."""
    if event.status not in OPEN_STATUSES:
        raise CheckinRefused("event_not_open")
    if secret is not None and not SECRET_RE.fullmatch(secret):
        raise CheckinRefused("unknown_ticket")
    which = Registration.secret == secret if secret is not None \
        else Registration.id == registration_id
    values = dict(checked_in_at=now, checkin_method=method,
                  checked_in_by_id=getattr(user, "id", None),
                  checkin_device_id=getattr(device, "id", None), checkin_nonce=nonce)
    changed = session.execute(
        update(Registration)
        .where(which, Registration.event_id == event.id,
               Registration.status == "registered", Registration.checked_in_at.is_(None))
        .values(**values).returning(Registration.id, Registration.tenant_id)
        .execution_options(synchronize_session=False)).first()
    if changed is not None:
        audit.record(session, user, "registration.checked_in", object_type="registration",
                     object_id=changed.id, after={"event_id": event.id, "method": method,
                                                  "checked_in_at": now.isoformat(),
                                                  "device_id": values["checkin_device_id"]})
        if changed.tenant_id is not None:
            _served(session, event, changed.tenant_id)
    registration = session.execute(
        select(Registration).where(which)
        .execution_options(populate_existing=True)).scalar_one_or_none()
    if changed is not None:
        registration.replayed = False
        return registration
    if registration is None:
        raise CheckinRefused("unknown_ticket")
    if registration.event_id != event.id:
        raise CheckinRefused("wrong_event", registration, title=registration.event.title)
    if registration.status in ("cancelled", "waitlisted"):
        raise CheckinRefused(registration.status, registration)
    if nonce and registration.checkin_nonce == nonce \
            and registration.checkin_device_id == values["checkin_device_id"] \
            and registration.checked_in_by_id == values["checked_in_by_id"]:
        registration.replayed = True
        return registration
    raise CheckinRefused("already_checked_in", registration, at=registration.checked_in_at,
                         by=_by_whom(registration))


def _served(session, event, tenant_id):
    """S4: a tenant whose people attended was served, once per event."""
    zone = ZoneInfo(current_settings(session).timezone)
    try:
        with session.begin_nested():
            record_served(session, tenant_id, event.starts_at.astimezone(zone).date(),
                          "events", f"event:{event.id}:tenant:{tenant_id}", event.title)
    except IntegrityError:  # another scanner recorded it a moment ago
        pass


# --- the venue code of self check-in --------------------------------------------------

def _window(now):
    return int(now.timestamp() // 60)


def _mac(key, purpose, event_id, window):
    message = f"{purpose}:{event_id}:{window}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:24]


def _token(key, purpose, event_id, now):
    window = _window(now)
    return f"{window}.{_mac(key, purpose, event_id, window)}"


def _valid(key, purpose, event_id, token, now, windows):
    try:
        window_text, mac = (token or "").split(".", 1)
        window = int(window_text)
    except ValueError:
        return False
    return 0 <= _window(now) - window < windows and hmac.compare_digest(
        mac, _mac(key, purpose, event_id, window))


def venue_code(key, event_id, now):
    """The code the event screen shows this minute (HMAC of event and minute)."""
    return _token(key, "venue", event_id, now)


def check_venue_code(key, event_id, code, now):
    """Refuse a code from another event, a forged one, or one older than a minute."""
    if not _valid(key, "venue", event_id, code, now, VENUE_WINDOWS):
        raise CheckinRefused("venue_code_invalid")


def door_pass(key, event_id, now):
    """Given with the form to someone who scanned a valid venue code."""
    return _token(key, "pass", event_id, now)


def check_door_pass(key, event_id, token, now):
    if not _valid(key, "pass", event_id, token, now, PASS_WINDOWS):
        raise CheckinRefused("venue_code_invalid")


def self_check_in(session, event, mobile, now):
    """An attendee at the venue checks in with the mobile they registered with."""
    mobile = clean_phone(mobile, mobile_only=True)
    registration_id = session.scalar(select(Registration.id).where(
        Registration.event_id == event.id, Registration.mobile == mobile))
    if registration_id is None:
        raise CheckinRefused("mobile_not_registered")
    return check_in(session, event, registration_id=registration_id, method="self", now=now)


def walk_in(session, actor, event, data, now, method="walk_in"):
    """Register someone at the door and check them in at once (staff, or the attendee
    with a door pass: then a full event puts them on the waitlist instead)."""
    source = "paper" if method == "paper" else "walk_in"
    if method == "paper" and not (event.starts_at - timedelta(days=1) <= now
                                  <= event.ends_at + timedelta(days=1)):
        raise Refused("paper_time_invalid")
    registration, _ = register(session, event, data, now, source=source, actor=actor)
    return check_in(session, event, registration_id=registration.id, method=method, now=now,
                    user=actor)


def record_paper(session, actor, event, registration_ids, at):
    """Record the people who signed the paper sheet: (checked in, already in before)."""
    if not (event.starts_at - timedelta(days=1) <= at <= event.ends_at + timedelta(days=1)):
        raise Refused("paper_time_invalid")
    done, skipped = [], []
    for registration_id in registration_ids:
        try:
            done.append(check_in(session, event, registration_id=registration_id,
                                 method="paper", now=at, user=actor))
        except CheckinRefused as exc:
            skipped.append((registration_id, exc.code))
    return done, skipped


# --- scanner devices ------------------------------------------------------------------

def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_device(session, actor, name, now):
    """A scanner device and its token (shown once; only its hash is stored)."""
    name = (name or "").strip()[:100]
    if not name:
        raise Refused("device_name_required")
    token = "opc_" + secrets.token_urlsafe(32)
    device = ScannerDevice(name=name, token_hash=token_hash(token),
                           created_by_id=getattr(actor, "id", None), created_at=now)
    session.add(device)
    audit.record(session, actor, "scanner_device.created", device)
    return device, token


def device_for_token(session, token):
    """The device a bearer token belongs to; Refused unknown or revoked."""
    if not token:
        raise Refused("unauthorized")
    device = session.scalar(select(ScannerDevice).where(
        ScannerDevice.token_hash == token_hash(token)))
    if device is None:
        raise Refused("unauthorized")
    if device.revoked_at is not None:
        raise Refused("device_revoked")
    return device


def revoke_device(session, actor, device, now):
    """Stop a lost or retired device at once."""
    if device.revoked_at is not None:
        raise Refused("already_revoked")
    before = audit.snapshot(device)
    device.revoked_at = now
    audit.record(session, actor, "scanner_device.revoked", device, before=before)
    return device


# --- attendance ------------------------------------------------------------------------

def attendance(session, event_id):
    """Registered, checked in, not (yet) in, waitlisted, cancelled; tenants vs guests."""
    checked = Registration.checked_in_at.is_not(None)
    row = session.execute(select(
        func.count(case((Registration.status == "registered", 1))),
        func.count(case((checked, 1))),
        func.count(case((Registration.status == "waitlisted", 1))),
        func.count(case((Registration.status == "cancelled", 1))),
        func.count(case((checked & Registration.tenant_id.is_not(None), 1))),
        func.count(case((Registration.source != "online", 1))),
    ).where(Registration.event_id == event_id)).one()
    registered, checked_in, waitlisted, cancelled, tenants_in, walk_ins = row
    return {"registered": registered, "checked_in": checked_in,
            "not_in": registered - checked_in, "waitlisted": waitlisted,
            "cancelled": cancelled, "tenants_in": tenants_in,
            "guests_in": checked_in - tenants_in, "walk_ins": walk_ins}
