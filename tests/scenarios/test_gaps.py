"""C1's evidence gaps: a landed scenario whose landing evidence was withdrawn lacks it
until a file is filed again; C1's 缺证据记录 agrees."""
from datetime import date

from sqlalchemy import select

from community.dbsetup import utcnow
from community.extensions import db
from community.files import save_attachment
from community.models import Attachment
from community.registry import evaluate, registry
from scenarios import rules
from scenarios.gaps import scenario_gaps
from tests.scenarios.test_ledger import H1, H2, land
from tests.scenarios.test_rules import PDF


def c1_lacking(period):
    return {r.code: r for r in evaluate(db.session, registry(), {}, period)}["C1"].lacking


def test_a_landed_scenario_lacks_its_contract_once_withdrawn(
        app, make_scenario, make_tenant):
    tenant = make_tenant()
    scenario = make_scenario(title="渝北区医院影像辅助诊断", owner_name="渝北区人民医院")
    land(app, scenario, tenant, date(2026, 8, 1))
    db.session.commit()
    assert scenario_gaps(db.session, H2) == [] and c1_lacking(H2) == 0

    contract = db.session.scalar(select(Attachment).where(
        Attachment.owner_type == rules.EVIDENCE, Attachment.owner_id == scenario.id))
    contract.withdrawn_at, contract.withdraw_reason = utcnow(), "上传了错误的合同"
    db.session.commit()
    (gap,) = scenario_gaps(db.session, H2)
    assert (gap.sheet, gap.record, gap.lacks, gap.endpoint, gap.args) == (
        "场景台账", "渝北区医院影像辅助诊断（渝北区人民医院）", "落地证明材料（合同等）",
        "scenarios.detail", {"scenario_id": scenario.id})
    assert c1_lacking(H2) == 1
    assert scenario_gaps(db.session, H1) == [] and not c1_lacking(H1)  # landed in H2

    save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], rules.EVIDENCE,
                    scenario.id, "合同.pdf", PDF)
    db.session.commit()
    assert scenario_gaps(db.session, H2) == [] and c1_lacking(H2) == 0
