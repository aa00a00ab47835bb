"""F1 投融资对接 and L1 生活配套: the application form's 金融服务 and 生活配套 items,
their indicators and ledger sheets.

Each reads the period as it was: a meeting by the day it was held and its outcome
only once dated by the period's end; a product by its dates; an institution by the
days it moved in and out; an amenity listed by then and not withdrawn before the
period began. A meeting voided as recorded in error is in none of them.
"""
from collections import Counter
from decimal import Decimal

from sqlalchemy import false, func, or_, select, true
from sqlalchemy.orm import selectinload

from community.labels import label, label_said, said
from community.registry import Column, Indicator, Sheet
from community.settings import community_zone
from services.financing.residency import resident_in
from services.financing.rules import RAISED
from services.ledger import PROVIDER
from services.models import AMENITY_KINDS, Amenity, FinanceProduct, MatchMeeting, Provider

MEETING = "match_meeting"  # attachment owner: a meeting's files (minutes, term sheet)


def _num(value):
    """1,200 or 1,200.50: a 万元 figure as the detail line shows it."""
    value = Decimal(value or 0)
    return f"{value:,.0f}" if value == value.to_integral() else f"{value:,.2f}"


def _begun(period):
    """False for a period still ahead: nothing in it has happened yet."""
    return false() if period.happened_by < period.start else true()


def _met_in(period):
    """Meetings held in the period (so far), voided ones left out."""
    return ((MatchMeeting.met_on >= period.start) & (MatchMeeting.met_on <= period.happened_by)
            & MatchMeeting.voided_at.is_(None))


def meetings_held(session, period):
    """F1: matchmaking meetings between firms and banks or investors held in the period."""
    return session.scalar(select(func.count()).select_from(MatchMeeting).where(_met_in(period)))


def products_in(session, period):
    """The financial service products offered at some time in the period."""
    return session.scalars(select(FinanceProduct).options(
        selectinload(FinanceProduct.provider)).where(
        or_(FinanceProduct.starts_on.is_(None),
            FinanceProduct.starts_on <= period.happened_by),
        or_(FinanceProduct.ends_on.is_(None), FinanceProduct.ends_on >= period.start),
        _begun(period))
        .order_by(FinanceProduct.name)).all()


def resident_institutions(session, period):
    """入驻金融机构: banks and investors resident at some time in the period, by the
    days they moved in and out."""
    return session.scalars(select(Provider).where(
        resident_in(period, community_zone(session)), _begun(period))
        .order_by(Provider.kind, Provider.name)).all()


def financing_detail(session, period):
    """金融产品 N 个，规模 X 万元；入驻金融机构 N 家；达成 N 笔 Y 万元."""
    products = products_in(session, period)
    count, amount = session.execute(select(func.count(), func.sum(MatchMeeting.amount_wan))
                                    .where(MatchMeeting.outcome.in_(RAISED),
                                           MatchMeeting.voided_at.is_(None),
                                           MatchMeeting.outcome_on >= period.start,
                                           MatchMeeting.outcome_on <= period.happened_by)).one()
    return said("金融产品 %(products)s 个，规模 %(scale)s 万元；入驻金融机构 %(institutions)s 家；"
                "达成 %(n)s 笔 %(amount)s 万元", products=len(products),
                scale=_num(sum(p.scale_wan for p in products)),
                institutions=len(resident_institutions(session, period)), n=count,
                amount=_num(amount))


def meeting_rows(session, period):
    """投融资对接台账: each meeting of the period, its outcome as known at the period's end
    (a voided one left out: it did not take place)."""
    meetings = session.scalars(select(MatchMeeting).options(
        selectinload(MatchMeeting.tenant), selectinload(MatchMeeting.provider),
        selectinload(MatchMeeting.need)).where(_met_in(period))
        .order_by(MatchMeeting.met_on, MatchMeeting.id))
    for m in meetings:
        known = m.outcome_on is not None and m.outcome_on <= period.end
        yield {"date": m.met_on, "tenant": m.tenant.name, "uscc": m.tenant.uscc,
               "institution": m.provider.name,
               "institution_kind": label("provider_kind", m.provider.kind),
               "need_amount": m.need.amount_wan if m.need else None,
               "stage": label("need_stage", m.need.stage) if m.need else "",
               "outcome": label("meeting_outcome", m.outcome if known else "pending"),
               "amount": m.amount_wan if known else None,
               "outcome_on": m.outcome_on if known else None, "note": m.note,
               "evidence_id": m.id}


