"""The services package's indicators (G1, P1) and ledger sheets (公共服务台账,
专业服务台账, 服务资源清单).

G1 counts which of the package's six categories were delivered in the period
(a request completed on a day of it); P1 counts the grants of the period, by
kind. Both read dated columns (completed_on, granted_on), so a past period
reads as it was; a voided grant is a correction and never counts.
"""
from collections import Counter
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from community.labels import N_, label, label_said, said
from community.models import Attachment
from community.registry import Column, Indicator, Sheet, remembered
from services.catalogue import PACKAGE, agreement_state, current_agreement
from services.models import Grant, Provider, ServiceCategory, ServiceRequest

AGREEMENT = "provider_agreement"  # attachment owner: an agreement's file
REQUEST = "service_request"  # attachment owner: a request's outcome files
GRANT = "service_grant"  # attachment owner: a subsidy's files (voucher, usage record)
PROVIDER = "provider"  # attachment owner: a provider's own files (licence, qualifications)
SHORT = {"registration": N_("登记注册"), "bookkeeping": N_("财务代账"), "tax": N_("税务申报"),
         "legal": N_("法律咨询"), "adaptation": N_("适配验证"), "patent": N_("专利申报")}
# P1 asks for access to compute, data and models: a provider of these under agreement.
ACCESS_KINDS = ("compute", "model", "data", "devtools")


def _completed_in(period):
    return (ServiceRequest.status == "completed",
            ServiceRequest.completed_on.between(period.start, period.happened_by))


def package_delivered(session, period):
    """{code: services completed} for the six package categories in the period."""
    def compute():
        rows = session.execute(
            select(ServiceCategory.code, func.count()).join(ServiceRequest.category)
            .where(ServiceCategory.code.in_(PACKAGE), *_completed_in(period))
            .group_by(ServiceCategory.code)).all()
        return Counter(dict(rows))
    return remembered(session, ("g1", period), compute)


def g1_value(session, period):
    """G1: how many of the six categories were delivered in the period."""
    counts = package_delivered(session, period)
    return sum(1 for code in PACKAGE if counts[code])


def g1_detail(session, period):
    """登记注册 N · 财务代账 N · … ；服务企业 N 家；平台对接 N 次."""
    counts = package_delivered(session, period)
    firms = session.scalar(select(func.count(func.distinct(ServiceRequest.tenant_id)))
                           .where(*_completed_in(period)))
    referrals = session.scalar(
        select(func.count()).select_from(ServiceRequest).join(ServiceRequest.category)
        .where(ServiceCategory.section == "referral", *_completed_in(period)))
    text = " · ".join(f"{said(SHORT[code])} {counts[code]}" for code in PACKAGE)
    return text + said("；服务企业 %(firms)s 家；中试平台、概念验证中心对接 %(n)s 次", firms=firms,
                       n=referrals)




def _granted_in(period):
    return (Grant.voided_at.is_(None), Grant.granted_on.between(period.start, period.happened_by))


def grants_by_kind(session, period):
    """[(category, grants, quantity, value in fen)] of the period, in catalogue order."""
    def compute():
        return session.execute(
            select(ServiceCategory, func.count(), func.sum(Grant.quantity),
                   func.sum(Grant.value_fen))
            .join(Grant.category).where(*_granted_in(period))
            .group_by(ServiceCategory.id).order_by(ServiceCategory.position)).all()
    return remembered(session, ("p1", period), compute)


def p1_value(session, period):
    """P1: subsidies granted in the period."""
    return sum(count for _category, count, _q, _v in grants_by_kind(session, period))


def p1_detail(session, period):
    """算力补贴 N 笔 X GPU卡时 ¥Y · …; and the compute/model/data providers under agreement."""
    parts = [said("%(kind)s %(n)s 笔 %(quantity)s %(unit)s ¥%(value)s", kind=said(c.name), n=n,
                  quantity=f"{Decimal(q):,.2f}", unit=label_said("service_unit", c.unit),
                  value=f"{Decimal(v or 0) / 100:,.2f}")
             for c, n, q, v in grants_by_kind(session, period)]
    access = len(access_providers(session, period))
    return ("；".join(parts) or said("本期无补贴发放")) + said(
        "；算力、模型、数据、工具合作机构 %(n)s 家", n=access)


def access_providers(session, period):
    """Compute, model, data and tool providers with an agreement in force in the period."""
    def compute():
        providers = session.scalars(select(Provider).options(selectinload(Provider.agreements))
                                    .where(Provider.kind.in_(ACCESS_KINDS))).all()
        return [p for p in providers if any(
            a.starts_on <= period.end and (a.ends_on is None or a.ends_on >= period.start)
            for a in p.agreements)]
    return remembered(session, ("p1-access", period), compute)


def p1_met(session, period):
    """P1 is met when access exists (a provider under agreement) and support was given."""
    return bool(access_providers(session, period)) and p1_value(session, period) > 0


def _days(start, end):
    return (end - start).days if start and end else None


