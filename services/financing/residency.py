"""When a bank or investor was resident in the community (入驻金融机构), as dates:
a past period's F1 reads who was resident then, not today's flag.

`Provider.resident` stays the current state (the directory shows it); the dates are
what periods read. A provider ticked resident before any dates were recorded counts
from the day it entered the directory.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import and_, or_

from community import audit
from community.refusals import Invalid
from services.models import FINANCIAL_KINDS, Provider


def check_residency(since, until, today):
    """Refuse (Invalid by field) a move-in day still ahead or a move-out day before it."""
    errors = {}
    if since is None:
        errors["resident_since"] = "required"
    elif since > today:
        errors["resident_since"] = "finance_residency_since_in_future"
    if since is not None and until is not None and until < since:
        errors["resident_until"] = "finance_residency_until_before_since"
    if errors:
        raise Invalid(errors)


def resident_on(since, until, day):
    """Whether residency dates make a provider resident on a day."""
    return since is not None and since <= day and (until is None or until >= day)


def set_residency(session, actor, provider, since, until, today):
    """Record when a bank or investor moved in and (if it has) out; `resident`, the
    current state, follows: resident unless the move-out day has passed."""
    if provider.kind not in FINANCIAL_KINDS:
        raise Invalid({"provider_id": "finance_provider_not_financial"})
    check_residency(since, until, today)
    before = audit.snapshot(provider)
    provider.resident_since, provider.resident_until = since, until
    provider.resident = until is None or until >= today
    audit.record(session, actor, "provider.residency", provider, before=before)
    return provider


def resident_in(period, zone):
    """SQL: a bank or investor resident on some day of the period up to its
    happened_by day (the caller excludes a period still ahead)."""
    entered_by = datetime.combine(period.happened_by + timedelta(days=1), time(0), zone)
    dated = and_(Provider.resident_since.is_not(None),
                 Provider.resident_since <= period.happened_by)
    undated = and_(Provider.resident_since.is_(None), Provider.resident.is_(True),
                   Provider.active.is_(True), Provider.created_at < entered_by)
    return and_(Provider.kind.in_(FINANCIAL_KINDS), or_(dated, undated),
                or_(Provider.resident_until.is_(None),
                    Provider.resident_until >= period.start))
