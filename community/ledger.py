"""The community core's indicators (S1, S2, S4 and the OPC counts) and ledger sheets."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from community import opc
from community.labels import label, labeller, said
from community.models import (Attachment, Desk, DeskAssignment, DeskState, Licence,
                              Member, ServedRecord, Tenant, Zone)
from community.periods import Period, add_months
from community.registry import Column, Indicator, Sheet, remembered
from community.rules import in_period, zone_area_on
from community.settings import current_settings


def _in_service_on(day):
    """SQL condition on Zone: in service on a day."""
    return and_(Zone.in_service_on <= day,
                or_(Zone.out_of_service_on.is_(None), Zone.out_of_service_on >= day))


def space_area(session, period):
    """S1: m² of the zones in service on the reference day, at that day's area."""
    day = period.as_of
    return sum(session.scalars(select(zone_area_on(day)).where(_in_service_on(day))),
               Decimal(0))


def _desk_states_on(day):
    """Each desk's state on a day, from its dated history (desks not yet in service
    on that day have none): the state that took effect by then and was not yet
    superseded."""
    return (select(DeskState.desk_id, DeskState.status, DeskState.zero_rent)
            .where(DeskState.effective_on <= day,
                   or_(DeskState.superseded_on.is_(None), DeskState.superseded_on > day))
            .subquery())


def _zero_rent_desks(day):
    state = _desk_states_on(day)
    return (select(Desk.id).join(state, state.c.desk_id == Desk.id).join(Zone).where(
        state.c.zero_rent.is_(True), state.c.status == "available",
        Desk.in_service_on <= day, _in_service_on(day)))


def _zero_rent_counts(session, day):
    """(zero-rent desks in service on a day, those of them with an assignment in force
    that day), counted in SQL in one pass over the desks (the assignments in force
    are read once, as a list the pass looks each desk up in)."""
    in_force = select(DeskAssignment.desk_id).where(
        DeskAssignment.starts_on <= day,
        or_(DeskAssignment.ends_on.is_(None), DeskAssignment.ends_on >= day))
    counts = _zero_rent_desks(day).with_only_columns(
        func.count(), func.count(case((Desk.id.in_(in_force), 1))))
    return remembered(session, ("zero_rent", day), lambda: tuple(
        session.execute(counts).one()))


def zero_rent_desks(session, period):
    """S2: zero-rent desks in service on the reference day."""
    return _zero_rent_counts(session, period.as_of)[0]


def zero_rent_occupancy(session, period):
    day = period.as_of
    total, used = _zero_rent_counts(session, day)
    return said("%(day)s 在用 %(used)s/%(total)s", day=f"{day:%Y-%m-%d}", used=used,
                total=total)


def _firm_in(window):
    """SQL condition on Tenant: resident at some time in the window, or served in it
    (voided services did not happen). The window never runs past the reference day:
    nothing counts before it happens. One pass over the tenants, a probe of their
    services each (no union of every service row to sort)."""
    resident = and_(Tenant.moved_in_on.is_not(None),
                    in_period(Tenant.moved_in_on, Tenant.moved_out_on, window))
    served = exists().where(ServedRecord.tenant_id == Tenant.id,
                            ServedRecord.served_on.between(window.start, window.end),
                            ServedRecord.voided_at.is_(None))
    return or_(resident, served)


def _firms(window):
    """Tenants resident at some time in the window, or served in it (a subquery of
    tenant_id)."""
    return select(Tenant.id.label("tenant_id")).where(_firm_in(window)).subquery()


def _licence_filed():
    """SQL condition on Tenant: its business licence file is on record (not withdrawn).
    An IN list read once per query, not a probe per firm."""
    return Tenant.id.in_(select(Attachment.owner_id).where(
        Attachment.owner_type == opc.LICENCE_FILE, Attachment.withdrawn_at.is_(None)))


def _rule(session):
    return opc.Rule.of(current_settings(session))


def _opcs(session, day):
    """SQL: the tenants that count as OPCs on a day, by the community's rule."""
    return opc.opc_tenants(_rule(session), day)


@dataclass(frozen=True)
class S4Counts:
    """S4's firms of a window, counted in SQL: all resident or served, the OPCs among
    them (the figure), those not yet determined, and the OPCs without a licence file."""

    firms: int
    counted: int
    undetermined: int
    unlicensed: int


