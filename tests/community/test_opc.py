"""A firm counts as an OPC because its licence facts show it, by a rule an admin
can read, never because a box defaulted to yes."""
import io
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select

from community import opc, rules
from community.export import write_workbook
from community.extensions import db
from community.ledger import firms_served, opcs_alive_six_months, opcs_operating
from community.models import AuditEntry, Licence, Tenant
from community.periods import Period
from community.refusals import Invalid
from community.registry import evaluate, registry
from community.settings import current_settings, save_settings
from tests.conftest import tenant_data, valid_uscc

TODAY = date(2026, 11, 20)
RULE = opc.Rule(opc.DEFAULT_COMPANY_TYPES, 5)
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31), TODAY)


def counted_ids(day=TODAY, rule=RULE):
    return set(db.session.scalars(opc.opc_tenants(rule, day)))


# --- the rule ---------------------------------------------------------------------

@pytest.mark.parametrize("facts, founded_on, code", [
    (dict(company_type="有限责任公司（自然人独资）", investors=1), date(2024, 5, 1), "opc"),
    (dict(company_type="有限责任公司(自然人独资)", investors=1), date(2024, 5, 1), "opc"),
    (dict(company_type="个人独资企业", investors=1), date(2022, 1, 1), "opc"),
    (dict(company_type="有限责任公司（自然人投资或控股）", investors=2), date(2024, 5, 1),
     "not_opc"),
    (dict(company_type="有限责任公司（自然人独资）", investors=3), date(2024, 5, 1), "not_opc"),
    (dict(company_type="股份有限公司", investors=1), date(2024, 5, 1), "not_opc"),
    (dict(company_type="有限责任公司（自然人独资）", investors=1), date(2021, 11, 20), "not_opc"),
    (dict(company_type="有限责任公司（自然人独资）", investors=1), date(2021, 11, 21), "opc"),
    (dict(company_type="", investors=None), date(2024, 5, 1), "undetermined"),
    (dict(company_type="有限责任公司（自然人独资）", investors=None), date(2024, 5, 1),
     "undetermined"),
    (dict(company_type="股份有限公司", investors=4, opc_override="yes",
          override_reason="实为创始人一人经营"), date(2024, 5, 1), "opc"),
    (dict(company_type="有限责任公司（自然人独资）", investors=1, opc_override="no",
          override_reason="已实际停止经营"), date(2024, 5, 1), "not_opc"),
])
def test_the_rule_and_its_sql_agree(app, make_tenant, facts, founded_on, code):
    tenant = make_tenant(founded_on=founded_on, moved_in_on=date(2025, 9, 1),
                         **({"company_type": "", "investors": None} | facts))
    status = opc.tenant_status(tenant, RULE, TODAY)
    assert status.code == code, status.basis
    assert (tenant.id in counted_ids()) == (code == "opc")
    undetermined = set(db.session.scalars(opc.undetermined_tenants(TODAY)))
    assert (tenant.id in undetermined) == (code == "undetermined")
    assert opc.undetermined_count(db.session, TODAY) == len(undetermined)


def test_the_basis_says_why(app, make_tenant):
    two = make_tenant(company_type="有限责任公司（自然人投资或控股）", investors=2)
    assert opc.tenant_status(two, RULE, TODAY).basis.endswith("非一人公司")
    old = make_tenant(founded_on=date(2019, 4, 1), moved_in_on=date(2025, 9, 1))
    assert "成立已满5年，不属初创" in opc.tenant_status(old, RULE, TODAY).basis
    decided = make_tenant(company_type="股份有限公司", investors=3, opc_override="yes",
                          override_reason="创始人一人持股经营")
    assert opc.tenant_status(decided, RULE, TODAY).basis == "人工认定为OPC：创始人一人持股经营"


# --- nothing defaults to yes -------------------------------------------------------

def test_a_new_firm_without_facts_is_not_counted_and_is_listed(client, login, make_tenant):
    make_tenant(company_type="", investors=None, registered_capital="")
    make_tenant()
    assert firms_served(db.session, YEAR) == 1
    assert opcs_operating(db.session, YEAR) == 1
    assert opcs_alive_six_months(db.session, YEAR) == 1
    s4 = next(r for r in evaluate(db.session, registry(), {}, YEAR) if r.code == "S4")
    assert "待确定 1 家未计入" in s4.detail
    login("staff")
    page = client.get("/").get_data(as_text=True)
    assert "1 家企业OPC身份待确定" in page
    listed = client.get("/tenants", query_string={"opc": "undetermined"}).get_data(as_text=True)
    assert listed.count('class="tag tag-opc-undetermined"') == 1


