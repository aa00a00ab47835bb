"""The scenarios pages as staff, assessors and founders use them: the board by stage
with its funnel, the scenario form and its duplicate warning, moving a scenario on
its page, landing with evidence, founders' interest, and what a founder may not do."""
import io
import re
from datetime import date

from sqlalchemy import func, select

from community.extensions import db
from community.files import save_attachment
from community.models import AuditEntry
from community.web import today
from scenarios import rules
from scenarios.models import (ProfileWords, Scenario, ScenarioInterest, ScenarioMatch,
                              SourcingActivity)
from tests.conftest import make_tenant_row
from tests.scenarios.conftest import TODAY, scenario_data

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
YEAR = {"period": "year", "year": "2026"}


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def text(response):
    return response.get_data(as_text=True)


def lane(page, stage):
    """The board's column of one stage."""
    start = page.index(f'data-stage="{stage}"')
    end = page.find("data-stage=", start + 20)
    return page[start:end if end > 0 else None]


def evidence(app, scenario):
    save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], rules.EVIDENCE,
                    scenario.id, "采购合同.pdf", PDF)


def at_stage(app, make_scenario, stage, **overrides):
    """A scenario moved (through the rules) to a stage of the pipeline in 2026."""
    scenario = make_scenario(**overrides)
    steps = {"published": date(2026, 3, 10), "matched": None, "piloting": date(2026, 5, 1),
             "landed": date(2026, 9, 30)}
    if stage == "dropped":
        rules.move(db.session, None, scenario, "dropped", date(2026, 4, 1), "需求方取消", TODAY)
    for step, on in steps.items():
        if stage in ("discovered", "dropped"):
            break
        if step == "matched":
            rules.confirm_match(db.session, None, scenario, make_tenant_row(), "行业相同",
                                date(2026, 4, 1))
        else:
            if step == "landed":
                evidence(app, scenario)
            rules.move(db.session, None, scenario, step, on, "", TODAY,
                       contract_value="300000" if step == "landed" else None)
        if step == stage:
            break
    db.session.commit()
    return scenario


def form_data(**overrides):
    """The scenario form as a browser posts it."""
    data = scenario_data(**overrides)
    tags = data["tags"] if isinstance(data["tags"], str) else "、".join(data["tags"])
    data |= {"tags": tags, "discovered_on": data["discovered_on"].isoformat(),
             "activity_id": data["activity_id"] or 0,
             "joint_with_district": "y" if data["joint_with_district"] else ""}
    return {k: v for k, v in data.items() if v not in (None, "")}


def test_the_board_shows_each_stage_and_the_years_funnel(app, client, login, make_scenario):
    titles = {}
    for stage in ("discovered", "published", "matched", "piloting", "landed", "dropped"):
        titles[stage] = at_stage(app, make_scenario, stage, title=f"场景在{stage}阶段").title
    at_stage(app, make_scenario, "published", title="江北区智慧停车场景", district="江北区",
             sectors=["智能制造"], source="city_list")
    login("staff")
    page = text(client.get("/scenarios/board", query_string=YEAR))
    for stage, title in titles.items():
        assert title in lane(page, stage)
        assert all(title not in lane(page, other) for other in titles if other != stage)
    assert "江北区智慧停车场景" in lane(page, "published")
    # The funnel of 2026: 7 discovered, 3 reached 对接, 1 landed of C1's 50.
    funnel = page[page.index('class="funnel"'):page.index("</ol>", page.index('class="funnel"'))]
    assert [int(n) for n in re.findall(r"<b>(\d+)</b>", funnel)] == [7, 3, 1]
    assert "已落地 1 个，本期目标 50 个" in page
    filtered = text(client.get("/scenarios/board", query_string={"district": "江北区"} | YEAR))
    assert "江北区智慧停车场景" in filtered and titles["published"] not in filtered
    by_sector = text(client.get("/scenarios/board", query_string={"sector": "智能制造"}))
    assert "江北区智慧停车场景" in by_sector and titles["landed"] not in by_sector
    by_source = text(client.get("/scenarios/board", query_string={"source": "district_joint"}))
    assert "江北区智慧停车场景" not in by_source and titles["landed"] in by_source
    assert titles["landed"] not in text(client.get("/scenarios/board?discovered=2025"))
    login("assessor")  # reads the ledgers of its granted periods, not the board
    assert client.get("/scenarios/board").status_code == 403


