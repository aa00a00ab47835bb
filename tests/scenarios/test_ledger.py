"""C1 counts landings as the stages stood at the period's end; C2 the discoveries,
those with the district apart; the two sheets carry dates, firms and evidence."""
from datetime import date

from community.export import sheet_frame
from community.extensions import db
from community.files import save_attachment
from community.periods import Period
from community.registry import evaluate, registry
from scenarios import ledger, rules
from tests.scenarios.conftest import TODAY
from tests.scenarios.test_rules import PDF

H1 = Period(date(2026, 1, 1), date(2026, 6, 30), date(2026, 6, 30))
H2 = Period(date(2026, 7, 1), date(2026, 12, 31), date(2026, 12, 31), TODAY)
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31), TODAY, TODAY)


def land(app, scenario, tenant, on, value="100000"):
    rules.confirm_match(db.session, None, scenario, tenant, "", scenario.discovered_on)
    save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], rules.EVIDENCE,
                    scenario.id, "验收记录.pdf", PDF)
    rules.move(db.session, None, scenario, "landed", on, "", TODAY, contract_value=value)


def test_c1_reads_landings_as_they_stood(app, make_scenario, make_tenant):
    tenant = make_tenant()
    first, second = make_scenario(), make_scenario(discovered_on=date(2026, 5, 1))
    land(app, first, tenant, date(2026, 6, 20))
    land(app, second, tenant, date(2026, 8, 1))
    db.session.commit()
    assert (ledger.c1_value(db.session, H1), ledger.c1_value(db.session, H2)) == (1, 1)
    # A step back recorded in the second half does not unsay the first half's landing.
    rules.move(db.session, None, first, "piloting", date(2026, 9, 1), "验收未通过，返工", TODAY)
    db.session.commit()
    assert (ledger.c1_value(db.session, H1), ledger.c1_value(db.session, H2)) == (1, 1)
    result = {r.code: r for r in evaluate(db.session, registry(), {}, YEAR)}["C1"]
    assert result.actual == 1 and result.lacking == 0 and "合同金额 ¥100,000.00" in result.detail


def test_c2_counts_discoveries_with_the_district_apart(make_scenario):
    make_scenario(discovered_on=date(2026, 2, 1))
    make_scenario(discovered_on=date(2026, 8, 1), source="community", joint_with_district=False)
    assert ledger.c2_value(db.session, YEAR) == 2 and ledger.c2_value(db.session, H2) == 1
    assert ledger.c2_detail(db.session, YEAR).startswith("联合所在区 1 个")


def test_the_sheets_carry_stage_dates_firms_and_evidence(app, make_scenario, make_tenant):
    activity = rules.save_activity(db.session, None, {
        "kind": "district_meeting", "held_on": date(2026, 4, 28), "staff": "李娜",
        "counterpart": "渝北区经信委", "district": "渝北区"}, TODAY)
    scenario = make_scenario(discovered_on=date(2026, 5, 1), activity_id=activity.id)
    land(app, scenario, make_tenant(name="重庆影像智能科技有限公司"), date(2026, 8, 1))
    db.session.commit()
    rows = list(ledger.scenario_rows(db.session, YEAR))
    assert len(rows) == 1
    row = rows[0]
    assert (row["discovered"], row["matched"], row["landed"]) == (
        date(2026, 5, 1), date(2026, 5, 1), date(2026, 8, 1))
    assert row["tenants"] == "重庆影像智能科技有限公司" and row["value"] == 10000000
    sheet = next(s for s in registry().sheets if s.title == "场景台账")
    evidence = sheet_frame(db.session, sheet, YEAR)["证明材料（SHA-256）"][0]
    assert evidence.startswith("验收记录.pdf ") and len(evidence.split()[-1]) == 64
    work = list(ledger.activity_rows(db.session, YEAR))
    assert [(w["counterpart"], w["count"]) for w in work] == [("渝北区经信委", 1)]
