"""The scenarios package's indicators (C1 landed, C2 discovered) and its sheets
(场景台账, 场景挖掘工作记录).

C1 reads the dated stages: a scenario counts for a period when it entered 落地
on a day of it and was still landed at the period's last day that has come (a
step back recorded later does not change a period already reported). C2 counts
the scenarios discovered in the period, those found jointly with the district
apart, as the application form asks.
"""
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from community.labels import label, label_said, said
from community.registry import Column, Indicator, Sheet, remembered
from scenarios.models import Scenario, ScenarioMatch, ScenarioStage, SourcingActivity
from scenarios.rules import EVIDENCE


def landed_in(session, period):
    """The scenarios C1 counts for a period, as the stages stood at its last day."""
    def compute():
        last = period.happened_by
        ids = session.scalars(select(ScenarioStage.scenario_id).where(
            ScenarioStage.stage == "landed",
            ScenarioStage.entered_on.between(period.start, last)).distinct()).all()
        if not ids:
            return []
        scenarios = session.scalars(select(Scenario).options(selectinload(Scenario.stages))
                                    .where(Scenario.id.in_(ids))).all()
        kept = []
        for scenario in scenarios:
            stood = [s for s in scenario.stages if s.entered_on <= last]
            if stood and stood[-1].stage == "landed":
                kept.append((scenario, stood[-1]))
        return sorted(kept, key=lambda pair: (pair[1].entered_on, pair[0].id))
    return remembered(session, ("c1", period), compute)


def c1_value(session, period):
    """C1: scenarios landed in the period."""
    return len(landed_in(session, period))


def c1_detail(session, period):
    """合同金额 ¥X；联合所在区 N 个；对接企业 N 家."""
    landed = landed_in(session, period)
    value = sum(s.contract_value_fen or 0 for s, _ in landed)
    joint = sum(1 for s, _ in landed if s.joint_with_district)
    firms = {m.tenant_id for s, _ in landed for m in s.matches if m.withdrawn_on is None}
    return said("合同金额 ¥%(value)s；联合所在区 %(joint)s 个；对接企业 %(firms)s 家",
                value=f"{Decimal(value) / 100:,.2f}", joint=joint, firms=len(firms))


def _discovered(period):
    return Scenario.discovered_on.between(period.start, period.happened_by)


def c2_value(session, period):
    """C2: scenarios discovered in the period."""
    return session.scalar(select(func.count()).select_from(Scenario).where(_discovered(period)))


def c2_detail(session, period):
    """联合所在区 N 个 · 来源 …"""
    joint = session.scalar(select(func.count()).select_from(Scenario).where(
        _discovered(period), Scenario.joint_with_district.is_(True)))
    sources = session.execute(select(Scenario.source, func.count()).where(_discovered(period))
                              .group_by(Scenario.source)).all()
    text = "、".join(f"{label_said('scenario_source', s)} {n}" for s, n in sorted(sources))
    return said("联合所在区 %(n)s 个", n=joint) + (f"；{text}" if text else "")


def _dates(scenario):
    """{stage: the last day it entered that stage}."""
    dates = {}
    for step in scenario.stages:
        dates[step.stage] = step.entered_on
    return dates


def scenario_rows(session, period):
    """场景台账: scenarios discovered in the period or moved in it."""
    moved = select(ScenarioStage.scenario_id).where(
        ScenarioStage.entered_on.between(period.start, period.happened_by))
    scenarios = session.scalars(
        select(Scenario).options(selectinload(Scenario.stages),
                                 selectinload(Scenario.matches).selectinload(ScenarioMatch.tenant))
        .where(_discovered(period) | Scenario.id.in_(moved))
        .order_by(Scenario.discovered_on, Scenario.id)).all()
    landed = {s.id for s, _ in landed_in(session, period)}
    for s in scenarios:
        dates = _dates(s)
        yield {"title": s.title, "owner": s.owner_name,
               "owner_type": label("owner_type", s.owner_type),
               "source": label("scenario_source", s.source), "joint": s.joint_with_district,
               "district": s.district, "sectors": "、".join(s.sectors or []),
               "stage": label("scenario_stage", s.stage), "discovered": s.discovered_on,
               "published": dates.get("published"), "matched": dates.get("matched"),
               "piloting": dates.get("piloting"),
               "landed": dates.get("landed") if s.id in landed else None,
               "tenants": "、".join(m.tenant.name for m in s.matches if m.withdrawn_on is None),
               "value": s.contract_value_fen if s.id in landed else None,
               "evidence_id": s.id}


def activity_rows(session, period):
    """场景挖掘工作记录: sourcing work of the period and the scenarios it produced."""
    activities = session.scalars(select(SourcingActivity).where(
        SourcingActivity.held_on.between(period.start, period.happened_by))
        .order_by(SourcingActivity.held_on, SourcingActivity.id)).all()
    produced = defaultdict(list)
    if activities:
        for activity_id, title in session.execute(select(Scenario.activity_id, Scenario.title)
                                                  .where(Scenario.activity_id.in_(
                                                      [a.id for a in activities]))):
            produced[activity_id].append(title)
    for a in activities:
        yield {"date": a.held_on, "kind": label("activity_kind", a.kind), "staff": a.staff,
               "counterpart": a.counterpart, "district": a.district, "notes": a.notes,
               "count": len(produced[a.id]), "scenarios": "、".join(produced[a.id])}


def register(reg):
    """Plug C1, C2 and the scenarios sheets into the registry."""
    reg.add_indicator(Indicator("C1", "场景支持", "Application scenarios", "个", c1_value,
                                Decimal(50), per_year=True, detail=c1_detail))
    reg.add_indicator(Indicator("C2", "挖掘应用场景", "Scenarios discovered", "个", c2_value,
                                per_year=True, detail=c2_detail))
    reg.add_sheet(Sheet("场景台账", "C1", (
        Column("title", "场景名称"), Column("owner", "需求方"), Column("owner_type", "需求方类型"),
        Column("source", "来源"), Column("joint", "联合所在区挖掘", "bool"),
        Column("district", "所在区县"), Column("sectors", "行业领域"), Column("stage", "当前阶段"),
        Column("discovered", "挖掘日期", "date"), Column("published", "发布日期", "date"),
        Column("matched", "对接日期", "date"), Column("piloting", "试点日期", "date"),
        Column("landed", "落地日期", "date"), Column("tenants", "对接企业"),
        Column("value", "合同金额（元）", "money")),
        # Its landing evidence (contracts, acceptance records) ends the sheet, whole hashes.
        scenario_rows, evidence=EVIDENCE))
    reg.add_sheet(Sheet("场景挖掘工作记录", "C1", (
        Column("date", "日期", "date"), Column("kind", "工作方式"),
        Column("staff", "参与人员", "person"),
        Column("counterpart", "对接单位"), Column("district", "区县"), Column("notes", "工作内容"),
        Column("count", "产生场景数", "number"), Column("scenarios", "产生的场景")),
        activity_rows))
