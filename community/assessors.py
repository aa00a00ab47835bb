"""Assessor access: the periods an admin grants an assessor, and the part of the audit
trail an assessor reads.

An assessor account reads only the evidence of the periods granted to it (the
dashboard, the ledger export, evidence files, the trail of ledger records, reports and
packs); `community.permissions.may_read_period` is the one check. A grant is revoked,
never deleted, and both are written to the audit trail.
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, false, or_, select

from community import audit
from community.models import AssessorGrant, AuditEntry, User
from community.periods import FIRST_DAY, LAST_DAY, Period
from community.refusals import Invalid, Refused

NOTE_MAX = 300
# Records of the trail an assessor reads besides the dated ledger records: evidence files,
# ledger exports and downloads of reports and packs (no accounts, people or settings).
EVIDENCE_TYPES = ("attachment", "ledger", "report", "report_pack")


def assessors(session):
    """Every assessor account, with its grants (newest first)."""
    users = session.scalars(select(User).where(User.role == "assessor")
                            .order_by(User.name, User.username)).all()
    grants = {}
    for grant in session.scalars(select(AssessorGrant).where(
            AssessorGrant.user_id.in_([u.id for u in users]))
            .order_by(AssessorGrant.start_on.desc(), AssessorGrant.id.desc())):
        grants.setdefault(grant.user_id, []).append(grant)
    return [(user, grants.get(user.id, [])) for user in users]


def active_grants(session, user):
    """The user's grants not revoked, latest start first."""
    if user is None or getattr(user, "id", None) is None:
        return []
    return session.scalars(select(AssessorGrant).where(
        AssessorGrant.user_id == user.id, AssessorGrant.revoked_at.is_(None))
        .order_by(AssessorGrant.start_on.desc(), AssessorGrant.id.desc())).all()


def granted_period(session, user, today):
    """The period an assessor's pages open on: its latest grant (None without one)."""
    grants = active_grants(session, user)
    if not grants:
        return None
    return Period.make(grants[0].start_on, grants[0].end_on, today)


def _day(value, field, errors):
    if isinstance(value, date) and not isinstance(value, datetime):
        if not FIRST_DAY <= value <= LAST_DAY:
            errors[field] = "period_invalid"
        return value
    if value in (None, ""):
        errors[field] = "required"
    else:
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            errors[field] = "date_invalid"
    return None


def grant(session, actor, user, start_on, end_on, now):
    """Grant an assessor account a period to read; end before start is refused and
    nothing is saved."""
    if user is None or user.role != "assessor":
        raise Refused("grant_not_assessor")
    errors = {}
    start_on = _day(start_on, "start_on", errors)
    end_on = _day(end_on, "end_on", errors)
    if not errors and end_on < start_on:
        errors["end_on"] = "end_before_start"
    if errors:
        raise Invalid(errors)
    row = AssessorGrant(user_id=user.id, start_on=start_on, end_on=end_on,
                        granted_by_id=getattr(actor, "id", None), granted_at=now)
    session.add(row)
    audit.record(session, actor, "assessor_grant.created", row,
                 note=f"{user.name}：{start_on:%Y-%m-%d} ~ {end_on:%Y-%m-%d}")
    return row


def revoke(session, actor, row, note, now):
    """Take a grant back, saying why; the grant stays listed as revoked."""
    if row.revoked_at is not None:
        raise Refused("grant_already_revoked")
    note = (note or "").strip()
    if not note:
        raise Invalid({"note": "required"})
    if len(note) > NOTE_MAX:
        raise Invalid({"note": "too_long"})
    before = audit.snapshot(row)
    row.revoked_at, row.revoked_by_id = now, getattr(actor, "id", None)
    audit.record(session, actor, "assessor_grant.revoked", row, before=before, note=note)
    return row


def trail_types(reg):
    """The object types whose entries an assessor reads: the dated ledger records and
    the evidence types."""
    return sorted(set(reg.dated) | set(EVIDENCE_TYPES))


def trail_filter(session, user, reg, tz):
    """The WHERE clause of the trail an assessor reads: entries about ledger records whose
    time falls inside one of its grants (false without a grant)."""
    windows = []
    for row in active_grants(session, user):
        windows.append(and_(
            AuditEntry.at >= datetime.combine(row.start_on, time(0), tz),
            AuditEntry.at < datetime.combine(row.end_on + timedelta(days=1), time(0), tz)))
    if not windows:
        return false()
    return and_(AuditEntry.object_type.in_(trail_types(reg)), or_(*windows))


def N_(text):
    return text


AUDIT_OBJECTS = {"assessor_grant": N_("考核评估期间")}
AUDIT_ACTIONS = {
    "assessor_grant.created": N_("授予了考核评估期间"),
    "assessor_grant.revoked": N_("收回了考核评估期间"),
    "attachment.downloaded": N_("下载了证明材料"),
}


def register(reg):
    """The trail's words for grants and downloads."""
    reg.add_audit_words(objects=AUDIT_OBJECTS, actions=AUDIT_ACTIONS)
