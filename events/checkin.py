"""Check-in at the door: tickets, venue codes, walk-ins, paper, scanner devices.

A check-in is one conditional UPDATE … WHERE checked_in_at IS NULL: whichever
scanner's statement changes the row wins, every other one is told "already
checked in", on SQLite and PostgreSQL alike (RELIABILITY.md).
"""
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import bindparam, case, func, select

from community import audit
from community.refusals import Invalid, Refused
from community.validators import clean_phone
from events.models import Event, Registration, ScannerDevice
from events.attendees import credit_tenant
from events.rules import register

SECRET_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")
VENUE_WINDOWS = 2   # a venue code works in its minute and the next one
PASS_WINDOWS = 6    # after scanning it, the attendee has five more minutes to type
OPEN_STATUSES = ("published", "held")


class CheckinRefused(Refused):
    """A scan that does not check anyone in; `scan` describes the ticket when known."""

    def __init__(self, code, scan=None, **params):
        super().__init__(code, **params)
        self.scan = scan


# --- tickets -------------------------------------------------------------------------

def secret_from_code(code):
    """The ticket secret in a scanned QR text: the ticket URL, or the bare secret."""
    code = (code or "").strip()
    if "/" in code:
        code = urlsplit(code).path.rstrip("/").rsplit("/", 1)[-1]
    return code if SECRET_RE.fullmatch(code) else None


@dataclass
class Scan:
    """What a scan found: whose ticket it is and its check-in (a plain value, so the
    check-in path needs no second query to answer)."""

    registration_id: int
    name: str
    mobile: str | None
    organisation: str
    tenant_id: int | None
    status: str
    checked_in_at: datetime | None
    method: str | None
    by: str
    replayed: bool = False


def scan_of(registration, replayed=False):
    """The Scan of a loaded registration."""
    by = (registration.checked_in_by.name if registration.checked_in_by is not None
          else registration.checkin_device.name if registration.checkin_device is not None
          else "")
    return Scan(registration.id, registration.name, registration.mobile,
                registration.organisation, registration.tenant_id, registration.status,
                registration.checked_in_at, registration.checkin_method, by, replayed)


def _check_in_statement(by_id):
    """The conditional UPDATE … RETURNING, built once per way of naming the ticket."""
    table = Registration.__table__
    which = table.c.id == bindparam("which") if by_id else table.c.secret == bindparam("which")
    open_event = select(Event.id).where(Event.id == bindparam("b_event_id"),
                                        Event.status.in_(OPEN_STATUSES)).scalar_subquery()
    return (table.update()
            .where(which, table.c.event_id == open_event, table.c.status == "registered",
                   table.c.checked_in_at.is_(None))
            .values(checked_in_at=bindparam("now", type_=table.c.checked_in_at.type),
                    checkin_method=bindparam("method"), checked_in_by_id=bindparam("user_id"),
                    checkin_device_id=bindparam("device_id"), checkin_nonce=bindparam("nonce"))
            .returning(table.c.id, table.c.name, table.c.mobile, table.c.organisation,
                       table.c.tenant_id))


CHECK_IN = {True: _check_in_statement(True), False: _check_in_statement(False)}


def check_in(session, event_id, *, secret=None, registration_id=None, method, now,
             user=None, device=None, nonce=None):
    """Check one ticket in, exactly once; return its Scan.

    The happy path is one UPDATE … RETURNING that also checks the event is open; only
    a refusal loads the records to say why. A retried scan carrying the nonce of the
    scan that succeeded is answered as that success (``replayed``)."""
    if registration_id is not None:
        which, by_id = registration_id, True
    elif secret and SECRET_RE.fullmatch(secret):
        which, by_id = secret, False
    else:  # forged or truncated: no query can match it
        return _why_not(session, event_id, None, False, None, None, None)
    by_user, by_device = getattr(user, "id", None), getattr(device, "id", None)
    session.flush()  # what the session holds is written before the row is changed under it
    # On the session's own connection (its transaction), past the ORM: the statement
    # needs none of its bookkeeping, and _forget expires a loaded copy of the row.
    row = session.connection().execute(CHECK_IN[by_id], {
        "which": which, "b_event_id": event_id, "now": now, "method": method,
        "user_id": by_user, "device_id": by_device, "nonce": nonce}).first()
    if row is not None:
        _forget(session, row.id)
        audit.record(session, user, "registration.checked_in", object_type="registration",
                     object_id=row.id, after={"event_id": event_id, "method": method,
                                              "checked_in_at": now.isoformat(),
                                              "device_id": by_device})
        if row.tenant_id is not None:  # linked by a member's mobile or by staff
            credit_tenant(session, user, event_id, row.tenant_id)
        return Scan(row.id, row.name, row.mobile, row.organisation, row.tenant_id,
                    "registered", now, method, getattr(user or device, "name", ""))
    return _why_not(session, event_id, which, by_id, by_user, by_device, nonce)


def _forget(session, registration_id):
    """The UPDATE went past the ORM: a loaded copy of the row must be re-read."""
    loaded = session.identity_map.get(session.identity_key(Registration, registration_id))
    if loaded is not None:
        session.expire(loaded)


