"""The core journey through a real browser: staff sets up space, desks and a tenant,
and the dashboard and the ledger workbook show them.

Run: .venv/bin/pytest -q tests/browser  (add TEST_DATABASE_URL=... for PostgreSQL)
"""
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from community.extensions import db
from community import rules
from tests.browser.conftest import PHONE
from tests.conftest import tenant_data

pytestmark = pytest.mark.browser

BAD_USCC = "11500000009276281K"    # check character should be J
GOOD_USCC = "11500000009276281J"
TENANT = "重庆浏览器旅程科技有限公司"
LEDGER_SHEET = "入驻、服务企业台账"  # 入驻/服务企业台账: the exporter turns "/" into "、"


def shanghai_today():
    """The dashboard's "today" is the community's (Asia/Shanghai), not the machine's."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def iso(day):
    return f"{day:%Y-%m-%d}"


def log_in(page, staff):
    page.goto("/login")
    page.fill("#username", staff.username)
    page.fill("#password", staff.password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator(".account .who").inner_text().startswith(staff.name)


def flash(page, category="success"):
    return page.locator(f".flash.flash-{category}")


def card_figure(page, code):
    card = page.locator(f"section.card[data-code={code}]")
    assert card.count() == 1, f"no dashboard card {code}"
    return card.locator(".figure .actual").inner_text().strip()


def test_staff_sets_up_the_community_and_the_ledger_shows_it(new_page, staff, tmp_path):
    today = shanghai_today()
    jan_1 = date(today.year, 1, 1)  # every start date in the dashboard's current year
    page = new_page()

    # 1. Log in at /login.
    log_in(page, staff)

    # 2. Create a zone through 场地 → 新增区域.
    page.goto("/zones")
    page.get_by_role("link", name="新增区域").click()
    page.wait_for_url(re.compile(r"/zones/new$"))
    page.fill("#floor", "3F")
    page.fill("#name", "旅程开放工位区")
    page.select_option("#kind", "open_desk")
    page.fill("#area_m2", "800")
    page.fill("#capacity", "40")
    page.fill("#in_service_on", iso(jan_1))
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/zones/\d+$"))
    assert "区域已保存" in flash(page).inner_text()

    # 3. Bulk-create J-001 … J-020 (zero rent) in that zone.
    page.goto("/desks/bulk")
    page.select_option("#zone_id", label="3F · 旅程开放工位区")
    page.fill("#prefix", "J")
    page.fill("#first", "1")
    page.fill("#count", "20")
    page.check("#zero_rent")
    page.fill("#in_service_on", iso(jan_1))
    page.get_by_role("button", name="创建").click()
    page.wait_for_url(re.compile(r"/desks\?q=J$"))
    text = flash(page).inner_text()
    assert "20" in text and "J-001" in text and "J-020" in text, text

    # 4a. Register a tenant with a wrong USCC check character: refused beside the field.
    page.goto("/tenants/new")
    page.fill("#name", TENANT)
    page.fill("#uscc", BAD_USCC)
    page.fill("#legal_rep", "王五")
    page.fill("#phone", "13800138000")
    page.select_option("#sector", "数字内容")
    page.fill("#company_type", "有限责任公司（自然人独资）")
    page.fill("#investors", "1")
    page.select_option("#relationship_kind", "resident")
    page.fill("#founded_on", iso(date(today.year - 1, 3, 1)))
    page.fill("#moved_in_on", iso(jan_1))
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert page.url.endswith("/tenants/new")
    uscc_field = page.locator(".field.has-error", has=page.locator("#uscc"))
    assert "校验位" in uscc_field.locator(".error").inner_text()
    assert page.locator("#uscc").get_attribute("aria-invalid") == "true"
    assert page.locator(".field.has-error").count() == 1  # only the USCC was wrong
    listing = page.context.new_page()
    listing.goto("/tenants")
    assert listing.get_by_text("没有符合条件的企业。").is_visible()  # nothing was saved
    listing.close()

    # 4b. Correct the USCC (the rest of the form was kept) and save.
    assert page.locator("#name").input_value() == TENANT
    assert page.locator("#moved_in_on").input_value() == iso(jan_1)
    page.fill("#uscc", GOOD_USCC)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/tenants/\d+$"))
    assert "企业信息已保存" in flash(page).inner_text()
    assert page.locator("h1").inner_text().startswith(TENANT)
    assert page.locator("dd.mono", has_text=GOOD_USCC).is_visible()
    assert page.locator("dd.mono", has_text="138****8000").is_visible()
    tenant_url = page.url

    # 5. Add a member on the tenant page.
    page.fill("#name", "赵六")
    page.fill("#phone", "13900139000")
    page.check("#is_founder")
    page.get_by_role("button", name="添加成员").click()
    page.wait_for_url(tenant_url)
    assert "成员已添加" in flash(page).inner_text()
    assert page.locator("li", has_text="赵六").first.is_visible()

    # 6. Find J-001 in the desk list, open it and assign it to the member.
    page.goto("/desks?q=J-001")
    page.get_by_role("link", name="J-001", exact=True).click()
    page.wait_for_url(re.compile(r"/desks/\d+$"))
    assert page.locator("h1").inner_text().endswith("J-001")
    page.select_option("#member_id", label=f"{TENANT} · 赵六")
    page.fill("#starts_on", iso(jan_1))
    page.get_by_role("button", name="分配", exact=True).click()
    page.wait_for_load_state()
    assert "工位已分配" in flash(page).inner_text()
    row = page.locator("tr", has_text=TENANT)
    assert "赵六" in row.inner_text() and iso(jan_1) in row.inner_text()

    # 7. The dashboard's cards: S1 the zone's area, S2 the 20 desks, S4 the one OPC.
    page.get_by_role("link", name="指标看板").click()
    page.wait_for_url(re.compile(r"/$"))
    assert f"{today.year}-01-01" in page.locator(".pagehead .muted").inner_text()
    assert card_figure(page, "S1") == "800"
    assert card_figure(page, "S2") == "20"
    assert card_figure(page, "S4") == "1"

    # 8. Download the ledger workbook and find the tenant, phone masked.
    with page.expect_download() as download_info:
        page.click("#download-ledger")
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "ledger.xlsx"
    download.save_as(path)
    sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    assert LEDGER_SHEET in sheets, list(sheets)
    ledger = sheets[LEDGER_SHEET]
    rows = ledger[(ledger["企业名称"] == TENANT) & (ledger["统一社会信用代码"] == GOOD_USCC)]
    assert len(rows) == 1, ledger.to_string()
    found = rows.iloc[0]
    assert found["联系电话"] == "138****8000"
    assert "13800138000" not in ledger.to_string()
    assert found["OPC认定"] == "OPC" and found["关系"] == "入驻"
    assert found["企业类型"] == "有限责任公司（自然人独资）"
    desks = sheets["工位台账"]
    assert len(desks) == 20
    used = desks[desks["工位编号"] == "J-001"].iloc[0]
    assert used["使用企业"] == TENANT and used["使用人"] == "赵六"


def no_horizontal_overflow(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_tenant_list_and_dashboard_fit_a_phone(new_page, live_app, staff, tmp_path):
    today = shanghai_today()
    with live_app.app_context():  # a long row, so the table would overflow if it could
        rules.save_tenant(db.session, None, tenant_data(
            name="重庆两江新区数字内容与智能制造创新创业服务有限责任公司",
            uscc=GOOD_USCC, moved_in_on=date(today.year, 1, 1)), today)
        db.session.commit()
        db.session.remove()
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, staff)

    page.goto("/tenants")
    assert page.get_by_role("link", name=re.compile("两江新区")).is_visible()
    page.screenshot(path=tmp_path / "phone-tenants.png", full_page=True)
    assert no_horizontal_overflow(page), page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]")

    page.goto("/")
    assert page.locator("section.card[data-code=S4]").is_visible()
    page.screenshot(path=tmp_path / "phone-dashboard.png", full_page=True)
    assert no_horizontal_overflow(page), page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]")
