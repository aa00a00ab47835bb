"""The application-scenario journey through a real browser: staff log a district
meeting and record the scenario it produced, publish it; a founder on a phone finds
it among the published scenarios and says the firm is interested; staff see that,
confirm two of the firms the matcher suggests with its reasons, take it through
试点/方案 to 落地 with a contract file (refused without one); the dashboard's C1
rises from 0 to 1.

Run: .venv/bin/pytest -q tests/browser  (add TEST_DATABASE_URL=... for PostgreSQL)
"""
import re

import pytest
from playwright.sync_api import expect

from community.extensions import db
from community.models import User
from community.web import today
from scenarios import rules
from tests.browser.conftest import PHONE, fits_phones, log_in
from tests.conftest import PASSWORD, make_tenant_row

pytestmark = pytest.mark.browser

IMAGING = "重庆影智医疗科技有限公司"  # the founder's firm
IMAGING_TOO = "重庆瞳影医学影像科技有限公司"
UNRELATED = "重庆山城短视频文化传媒有限公司"
TITLE = "放射科医学影像辅助诊断试点"
OWNER = "重庆市渝北区人民医院"
MANUFACTURING = "注塑车间机器视觉质检"  # published, another sector
DRAFT = "门诊医学影像云胶片"  # still 挖掘: founders never see it
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
def c1(page):
    page.goto("/")
    return page.locator('.card[data-code="C1"]')


def stage_is(page, text):
    expect(page.locator("h1 .tag")).to_have_text(text)


def move_to(page, stage, value=None, on=None):
    page.get_by_label("移至阶段").select_option(label=stage)
    if on is not None:
        page.locator("form.move-form").get_by_label("日期").fill(on)
    if value is not None:
        page.get_by_label("合同金额（元）").fill(value)
    page.get_by_role("button", name="移至该阶段").click()


def scenario(title, owner, sector, on, publish):
    data = {"title": title, "owner_name": owner, "owner_type": "private",
            "source": "enterprise_demand", "sectors": [sector], "tags": [],
            "description": "", "discovered_on": on}
    found = rules.save_scenario(db.session, None, data, on)
    if publish:
        rules.move(db.session, None, found, "published", on, "", on)
    return found


@pytest.fixture
def community(live_app):
    """Two medical-imaging firms and one that is not, a founder of the first, and two
    scenarios already there: one published in another sector, one still 挖掘."""
    with live_app.app_context():
        on = today()
        founders_firm = make_tenant_row(
            name=IMAGING, sector="智慧医疗",
            profile="专注医学影像人工智能，为医院提供CT影像的辅助诊断软件。")
        make_tenant_row(name=IMAGING_TOO, sector="智慧医疗",
                        profile="基于深度学习的医学影像分析，肺结节筛查与辅助诊断系统。")
        make_tenant_row(name=UNRELATED, sector="数字营销",
                        profile="短视频拍摄、直播电商代运营和品牌推广。")
        founder = User(username="founder", name="陈晨", role="member",
                       tenant_id=founders_firm.id)
        founder.set_password(PASSWORD)
        db.session.add(founder)
        scenario(MANUFACTURING, "重庆某汽车零部件有限公司", "智能制造", on, publish=True)
        scenario(DRAFT, "重庆市江北区中医院", "智慧医疗", on, publish=False)
        db.session.commit()
        db.session.remove()
    return on