def s4_counts(session, period):
    """S4Counts for the twelve months to the reference day: one pass over the tenants,
    each with its licence facts in effect that day. The pace's reading of the month
    holding the day shares it (the same window and day)."""
    window, day = period.last_twelve_months(), period.as_of

    def compute():
        facts = aliased(Licence)
        is_opc = opc.counts_as_opc(facts, _rule(session), day)
        filed = _licence_filed()
        row = session.execute(
            select(func.count(), func.count(case((is_opc, 1))),
                   func.count(case((opc.undetermined(facts), 1))),
                   func.count(case((and_(is_opc, ~filed), 1))))
            .select_from(Tenant)
            .outerjoin(facts, opc.facts_of(Tenant.id, facts, day))
            .where(_firm_in(window))).one()
        return S4Counts(*row)
    return remembered(session, ("s4-counts", window, day), compute)


def _s4_ids(session, period):
    """The ids of S4's firms: resident or served in the window, OPCs on the reference
    day (the gaps page lists those without their licence file)."""
    def compute():
        firms = _firms(period.last_twelve_months())
        return set(session.scalars(select(firms.c.tenant_id).where(
            firms.c.tenant_id.in_(_opcs(session, period.as_of)))))
    return remembered(session, ("s4", period), compute)


def firms_served(session, period):
    """S4: distinct OPC firms resident or served in the twelve months to the reference
    day, each an OPC on that day by its licence facts."""
    return s4_counts(session, period).counted


def firms_unlicensed(session, period):
    """How many of S4's firms lack their business licence file (the cover's 缺证据记录;
    community.gaps lists them)."""
    return s4_counts(session, period).unlicensed


def firms_served_window(session, period):
    """The window, and the firms it leaves out and why."""
    window = period.last_twelve_months()
    counts = s4_counts(session, period)
    text = said("近12个月：%(start)s 至 %(end)s", start=f"{window.start:%Y-%m-%d}",
                end=f"{window.end:%Y-%m-%d}")
    if counts.firms > counts.counted:
        text += said("；另有非OPC %(other)s 家、待确定 %(undetermined)s 家未计入",
                     other=counts.firms - counts.counted - counts.undetermined,
                     undetermined=counts.undetermined)
    return text


def _so_far(period):
    return Period(period.start, period.happened_by, period.as_of)


def _operating(session, period):
    """(在营, 存续超6个月): the period's OPC firms still operating on its reference day,
    and those of them founded more than six months before it, counted in SQL."""
    def compute():
        day = period.as_of
        facts = aliased(Licence)
        return tuple(session.execute(
            select(func.count(case((Tenant.founded_on <= day, 1))),
                   func.count(case((Tenant.founded_on <= add_months(day, -6), 1))))
            .select_from(Tenant)
            .join(facts, opc.facts_of(Tenant.id, facts, day))
            .where(_firm_in(_so_far(period)), opc.counts_as_opc(facts, _rule(session), day),
                   or_(Tenant.closed_on.is_(None), Tenant.closed_on > day))).one())
    return remembered(session, ("operating", period), compute)


def opcs_operating(session, period):
    """在营OPC数量: OPC firms resident or served in the period, still operating on its
    reference day."""
    return _operating(session, period)[0]


def opcs_alive_six_months(session, period):
    """存续超6个月OPC数量: of those, founded more than six months before."""
    return _operating(session, period)[1]


# --- ledger sheets --------------------------------------------------------------

# The long sheets (a desk per row, a firm per row) are read this many rows at a time
# (a server-side cursor on PostgreSQL): the export holds a batch, never the sheet.
ROWS_AT_ONCE = 500


def zone_rows(session, period):
    """场地台账: zones in service in the period; those in service on the reference day
    make S1, at that day's area (the others at their last day's)."""
    day = period.as_of
    counted = _in_service_on(day)
    rows = session.execute(
        select(Zone.id, Zone.floor, Zone.name, Zone.kind, Zone.capacity, Zone.bookable,
               Zone.in_service_on, Zone.out_of_service_on, counted.label("counted"),
               zone_area_on(case((counted, day), else_=Zone.out_of_service_on)).label("area"))
        .where(Zone.in_service_on <= day,
               or_(Zone.out_of_service_on.is_(None), Zone.out_of_service_on >= period.start))
        .order_by(Zone.floor, Zone.name))
    for zone in rows:
        yield {"floor": zone.floor, "name": zone.name,
               "kind": label("zone_kind", zone.kind),
               "area_m2": zone.area, "capacity": zone.capacity,
               "bookable": zone.bookable, "in_service_on": zone.in_service_on,
               "out_of_service_on": zone.out_of_service_on, "counted": bool(zone.counted),
               "evidence_id": zone.id}