def test_the_tenant_form_no_longer_ticks_opc_for_you(client, login):
    login("staff")
    form = client.get("/tenants/new").get_data(as_text=True)
    assert 'name="is_opc"' not in form and 'name="company_type"' in form
    client.post("/tenants/new", data={
        "name": "重庆未定科技有限公司", "uscc": valid_uscc(), "legal_rep": "王五",
        "phone": "13912345678", "sector": "数字内容", "relationship_kind": "resident",
        "founded_on": "2025-01-01", "moved_in_on": "2025-02-01"})
    tenant = db.session.scalar(select(Tenant).where(Tenant.name == "重庆未定科技有限公司"))
    assert tenant.licences == []
    assert opc.tenant_status(tenant, RULE, TODAY).code == "undetermined"


# --- bad input ------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, errors", [
    (dict(opc_override="yes", override_reason=""), {"override_reason": "override_reason_required"}),
    (dict(opc_override="maybe"), {"opc_override": "choice_invalid"}),
    (dict(opc_override="no", override_reason="理由", company_type="", investors=None),
     {"company_type": "override_needs_facts"}),
    (dict(founded_on=date(2026, 11, 21), moved_in_on=None, relationship_kind="served"),
     {"founded_on": "founded_in_future"}),
    (dict(founded_on=date(2025, 10, 1), moved_in_on=date(2025, 9, 1)),
     {"founded_on": "founded_after_move_in"}),
    (dict(investors="0"), {"investors": "investors_invalid"}),
    (dict(company_type="㍿" * 20), {"company_type": "too_long"}),
    (dict(investors="两个"), {"investors": "investors_invalid"}),
    (dict(registered_capital="-1"), {"registered_capital": "capital_invalid"}),
    (dict(registered_capital="NaN"), {"registered_capital": "capital_invalid"}),
    (dict(facts_from=date(2025, 1, 1)), {"facts_from": "facts_before_founding"}),
    (dict(facts_from=date(2026, 12, 1)), {"facts_from": "facts_in_future"}),
])
def test_bad_facts_are_refused_and_nothing_is_saved(app, overrides, errors):
    with pytest.raises(Invalid) as exc:
        rules.save_tenant(db.session, None, tenant_data(**overrides), TODAY)
    assert exc.value.errors == errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Tenant)) == 0
    assert db.session.scalar(select(func.count()).select_from(Licence)) == 0


def test_an_override_without_reason_is_refused_on_the_page(client, login, make_tenant):
    tenant = make_tenant()
    login("staff")
    page = client.post(f"/tenants/{tenant.id}/edit", data={
        "name": tenant.name, "uscc": tenant.uscc, "legal_rep": "张三", "phone": "13800138000",
        "sector": "数字内容", "relationship_kind": "resident", "founded_on": "2025-03-01",
        "moved_in_on": "2025-09-01", "company_type": "有限责任公司（自然人独资）",
        "investors": "1", "opc_override": "no"}).get_data(as_text=True)
    assert "人工认定OPC身份须写明理由" in page
    db.session.expire_all()
    assert [l.opc_override for l in db.session.get(Tenant, tenant.id).licences] == [None]


# --- the ledger shows the basis, the cover counts missing licence files -------------------

def test_the_ledger_shows_the_basis_and_the_licence_file(app, make_tenant, tmp_path):
    from community.files import save_attachment
    filed = make_tenant(name="重庆有照科技有限公司")
    make_tenant(name="重庆无照科技有限公司")
    make_tenant(name="重庆两人科技有限公司", company_type="有限责任公司（自然人投资或控股）",
                investors=2)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    save_attachment(db.session, None, str(tmp_path), opc.LICENCE_FILE, filed.id, "执照.png", png)
    db.session.commit()
    out = io.BytesIO()
    write_workbook(db.session, registry(), {}, YEAR, out)
    sheets = pd.read_excel(io.BytesIO(out.getvalue()), sheet_name=None, dtype=str)
    firms = sheets["入驻、服务企业台账"].set_index("企业名称")
    assert firms.loc["重庆有照科技有限公司", "营业执照已上传"] == "是"
    assert firms.loc["重庆无照科技有限公司", "营业执照已上传"] == "否"
    assert firms.loc["重庆两人科技有限公司", "OPC认定"] == "非OPC"
    assert firms.loc["重庆两人科技有限公司", "认定依据"].endswith("非一人公司")
    assert firms.loc["重庆有照科技有限公司", "企业类型"] == "有限责任公司（自然人独资）"
    assert firms.loc["重庆有照科技有限公司", "成立日期"].startswith("2025-03-01")
    cover = pd.read_excel(io.BytesIO(out.getvalue()), sheet_name="考核指标完成情况", header=2)
    s4 = cover.set_index("指标编号").loc["S4"]
    assert s4["完成值"] == 2 and s4["缺证据记录"] == 1


