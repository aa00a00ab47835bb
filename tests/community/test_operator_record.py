"""The operator's own record in settings (附件2 一、基本情况), the site-tenure files and
the milestones of 任务计划: what is checked, what is kept, what is refused."""
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.files import save_attachment
from community.models import AuditEntry, Community, Milestone
from community.opc import DEFAULT_COMPANY_TYPES
from community.refusals import Invalid
from community.settings import save_milestone, save_settings, tenure_long_enough
from tests.community.test_views import PNG


def form(**overrides):
    """The settings form as an admin posts it, every part filled in."""
    return {"name": "重庆软信OPC创新创业社区", "operator_name": "重庆渝创空间运营管理有限公司",
            "operator_uscc": "", "address": "重庆市渝北区金开大道西段106号",
            "district": "两江新区", "timezone": "Asia/Shanghai",
            "period_start_on": "2026-08-01", "period_end_on": "2027-12-31",
            "personal_data_until": "", "opc_company_types": "\n".join(DEFAULT_COMPANY_TYPES),
            "startup_years": "5", "founded_on": "2019-05-16", "registered_capital": "1000",
            "leader": "王敏", "leader_phone": "023-6789 1234", "contact": "李娜",
            "contact_phone": "138 9601 2345", "operator_nature": "state_owned",
            "operator_nature_other": "", "focus": ["数字内容", "智慧医疗"],
            "focus_other": "低空经济应用软件、工业软件", "intro": "社区位于两江新区。",
            "tenure_kind": "leased", "tenure_starts_on": "2025-07-01",
            "tenure_ends_on": "2030-06-30", "text_professional": "接入国产大模型。",
            "text_development": "到2027年底在营OPC达到80家。"} | overrides


def counts():
    rows = (db.session.scalar(select(func.count(Community.id))),
            db.session.scalar(select(func.count(AuditEntry.id))))
    db.session.rollback()
    return rows


def test_the_operator_record_is_saved_as_the_form_asks(client, login):
    login("admin")
    response = client.post("/settings", data=form(), follow_redirects=True)
    assert "设置已保存" in response.get_data(as_text=True)
    row = db.session.scalar(select(Community))
    assert row.founded_on == date(2019, 5, 16)
    assert row.registered_capital == Decimal("1000")
    assert (row.leader_phone, row.contact_phone) == ("02367891234", "13896012345")
    assert row.operator_nature == "state_owned" and row.operator_nature_other == ""
    assert row.focus == ["数字内容", "智慧医疗", "低空经济应用软件", "工业软件"]
    assert (row.tenure_kind, row.tenure_ends_on) == ("leased", date(2030, 6, 30))
    assert row.report_texts == {"professional": "接入国产大模型。",
                                "development": "到2027年底在营OPC达到80家。"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "community.created"))
    assert entry.after["leader"] == "王敏"
    assert entry.after["contact_phone"] == "138****2345"  # the trail masks it
    assert entry.after["leader_phone"] == "023****1234"
    # The page shows it back: ticked sectors, own words apart, the section texts.
    page = client.get("/settings").get_data(as_text=True)
    ticked = re.findall(r'<input[^>]*checked[^>]*value="([^"]+)"|'
                        r'<input[^>]*value="([^"]+)"[^>]*checked', page)
    assert {a or b for a, b in ticked} >= {"数字内容", "智慧医疗"}
    assert "低空经济应用软件、工业软件" in page and "接入国产大模型。" in page
    for group in ("一、基本情况", "场地权属", "三、建设目标", "四、任务计划"):
        assert group in page
    for code in ("O1", "O2", "E1", "C2", "C1"):
        for year in (2026, 2027):
            assert f'name="target-{code}-{year}"' in page