def desk_rows(session, period):
    """工位台账: every desk in service by the period's end, its state on the reference
    day, one row per assignment in the period (or one empty row)."""
    assignment = (select(DeskAssignment.id, DeskAssignment.desk_id, DeskAssignment.starts_on,
                         DeskAssignment.ends_on, Tenant.name.label("tenant"),
                         Member.name.label("member"))
                  .join(Tenant, Tenant.id == DeskAssignment.tenant_id)
                  .join(Member, Member.id == DeskAssignment.member_id)
                  .where(in_period(DeskAssignment.starts_on, DeskAssignment.ends_on, period))
                  .subquery())
    state = _desk_states_on(period.as_of)
    rows = session.execute(
        select(Desk.code, state.c.zero_rent, state.c.status, Zone.name, assignment.c.tenant,
               assignment.c.member, assignment.c.starts_on, assignment.c.ends_on,
               assignment.c.id)
        .join(Zone, Zone.id == Desk.zone_id)
        .outerjoin(state, state.c.desk_id == Desk.id)
        .outerjoin(assignment, assignment.c.desk_id == Desk.id)
        .where(Desk.in_service_on <= period.end)
        .order_by(Desk.code, assignment.c.starts_on)
        .execution_options(yield_per=ROWS_AT_ONCE))  # the export streams them
    desk_status = labeller("desk_status")
    for code, zero_rent, status, zone, tenant, member, starts_on, ends_on, used in rows:
        yield {"code": code, "zone": zone, "zero_rent": zero_rent,
               "status": desk_status(status) if status else "未启用",
               "tenant": tenant, "member": member,
               "starts_on": starts_on, "ends_on": ends_on, "evidence_id": used}


def tenant_rows_for(sources):
    def tenant_rows(session, period):
        """入驻/服务企业台账: the firms behind S4 — resident or served in the twelve
        months to the reference day — and how each was served."""
        window = period.last_twelve_months()
        firms = _firms(window)
        rule = _rule(session)
        # Each firm's services in the window, summed up in SQL beside the firm (its
        # count, first and last day, the kinds by which it was served) and whether
        # its licence is on file: the rows stream with the firms, nothing kept per firm.
        in_window = and_(ServedRecord.served_on.between(window.start, window.end),
                         ServedRecord.voided_at.is_(None))
        services = (select(ServedRecord.tenant_id, func.count().label("times"),
                           func.min(ServedRecord.served_on).label("first"),
                           func.max(ServedRecord.served_on).label("last"))
                    .where(in_window).group_by(ServedRecord.tenant_id).subquery())
        kinds = select(ServedRecord.tenant_id, ServedRecord.source).distinct() \
            .where(in_window).subquery()
        kinds = (select(kinds.c.tenant_id,
                        func.aggregate_strings(kinds.c.source, "\n").label("sources"))
                 .group_by(kinds.c.tenant_id).subquery())
        filed = _licence_filed()
        # Plain rows, the firm's facts in effect on the reference day joined beside it
        # (as S4 reads them): a batch of tuples in memory, no objects per firm.
        facts = aliased(Licence)
        rows = session.execute(
            select(Tenant.id, Tenant.name, Tenant.uscc, Tenant.legal_rep, Tenant.phone,
                   Tenant.sector, Tenant.relationship_kind, Tenant.founded_on,
                   Tenant.moved_in_on, Tenant.moved_out_on,
                   facts.tenant_id.label("facts_of"), facts.company_type, facts.investors,
                   facts.opc_override, facts.override_reason,
                   services.c.times, services.c.first, services.c.last,
                   kinds.c.sources, filed.label("filed"))
            .outerjoin(facts, opc.facts_of(Tenant.id, facts, period.as_of))
            .outerjoin(services, services.c.tenant_id == Tenant.id)
            .outerjoin(kinds, kinds.c.tenant_id == Tenant.id)
            .where(Tenant.id.in_(select(firms.c.tenant_id))).order_by(Tenant.name)
            .execution_options(yield_per=ROWS_AT_ONCE))
        opc_status, relationship = labeller("opc_status"), labeller("relationship")
        for t in rows:
            licence = t if t.facts_of is not None else None  # the facts' own columns
            status = opc.status(t, licence, rule, period.as_of)
            resident = t.moved_in_on is not None and t.moved_in_on <= window.end and (
                t.moved_out_on is None or t.moved_out_on >= window.start)
            how = (["入驻"] if resident else []) + sorted(
                {sources.get(source, source) for source in (t.sources or "").split("\n")
                 if source})
            yield {"name": t.name, "uscc": t.uscc, "legal_rep": t.legal_rep,
                   "phone": t.phone, "sector": t.sector,
                   "company_type": licence.company_type if licence else "",
                   "investors": licence.investors if licence else None,
                   "opc": opc_status(status.code), "basis": status.basis,
                   "licence_filed": bool(t.filed),
                   "relationship": relationship(t.relationship_kind),
                   "founded_on": t.founded_on, "moved_in_on": t.moved_in_on,
                   "moved_out_on": t.moved_out_on, "how": "、".join(how),
                   "times": t.times or 0, "first_served_on": t.first,
                   "last_served_on": t.last, "evidence_id": t.id}
    return tenant_rows


