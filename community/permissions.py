"""Roles and permissions: the one idiom every route and rule uses.

A role's permissions are the core's (below) plus what each package grants
through the app's registry (`reg.grant("member", "book")`), so two apps in one
process never share a grant. A view checks `can(user, "edit")` (or uses
`community.web.requires`); a rule that needs "is this person of that firm"
asks `member_of(user, tenant_id)`.
"""
from community.registry import registry

ROLES = ("admin", "staff", "member", "assessor")

CORE_GRANTS = {
    "admin": {"view", "edit", "export", "export_full", "admin", "correct"},
    "staff": {"view", "edit", "export", "correct"},
    # An assessor reads evidence only (the dashboard, ledgers, files, the trail of ledger
    # records, reports and packs), each for a granted period: may_read_period.
    "assessor": {"assess"},
    "member": {"correct"},  # correct: change a record of a locked period, with a reason
}


def can(user, permission):
    """Whether the user's role grants a community-wide permission."""
    return bool(user is not None and user.is_authenticated and user.active
                and permission in registry().grants.get(user.role, ()))


def member_of(user, tenant_id):
    """Whether the user is a member account of that tenant (never true for None)."""
    return bool(user is not None and user.is_authenticated and user.active
                and user.role == "member" and tenant_id is not None
                and user.tenant_id == tenant_id)


def can_view_tenant(user, tenant_id):
    """Staff and admin see every tenant; a member only its own (an assessor reads the
    ledgers, not the tenant pages)."""
    return can(user, "view") or member_of(user, tenant_id)


def may_read_period(session, user, period):
    """Whether the user may read the indicators, ledgers, evidence and reports of a
    period: staff and admin always; an assessor only inside a period an admin granted
    (community.models.AssessorGrant, not revoked; community.assessors grants them).
    Every evidence page asks this: it 403s otherwise."""
    if user is None or not user.is_authenticated or not user.active:
        return False
    if not can(user, "assess"):
        return can(user, "view")
    from sqlalchemy import select

    from community.models import AssessorGrant
    return session.scalar(select(AssessorGrant.id).where(
        AssessorGrant.user_id == user.id, AssessorGrant.revoked_at.is_(None),
        AssessorGrant.start_on <= period.start, AssessorGrant.end_on >= period.end)
        .limit(1)) is not None