def test_staff_record_a_scenario_through_the_form(client, login):
    login("staff")
    assert "登记场景" in text(client.get("/scenarios/new"))
    response = client.post("/scenarios/new", data=form_data(
        title="渝北区社区养老服务智能调度", owner_name="渝北区民政局", owner_type="government",
        tags="养老，智能调度、 大模型", sectors=["智慧医疗", "其他"], budget="800000.50",
        contact_phone="13800138000"))
    assert response.status_code == 302
    made = db.session.scalar(select(Scenario))
    assert response.headers["Location"].endswith(f"/scenarios/{made.id}")
    assert (made.tags, made.sectors, made.budget_fen, made.stage) == (
        ["养老", "智能调度", "大模型"], ["智慧医疗", "其他"], 80000050, "discovered")
    page = text(client.get(f"/scenarios/{made.id}"))
    assert "渝北区社区养老服务智能调度" in page and "¥800,000.50" in page
    # A bad phone and a future day are refused beside their fields; nothing is saved.
    page = text(client.post("/scenarios/new", data=form_data(
        contact_phone="12345", discovered_on=date(2099, 1, 1))))
    assert "挖掘日期不能晚于今天" in page and 'class="field has-error"' in page
    assert count(Scenario) == 1


def test_a_likely_duplicate_is_warned_then_saved_with_a_reason(client, login, make_scenario):
    first = make_scenario(title="智慧医院影像辅助诊断场景", owner_name="重庆市第一人民医院")
    login("staff")
    again = form_data(title="智慧医院影像辅助诊断场景（二期）", owner_name="重庆市第一人民医院")
    page = text(client.post("/scenarios/new", data=again))
    assert "疑似重复" in page and f'href="/scenarios/{first.id}"' in page
    assert 'name="duplicate_reason"' in page and count(Scenario) == 1
    response = client.post("/scenarios/new", data=again | {"duplicate_reason": "二期为病理影像"})
    assert response.status_code == 302 and count(Scenario) == 2
    second = db.session.scalar(select(Scenario).where(Scenario.id != first.id))
    assert (second.duplicate_of_id, second.duplicate_reason) == (first.id, "二期为病理影像")
    assert "二期为病理影像" in text(client.get(f"/scenarios/{second.id}"))


def test_editing_keeps_the_form_filled_and_saves_the_change(client, login, make_scenario):
    scenario = make_scenario(budget="1234.5", tags=["影像", "AI"])
    login("staff")
    page = text(client.get(f"/scenarios/{scenario.id}/edit"))
    assert 'value="1234.50"' in page and 'value="影像、AI"' in page
    client.post(f"/scenarios/{scenario.id}/edit", data=form_data(
        title=scenario.title, budget="2000", tags="影像 AI 病理"))
    db.session.refresh(scenario)
    assert (scenario.budget_fen, scenario.tags) == (200000, ["影像", "AI", "病理"])


def test_moving_back_without_a_reason_is_refused_on_the_page(app, client, login, make_scenario):
    scenario = at_stage(app, make_scenario, "published")
    login("staff")
    url = f"/scenarios/{scenario.id}/move"
    page = text(client.post(url, data={"stage": "discovered", "on": "2026-04-01"},
                            follow_redirects=True))
    assert "退回到之前的阶段须填写原因" in page
    db.session.refresh(scenario)
    assert scenario.stage == "published" and len(scenario.stages) == 2
    page = text(client.post(url, data={"stage": "discovered", "on": "2026-04-01",
                                       "reason": "需求方要求补充材料"}, follow_redirects=True))
    assert "场景已移至“挖掘”" in page and "需求方要求补充材料" in page
    db.session.refresh(scenario)
    assert scenario.stage == "discovered" and scenario.stages[-1].reason == "需求方要求补充材料"