def register(reg):
    """Plug the core's indicators and sheets into the registry."""
    reg.add_indicator(Indicator("S1", "实体运营空间", "Operating space", "㎡",
                                space_area, Decimal(3000)))
    reg.add_indicator(Indicator("S2", "创业者零租工位", "Zero-rent founder desks", "个",
                                zero_rent_desks, Decimal(150),
                                detail=zero_rent_occupancy))
    reg.add_indicator(Indicator("S4", "近12个月服务或入驻OPC企业",
                                "OPC firms served or resident (12 months)", "家",
                                firms_served, Decimal(50), detail=firms_served_window))
    reg.add_indicator(Indicator("O1", "在营OPC数量", "OPCs operating", "家",
                                opcs_operating))
    reg.add_indicator(Indicator("O2", "存续超6个月OPC数量", "OPCs alive over 6 months",
                                "家", opcs_alive_six_months))
    reg.add_sheet(Sheet("场地台账", "S1", (
        Column("floor", "楼层"), Column("name", "区域名称"), Column("kind", "类型"),
        Column("area_m2", "面积（㎡）", "number"), Column("capacity", "容纳人数", "number"),
        Column("bookable", "可预约", "bool"), Column("in_service_on", "启用日期", "date"),
        Column("out_of_service_on", "停用日期", "date"),
        Column("counted", "计入面积", "bool")), zone_rows, evidence="zone"))
    reg.add_sheet(Sheet("工位台账", "S2", (
        Column("code", "工位编号"), Column("zone", "所在区域"),
        Column("zero_rent", "零租工位", "bool"), Column("status", "状态"),
        Column("tenant", "使用企业"), Column("member", "使用人", "person"),
        Column("starts_on", "开始日期", "date"), Column("ends_on", "结束日期", "date")),
        # A row is a desk's use by a founder: its evidence is that assignment's (the
        # zero-rent use agreement); a desk nobody used in the period has none to show.
        desk_rows, evidence="desk_assignment"))
    reg.add_sheet(Sheet("入驻/服务企业台账", "S4", (
        Column("name", "企业名称"), Column("uscc", "统一社会信用代码"),
        Column("legal_rep", "法定代表人", "person"), Column("phone", "联系电话", "phone"),
        Column("sector", "行业领域"), Column("company_type", "企业类型"),
        Column("founded_on", "成立日期", "date"),
        Column("investors", "股东（投资人）人数", "number"),
        Column("opc", "OPC认定"), Column("basis", "认定依据"),
        Column("licence_filed", "营业执照已上传", "bool"),
        Column("relationship", "关系"),
        Column("moved_in_on", "入驻日期", "date"), Column("moved_out_on", "迁出日期", "date"),
        Column("how", "服务方式"), Column("times", "服务次数", "number"),
        Column("first_served_on", "首次服务日期", "date"),
        Column("last_served_on", "最近服务日期", "date")),
        tenant_rows_for(reg.served_sources), evidence=("tenant", opc.LICENCE_FILE)))

