"""Subsidy quotas and grants (P1: compute, tokens, data, models, tools).

A firm's quota for a kind and a year caps what may be granted to it: a grant is
refused, with what remains, when it would go beyond. The quota row is locked
(PostgreSQL) or the write is serialised (SQLite) while the sum is checked, so
grants racing for the last of a quota never exceed it. Each grant records the
firm as served on the day it was granted; a wrong grant is voided, never deleted.
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from community import audit
from community.dbsetup import lock_row
from community.labels import Label
from community.refusals import Invalid, Refused
from community.served import record_served, void_served
from community.validators import clean_text
from services import SERVED_SOURCE
from services.models import MEASURES, Grant, Quota

MAX_AMOUNT = Decimal("1e11")


def subsidised(category):
    """Whether grants of this catalogue entry count against a quota (P1's support)."""
    return category.section == "professional"


def _amount(value, code, positive=False):
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise Refused(code) from None
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT or (positive and value == 0):
        raise Refused(code)
    return value.quantize(Decimal("0.01"))


def figure(amount):
    """An amount as the pages show it: 50, 12.5, 1,200 (no trailing .00)."""
    amount = Decimal(amount)
    return f"{amount:,.0f}" if amount == amount.to_integral() else f"{amount:,.2f}"


def used(session, tenant_id, category_id, year, measure):
    """What was granted (not voided) of a kind to a firm in a year, in the quota's measure."""
    column = Grant.quantity if measure == "quantity" else Grant.value_fen
    total = session.scalar(select(func.coalesce(func.sum(column), 0)).where(
        Grant.tenant_id == tenant_id, Grant.category_id == category_id,
        Grant.voided_at.is_(None),
        Grant.granted_on.between(date(year, 1, 1), date(year, 12, 31))))
    total = Decimal(total or 0)
    return total if measure == "quantity" else total / 100


def used_in_year(session, year, tenant_id=None):
    """{(tenant id, category id): (quantity, yuan)} granted in a year, in one query."""
    query = select(Grant.tenant_id, Grant.category_id, func.sum(Grant.quantity),
                   func.sum(Grant.value_fen)).where(
        Grant.voided_at.is_(None),
        Grant.granted_on.between(date(year, 1, 1), date(year, 12, 31))) \
        .group_by(Grant.tenant_id, Grant.category_id)
    if tenant_id is not None:
        query = query.where(Grant.tenant_id == tenant_id)
    return {(t, c): (Decimal(q or 0), Decimal(v or 0) / 100)
            for t, c, q, v in session.execute(query)}


def quota_of(session, tenant_id, category_id, year):
    return session.scalar(select(Quota).where(
        Quota.tenant_id == tenant_id, Quota.category_id == category_id, Quota.year == year))


def set_quota(session, actor, tenant, year, category, measure, amount):
    """Set a firm's quota of a subsidised kind for a year (never below what was granted)."""
    errors = {}
    if not subsidised(category):
        errors["category_id"] = "quota_not_subsidised"
    if measure not in MEASURES:
        errors["measure"] = "choice_invalid"
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = "quota_year_invalid"
    try:
        amount = _amount(amount, "amount_invalid")
    except Refused as exc:
        errors["amount"] = exc.code
    if errors:
        raise Invalid(errors)
    quota = quota_of(session, tenant.id, category.id, year)
    if quota is not None and quota.id is not None:
        quota = lock_row(session, Quota, quota.id)
    granted = used(session, tenant.id, category.id, year, measure)
    if amount < granted:
        raise Refused("quota_below_granted", granted=figure(granted))
    before = audit.snapshot(quota) if quota is not None else None
    if quota is None:
        quota = Quota(tenant_id=tenant.id, year=year, category_id=category.id)
        session.add(quota)
    quota.measure, quota.amount = measure, amount
    session.flush()
    audit.record(session, actor, "quota.updated" if before else "quota.created", quota,
                 before=before)
    return quota


def remaining(session, quota):
    """What is left of a quota."""
    return quota.amount - used(session, quota.tenant_id, quota.category_id, quota.year,
                               quota.measure)


def record_grant(session, actor, tenant, category, data, today, request=None):
    """Grant a subsidy within the firm's quota for that year; it serves the firm that day."""
    errors = {}
    try:
        quantity = _amount(data.get("quantity"), "quantity_invalid", positive=True)
    except Refused as exc:
        errors["quantity"] = exc.code
    try:
        value_fen = int(_amount(data.get("value") or 0, "amount_invalid") * 100)
    except Refused as exc:
        errors["value"] = exc.code
    granted_on = data.get("granted_on")
    if granted_on is None:
        errors["granted_on"] = "required"
    elif granted_on > today:
        errors["granted_on"] = "served_in_future"
    try:
        note = clean_text(data.get("note"), 300)
    except Refused as exc:
        errors["note"] = exc.code
    if not subsidised(category):
        errors["category_id"] = "quota_not_subsidised"
    if errors:
        raise Invalid(errors)
    quota = quota_of(session, tenant.id, category.id, granted_on.year)
    if quota is None:
        raise Refused("no_quota", year=granted_on.year, kind=category.name)
    quota = lock_row(session, Quota, quota.id)  # grants of this quota queue here
    left = remaining(session, quota)
    wanted = quantity if quota.measure == "quantity" else Decimal(value_fen) / 100
    if wanted > left:
        unit = category.unit if quota.measure == "quantity" else "yuan"
        raise Refused("quota_exceeded", remaining=figure(left), unit=Label("service_unit", unit))
    grant = Grant(tenant_id=tenant.id, category_id=category.id, quantity=quantity,
                  value_fen=value_fen, granted_on=granted_on, note=note,
                  provider_id=data.get("provider_id"), created_by_id=getattr(actor, "id", None),
                  request_id=request.id if request is not None else None)
    session.add(grant)
    session.flush()
    audit.record(session, actor, "grant.created", grant)
    record_served(session, actor, tenant.id, granted_on, SERVED_SOURCE, f"grant:{grant.id}",
                  f"{category.name} {quantity:,.2f}")
    return grant


def void_grant(session, actor, grant, reason, now):
    """A grant made in error: kept, voided with why; the quota and S4 no longer count it."""
    reason = clean_text(reason, 200, required=True)
    if grant.voided_at is not None:
        raise Refused("grant_already_voided")
    before = audit.snapshot(grant)
    grant.voided_at, grant.void_reason = now, reason
    audit.record(session, actor, "grant.voided", grant, before=before)
    void_served(session, actor, SERVED_SOURCE, f"grant:{grant.id}", reason, now)
    return grant