def test_landing_needs_evidence_on_the_page_then_counts_for_c1(client, login, make_scenario,
                                                               make_tenant):
    scenario = make_scenario()
    firm = make_tenant(name="重庆影联智能科技有限公司")
    login("staff")
    client.post(f"/scenarios/{scenario.id}/match", data={"tenant_id": firm.id,
                                                         "reason": "行业相同：智慧医疗"})
    db.session.refresh(scenario)
    assert scenario.stage == "matched" and scenario.matches[0].reason == "行业相同：智慧医疗"
    landing = {"stage": "landed", "on": today().isoformat(), "contract_value": "1200000"}
    page = text(client.post(f"/scenarios/{scenario.id}/move", data=landing,
                            follow_redirects=True))
    assert "落地须先上传证明材料" in page and "落地前须上传至少一份证明材料" in page
    db.session.refresh(scenario)
    assert scenario.stage == "matched" and scenario.landed_on is None
    client.post(f"/files/{rules.EVIDENCE}/{scenario.id}", content_type="multipart/form-data",
                data={"file": (io.BytesIO(PDF), "采购合同.pdf"),
                      "next": f"/scenarios/{scenario.id}"})
    page = text(client.post(f"/scenarios/{scenario.id}/move", data=landing,
                            follow_redirects=True))
    assert "采购合同.pdf" in page and "¥1,200,000.00" in page
    db.session.refresh(scenario)
    assert (scenario.stage, scenario.landed_on) == ("landed", today())
    assert "已落地 1 个" in text(client.get("/scenarios/board"))


def test_a_match_is_withdrawn_with_a_reason(client, login, make_scenario, make_tenant):
    scenario = make_scenario()
    firm = make_tenant(name="重庆医链软件有限公司")
    rules.confirm_match(db.session, None, scenario, firm, "", date(2026, 4, 1))
    db.session.commit()
    match = scenario.matches[0]
    login("staff")
    url = f"/scenarios/matches/{match.id}/withdraw"
    assert "原因" in text(client.post(url, data={"reason": ""}, follow_redirects=True))
    db.session.refresh(match)
    assert match.withdrawn_on is None
    page = text(client.post(url, data={"reason": "企业无相关产品"}, follow_redirects=True))
    assert "已撤回" in page and "企业无相关产品" in page
    db.session.refresh(match)
    assert match.withdraw_reason == "企业无相关产品"


def test_suggested_firms_are_listed_with_reasons_and_confirmed(client, login, make_scenario):
    fit = make_tenant_row(name="重庆影联智能科技有限公司", sector="智慧医疗",
                          profile="专注医学影像人工智能，肺结节CT影像辅助诊断软件。")
    make_tenant_row(name="重庆山城味道文化传媒有限公司", sector="数字营销",
                    profile="为火锅品牌策划短视频内容和直播带货。")
    db.session.commit()
    scenario = make_scenario(description="需要基于AI的医学影像辅助诊断系统")
    login("staff")
    page = text(client.get(f"/scenarios/{scenario.id}"))
    suggestions = page[page.index('id="suggestions"'):page.index('id="interests"')]
    assert "重庆影联智能科技有限公司" in suggestions and "行业相同" in suggestions
    db.session.rollback()  # what the page committed: the firms' words, kept for next time
    assert db.session.scalar(select(func.count()).select_from(ProfileWords)) >= 2
    assert "重庆山城味道文化传媒有限公司" not in suggestions
    reason = re.search(r'name="reason" value="([^"]+)"', suggestions).group(1)
    client.post(f"/scenarios/{scenario.id}/match", data={"tenant_id": fit.id,
                                                         "reason": reason})
    match = db.session.scalar(select(ScenarioMatch))
    assert match.tenant_id == fit.id and "行业相同" in match.reason