def product_rows(session, period):
    """金融服务产品: the products of the period as 附件2 lists them."""
    for p in products_in(session, period):
        yield {"name": p.name, "scale_wan": p.scale_wan,
               "formation": label("finance_formation", p.formation), "partners": p.partners,
               "provider": p.provider.name if p.provider else "", "starts_on": p.starts_on,
               "ends_on": p.ends_on, "description": p.description}


def institution_rows(session, period):
    """入驻金融机构: resident banks and investors, with their meetings in the period."""
    institutions = resident_institutions(session, period)
    held = dict(session.execute(select(MatchMeeting.provider_id, func.count()).where(
        _met_in(period), MatchMeeting.provider_id.in_([p.id for p in institutions]))
        .group_by(MatchMeeting.provider_id)).all()) if institutions else {}
    for p in institutions:
        yield {"name": p.name, "kind": label("provider_kind", p.kind), "uscc": p.uscc,
               "contact": p.contact_name, "phone": p.contact_phone or None,
               "address": p.address, "meetings": held.get(p.id, 0), "evidence_id": p.id}


def _listed_in(period):
    return (_begun(period) & (Amenity.listed_on <= period.happened_by)
            & or_(Amenity.withdrawn_on.is_(None), Amenity.withdrawn_on >= period.start))


def amenities_listed(session, period):
    """L1: living amenities listed at some time in the period."""
    return session.scalar(select(func.count()).select_from(Amenity).where(_listed_in(period)))


def amenities_by_kind(session, period):
    """人才公寓 2 · 食堂 1 · …: the period's amenities per kind."""
    counts = Counter(dict(session.execute(select(Amenity.kind, func.count())
                                          .where(_listed_in(period))
                                          .group_by(Amenity.kind)).all()))
    return " · ".join(f"{label_said('amenity_kind', kind)} {counts[kind]}"
                      for kind in AMENITY_KINDS if counts[kind]) or said("无")


def amenity_rows(session, period):
    """生活配套清单: the amenities of the period; a withdrawal after it is not shown."""
    amenities = session.scalars(select(Amenity).where(_listed_in(period))
                                .order_by(Amenity.kind, Amenity.distance_m, Amenity.name))
    for a in amenities:
        withdrawn = a.withdrawn_on if a.withdrawn_on and a.withdrawn_on <= period.end else None
        yield {"name": a.name, "kind": label("amenity_kind", a.kind), "address": a.address,
               "distance_m": a.distance_m, "note": a.note, "listed_on": a.listed_on,
               "withdrawn_on": withdrawn}


def register(reg):
    """Plug F1, L1 and their sheets into the registry."""
    reg.add_indicator(Indicator("F1", "投融资对接", "Financing matchmaking", "次",
                                meetings_held, detail=financing_detail))
    reg.add_indicator(Indicator("L1", "生活配套", "Living amenities", "处",
                                amenities_listed, detail=amenities_by_kind))
    reg.add_sheet(Sheet("投融资对接台账", "F1", (
        Column("date", "对接日期", "date"), Column("tenant", "企业名称"),
        Column("uscc", "统一社会信用代码"), Column("institution", "金融机构"),
        Column("institution_kind", "机构类型"),
        Column("need_amount", "融资需求（万元）", "number"), Column("stage", "融资阶段"),
        Column("outcome", "对接结果"), Column("amount", "金额（万元）", "number"),
        Column("outcome_on", "结果日期", "date"), Column("note", "备注")), meeting_rows,
        evidence=MEETING))
    reg.add_sheet(Sheet("金融服务产品", "F1", (
        Column("name", "社区专项金融服务产品名称"),
        Column("scale_wan", "金融服务规模（万元）", "number"), Column("formation", "组建形式"),
        Column("partners", "合建机构"), Column("provider", "合作金融机构"),
        Column("starts_on", "开始日期", "date"), Column("ends_on", "结束日期", "date"),
        Column("description", "产品说明")), product_rows))
    reg.add_sheet(Sheet("入驻金融机构", "F1", (
        Column("name", "机构名称"), Column("kind", "机构类型"),
        Column("uscc", "统一社会信用代码"), Column("contact", "联系人", "person"),
        Column("phone", "联系电话", "phone"), Column("address", "地址"),
        Column("meetings", "本期对接次数", "number")), institution_rows, evidence=PROVIDER))
    reg.add_sheet(Sheet("生活配套清单", "L1", (
        Column("name", "名称"), Column("kind", "类型"), Column("address", "地址"),
        Column("distance_m", "距社区（米）", "number"), Column("note", "说明"),
        Column("listed_on", "上架日期", "date"), Column("withdrawn_on", "下架日期", "date")),
        amenity_rows))
