"""The scenario pipeline: dated stages kept, steps back and drops say why, landing
needs a matched firm, evidence and a value; duplicates are pointed out; a confirmed
firm is served."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.files import save_attachment
from community.models import ServedRecord
from community.refusals import Invalid, Refused
from scenarios import rules
from scenarios.models import Scenario, ScenarioStage
from tests.scenarios.conftest import TODAY, scenario_data

NOW = datetime(2026, 11, 20, 2, tzinfo=timezone.utc)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def evidence(app, scenario):
    save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], rules.EVIDENCE,
                    scenario.id, "采购合同.pdf", PDF)


def test_a_scenario_goes_from_discovery_to_landing(app, make_scenario, make_tenant):
    scenario = make_scenario()
    a, b = make_tenant(name="重庆影像智能科技有限公司"), make_tenant(name="重庆医链软件有限公司")
    rules.move(db.session, None, scenario, "published", date(2026, 3, 10), "", TODAY)
    rules.confirm_match(db.session, None, scenario, a, "行业相同", date(2026, 4, 1))
    rules.confirm_match(db.session, None, scenario, b, "共同关键词", date(2026, 4, 2))
    assert scenario.stage == "matched"  # confirming the first firm moved it to 对接
    rules.move(db.session, None, scenario, "piloting", date(2026, 5, 1), "", TODAY)
    evidence(app, scenario)
    rules.move(db.session, None, scenario, "landed", date(2026, 9, 30), "", TODAY,
               contract_value="1200000")
    db.session.commit()
    assert (scenario.stage, scenario.landed_on, scenario.contract_value_fen) == (
        "landed", date(2026, 9, 30), 120000000)
    assert [s.stage for s in scenario.stages] == [
        "discovered", "published", "matched", "piloting", "landed"]
    served = db.session.scalars(select(ServedRecord.tenant_id).where(
        ServedRecord.source == "scenarios")).all()
    assert sorted(served) == sorted([a.id, b.id])


def test_landing_needs_a_matched_firm_evidence_and_a_value(app, make_scenario, make_tenant):
    scenario = make_scenario()
    with pytest.raises(Refused) as exc:
        rules.move(db.session, None, scenario, "landed", date(2026, 6, 1), "", TODAY,
                   contract_value="100")
    assert exc.value.code == "stage_needs_match"
    rules.confirm_match(db.session, None, scenario, make_tenant(), "", date(2026, 4, 1))
    with pytest.raises(Refused) as exc:
        rules.move(db.session, None, scenario, "landed", date(2026, 6, 1), "", TODAY,
                   contract_value="100")
    assert exc.value.code == "landing_needs_evidence"
    evidence(app, scenario)
    with pytest.raises(Invalid) as exc:
        rules.move(db.session, None, scenario, "landed", date(2026, 6, 1), "", TODAY)
    assert exc.value.errors == {"contract_value": "landing_value_required"}
    with pytest.raises(Invalid) as exc:
        rules.move(db.session, None, scenario, "landed", date(2026, 2, 1), "", TODAY,
                   contract_value="100")
    assert exc.value.errors == {"on": "stage_before_discovery"}
    assert scenario.stage == "matched" and scenario.landed_on is None


def test_moving_back_or_dropping_needs_a_reason(make_scenario):
    scenario = make_scenario()
    rules.move(db.session, None, scenario, "published", date(2026, 3, 10), "", TODAY)
    with pytest.raises(Invalid) as exc:
        rules.move(db.session, None, scenario, "discovered", date(2026, 3, 12), "", TODAY)
    assert exc.value.errors == {"reason": "stage_back_reason"}
    with pytest.raises(Invalid) as exc:
        rules.move(db.session, None, scenario, "dropped", date(2026, 3, 12), " ", TODAY)
    assert exc.value.errors == {"reason": "stage_drop_reason"}
    with pytest.raises(Refused) as exc:
        rules.move(db.session, None, scenario, "discovered", date(2026, 3, 9), "需求变更", TODAY)
    assert exc.value.code == "stage_before_previous"
    rules.move(db.session, None, scenario, "discovered", date(2026, 3, 12), "需求方修改需求", TODAY)
    rules.move(db.session, None, scenario, "dropped", date(2026, 4, 1), "需求方取消预算", TODAY)
    assert [(s.stage, s.reason) for s in scenario.stages][-2:] == [
        ("discovered", "需求方修改需求"), ("dropped", "需求方取消预算")]


def test_a_stage_is_not_dated_after_today(make_scenario):
    scenario = make_scenario()
    with pytest.raises(Invalid) as exc:
        rules.move(db.session, None, scenario, "published", date(2026, 11, 21), "", TODAY)
    assert exc.value.errors == {"on": "stage_in_future"}


def test_a_likely_duplicate_is_pointed_out_and_can_be_overridden_with_a_reason(make_scenario):
    first = make_scenario(title="智慧医院影像辅助诊断", owner_name="重庆市第一人民医院")
    with pytest.raises(Refused) as exc:
        rules.save_scenario(db.session, None, scenario_data(
            title="智慧医院 影像辅助诊断系统", owner_name=" 重庆市第一人民医院"), TODAY)
    assert exc.value.code == "scenario_duplicate" and exc.value.params["id"] == first.id
    db.session.rollback()
    assert count(Scenario) == 1
    other_owner = rules.save_scenario(db.session, None, scenario_data(
        title="智慧医院影像辅助诊断", owner_name="重庆医科大学附属儿童医院"), TODAY)
    assert other_owner.duplicate_of_id is None
    second = rules.save_scenario(db.session, None, scenario_data(
        title="智慧医院影像辅助诊断（二期）", owner_name="重庆市第一人民医院",
        duplicate_reason="二期项目，独立立项"), TODAY)
    assert (second.duplicate_of_id, second.duplicate_reason) == (first.id, "二期项目，独立立项")


@pytest.mark.parametrize("change, field, code", [
    ({"title": " "}, "title", "required"),
    ({"owner_type": "alien"}, "owner_type", "choice_invalid"),
    ({"sectors": ["火星探测"]}, "sectors", "choice_invalid"),
    ({"tags": ["标签"] * 11}, "tags", "scenario_tags_invalid"),
    ({"discovered_on": date(2026, 11, 21)}, "discovered_on", "scenario_in_future"),
    ({"budget": "-1"}, "budget", "scenario_amount_invalid"),
    ({"owner_uscc": "123"}, "owner_uscc", "uscc_length"),
])
def test_bad_scenarios_are_refused_field_by_field(app, change, field, code):
    with pytest.raises(Invalid) as exc:
        rules.save_scenario(db.session, None, scenario_data(**change), TODAY)
    assert exc.value.errors[field] == code
    db.session.rollback()
    assert count(Scenario) == 0 and count(ScenarioStage) == 0


def test_a_withdrawn_match_is_no_longer_served(make_scenario, make_tenant):
    scenario, tenant = make_scenario(), make_tenant()
    match = rules.confirm_match(db.session, None, scenario, tenant, "", date(2026, 4, 1))
    with pytest.raises(Refused) as exc:
        rules.confirm_match(db.session, None, scenario, tenant, "", date(2026, 4, 2))
    assert exc.value.code == "already_matched"
    rules.withdraw_match(db.session, None, match, "企业无意承接", NOW, date(2026, 4, 3))
    served = db.session.scalar(select(ServedRecord).where(ServedRecord.ref == f"match:{match.id}"))
    assert served.voided_at is not None


def test_founders_show_interest_once_in_published_scenarios(make_scenario, make_user):
    scenario = make_scenario()
    founder = make_user("member", tenant=None)
    from tests.conftest import make_tenant_row
    founder.tenant_id = make_tenant_row().id
    db.session.commit()
    with pytest.raises(Refused) as exc:
        rules.register_interest(db.session, founder, scenario, founder.tenant, "")
    assert exc.value.code == "scenario_not_published"
    rules.move(db.session, None, scenario, "published", date(2026, 3, 10), "", TODAY)
    rules.register_interest(db.session, founder, scenario, founder.tenant, "我们有相关产品")
    with pytest.raises(Refused) as exc:
        rules.register_interest(db.session, founder, scenario, founder.tenant, "")
    assert exc.value.code == "already_interested"


def test_sourcing_work_needs_who_and_with_whom(app):
    with pytest.raises(Invalid) as exc:
        rules.save_activity(db.session, None, {"kind": "visit", "held_on": TODAY,
                                               "staff": "", "counterpart": ""}, TODAY)
    assert set(exc.value.errors) == {"staff", "counterpart"}
    activity = rules.save_activity(db.session, None, {
        "kind": "district_meeting", "held_on": TODAY, "staff": "李娜、王强",
        "counterpart": "渝北区经信委", "district": "渝北区"}, TODAY)
    assert activity.id
