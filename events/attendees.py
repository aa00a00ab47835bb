"""Attendees and firms (S4), and how long their personal data is kept.

An attendee credits a tenant (S4, 服务企业) only when known to belong to it:
the mobile they registered with is the phone of one of the tenant's registered
members (tenant_basis "member"), or staff confirmed the link on the event's page
(tenant_basis "staff"). The organisation they type stays free text. The served
record is made when a linked attendee is checked in (or linked after checking
in), dated the event's local day, and voided when the link is undone or the event
is cancelled.

Personal data stays until the keep-until day in settings (the acceptance review
needs 2026's sign-in names in 2027); after that, the purge empties names, mobiles
and secrets of events long past and keeps the counts.
"""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from community import audit
from community.dbsetup import lock_row
from community.models import ServedRecord
from community.refusals import Refused
from community.served import record_served, void_served
from community.settings import community_zone, current_settings, personal_data_kept_until
from events import SERVED_SOURCE
from events.models import Event, Registration
from events.rules import public_fields


# --- attendees and tenants (S4) ------------------------------------------------------

def served_ref(event_id, tenant_id):
    """One served record per event and tenant, however many of its people came."""
    return f"event:{event_id}:tenant:{tenant_id}"


def credit_tenant(session, actor, event_id, tenant_id):
    """S4: a tenant one of whose people attended was served on the event's local day.
    Idempotent, and safe when two scanners credit the same tenant at once; a record
    voided earlier (the link was undone) is restored."""
    ref = served_ref(event_id, tenant_id)
    found = session.execute(select(ServedRecord.voided_at).where(
        ServedRecord.source == SERVED_SOURCE, ServedRecord.ref == ref)).first()
    if found is not None and found.voided_at is None:
        return  # a colleague checked one of them in before (one indexed read)
    event = session.get(Event, event_id)
    if event.status == "cancelled":
        return
    day = event.starts_at.astimezone(community_zone(session)).date()
    try:
        with session.begin_nested():
            record_served(session, actor, tenant_id, day, SERVED_SOURCE, ref, event.title)
    except IntegrityError:  # another scanner recorded it a moment ago
        pass


def _uncredit_tenant(session, actor, event_id, tenant_id, now):
    """Void the tenant's served record of an event once none of its checked-in
    attendees is linked to it any more."""
    still = session.scalar(select(Registration.id).where(
        Registration.event_id == event_id, Registration.tenant_id == tenant_id,
        Registration.checked_in_at.is_not(None)).limit(1))
    if still is None:
        void_served(session, actor, SERVED_SOURCE, served_ref(event_id, tenant_id),
                    "参会人与企业的关联已取消", now)


def link_tenant(session, actor, registration, tenant, now):
    """Staff confirm an attendee belongs to a tenant. Linking again to the same tenant
    changes nothing; linking to another one moves the credit."""
    registration = lock_row(session, Registration, registration.id)
    if registration.status == "cancelled":
        raise Refused("registration_cancelled")
    if registration.event.status == "cancelled":
        raise Refused("event_cancelled")  # a cancelled event served nobody
    if registration.tenant_id == tenant.id:
        return registration
    before, old = public_fields(registration), registration.tenant_id
    registration.tenant_id, registration.tenant_basis = tenant.id, "staff"
    session.flush()
    audit.record(session, actor, "registration.tenant_linked", object_type="registration",
                 object_id=registration.id, before=before, after=public_fields(registration))
    if old is not None:
        _uncredit_tenant(session, actor, registration.event_id, old, now)
    if registration.checked_in_at is not None:
        credit_tenant(session, actor, registration.event_id, tenant.id)
    return registration


def unlink_tenant(session, actor, registration, now):
    """Staff undo an attendee's link to a tenant (whatever its basis); the tenant's
    served record of the event is voided when no other linked attendee came."""
    registration = lock_row(session, Registration, registration.id)
    if registration.tenant_id is None:
        return registration
    before, old = public_fields(registration), registration.tenant_id
    registration.tenant_id, registration.tenant_basis = None, ""
    session.flush()
    audit.record(session, actor, "registration.tenant_unlinked", object_type="registration",
                 object_id=registration.id, before=before, after=public_fields(registration))
    _uncredit_tenant(session, actor, registration.event_id, old, now)
    return registration


# --- retention ---------------------------------------------------------------------

def personal_data_kept(session, now, older_than_days):
    """The rule of the purge: (keep-until date, local today, events it may purge now).

    Attendees' names and mobiles are the E1 sign-in evidence the acceptance review
    asks for, so nothing is removed on or before the keep-until date of the settings
    (community.settings.personal_data_kept_until: the admin's date, by default the end
    of the implementation period plus six months). After that day, an event's
    personal data goes once it ended more than `older_than_days` days ago."""
    if not isinstance(older_than_days, int) or older_than_days < 30:
        raise Refused("purge_days_invalid")
    until = personal_data_kept_until(current_settings(session))
    today = now.astimezone(community_zone(session)).date()
    cutoff = now - timedelta(days=older_than_days)
    return until, today, select(Event).where(Event.ends_at < cutoff, Event.purged_at.is_(None))


def purge_personal_data(session, actor, now, older_than_days):
    """Remove attendees' personal data of events that ended more than N days ago, once
    the keep-until date has passed (else Refused personal_data_kept, nothing removed);
    the registrations stay (status, tenant, check-in time), so every count stays."""
    until, today, query = personal_data_kept(session, now, older_than_days)
    if today <= until:
        raise Refused("personal_data_kept", until=f"{until:%Y-%m-%d}")
    events = session.scalars(query).all()
    purged = 0
    for event in events:
        result = session.execute(
            update(Registration).where(Registration.event_id == event.id)
            .values(name="", mobile=None, email="", organisation="", secret=None,
                    checkin_nonce=None)
            .execution_options(synchronize_session=False))
        purged += result.rowcount
        event.purged_at = now
        audit.record(session, actor, "event.attendees_purged", object_type="event",
                     object_id=event.id, note=f"{result.rowcount} registrations")
    session.flush()
    session.expire_all()  # the bulk UPDATE bypassed the loaded registrations
    return len(events), purged