@pytest.mark.parametrize("overrides, field, says", [
    ({"tenure_ends_on": "2028-06-29"}, "tenure_ends_on", "使用期限不少于3年"),
    ({"tenure_kind": "agreement", "tenure_starts_on": "2026-01-01",
      "tenure_ends_on": "2028-12-30"}, "tenure_ends_on", "使用期限不少于3年"),
    ({"tenure_ends_on": ""}, "tenure_ends_on", "此项必填"),
    ({"leader_phone": "12345"}, "leader_phone", "不是有效的中国电话号码"),
    ({"contact_phone": "023-6789 1234"}, "contact_phone", "请填写手机号码"),
    ({"registered_capital": "-5"}, "registered_capital", "注册资本应为不小于0的数字"),
    ({"registered_capital": "一千"}, "registered_capital", "注册资本应为不小于0的数字"),
    ({"operator_nature": "other"}, "operator_nature_other", "请填写运营机构性质"),
])
def test_a_bad_record_is_refused_with_its_reason_and_nothing_is_saved(
        client, login, overrides, field, says):
    login("admin")
    before = counts()
    response = client.post("/settings", data=form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and says in page
    assert "设置已保存" not in page
    assert counts() == before  # no settings row, no audit row, no target


def test_a_short_lease_keeps_the_saved_record_as_it_was(client, login):
    login("admin")
    client.post("/settings", data=form())
    audit_rows = counts()[1]
    client.post("/settings", data=form(tenure_ends_on="2027-06-30", leader="赵六"))
    row = db.session.scalar(select(Community))
    assert (row.leader, row.tenure_ends_on) == ("王敏", date(2030, 6, 30))
    assert counts()[1] == audit_rows


def test_three_years_to_the_day_is_enough_and_owned_needs_no_term(app):
    assert tenure_long_enough(date(2026, 1, 1), date(2028, 12, 31))
    assert not tenure_long_enough(date(2026, 1, 1), date(2028, 12, 30))
    assert tenure_long_enough(date(2024, 2, 29), date(2027, 2, 27))
    data = {"name": "社区", "timezone": "Asia/Shanghai", "period_start_on": date(2026, 8, 1),
            "period_end_on": date(2027, 12, 31), "tenure_kind": "owned",
            "tenure_starts_on": None, "tenure_ends_on": None}
    assert save_settings(db.session, None, data).tenure_kind == "owned"
    with pytest.raises(Invalid) as refused:
        save_settings(db.session, None, data | {"tenure_kind": "rented"})
    assert refused.value.errors == {"tenure_kind": "choice_invalid"}


def test_milestones_are_offered_for_the_form_dates_added_and_changed_audited(client, login):
    user = login("admin")
    page = client.get("/settings").get_data(as_text=True)
    for day in ("2026-12-31", "2027-06-30", "2027-12-31"):
        assert f'value="{day}"' in page
    response = client.post("/settings/milestones", data={
        "milestone_id": "0", "due_on": "2026-12-31", "promise": "在营OPC达到40家",
        "figure-O1": "40", "figure-E1": "10", "figure-C1": ""}, follow_redirects=True)
    assert "任务计划已保存" in response.get_data(as_text=True)
    milestone = db.session.scalar(select(Milestone))
    assert (milestone.due_on, milestone.figures) == (date(2026, 12, 31), {"O1": 40, "E1": 10})
    client.post("/settings/milestones", data={
        "milestone_id": str(milestone.id), "due_on": "2026-12-31", "promise": "在营OPC达到45家",
        "figure-O1": "45"})
    db.session.refresh(milestone)
    assert milestone.figures == {"O1": 45} and milestone.promise == "在营OPC达到45家"
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "milestone").order_by(AuditEntry.id)).all()
    assert actions == ["milestone.created", "milestone.updated"]
    assert db.session.scalar(select(AuditEntry.actor_id).where(
        AuditEntry.object_type == "milestone").limit(1)) == user.id


@pytest.mark.parametrize("data, says", [
    ({"due_on": "2026-12-31", "figure-O1": "40"}, "该日期已有任务计划"),
    ({"due_on": "2027-06-30", "figure-O1": "-3"}, "目标值应为不小于0"),
    ({"due_on": "2027-06-30", "figure-E1": "很多"}, "目标值应为不小于0"),
    ({"due_on": ""}, "日期格式不正确"),
])
def test_a_bad_milestone_is_refused_and_nothing_is_written(client, login, data, says):
    login("admin")
    save_milestone(db.session, None, None, date(2026, 12, 31), "已有", {"O1": "10"})
    db.session.commit()
    before = (db.session.scalar(select(func.count(Milestone.id))),
              db.session.scalar(select(func.count(AuditEntry.id))))
    db.session.rollback()
    response = client.post("/settings/milestones", data={"milestone_id": "0"} | data,
                           follow_redirects=True)
    assert says in response.get_data(as_text=True)
    after = (db.session.scalar(select(func.count(Milestone.id))),
             db.session.scalar(select(func.count(AuditEntry.id))))
    assert after == before
    assert db.session.scalar(select(Milestone)).figures == {"O1": 10}


def test_only_an_admin_edits_milestones(client, login):
    for role in ("staff", "assessor", "member"):
        login(role)
        assert client.post("/settings/milestones", data={
            "milestone_id": "0", "due_on": "2026-12-31"}).status_code == 403
    assert db.session.scalar(select(func.count(Milestone.id))) == 0


def test_the_site_tenure_files_are_shown_in_settings_to_staff_and_admin_only(
        app, client, login):
    login("admin")
    client.post("/settings", data=form())
    row = db.session.scalar(select(Community))
    lease = save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], "community", row.id,
                            "租赁合同.png", PNG)
    db.session.commit()
    page = client.get("/settings").get_data(as_text=True)
    assert "场地权属证明" in page and "租赁合同.png" in page
    assert f"/files/community/{row.id}" in page  # the upload form
    login("staff")
    download = client.get(f"/files/{lease.id}")
    assert download.status_code == 200 and download.data == PNG
    download.close()
    login("member")
    assert client.get(f"/files/{lease.id}").status_code == 403
