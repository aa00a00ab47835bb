"""Served firms: the evidence behind S4 (近12个月服务或入驻OPC企业).

A package that serves a tenant records it here, once per (source, ref), dated
the local day the service took place. A record only counts once that day has
come (nothing is served in the future); when the service does not happen after
all (a booking cancelled, rejected or released as a no-show) the package voids
the record with a reason instead of deleting it. Every change is audited.
"""
from sqlalchemy import select

from community import audit
from community.models import ServedRecord


def record_served(session, actor, tenant_id, served_on, source, ref, note=""):
    """Record that `source` served a tenant on a day; idempotent per (source, ref).
    A voided record served again is restored (audited both ways)."""
    record = session.scalar(select(ServedRecord).where(
        ServedRecord.source == source, ServedRecord.ref == str(ref)))
    note = (note or "")[:300]
    if record is None:
        record = ServedRecord(tenant_id=tenant_id, served_on=served_on, source=source,
                              ref=str(ref), note=note)
        session.add(record)
        audit.record(session, actor, "served_record.created", record)
        return record
    before = audit.snapshot(record)
    record.tenant_id, record.served_on, record.note = tenant_id, served_on, note
    record.voided_at, record.void_reason = None, ""
    audit.record(session, actor, "served_record.updated", record, before=before)
    return record


def void_served(session, actor, source, ref, reason, now):
    """The service did not take place: the record stays, voided, with why."""
    record = session.scalar(select(ServedRecord).where(
        ServedRecord.source == source, ServedRecord.ref == str(ref)))
    if record is None or record.voided_at is not None:
        return record
    before = audit.snapshot(record)
    record.voided_at, record.void_reason = now, reason[:200]
    audit.record(session, actor, "served_record.voided", record, before=before)
    return record
