"""The audit trail: every change to a record that feeds a ledger, with before and after."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect, or_, select

from community.models import AuditEntry


PERSONAL = ("phone", "mobile", "contact_phone")  # kept masked: the trail is shown to assessors and kept long


def snapshot(obj):
    """The record's column values as JSON-friendly data (phone numbers masked)."""
    from community.validators import mask_phone
    data = {}
    for attr in inspect(obj).mapper.column_attrs:
        value = getattr(obj, attr.key)
        if attr.key in PERSONAL and isinstance(value, str):
            value = mask_phone(value)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        data[attr.key] = value
    return data


def record(session, actor, action, obj=None, before=None, after=None, note="",
           object_type=None, object_id=None):
    """Write one audit row; `action` is dotted, like ``tenant.updated``."""
    if obj is not None:
        session.flush()
        object_type = object_type or obj.__tablename__
        object_id = obj.id
        if after is None and not action.endswith(".deleted"):
            after = snapshot(obj)
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        if not changed and not note:
            return None
    entry = AuditEntry(actor_id=getattr(actor, "id", None), action=action,
                       object_type=object_type, object_id=object_id,
                       before=before, after=after, note=note)
    session.add(entry)
    return entry


def history(session, object_type, object_id, *parts):
    """The audit rows of one record, and of its `parts` ((type, ids) pairs: a tenant's
    licence rows), newest first."""
    which = [(object_type, [object_id])] + list(parts)
    return session.scalars(
        select(AuditEntry).where(or_(*(
            (AuditEntry.object_type == kind) & AuditEntry.object_id.in_(ids)
            for kind, ids in which if ids)))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())).all()