def service_rows(session, period):
    """公共服务台账: each service completed in the period."""
    requests = session.scalars(
        select(ServiceRequest).options(selectinload(ServiceRequest.tenant),
                                       selectinload(ServiceRequest.category),
                                       selectinload(ServiceRequest.provider))
        .where(*_completed_in(period))
        .order_by(ServiceRequest.completed_on, ServiceRequest.id))
    for r in requests:
        yield {"tenant": r.tenant.name, "uscc": r.tenant.uscc,
               "section": label("service_section", r.category.section),
               "category": r.category.name, "provider": r.provider.name if r.provider else "社区",
               "requested": r.requested_at, "assigned": r.assigned_at,
               "completed": r.completed_on,
               "response_days": _days(r.requested_at, r.assigned_at),
               "completion_days": _days(r.requested_at.date(), r.completed_on),
               "outcome": r.outcome, "quantity": r.quantity,
               "unit": label("service_unit", r.category.unit), "value": r.value_fen,
               "free": r.category.free, "rating": r.rating, "comment": r.rating_comment,
               "evidence_id": r.id}


def grant_rows(session, period):
    """专业服务台账: each subsidy granted in the period."""
    grants = session.scalars(
        select(Grant).options(selectinload(Grant.tenant), selectinload(Grant.category),
                              selectinload(Grant.provider))
        .where(*_granted_in(period)).order_by(Grant.granted_on, Grant.id))
    for g in grants:
        yield {"date": g.granted_on, "tenant": g.tenant.name, "uscc": g.tenant.uscc,
               "kind": g.category.name, "provider": g.provider.name if g.provider else "",
               "quantity": g.quantity, "unit": label("service_unit", g.category.unit),
               "value": g.value_fen, "request": f"#{g.request_id}" if g.request_id else "",
               "note": g.note, "evidence_id": g.id}


def provider_rows(session, period):
    """服务资源清单: the providers known by the period's end, with the agreement in
    force on its reference day and its files."""
    providers = session.scalars(
        select(Provider).options(selectinload(Provider.categories),
                                 selectinload(Provider.agreements))
        .where(func.date(Provider.created_at) <= period.end)
        .order_by(Provider.kind, Provider.name)).all()
    files = dict(session.execute(
        select(Attachment.owner_id, func.count()).where(Attachment.owner_type == AGREEMENT,
                                                        Attachment.withdrawn_at.is_(None))
        .group_by(Attachment.owner_id)).all())
    for p in providers:
        agreement = current_agreement(p, period.as_of)
        if agreement is not None and agreement.starts_on > period.end:
            agreement = None
        yield {"name": p.name, "kind": label("provider_kind", p.kind), "uscc": p.uscc or "",
               "services": "、".join(c.name for c in p.categories),
               "qualifications": p.qualifications, "contact": p.contact_name,
               "phone": p.contact_phone or None, "resident": p.resident,
               "agreement": agreement.title if agreement else "",
               "starts": agreement.starts_on if agreement else None,
               "ends": agreement.ends_on if agreement else None,
               "state": label("agreement_state", agreement_state(agreement, period.as_of)),
               "files": files.get(agreement.id, 0) if agreement else 0,
               "evidence_id": agreement.id if agreement else None}


def register(reg):
    """Plug G1, P1 and the services sheets into the registry."""
    reg.add_indicator(Indicator(
        "P1", "专业服务", "Professional services", "笔", p1_value, detail=p1_detail,
        met=p1_met,
        target_text="接入算力、数据、模型资源并为企业提供支持"))
    reg.add_indicator(Indicator(
        "G1", "公共服务包", "Public-service package", "类", g1_value, Decimal(len(PACKAGE)),
        detail=g1_detail))
    reg.add_sheet(Sheet("专业服务台账", "P1", (
        Column("date", "发放日期", "date"), Column("tenant", "企业名称"),
        Column("uscc", "统一社会信用代码"), Column("kind", "支持类型"),
        Column("provider", "服务机构"), Column("quantity", "数量", "number"),
        Column("unit", "单位"), Column("value", "折合金额（元）", "money"),
        Column("request", "关联服务申请"), Column("note", "备注")), grant_rows, evidence=GRANT))
    reg.add_sheet(Sheet("公共服务台账", "G1", (
        Column("tenant", "企业名称"), Column("uscc", "统一社会信用代码"),
        Column("section", "服务类别"), Column("category", "服务项目"),
        Column("provider", "服务机构"), Column("requested", "申请时间", "datetime"),
        Column("assigned", "派单时间", "datetime"), Column("completed", "办结日期", "date"),
        Column("response_days", "响应天数", "number"),
        Column("completion_days", "办理天数", "number"), Column("outcome", "办理结果"),
        Column("quantity", "数量", "number"), Column("unit", "单位"),
        Column("value", "服务价值（元）", "money"), Column("free", "免费", "bool"),
        Column("rating", "满意度（1-5）", "number"), Column("comment", "评价意见")),
        service_rows, evidence=REQUEST))
    reg.add_sheet(Sheet("服务资源清单", "G1", (
        Column("name", "机构名称"), Column("kind", "机构类型"),
        Column("uscc", "统一社会信用代码"), Column("services", "服务范围"),
        Column("qualifications", "资质"), Column("contact", "联系人", "person"),
        Column("phone", "联系电话", "phone"), Column("resident", "入驻金融机构", "bool"),
        Column("agreement", "合作协议"), Column("starts", "协议生效日", "date"),
        Column("ends", "协议到期日", "date"), Column("state", "协议状态"),
        Column("files", "协议文件数", "number")),
        # A row states the agreement in force: its files are the row's evidence (the
        # provider's own files evidence 入驻金融机构, and show on its page).
        provider_rows, evidence=AGREEMENT))

