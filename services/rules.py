"""Service requests: a firm asks for a catalogue service (or staff log one for it),
staff assign a provider, the work starts, it is completed with its outcome, and
the firm confirms and rates it; or it is cancelled with a reason.

Every step is dated and audited. Completing a request serves the firm (S4) on
the day it was delivered; a request of P1's support is granted against the
firm's quota in the same step, so delivering and recording are one act.
"""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import selectinload

from community import audit
from community.permissions import can, member_of
from community.refusals import Invalid, Refused
from community.served import record_served
from community.validators import clean_text
from services import SERVED_SOURCE, subsidies
from services.models import OPEN_STATUSES, ServiceCategory, ServiceRequest


def can_see(user, request):
    """Staff, admin and assessors see every request; a member its own firm's."""
    return can(user, "view") or member_of(user, request.tenant_id)


def can_request_for(user, tenant):
    """Staff log a request for any firm; a member asks for its own."""
    return can(user, "edit") or (can(user, "request_service") and member_of(user, tenant.id))


def can_cancel(user, request):
    """Staff cancel any open request; a member its own while nobody has taken it up."""
    if request.status not in OPEN_STATUSES:
        return False
    return can(user, "edit") or (member_of(user, request.tenant_id)
                                 and request.status == "requested")


def _audit(session, actor, action, request, before):
    session.flush()
    audit.record(session, actor, f"service_request.{action}", request, before=before)
    return request


def request_service(session, actor, tenant, category, description, now):
    """Ask for a catalogue service for a firm."""
    if category is None or not category.active:
        raise Invalid({"category_id": "category_unavailable"})
    if tenant.closed_on is not None:
        raise Refused("tenant_closed")
    description = _text({"description": description}, "description", 2000)
    request = ServiceRequest(tenant_id=tenant.id, category=category, description=description,
                             status="requested", requested_at=now,
                             requested_by_id=getattr(actor, "id", None))
    session.add(request)
    return _audit(session, actor, "requested", request, None)


def _text(data, key, limit, required=False):
    try:
        return clean_text(data.get(key), limit, required)
    except Refused as exc:
        raise Invalid({key: exc.code}) from None


def assign(session, actor, request, provider, now):
    """Hand the request to a provider that delivers this service (again, to reassign)."""
    if request.status not in ("requested", "assigned"):
        raise Refused("request_not_assignable")
    if provider is None or not provider.active:
        raise Invalid({"provider_id": "provider_unavailable"})
    if request.category not in provider.categories:
        raise Invalid({"provider_id": "provider_not_for_category"})
    before = audit.snapshot(request)
    request.provider_id, request.status = provider.id, "assigned"
    request.assigned_at = request.assigned_at or now
    return _audit(session, actor, "assigned", request, before)


def start(session, actor, request, now):
    """The provider has started the work."""
    if request.status != "assigned":
        raise Refused("request_not_assigned")
    before = audit.snapshot(request)
    request.status, request.started_at = "in_progress", now
    return _audit(session, actor, "started", request, before)


def complete(session, actor, request, data, now, today):
    """Delivered: the outcome (an application number, a filed period), quantity and
    value; it serves the firm that day, and P1's support is granted against its quota."""
    if request.status not in OPEN_STATUSES:
        raise Refused("request_not_open")
    errors = {}
    try:
        outcome = clean_text(data.get("outcome"), 2000, required=True)
    except Refused as exc:
        errors["outcome"] = "outcome_required" if exc.code == "required" else exc.code
    delivered_on = data.get("completed_on") or today
    if delivered_on > today:
        errors["completed_on"] = "served_in_future"
    # The UTC day it was asked for: never later than the community's (east of Greenwich).
    elif delivered_on < request.requested_at.date():
        errors["completed_on"] = "completed_before_requested"
    quantity = data.get("quantity")
    if quantity is None or not Decimal(quantity).is_finite() or Decimal(quantity) <= 0:
        errors["quantity"] = "quantity_invalid"
    value = data.get("value") or Decimal(0)
    if not Decimal(value).is_finite() or Decimal(value) < 0 or Decimal(value) >= 10**9:
        errors["value"] = "amount_invalid"
    if errors:
        raise Invalid(errors)
    before = audit.snapshot(request)
    request.status, request.outcome = "completed", outcome
    request.completed_at, request.completed_on = now, delivered_on
    request.quantity = Decimal(quantity).quantize(Decimal("0.01"))
    request.value_fen = int(Decimal(value) * 100)
    _audit(session, actor, "completed", request, before)
    if subsidies.subsidised(request.category):
        subsidies.record_grant(session, actor, request.tenant, request.category, {
            "quantity": request.quantity, "value": Decimal(request.value_fen) / 100,
            "granted_on": delivered_on, "provider_id": request.provider_id,
            "note": outcome[:300]}, today, request=request)
    record_served(session, actor, request.tenant_id, delivered_on, SERVED_SOURCE,
                  f"request:{request.id}", f"{request.category.name}：{outcome}"[:300])
    return request


def log_delivered(session, actor, tenant, category, data, now, today):
    """Staff record a service already given (a consultation at the desk): requested
    and completed in one step, dated the day it was given."""
    request = request_service(session, actor, tenant, category, data.get("description"), now)
    request.provider_id = data.get("provider_id")
    data = dict(data, quantity=data.get("quantity") or 1)
    return complete(session, actor, request, data, now, today)


def confirm(session, actor, request, rating, comment, now):
    """The firm confirms the service and rates it 1–5, once."""
    if not member_of(actor, request.tenant_id):
        raise Refused("not_your_service")
    if request.status != "completed":
        raise Refused("request_not_completed")
    if request.confirmed_at is not None:
        raise Refused("already_rated")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid({"rating": "rating_invalid"})
    comment = _text({"comment": comment}, "comment", 500)
    before = audit.snapshot(request)
    request.confirmed_at, request.rating, request.rating_comment = now, rating, comment
    return _audit(session, actor, "confirmed", request, before)


def cancel(session, actor, request, reason, now):
    """Withdraw an open request, saying why (a member only before it is taken up)."""
    taken_up = request.status != "requested" and getattr(actor, "role", None) == "member"
    if request.status not in OPEN_STATUSES or taken_up:
        raise Refused("request_not_cancellable")
    reason = _text({"reason": reason}, "reason", 300, required=True)
    before = audit.snapshot(request)
    request.status, request.cancelled_at, request.cancel_reason = "cancelled", now, reason
    return _audit(session, actor, "cancelled", request, before)


def due_at(request):
    """When the request should be completed: its catalogue entry's target time."""
    return request.requested_at + timedelta(days=request.category.target_days)


def late(session, now):
    """SQL condition: an open request past its catalogue entry's target time."""
    cutoffs = session.execute(select(ServiceCategory.id, ServiceCategory.target_days)).all()
    return and_(ServiceRequest.status.in_(OPEN_STATUSES), or_(false(), *(
        and_(ServiceRequest.category_id == category_id,
             ServiceRequest.requested_at < now - timedelta(days=days))
        for category_id, days in cutoffs)))


def overdue(session, now):
    """Open requests past their target time, oldest first."""
    return session.scalars(
        select(ServiceRequest).options(selectinload(ServiceRequest.category),
                                       selectinload(ServiceRequest.tenant))
        .where(late(session, now)).order_by(ServiceRequest.requested_at)).all()


def overdue_count(session, now):
    """How many open requests are past their target time."""
    return session.scalar(select(func.count()).select_from(ServiceRequest)
                          .where(late(session, now)))