def test_scenario_is_found_matched_landed_and_counted(new_page, staff, community):
    on = community.isoformat()
    desk = new_page()
    log_in(desk, staff.username)
    expect(c1(desk).locator(".figure .actual")).to_have_text("0")

    # 1. Staff log the district meeting on 挖掘工作.
    desk.goto("/scenarios/activities")
    expect(desk.locator("h1")).to_have_text("场景挖掘工作")
    desk.get_by_role("link", name="登记挖掘工作").first.click()
    desk.wait_for_url(re.compile(r"/scenarios/activities/new$"))
    desk.get_by_label("工作方式").select_option(label="区县座谈会")
    expect(desk.get_by_label("日期")).to_have_value(on)
    desk.get_by_label("参与人员").fill("张敏、李强")
    desk.get_by_label("对接单位").fill("渝北区卫生健康委员会")
    desk.get_by_label("区县").fill("渝北区")
    desk.get_by_label("工作内容").fill("座谈区属医院的数字化需求")
    desk.get_by_role("button", name="保存").click()
    desk.wait_for_url(re.compile(r"/scenarios/activities#a\d+$"))
    expect(desk.locator(".flash-success")).to_contain_text("挖掘工作已保存")
    meeting = desk.locator("article.activity", has_text="渝北区卫生健康委员会")
    expect(meeting).to_have_count(1)
    expect(meeting).to_contain_text("区县座谈会")
    expect(meeting).to_contain_text("渝北区")
    expect(meeting).to_contain_text("张敏、李强")
    expect(meeting).to_contain_text("产生场景 0 个")

    # 2. ... and record the scenario it produced: the meeting's district comes along.
    meeting.get_by_role("link", name="登记由此产生的场景").click()
    desk.wait_for_url(re.compile(r"/scenarios/new\?activity=\d+$"))
    expect(desk.get_by_label("所在区县", exact=True)).to_have_value("渝北区")
    expect(desk.get_by_label("与所在区县联合挖掘（联合所在区）")).to_be_checked()
    expect(desk.locator("#activity_id option:checked")).to_contain_text("渝北区卫生健康委员会")
    desk.get_by_label("场景名称").fill(TITLE)
    desk.get_by_label("需求方", exact=True).fill(OWNER)
    desk.get_by_label("需求方类型").select_option(label="医院、学校")
    desk.get_by_label("来源", exact=True).select_option(label="区县联合挖掘")
    desk.get_by_label("智慧医疗").check()
    desk.get_by_label("标签", exact=True).fill("医学影像、辅助诊断")
    desk.get_by_label("场景描述").fill("放射科希望引入医学影像人工智能辅助诊断，先做CT肺结节筛查。")
    desk.get_by_role("button", name="保存").click()
    desk.wait_for_url(re.compile(r"/scenarios/\d+$"))
    expect(desk.locator(".flash-success")).to_contain_text("场景已保存")
    expect(desk.locator("h1")).to_contain_text(TITLE)
    stage_is(desk, "挖掘")
    facts = desk.locator("dl.facts")
    expect(facts).to_contain_text("医院、学校")
    expect(facts).to_contain_text("区县联合挖掘")
    expect(facts).to_contain_text("联合所在区")
    expect(facts).to_contain_text("区县座谈会 · 渝北区卫生健康委员会")
    scenario_url = desk.url

    # 3. Published (the next stage is the one the form offers).
    expect(desk.locator("#stage option:checked")).to_have_text("发布")
    desk.get_by_role("button", name="移至该阶段").click()
    expect(desk.locator(".flash-success")).to_contain_text("场景已移至“发布”")
    stage_is(desk, "发布")
    desk.goto("/scenarios/activities")
    expect(meeting).to_contain_text("产生场景 1 个")
    expect(meeting.get_by_role("link", name=TITLE)).to_have_count(1)

    # 4. The founder, on a phone, finds it under 应用场景 and says the firm is interested.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(phone, "founder")
    phone.get_by_text("菜单", exact=True).click()  # on a phone the menu opens on demand
    phone.get_by_role("link", name="应用场景").click()
    phone.wait_for_url(re.compile(r"/scenarios/published$"))
    expect(phone.locator("h1")).to_have_text("应用场景")
    cards = phone.locator("article.scenario-card")
    expect(cards).to_have_count(2)
    expect(phone.locator("main")).not_to_contain_text(DRAFT)
    fits_phones(phone)
    phone.get_by_label("行业领域").select_option(label="智慧医疗")
    phone.get_by_role("button", name="筛选").click()
    phone.wait_for_url(re.compile(r"/scenarios/published\?.*sector="))
    expect(cards).to_have_count(1)
    card = cards.first
    expect(card.locator("h2")).to_contain_text(TITLE)
    expect(card).to_contain_text(OWNER)
    expect(card).to_contain_text("医学影像 辅助诊断")
    expect(phone.locator("main")).not_to_contain_text(MANUFACTURING)
    expect(phone.locator("main")).not_to_contain_text(DRAFT)
    fits_phones(phone)
    card.locator("summary", has_text="有意向").click()
    card.get_by_label("说明（选填）").fill("已有CT肺结节辅助诊断产品")
    card.get_by_role("button", name=f"提交意向（{IMAGING}）").click()
    expect(phone.locator(".flash-success")).to_contain_text("已登记意向，社区工作人员会与您联系")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("贵企业已于")
    expect(cards.first.locator("summary", has_text="有意向")).to_have_count(0)
    fits_phones(phone)
    # The scenario's own page (suggestions, other firms' interest) is for staff only.
    assert phone.goto(scenario_url).status == 403

    # 5. Staff see the interest and the suggested firms with why they were suggested.
    desk.goto(scenario_url)
    interests = desk.locator("#interests")
    expect(interests.locator("h2 .count")).to_have_text("1")
    expect(interests).to_contain_text(IMAGING)
    expect(interests).to_contain_text("已有CT肺结节辅助诊断产品")
    suggested = desk.locator("ol.suggestions > li")
    expect(suggested).to_have_count(2)
    for name in (IMAGING, IMAGING_TOO):
        firm = suggested.filter(has_text=name)
        expect(firm).to_have_count(1)
        expect(firm.locator(".reasons")).to_contain_text("行业相同：智慧医疗")
        expect(firm.locator(".reasons")).to_contain_text("共同关键词：")
        expect(firm.locator(".reasons")).to_contain_text("医学影像")
    expect(desk.locator("#suggestions")).not_to_contain_text(UNRELATED)

    # 6. Two firms confirmed: the scenario is in 对接.
    suggested.filter(has_text=IMAGING).get_by_role("button", name="确认对接").click()
    expect(desk.locator(".flash-success")).to_contain_text(f"已确认对接企业：{IMAGING}")
    stage_is(desk, "对接")
    suggested.filter(has_text=IMAGING_TOO).get_by_role("button", name="确认对接").click()
    expect(desk.locator(".flash-success")).to_contain_text(f"已确认对接企业：{IMAGING_TOO}")
    matches = desk.locator("ul.matches > li")
    expect(matches).to_have_count(2)
    expect(matches.filter(has_text=IMAGING)).to_contain_text("行业相同：智慧医疗")
    expect(suggested).to_have_count(0)
    expect(interests).to_contain_text("已对接")

    # 7. 试点/方案; landing without a contract file is refused and changes nothing.
    # The contract value shows only when the form's stage is 落地.
    expect(desk.locator("#stage option:checked")).to_have_text("试点/方案")
    expect(desk.get_by_label("合同金额（元）")).to_be_hidden()
    desk.get_by_role("button", name="移至该阶段").click()
    expect(desk.locator(".flash-success")).to_contain_text("场景已移至“试点/方案”")
    stage_is(desk, "试点/方案")
    expect(desk.locator("#stage option:checked")).to_have_text("落地")
    expect(desk.get_by_label("合同金额（元）")).to_be_visible()
    expect(desk.locator(".evidence-hint")).to_be_visible()
    move_to(desk, "落地", value="580000", on=on)
    expect(desk.locator(".flash-error")).to_have_text(
        "落地须先上传证明材料（合同、验收记录或订单）。")
    expect(desk.locator(".flash-success")).to_have_count(0)
    stage_is(desk, "试点/方案")
    expect(desk.locator("#stages tbody tr")).to_have_count(4)
    expect(desk.locator("#stages tbody")).not_to_contain_text("落地")
    expect(c1(desk).locator(".figure .actual")).to_have_text("0")

    # 8. The contract goes into the evidence panel; then it lands, dated, with its value.
    desk.goto(scenario_url)
    evidence = desk.locator("#evidence")
    evidence.locator("input[type=file]").set_input_files(
        {"name": "医学影像辅助诊断采购合同.pdf", "mimeType": "application/pdf", "buffer": PDF})
    evidence.get_by_role("button", name="上传").click()
    desk.wait_for_url(scenario_url)
    expect(desk.locator(".flash-success")).to_contain_text("文件已上传")
    expect(evidence.locator("ul.files")).to_contain_text("医学影像辅助诊断采购合同.pdf")
    expect(desk.locator(".evidence-hint")).to_have_count(0)
    move_to(desk, "落地", value="580000", on=on)
    expect(desk.locator(".flash-success")).to_contain_text("场景已移至“落地”")
    expect(desk.locator(".flash-error")).to_have_count(0)
    stage_is(desk, "落地")
    expect(facts).to_contain_text("合同金额 ¥580,000.00")
    expect(desk.locator("#stages tbody tr")).to_have_count(5)
    expect(desk.locator("#suggestions")).to_have_count(0)

    # 9. The dashboard's C1 rose by one, with the contract value and both firms.
    card = c1(desk)
    expect(card.locator(".figure .actual")).to_have_text("1")
    expect(card.locator(".detail.muted")).to_contain_text("合同金额 ¥580,000.00")
    expect(card.locator(".detail.muted")).to_contain_text("联合所在区 1 个")
    expect(card.locator(".detail.muted")).to_contain_text("对接企业 2 家")
    expect(card.locator(".lacking")).to_have_count(0)

    # The landed scenario is no longer open to founders.
    phone.goto("/scenarios/published")
    expect(phone.locator("main")).not_to_contain_text(TITLE)
    expect(phone.locator("article.scenario-card")).to_have_count(1)
