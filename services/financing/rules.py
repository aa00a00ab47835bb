"""Financing matchmaking (投融资对接) and living amenities (生活配套) as plain
functions: no request, no template. The actor and the day (`today`, the
community's date) are parameters; a refusal raises ``Refused`` or ``Invalid``.

A matchmaking meeting serves its firm (S4) on the day it was held; one recorded
in error is voided with a reason (kept, no longer counted), never deleted.
"""
from decimal import Decimal, InvalidOperation

from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from community import audit
from community.permissions import can, member_of
from community.refusals import Invalid, Refused
from community.served import record_served, void_served
from community.validators import clean_text
from services import SERVED_SOURCE
from services.models import (AMENITY_KINDS, FINANCIAL_KINDS, FORMATIONS, MEETING_OUTCOMES,
                             NEED_STAGES, Amenity, FinanceProduct, FinancingNeed, MatchMeeting)

MAX_WAN = Decimal("999999999999.99")  # Numeric(14, 2)
MAX_DISTANCE_M = 100000
CLOSED = ("met", "withdrawn")
ANSWER_DAYS = 30  # a meeting still pending after this long wants chasing
WITH_AMOUNT = ("term_sheet", "invested", "loan")  # outcomes that name a sum
RAISED = ("invested", "loan")  # money that reached the firm (F1's 达成)


def can_record_need(user, tenant_id):
    """Staff record a need for any firm; a founder only for its own."""
    return can(user, "edit") or (can(user, "request_service") and member_of(user, tenant_id))


def needs_waiting(session):
    """Open needs no institution has met yet: what staff arrange first."""
    return session.scalars(select(FinancingNeed).options(selectinload(FinancingNeed.tenant))
                           .where(FinancingNeed.status == "open",
                                  ~exists().where(MatchMeeting.need_id == FinancingNeed.id,
                                                  MatchMeeting.voided_at.is_(None)))
                           .order_by(FinancingNeed.raised_on)).all()


def meetings_unanswered(session, today):
    """Meetings still pending ANSWER_DAYS after they were held."""
    return session.scalars(select(MatchMeeting).options(
        selectinload(MatchMeeting.tenant), selectinload(MatchMeeting.provider))
        .where(MatchMeeting.outcome == "pending", MatchMeeting.voided_at.is_(None),
               MatchMeeting.met_on < today - timedelta(days=ANSWER_DAYS))
        .order_by(MatchMeeting.met_on)).all()


class _Fields:
    """Collects each field's clean value or its refusal code, then raises them together."""

    def __init__(self):
        self.clean, self.errors = {}, {}

    def take(self, name, fn):
        try:
            self.clean[name] = fn()
        except Refused as exc:
            self.errors[name] = exc.code
        return self.clean.get(name)

    def refuse(self, name, code):
        self.errors.setdefault(name, code)

    def done(self):
        if self.errors:
            raise Invalid(self.errors)
        return self.clean