# --- changes are history ------------------------------------------------------------------

def test_a_second_shareholder_ends_opc_status_from_that_day_only(app, make_tenant):
    tenant = make_tenant(founded_on=date(2025, 3, 1), moved_in_on=date(2025, 9, 1))
    h1 = Period(date(2026, 1, 1), date(2026, 6, 30), date(2026, 6, 30))

    def export_h1():
        out = io.BytesIO()
        write_workbook(db.session, registry(), {}, h1, out)
        sheets = pd.read_excel(io.BytesIO(out.getvalue()), sheet_name=None)
        cover = sheets["考核指标完成情况"]  # its last line, the trail's head, moves on
        sheets["考核指标完成情况"] = cover[~cover.iloc[:, 0].astype(str).str.startswith("审计记录")]
        return sheets

    before = export_h1()
    rules.save_tenant(db.session, None, tenant_data(
        uscc=tenant.uscc, company_type="有限责任公司（自然人投资或控股）", investors=2,
        facts_from=date(2026, 9, 1)), TODAY, tenant)
    db.session.commit()
    assert [(l.effective_on, l.investors) for l in tenant.licences] == [
        (date(2025, 3, 1), 1), (date(2026, 9, 1), 2)]
    assert firms_served(db.session, h1) == 1
    assert firms_served(db.session, YEAR) == 0
    for name, frame in before.items():
        pd.testing.assert_frame_equal(frame, export_h1()[name])
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "licence.recorded")) == 2


def test_back_dated_facts_slot_into_the_history_and_each_day_reads_its_own(app, make_tenant):
    """Facts recorded out of order: each row holds until the next one takes effect, and
    the SQL reading (S4's counts, the OPC filter) follows them day by day."""
    tenant = make_tenant(founded_on=date(2025, 3, 1), moved_in_on=date(2025, 9, 1))
    for day, company_type, investors in (
            (date(2026, 9, 1), "个人独资企业", 1),  # still an OPC, by other facts
            (date(2026, 5, 1), "有限责任公司（自然人投资或控股）", 2)):  # recorded after it
        rules.save_tenant(db.session, None, tenant_data(
            uscc=tenant.uscc, company_type=company_type, investors=investors, facts_from=day),
            TODAY, tenant)
    db.session.commit()
    rows = db.session.scalars(select(Licence).where(Licence.tenant_id == tenant.id)
                              .order_by(Licence.effective_on)).all()
    assert [(r.effective_on, r.superseded_on, r.investors) for r in rows] == [
        (date(2025, 3, 1), date(2026, 5, 1), 1), (date(2026, 5, 1), date(2026, 9, 1), 2),
        (date(2026, 9, 1), None, 1)]
    assert {day: tenant.id in counted_ids(day) for day in (
        date(2026, 4, 30), date(2026, 5, 1), date(2026, 8, 31), date(2026, 9, 1))} == {
        date(2026, 4, 30): True, date(2026, 5, 1): False, date(2026, 8, 31): False,
        date(2026, 9, 1): True}
    to_april, to_june = (Period(date(2026, 1, 1), end, end)
                         for end in (date(2026, 4, 30), date(2026, 6, 30)))
    assert firms_served(db.session, to_april) == 1
    assert firms_served(db.session, to_june) == 0
    # Before its first facts the firm waits for them; the dashboard's count agrees.
    blank = make_tenant(company_type="", investors=None)
    for day in (date(2025, 2, 28), date(2026, 5, 1), date(2026, 9, 1)):
        waiting = set(db.session.scalars(opc.undetermined_tenants(day)))
        assert (tenant.id in waiting) == (day < date(2025, 3, 1)) and blank.id in waiting
        assert opc.undetermined_count(db.session, day) == len(waiting)


def test_saving_the_same_facts_again_writes_no_history(app, make_tenant):
    tenant = make_tenant()
    rules.save_tenant(db.session, None, tenant_data(uscc=tenant.uscc), TODAY, tenant)
    db.session.commit()
    assert len(tenant.licences) == 1


