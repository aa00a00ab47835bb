"""The services package's evidence gaps (G1, P1, F1): the rows of 公共服务台账,
专业服务台账, 服务资源清单 and 投融资对接台账 that still lack evidence. Each
indicator's `lacking` counts with the same functions its gaps come from.

- G1: a service completed in the period without its outcome, or not yet
  confirmed and rated by the firm;
- P1: a grant of the period without its provider or its value (折合金额);
- G1 and P1: a provider that served in the period (a completed service, a grant)
  on a day no agreement of it was in force (expired, or none), or whose agreement
  in force has no file;
- F1: a matchmaking meeting of the period whose outcome is not recorded.
"""
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.gaps import filed_owners
from community.labels import N_
from community.registry import Gap
from services.financing.ledger import _met_in
from services.ledger import AGREEMENT, _completed_in, _granted_in
from services.models import Grant, MatchMeeting, Provider, ServiceRequest

OUTCOME = N_("办理结果")
CONFIRMATION = N_("企业确认与评价")
PROVIDER = N_("服务机构")
VALUE = N_("折合金额")
AGREEMENT_IN_FORCE = N_("有效合作协议")
AGREEMENT_FILE = N_("合作协议文件")
MEETING_OUTCOME = N_("对接结果")


# --- G1: completed services ------------------------------------------------------

def _request_lacks(request):
    lacks = []
    if not (request.outcome or "").strip():
        lacks.append(OUTCOME)
    if request.confirmed_at is None or request.rating is None:
        lacks.append(CONFIRMATION)
    return lacks


def requests_lacking(session, period, *options):
    """[(request, lacks)] of the services completed in the period: one query (the cover's
    count), and one per relation `options` loads (the page's words)."""
    requests = session.scalars(
        select(ServiceRequest).options(*options)
        .where(*_completed_in(period),
               (ServiceRequest.outcome == "") | ServiceRequest.confirmed_at.is_(None)
               | ServiceRequest.rating.is_(None))
        .order_by(ServiceRequest.completed_on, ServiceRequest.id)).all()
    return [(r, lacks) for r in requests if (lacks := _request_lacks(r))]


def request_gaps(session, period):
    """G1: each completed service lacking its outcome or the firm's rating."""
    return [Gap("公共服务台账", f"{r.tenant.name} · {r.category.name}（{r.completed_on}）",
                "、".join(lacks), "services.request_detail", {"request_id": r.id})
            for r, lacks in requests_lacking(session, period,
                                             selectinload(ServiceRequest.tenant),
                                             selectinload(ServiceRequest.category))]


# --- P1: grants -----------------------------------------------------------------------

def grants_lacking(session, period, *options):
    """[(grant, lacks)] of the period's grants without provider or value (one query, and
    one per relation `options` loads)."""
    grants = session.scalars(
        select(Grant).options(*options)
        .where(*_granted_in(period), Grant.provider_id.is_(None) | (Grant.value_fen <= 0))
        .order_by(Grant.granted_on, Grant.id)).all()
    return [(g, [text for missing, text in ((g.provider_id is None, PROVIDER),
                                            (g.value_fen <= 0, VALUE)) if missing])
            for g in grants]


def grant_gaps(session, period):
    """P1: each grant lacking what 专业服务台账 needs (void it and grant it again)."""
    return [Gap("专业服务台账",
                f"{g.tenant.name} · {g.category.name} {g.quantity:,.2f}（{g.granted_on}）",
                "、".join(lacks), "services.grants", {})
            for g, lacks in grants_lacking(session, period, selectinload(Grant.tenant),
                                           selectinload(Grant.category))]


# --- G1 and P1: providers used without an agreement -----------------------------------

def _in_force(agreement, day):
    return agreement.starts_on <= day and (agreement.ends_on is None or agreement.ends_on >= day)


def providers_lacking(session, period, code):
    """[(provider, lacks)]: the providers that served the code's records in the period
    (G1: completed services; P1: grants) on a day no agreement of theirs was in force,
    or under an agreement without its file (four queries)."""
    if code == "G1":
        used = session.execute(select(ServiceRequest.provider_id, ServiceRequest.completed_on)
                               .where(*_completed_in(period),
                                      ServiceRequest.provider_id.is_not(None)))
    else:
        used = session.execute(select(Grant.provider_id, Grant.granted_on)
                               .where(*_granted_in(period), Grant.provider_id.is_not(None)))
    days = defaultdict(set)
    for provider_id, day in used:
        days[provider_id].add(day)
    if not days:
        return []
    providers = session.scalars(select(Provider).options(selectinload(Provider.agreements))
                                .where(Provider.id.in_(list(days)))
                                .order_by(Provider.name)).all()
    filed = filed_owners(session, AGREEMENT,
                         [a.id for p in providers for a in p.agreements])
    found = []
    for provider in providers:
        lacks, covering = [], set()
        for day in days[provider.id]:
            force = [a for a in provider.agreements if _in_force(a, day)]
            covering.update(a.id for a in force)
            if not force and AGREEMENT_IN_FORCE not in lacks:
                lacks.append(AGREEMENT_IN_FORCE)
        if covering - filed:
            lacks.append(AGREEMENT_FILE)
        if lacks:
            found.append((provider, lacks))
    return found


def provider_gaps_for(code):
    def provider_gaps(session, period):
        """The providers behind the code's records lacking an agreement or its file."""
        return [Gap("服务资源清单", p.name, "、".join(lacks), "services.provider_detail",
                    {"provider_id": p.id})
                for p, lacks in providers_lacking(session, period, code)]
    return provider_gaps


# --- F1: matchmaking meetings ------------------------------------------------------------

def meetings_lacking(session, period, *options):
    """The period's meetings (not voided) whose outcome is still pending (one query, and
    one per relation `options` loads)."""
    return session.scalars(
        select(MatchMeeting).options(*options)
        .where(_met_in(period), MatchMeeting.outcome == "pending")
        .order_by(MatchMeeting.met_on, MatchMeeting.id)).all()


def meeting_gaps(session, period):
    """F1: each meeting held without its outcome recorded."""
    return [Gap("投融资对接台账", f"{m.tenant.name} × {m.provider.name}（{m.met_on}）",
                MEETING_OUTCOME, "services.financing_meeting", {"meeting_id": m.id})
            for m in meetings_lacking(session, period, selectinload(MatchMeeting.tenant),
                                      selectinload(MatchMeeting.provider))]


# --- the counts the cover shows ----------------------------------------------------------

def g1_count(session, period):
    return len(requests_lacking(session, period)) + len(providers_lacking(session, period, "G1"))


def p1_count(session, period):
    return len(grants_lacking(session, period)) + len(providers_lacking(session, period, "P1"))


def f1_count(session, period):
    return len(meetings_lacking(session, period))


def register(reg):
    """Hand the registry the services' gap functions."""
    reg.add_gaps("P1", grant_gaps, count=p1_count)
    reg.add_gaps("P1", provider_gaps_for("P1"))
    reg.add_gaps("G1", request_gaps, count=g1_count)
    reg.add_gaps("G1", provider_gaps_for("G1"))
    reg.add_gaps("F1", meeting_gaps, count=f1_count)