def _wan(value, code, positive=False):
    """A 万元 amount as a Decimal with at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Refused("required")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Refused(code) from None
    if not amount.is_finite() or amount < 0 or (positive and amount == 0) \
            or amount != amount.quantize(Decimal("0.01")) or amount > MAX_WAN:
        raise Refused(code)
    return amount.quantize(Decimal("0.01"))


def _day(value, today=None, future_code="finance_date_in_future"):
    if value is None:
        raise Refused("required")
    if today is not None and value > today:
        raise Refused(future_code)
    return value


def _choice(value, allowed):
    if value not in allowed:
        raise Refused("choice_invalid")
    return value


def _saved(session, actor, obj, before, kind):
    session.add(obj)
    audit.record(session, actor, f"{kind}.updated" if before else f"{kind}.created", obj,
                 before=before)
    return obj


# --- financial service products (附件2 金融服务) -------------------------------------

def save_product(session, actor, data, product=None):
    """Create or change a financial service product; joint ones name their partners."""
    f = _Fields()
    name = f.take("name", lambda: clean_text(data.get("name"), 200, required=True))
    if name:
        same = select(FinanceProduct.id).where(FinanceProduct.name == name)
        if product is not None:
            same = same.where(FinanceProduct.id != product.id)
        if session.scalar(same) is not None:
            f.refuse("name", "finance_product_name_taken")
    f.take("scale_wan", lambda: _wan(data.get("scale_wan"), "finance_scale_invalid"))
    formation = f.take("formation", lambda: _choice(data.get("formation"), FORMATIONS))
    partners = f.take("partners", lambda: clean_text(data.get("partners"), 300))
    if formation == "joint" and "partners" not in f.errors and not partners:
        f.refuse("partners", "finance_partners_required")
    elif formation == "own":
        f.clean["partners"] = ""
    provider = data.get("provider")
    if provider is not None and provider.kind not in FINANCIAL_KINDS:
        f.refuse("provider_id", "finance_provider_not_financial")
    f.take("description", lambda: clean_text(data.get("description"), 2000))
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        f.refuse("ends_on", "end_before_start")
    clean = f.done()
    before = audit.snapshot(product) if product is not None else None
    product = product or FinanceProduct()
    for key, value in clean.items():
        setattr(product, key, value)
    product.provider_id = provider.id if provider is not None else None
    product.starts_on, product.ends_on = starts_on, ends_on
    return _saved(session, actor, product, before, "finance_product")


# --- financing needs ----------------------------------------------------------------

def save_need(session, actor, tenant, data, today, need=None):
    """Record (or correct, while open) what a firm seeks to raise: amount and stage."""
    if need is not None and need.status != "open":
        raise Refused("finance_need_closed")
    f = _Fields()
    f.take("amount_wan", lambda: _wan(data.get("amount_wan"), "finance_amount_invalid", True))
    f.take("stage", lambda: _choice(data.get("stage"), NEED_STAGES))
    f.take("purpose", lambda: clean_text(data.get("purpose"), 2000))
    f.take("raised_on", lambda: _day(data.get("raised_on"), today))
    clean = f.done()
    before = audit.snapshot(need) if need is not None else None
    if need is None:
        need = FinancingNeed(tenant_id=tenant.id, status="open",
                             created_by_id=getattr(actor, "id", None))
    for key, value in clean.items():
        setattr(need, key, value)
    return _saved(session, actor, need, before, "financing_need")


def close_need(session, actor, need, status, closed_on, today):
    """Close a need as met or withdrawn, on a day not before it was raised."""
    if need.status != "open":
        raise Refused("finance_need_closed")
    f = _Fields()
    f.take("status", lambda: _choice(status, CLOSED))
    closed_on = f.take("closed_on", lambda: _day(closed_on, today))
    if closed_on and closed_on < need.raised_on:
        f.refuse("closed_on", "finance_closed_before_raised")
    f.done()
    before = audit.snapshot(need)
    need.status, need.closed_on = status, closed_on
    audit.record(session, actor, "financing_need.closed", need, before=before)
    return need


# --- matchmaking meetings -------------------------------------------------------------

def record_meeting(session, actor, data, today):
    """Record a meeting between a firm and a bank or investor; it serves the firm (S4)."""
    f = _Fields()
    tenant, provider, need = data.get("tenant"), data.get("provider"), data.get("need")
    if tenant is None:
        f.refuse("tenant_id", "required")
    if provider is None:
        f.refuse("provider_id", "required")
    elif provider.kind not in FINANCIAL_KINDS:
        f.refuse("provider_id", "finance_provider_not_financial")
    if need is not None and tenant is not None and need.tenant_id != tenant.id:
        f.refuse("need_id", "finance_need_other_tenant")
    met_on = f.take("met_on", lambda: _day(data.get("met_on"), today))
    note = f.take("note", lambda: clean_text(data.get("note"), 2000))
    f.done()
    meeting = MatchMeeting(tenant_id=tenant.id, provider_id=provider.id,
                           need_id=need.id if need is not None else None, met_on=met_on,
                           outcome="pending", note=note,
                           created_by_id=getattr(actor, "id", None))
    session.add(meeting)
    audit.record(session, actor, "match_meeting.created", meeting)
    record_served(session, actor, tenant.id, met_on, SERVED_SOURCE, f"meeting:{meeting.id}",
                  f"投融资对接：{provider.name}")
    return meeting


def record_outcome(session, actor, meeting, data, today):
    """Record what came of a meeting: a sum and a date for a term sheet, an investment
    or a loan; a date for any answer; nothing for one still pending."""
    if meeting.voided_at is not None:
        raise Refused("finance_meeting_voided")
    f = _Fields()
    outcome = f.take("outcome", lambda: _choice(data.get("outcome"), MEETING_OUTCOMES))
    amount = outcome_on = None
    if outcome in WITH_AMOUNT:
        amount = f.take("amount_wan", lambda: _wan(data.get("amount_wan"),
                                                    "finance_amount_invalid", True))
        if f.errors.get("amount_wan") == "required":
            f.errors["amount_wan"] = "finance_amount_required"
    if outcome is not None and outcome != "pending":
        outcome_on = f.take("outcome_on", lambda: _day(data.get("outcome_on"), today))
        if f.errors.get("outcome_on") == "required":
            f.errors["outcome_on"] = "finance_outcome_date_required"
        if outcome_on and outcome_on < meeting.met_on:
            f.refuse("outcome_on", "finance_outcome_before_meeting")
    note = f.take("note", lambda: clean_text(data.get("note", meeting.note), 2000))
    f.done()
    before = audit.snapshot(meeting)
    meeting.outcome, meeting.amount_wan, meeting.outcome_on = outcome, amount, outcome_on
    meeting.note = note
    audit.record(session, actor, "match_meeting.outcome", meeting, before=before)
    return meeting


def void_meeting(session, actor, meeting, reason, now):
    """A meeting recorded in error: kept, voided with why; F1 and S4 no longer count it."""
    if meeting.voided_at is not None:
        raise Refused("finance_meeting_voided")
    try:
        reason = clean_text(reason, 200, required=True)
    except Refused as exc:
        raise Refused("finance_void_reason_required" if exc.code == "required"
                      else "finance_void_reason_too_long") from None
    before = audit.snapshot(meeting)
    meeting.voided_at, meeting.void_reason = now, reason
    audit.record(session, actor, "match_meeting.voided", meeting, before=before)
    void_served(session, actor, SERVED_SOURCE, f"meeting:{meeting.id}", reason, now)
    return meeting


# --- living amenities (生活配套) -------------------------------------------------------

def _distance(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) \
            or not 0 <= value <= MAX_DISTANCE_M:
        raise Refused("amenity_distance_invalid")
    return value


def save_amenity(session, actor, data, amenity=None):
    """List (or correct) a living amenity; a withdrawn one stays as it was."""
    if amenity is not None and amenity.withdrawn_on is not None:
        raise Refused("amenity_withdrawn")
    f = _Fields()
    f.take("name", lambda: clean_text(data.get("name"), 200, required=True))
    f.take("kind", lambda: _choice(data.get("kind"), AMENITY_KINDS))
    f.take("address", lambda: clean_text(data.get("address"), 300))
    f.take("distance_m", lambda: _distance(data.get("distance_m")))
    f.take("note", lambda: clean_text(data.get("note"), 2000))
    f.take("listed_on", lambda: _day(data.get("listed_on")))
    clean = f.done()
    before = audit.snapshot(amenity) if amenity is not None else None
    amenity = amenity or Amenity()
    for key, value in clean.items():
        setattr(amenity, key, value)
    return _saved(session, actor, amenity, before, "amenity")


def withdraw_amenity(session, actor, amenity, withdrawn_on, today):
    """Take an amenity off the list from a day on; past periods still list it."""
    if amenity.withdrawn_on is not None:
        raise Refused("amenity_withdrawn")
    f = _Fields()
    withdrawn_on = f.take("withdrawn_on", lambda: _day(withdrawn_on, today,
                                                        "amenity_date_in_future"))
    if withdrawn_on and withdrawn_on < amenity.listed_on:
        f.refuse("withdrawn_on", "amenity_withdrawn_before_listed")
    f.done()
    before = audit.snapshot(amenity)
    amenity.withdrawn_on = withdrawn_on
    audit.record(session, actor, "amenity.withdrawn", amenity, before=before)
    return amenity
