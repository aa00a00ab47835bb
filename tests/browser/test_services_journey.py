"""The public-service journey through a real browser: a founder asks for a patent
filing from a phone; staff assign a patent agency and complete it with the
application number; the founder rates it once; the dashboard's G1 shows 专利申报
delivered; a compute grant beyond the firm's quota is refused with what remains.

Run: .venv/bin/pytest -q tests/browser  (add TEST_DATABASE_URL=... for PostgreSQL)
"""
import re

import pytest
from playwright.sync_api import expect

from community.extensions import db
from community.models import User
from community.web import today
from services import catalogue, subsidies
from tests.browser.conftest import PHONE, fits_phones, log_in
from tests.conftest import PASSWORD, make_tenant_row, valid_uscc

pytestmark = pytest.mark.browser

FIRM = "重庆专利申报科技有限公司"
AGENCY = "重庆知识产权代理事务所"
NUMBER = "申请号 202611234567.8"
def left_of_quota(page, amount):
    """The founder's 企业服务 shows what remains of the compute quota."""
    row = page.locator("tbody tr", has_text="算力补贴")
    expect(row.locator("td").last).to_have_text(f"{amount} GPU卡时")


@pytest.fixture
def firm(live_app):
    """A firm with its founder, a patent agency, and a compute quota of 50 GPU-hours."""
    with live_app.app_context():
        tenant = make_tenant_row(name=FIRM)
        founder = User(username="founder", name="陈晨", role="member", tenant_id=tenant.id)
        founder.set_password(PASSWORD)
        db.session.add(founder)
        patent = catalogue.category(db.session, "patent")
        catalogue.save_provider(db.session, None, {
            "name": AGENCY, "kind": "patent_agency", "uscc": valid_uscc(),
            "categories": [patent.id], "contact_name": "王律师"})
        subsidies.set_quota(db.session, None, tenant, today().year,
                            catalogue.category(db.session, "compute"), "quantity", 50)
        db.session.commit()
        db.session.remove()


def test_patent_filing_is_requested_delivered_rated_and_counted(new_page, staff, firm):
    # 1. The founder, on a phone, asks for a patent filing from 企业服务.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(phone, "founder")
    phone.get_by_text("菜单", exact=True).click()  # on a phone the menu opens on demand
    phone.get_by_role("link", name="企业服务").click()
    phone.wait_for_url(re.compile(r"/services/mine$"))
    expect(phone.locator("h1")).to_have_text("企业服务")
    left_of_quota(phone, "50")
    fits_phones(phone)
    phone.get_by_role("link", name="专利申报").click()
    phone.wait_for_url(re.compile(r"/services/request\?category=\d+$"))
    expect(phone.locator("#category_id option:checked")).to_have_text("专利申报")
    fits_phones(phone)
    phone.fill("#description", "一种基于大模型的发票识别方法，申请发明专利")
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_url(re.compile(r"/services/requests/\d+$"))
    expect(phone.locator(".flash-success")).to_contain_text("服务申请已提交")
    expect(phone.locator("h1")).to_contain_text("专利申报")
    expect(phone.locator("h1 .tag")).to_have_text("待受理")
    expect(phone.locator("dl.facts")).to_contain_text("一种基于大模型的发票识别方法")
    expect(phone.locator("dl.facts")).to_contain_text("尚未派单")
    request_url = phone.url
    fits_phones(phone)

    # 2. Staff, at a desk, open the queue and the request, assign, start and complete it.
    desk = new_page()
    log_in(desk, staff.username)
    desk.goto("/services")
    row = desk.locator("tbody tr", has_text="专利申报")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(FIRM)
    row.get_by_role("link", name="专利申报").click()
    desk.wait_for_url(request_url)
    desk.get_by_label("服务机构").select_option(label=AGENCY)
    desk.get_by_role("button", name="派给该机构").click()
    expect(desk.locator(".flash-success")).to_contain_text("已派单")
    expect(desk.locator("dl.facts")).to_contain_text(AGENCY)
    desk.get_by_role("button", name="开始办理").click()
    expect(desk.locator(".flash-success")).to_contain_text("已开始办理")
    expect(desk.locator("h1 .tag")).to_have_text("办理中")
    # Completing without an outcome is refused beside the field; nothing changes.
    desk.get_by_role("button", name="登记办结").click()
    expect(desk.locator(".flash-error")).to_contain_text("办理结果")
    expect(desk.locator("h1 .tag")).to_have_text("办理中")
    desk.fill("#outcome", NUMBER)
    desk.get_by_role("button", name="登记办结").click()
    expect(desk.locator(".flash-success")).to_contain_text("服务已办结")
    expect(desk.locator("h1 .tag")).to_have_text("已完成")
    expect(desk.locator("dl.facts")).to_contain_text(NUMBER)
    expect(desk.get_by_role("button", name="登记办结")).to_have_count(0)

    # 3. The founder sees the application number and rates the service, once.
    phone.goto("/services/mine")
    mine_row = phone.locator("tbody tr", has_text="专利申报")
    expect(mine_row).to_contain_text("已完成")
    mine_row.get_by_role("link", name="去评价").click()
    phone.wait_for_url(request_url)
    expect(phone.locator("dl.facts")).to_contain_text(NUMBER)
    phone.select_option("#rating", "5")
    phone.fill("#comment", "代理人很专业")
    phone.get_by_role("button", name="确认服务已完成").click()
    expect(phone.locator(".flash-success")).to_contain_text("感谢您的评价")
    stars = phone.locator("dl.facts .stars")
    expect(stars).to_have_text("★ 5/5")
    expect(phone.locator("dl.facts")).to_contain_text("代理人很专业")
    expect(phone.get_by_role("button", name="确认服务已完成")).to_have_count(0)
    expect(phone.locator("#rating")).to_have_count(0)
    fits_phones(phone)
    phone.goto("/services/mine")
    expect(phone.locator("tbody tr", has_text="专利申报").locator(".stars")).to_have_text("★ 5/5")
    expect(phone.get_by_role("link", name="去评价")).to_have_count(0)
    fits_phones(phone)

    # 4. The dashboard's G1 card counts the patent filing as delivered.
    desk.goto("/")
    g1 = desk.locator('.card[data-code="G1"]')
    expect(g1.locator(".figure .actual")).to_have_text("1")
    expect(g1.locator(".detail.muted")).to_contain_text("专利申报 1")
    expect(g1.locator(".detail.muted")).to_contain_text("服务企业 1 家")

    # 5. A compute grant beyond the firm's 50 GPU-hours is refused with what remains.
    desk.goto("/services/grants")
    desk.locator("summary", has_text="登记一笔补贴").click()
    desk.get_by_label("企业").select_option(label=FIRM)
    desk.get_by_label("补贴类型").select_option(label="算力补贴")
    desk.get_by_label("数量").fill("80")
    desk.get_by_role("button", name="发放").click()
    expect(desk.locator(".flash-error")).to_contain_text("剩余 50 GPU卡时")
    expect(desk.locator(".flash-success")).to_have_count(0)
    expect(desk.locator("tbody")).to_contain_text("还没有补贴发放记录")
    desk.goto("/services/grants")
    expect(desk.locator("tbody tr")).to_have_count(1)
    expect(desk.locator("tbody")).to_contain_text("还没有补贴发放记录")
    phone.goto("/services/mine")
    left_of_quota(phone, "50")