def _explain_statement(by_id):
    """The ticket with its event and who checked it in: built once, like CHECK_IN."""
    from community.models import User
    r = Registration.__table__
    which = r.c.id == bindparam("which") if by_id else r.c.secret == bindparam("which")
    return (select(r, Event.status.label("event_status"), Event.title.label("event_title"),
                   User.name.label("user_name"), ScannerDevice.name.label("device_name"))
            .join(Event, Event.id == r.c.event_id)
            .outerjoin(User, User.id == r.c.checked_in_by_id)
            .outerjoin(ScannerDevice, ScannerDevice.id == r.c.checkin_device_id)
            .where(which))


EXPLAIN = {True: _explain_statement(True), False: _explain_statement(False)}


def _why_not(session, event_id, which, by_id, by_user, by_device, nonce):
    """Explain a scan that checked nobody in (or answer the retry of one that did):
    one SELECT of the ticket with its event and who checked it in."""
    row = session.execute(EXPLAIN[by_id], {"which": which}).first() \
        if which is not None else None
    if row is None or row.event_id != event_id:
        status = session.scalar(select(Event.status).where(Event.id == event_id))
        if status is None:
            raise CheckinRefused("unknown_event")
    else:
        status = row.event_status
    if status not in OPEN_STATUSES:
        raise CheckinRefused("event_not_open")
    if row is None:
        raise CheckinRefused("unknown_ticket")
    scan = Scan(row.id, row.name, row.mobile, row.organisation, row.tenant_id, row.status,
                row.checked_in_at, row.checkin_method, row.user_name or row.device_name or "")
    if row.event_id != event_id:
        raise CheckinRefused("wrong_event", scan, title=row.event_title)
    if row.status in ("cancelled", "waitlisted"):
        raise CheckinRefused(row.status, scan)
    if nonce and row.checkin_nonce == nonce \
            and (row.checked_in_by_id, row.checkin_device_id) == (by_user, by_device):
        scan.replayed = True
        return scan
    raise CheckinRefused("already_checked_in", scan, at=scan.checked_in_at,
                         by=scan.by or str(scan.method))


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
    """An attendee at the venue checks in with the mobile they registered with; return
    (Scan, again): someone already in is told so, not refused. Every refusal is about
    the mobile they typed: Invalid({"mobile": code})."""
    try:
        mobile = clean_phone(mobile, mobile_only=True)
    except Refused as exc:
        raise Invalid({"mobile": exc.code}) from None
    registration_id = session.scalar(select(Registration.id).where(
        Registration.event_id == event.id, Registration.mobile == mobile))
    if registration_id is None:
        raise Invalid({"mobile": "mobile_not_registered"})
    try:
        return check_in(session, event.id, registration_id=registration_id, method="self",
                        now=now), False
    except CheckinRefused as exc:
        if exc.code == "already_checked_in":
            return exc.scan, True
        raise Invalid({"mobile": exc.code}) from None


def walk_in(session, actor, event, data, now, method="walk_in"):
    """Register someone at the door and check them in at once (staff, or the attendee
    with a door pass: then a full event puts them on the waitlist instead)."""
    source = "paper" if method == "paper" else "walk_in"
    if method == "paper" and not (event.starts_at - timedelta(days=1) <= now
                                  <= event.ends_at + timedelta(days=1)):
        raise Refused("paper_time_invalid")
    registration, _ = register(session, event, data, now, source=source, actor=actor)
    try:
        return check_in(session, event.id, registration_id=registration.id, method=method,
                        now=now, user=actor)
    except CheckinRefused as exc:  # the mobile's registration is already in, or waiting
        raise Invalid({"mobile": "walk_in_already_checked_in"
                       if exc.code == "already_checked_in" else exc.code}) from None


def record_paper(session, actor, event, registration_ids, at):
    """Record the people who signed the paper sheet: (checked in, already in before)."""
    if not (event.starts_at - timedelta(days=1) <= at <= event.ends_at + timedelta(days=1)):
        raise Refused("paper_time_invalid")
    done, skipped = [], []
    for registration_id in registration_ids:
        try:
            done.append(check_in(session, event.id, registration_id=registration_id,
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


# Built once, on the table: a plain Core statement, run on a connection (a session
# works too), so every scan's lookup costs its query and little around it.
DEVICE_BY_TOKEN = (select(ScannerDevice.__table__.c.id, ScannerDevice.__table__.c.name,
                          ScannerDevice.__table__.c.revoked_at)
                   .where(ScannerDevice.__table__.c.token_hash == bindparam("token_hash")))


def device_for_token(connection, token):
    """The device (id, name) a bearer token belongs to; Refused unknown or revoked.
    `connection`: a Connection or a Session (every request still asks the database,
    so a device revoked a moment ago is refused on its next request)."""
    if not token:
        raise Refused("unauthorized")
    device = connection.execute(DEVICE_BY_TOKEN, {"token_hash": token_hash(token)}).first()
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