def test_a_founder_sees_published_scenarios_only_and_says_it_is_interested(
        app, client, login, make_scenario, make_tenant, make_user):
    shown = at_stage(app, make_scenario, "published", title="公开的影像诊断场景",
                     contact_phone="13912345678", budget="500000")
    at_stage(app, make_scenario, "discovered", title="尚在挖掘的草稿场景")
    at_stage(app, make_scenario, "dropped", title="已终止的场景")
    other = make_tenant(name="别家科技有限公司")
    rules.register_interest(db.session, make_user("member", tenant=other), shown, other,
                            "我们也做影像")
    db.session.commit()
    founder = login("member")
    page = text(client.get("/scenarios/published"))
    assert "公开的影像诊断场景" in page and "¥500,000.00" in page
    for hidden in ("尚在挖掘的草稿场景", "已终止的场景", "13912345678", "别家科技有限公司",
                   "我们也做影像"):
        assert hidden not in page
    assert "尚在挖掘" not in text(client.get("/scenarios/published?sector=智慧医疗"))
    assert "公开的影像诊断场景" not in text(client.get("/scenarios/published?sector=数字内容"))
    page = text(client.post(f"/scenarios/{shown.id}/interest", data={"note": "已有试点案例"},
                            follow_redirects=True))
    assert "已登记意向" in page and "贵企业已于" in page
    interest = db.session.scalar(select(ScenarioInterest).where(
        ScenarioInterest.tenant_id == founder.tenant_id))
    assert (interest.scenario_id, interest.note) == (shown.id, "已有试点案例")
    again = text(client.post(f"/scenarios/{shown.id}/interest", data={},
                             follow_redirects=True))
    assert "贵企业已表达过意向" in again and count(ScenarioInterest) == 2
    login("staff")
    page = text(client.get(f"/scenarios/{shown.id}"))
    interests = page[page.index('id="interests"'):page.index('id="evidence"')]
    assert founder.tenant.name in interests and "已有试点案例" in interests


def test_a_founder_cannot_edit_or_move_a_scenario(app, client, login, make_scenario):
    scenario = at_stage(app, make_scenario, "published")
    login("member")
    title, rows = scenario.title, count(AuditEntry)
    for path in (f"/scenarios/{scenario.id}/edit", "/scenarios/new"):
        response = client.post(path, data=form_data(title="被篡改的标题"))
        assert response.status_code == 403
    for path, data in ((f"/scenarios/{scenario.id}/move", {"stage": "dropped",
                                                           "on": "2026-05-01", "reason": "x"}),
                       ("/scenarios/activities/new", {"kind": "visit", "held_on": "2026-05-01",
                                                      "staff": "x", "counterpart": "y"})):
        assert client.post(path, data=data).status_code == 403
    for path in ("/scenarios/board", f"/scenarios/{scenario.id}", "/scenarios/activities"):
        assert client.get(path).status_code == 403
    db.session.refresh(scenario)
    assert (scenario.title, scenario.stage, count(Scenario)) == (title, "published", 1)
    assert count(AuditEntry) == rows and count(SourcingActivity) == 0


def test_an_assessor_opens_no_scenario_page(app, client, login, make_scenario):
    scenario = at_stage(app, make_scenario, "matched", contact_phone="13912345678")
    login("assessor")  # it reads the C1 ledger of its granted periods instead
    assert client.get(f"/scenarios/{scenario.id}").status_code == 403
    assert client.get(f"/scenarios/{scenario.id}/edit").status_code == 403


def test_sourcing_work_is_logged_and_lists_the_scenarios_it_produced(client, login):
    login("staff")
    page = text(client.post("/scenarios/activities/new", data={
        "kind": "district_meeting", "held_on": "2026-03-01", "staff": "王敏、陈晨",
        "counterpart": "渝北区经济信息委", "district": "渝北区", "notes": "征集区内场景需求"},
        follow_redirects=True))
    assert "挖掘工作已保存" in page and "渝北区经济信息委" in page
    activity = db.session.scalar(select(SourcingActivity))
    form = text(client.get(f"/scenarios/new?activity={activity.id}"))
    assert f'<option selected value="{activity.id}">' in form and 'value="2026-03-01"' in form
    client.post("/scenarios/new", data=form_data(title="渝北区智慧园区能耗监测",
                                                 activity_id=activity.id))
    page = text(client.get("/scenarios/activities"))
    assert "产生场景 1 个" in page and "渝北区智慧园区能耗监测" in page
    refused = text(client.post("/scenarios/activities/new", data={
        "kind": "visit", "held_on": "2099-01-01", "staff": "王敏", "counterpart": "某单位"}))
    assert "工作日期不能晚于今天" in refused and count(SourcingActivity) == 1
