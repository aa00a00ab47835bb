"""A founder books rooms from a phone; staff approve the roadshow hall request."""
import re

import icalendar
import pytest
from sqlalchemy import select

from community.extensions import db
from booking.models import Room
from community import rules
from community.models import User
from tests.booking.test_views import next_workday
from tests.browser.conftest import PHONE
from tests.conftest import PASSWORD, make_tenant_row, zone_data

pytestmark = pytest.mark.browser


def log_in(page, username):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/(tenants/\d+)?$"))


@pytest.fixture
def rooms(live_app):
    with live_app.app_context():
        meeting = rules.save_zone(db.session, None, zone_data(
            name="会议室201", kind="meeting_room", bookable=True))
        hall = rules.save_zone(db.session, None, zone_data(
            name="路演厅", kind="roadshow_hall", bookable=True))
        db.session.add_all([Room(zone=meeting), Room(zone=hall, needs_approval=True,
                                                     max_minutes=480)])
        tenant = make_tenant_row(name="重庆手机预约科技有限公司")
        founder = User(username="founder", name="陈晨", role="member", tenant_id=tenant.id)
        founder.set_password(PASSWORD)
        db.session.add(founder)
        db.session.commit()
        ids = {r.zone.name: r.id for r in db.session.scalars(select(Room))}
        db.session.remove()
    return ids


def test_founder_books_on_a_phone_and_staff_approve_the_hall(new_page, staff, rooms,
                                                              tmp_path):
    day = next_workday()
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(phone, "founder")

    # Opens the meeting room's day, picks a free slot and confirms.
    phone.get_by_text("菜单", exact=True).click()  # on a phone the menu opens on demand
    phone.get_by_role("link", name="预约场地").click()
    phone.locator(".card.room", has_text="会议室201").get_by_role("link", name="选择时段").click()
    phone.goto(f"/booking/rooms/{rooms['会议室201']}?day={day.isoformat()}")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.locator("a.slot.free", has_text="10:00").click()
    assert phone.locator("#start").input_value() == "10:00"
    phone.select_option("#duration", "60")
    phone.fill("#purpose", "客户洽谈")
    phone.get_by_role("button", name="确认预约").click()

    # Sees it under "my bookings" and downloads its .ics.
    phone.wait_for_url(re.compile(r"/booking/bookings"))
    assert "预约成功" in phone.locator(".flash-success").inner_text()
    card = phone.locator("article.booking", has_text="会议室201")
    assert "客户洽谈" in card.inner_text() and "已确认" in card.inner_text()
    with phone.expect_download() as download:
        card.get_by_role("link", name="加入日历（.ics）").click()
    ics = tmp_path / "booking.ics"
    download.value.save_as(ics)
    event = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")[0]
    assert event["DTSTART"].dt.strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} 10:00"

    # The slot now shows as the founder's own.
    phone.goto(f"/booking/rooms/{rooms['会议室201']}?day={day.isoformat()}")
    assert "我的" in phone.locator(".slot.mine").first.inner_text()

    # Requests the roadshow hall, which waits for staff.
    phone.goto(f"/booking/rooms/{rooms['路演厅']}?day={day.isoformat()}")
    phone.locator("a.slot.free", has_text="14:00").click()
    phone.select_option("#duration", "120")
    phone.fill("#purpose", "投资人路演")
    phone.get_by_role("button", name="确认预约").click()
    assert "等待运营人员审批" in phone.locator(".flash-success").inner_text()
    assert "待审批" in phone.locator("article.booking", has_text="路演厅").inner_text()

    # Staff, in another browser, approve it.
    desk = new_page()
    log_in(desk, staff.username)
    desk.goto("/booking/rooms")
    desk.get_by_role("link", name=re.compile("待审批 1 条")).click()
    request = desk.locator("article.booking", has_text="投资人路演")
    request.get_by_role("button", name="批准").click()
    assert "已处理预约申请" in desk.locator(".flash-success").inner_text()

    # The founder sees the decision.
    phone.goto("/booking/bookings")
    assert "已确认" in phone.locator("article.booking", has_text="路演厅").inner_text()