# --- the rule lives in settings ---------------------------------------------------------

def test_an_admin_reads_and_changes_the_rule(client, login, make_tenant):
    sole = make_tenant(company_type="个人独资企业")
    assert sole.id in counted_ids()
    settings = current_settings(db.session)
    save_settings(db.session, None, {
        "name": settings.name, "timezone": "Asia/Shanghai",
        "period_start_on": settings.period_start_on, "period_end_on": settings.period_end_on,
        "opc_company_types": "有限责任公司(自然人独资)\n\n", "startup_years": 3})
    db.session.commit()
    rule = opc.Rule.of(current_settings(db.session))
    assert rule.company_types == ("有限责任公司（自然人独资）",)
    assert sole.id not in counted_ids(rule=rule)
    login("admin")
    page = client.get("/settings").get_data(as_text=True)
    assert "计为OPC的企业类型" in page and "初创企业年限" in page


@pytest.mark.parametrize("field, value, code", [
    ("startup_years", 0, "startup_years_invalid"),
    ("startup_years", None, "startup_years_invalid"),
    ("opc_company_types", "  \n ", "company_types_invalid"),
])
def test_a_bad_rule_is_refused(app, field, value, code):
    settings = current_settings(db.session)
    data = {"name": "社区", "timezone": "Asia/Shanghai",
            "period_start_on": settings.period_start_on,
            "period_end_on": settings.period_end_on,
            "opc_company_types": "个人独资企业", "startup_years": 5} | {field: value}
    with pytest.raises(Invalid) as exc:
        save_settings(db.session, None, data)
    assert exc.value.errors == {field: code}


# --- import ------------------------------------------------------------------------------

def test_an_import_saves_rows_without_facts_as_undetermined_and_names_them(client, login):
    rows = [{"企业名称": f"重庆导入{i}科技有限公司", "统一社会信用代码": valid_uscc(),
             "法定代表人": "赵六", "联系电话": "13800138000", "行业领域": "智慧医疗",
             "关系": "入驻", "成立日期": "2025-02-01", "入驻日期": "2025-06-01",
             "企业类型": "有限责任公司（自然人独资）" if i != 1 else "",
             "股东（投资人）人数": "1" if i != 2 else ""} for i in range(3)]
    out = io.BytesIO()
    pd.DataFrame(rows).to_excel(out, index=False)
    out.seek(0)
    login("staff")
    page = client.post("/tenants/import", data={"file": (out, "tenants.xlsx")},
                       follow_redirects=True).get_data(as_text=True)
    assert "已导入 3 家企业" in page and "第 3、4 行缺少企业类型或股东人数" in page
    statuses = {t.name: opc.tenant_status(t, RULE, TODAY).code
                for t in db.session.scalars(select(Tenant))}
    assert statuses == {"重庆导入0科技有限公司": "opc", "重庆导入1科技有限公司": "undetermined",
                        "重庆导入2科技有限公司": "undetermined"}


def test_the_import_template_explains_each_column(client, login):
    login("staff")
    data = client.get("/tenants/import/template.xlsx").data
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str)
    assert list(sheets) == ["企业", "填写说明"]
    help_ = sheets["填写说明"].set_index("列")["填写说明"]
    assert set(help_.index) == set(sheets["企业"].columns)
    assert "OPC身份待确定" in help_["企业类型"]
    assert sheets["企业"].empty  # no sample firm that could be imported if left in
    examples = sheets["填写说明"].set_index("列")["示例（仅供参考，不会导入）"]
    assert examples["企业名称"] == "重庆示例科技有限公司"


def test_the_untouched_template_imports_nothing(client, login):
    from community.models import Tenant
    login("staff")
    data = client.get("/tenants/import/template.xlsx").data
    response = client.post("/tenants/import", data={
        "file": (io.BytesIO(data), "企业导入模板.xlsx")}, follow_redirects=True)
    assert "文件中没有数据行" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Tenant)) == 0


def test_the_tenant_page_shows_who_decided_and_why(client, login, make_tenant):
    tenant = make_tenant(company_type="股份有限公司", investors=3, opc_override="yes",
                         override_reason="创始人一人持股经营，见股权穿透说明")
    login("staff")
    page = client.get(f"/tenants/{tenant.id}").get_data(as_text=True)
    history = page.split("变更记录")[1]
    assert "录入了营业执照信息" in history and "创始人一人持股经营" in history
