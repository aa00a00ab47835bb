"""Scenarios: the pipeline that discovers application scenarios (应用场景) for the
community's firms and lands them (C1), matched to firms by fit, with the
sourcing work behind them as the proof of a working mechanism (C2, 场景挖掘工作记录).

A firm staff confirm for a scenario is served (S4, source SERVED_SOURCE) on the
day it was matched; withdrawing the match voids that.
"""

SERVED_SOURCE = "scenarios"


def init_app(app):
    from community.labels import N_
    from community.permissions import can
    from community.registry import NavItem, registry
    from scenarios import gaps, ledger, models  # noqa: F401  (tables known to Alembic)
    from scenarios.demo import load_demo
    from scenarios.labels import LABELS
    from scenarios.messages import MESSAGES
    from scenarios.rules import EVIDENCE
    from scenarios.views import bp

    reg = registry(app)
    reg.grant("member", "see_scenarios")  # founders see the published ones
    reg.add_messages(MESSAGES)
    reg.add_labels(LABELS)
    reg.add_served_source(SERVED_SOURCE, "应用场景对接")
    reg.add_audit_words(objects={"scenario": N_("应用场景"), "scenario_match": N_("场景对接企业"),
                                 "scenario_interest": N_("场景意向"),
                                 "sourcing_activity": N_("场景挖掘工作")},
                        actions={"scenario.published": N_("发布应用场景"),
                                 "scenario.discovered": N_("应用场景退回挖掘阶段"),
                                 "scenario.matched": N_("应用场景进入对接阶段"),
                                 "scenario.piloting": N_("应用场景进入试点阶段"),
                                 "scenario.landed": N_("应用场景落地"),
                                 "scenario.dropped": N_("终止应用场景")},
                        fields={"landed_on": N_("落地日期"), "contract_value_fen": N_("合同金额"),
                                "budget_fen": N_("预算"), "discovered_on": N_("发现日期"),
                                "joint_with_district": N_("联合所在区"),
                                "owner_name": N_("场景方"), "owner_uscc": N_("场景方信用代码"),
                                "duplicate_of_id": N_("重复于"),
                                "duplicate_reason": N_("重复说明"),
                                "activity_id": N_("挖掘活动"), "tags": N_("标签"),
                                "matched_on": N_("对接日期"), "confirmed_by_id": N_("确认人"),
                                "held_on": N_("举办日期"), "entered_on": N_("进入日期"),
                                "scenario_id": N_("应用场景")})
    ledger.register(reg)
    gaps.register(reg)
    # community.locks: a scenario spans discovery to landing; a match its confirmed days.
    reg.add_dated("scenario", "discovered_on", "landed_on", ranged=True)
    reg.add_dated("scenario_match", "matched_on", "withdrawn_on", ranged=True)
    reg.add_dated("sourcing_activity", "held_on")
    reg.add_attachment_owner(EVIDENCE, lambda user, _id: can(user, "view"))
    reg.add_nav(NavItem("scenarios.board", N_("应用场景"), lambda user: can(user, "view")))
    reg.add_nav(NavItem("scenarios.published", N_("应用场景"),
                        lambda user: can(user, "see_scenarios")))
    reg.add_demo(load_demo)
    app.register_blueprint(bp)
