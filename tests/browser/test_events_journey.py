"""The event-day journey through a real browser: at phone size two attendees
register and see their QR tickets; staff check the first in by manual search at the
door; the second checks in by scanning the venue screen's QR (decoded here with
zxing-cpp, as a phone camera would); the door's live counter shows 2.

Run: .venv/bin/pytest -q tests/browser  (add TEST_DATABASE_URL=... for PostgreSQL)
"""
import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from community.extensions import db
from community.dbsetup import utcnow
from events import rules
from tests.browser.conftest import PHONE
from tests.events.conftest import event_data

pytestmark = pytest.mark.browser
zxingcpp = pytest.importorskip("zxingcpp")


def decode(png):
    from PIL import Image
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0].text


def register(page, event_id, name, mobile):
    page.goto(f"/e/{event_id}")
    page.fill("#name", name)
    page.fill("#mobile", mobile)
    page.fill("#organisation", "重庆大学")
    page.check("#consent")
    page.get_by_role("button", name="提交报名").click()
    page.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]{32,}$"))
    expect(page.locator(".flash-success")).to_contain_text("报名成功")
    ticket = page.locator("#ticket-qr")
    expect(ticket).to_be_visible()
    assert page.evaluate("document.getElementById('ticket-qr').naturalWidth") > 100
    # The phone's screen shows a real QR of the ticket's own URL.
    assert decode(ticket.screenshot()) == page.url


def test_attendees_register_and_check_in_at_the_door(new_page, live_app, staff):
    with live_app.app_context():
        now = utcnow()
        event = rules.save_event(db.session, None, event_data(
            title="算力资源对接会", starts_at=now + timedelta(hours=2)), now)
        rules.publish_event(db.session, None, event, now)
        db.session.commit()
        event_id = event.id
        db.session.remove()

    # 1. Two attendees register on their phones and see their QR tickets.
    first = new_page(viewport=PHONE)
    register(first, event_id, "陈晨", "13900001001")
    second = new_page(viewport=PHONE)
    register(second, event_id, "周强", "139 0000 1002")
    # A mistyped mobile is refused beside the field, on the phone.
    third = new_page(viewport=PHONE)
    third.goto(f"/e/{event_id}")
    third.fill("#name", "错号")
    third.fill("#mobile", "1390000")
    third.check("#consent")
    third.get_by_role("button", name="提交报名").click()
    expect(third.locator(".field.has-error .error")).to_contain_text("不是有效的中国电话号码")

    # 2. Staff open the door page and check the first attendee in by manual search.
    door = new_page()
    door.goto("/login")
    door.fill("#username", staff.username)
    door.fill("#password", staff.password)
    door.get_by_role("button", name="登录").click()
    door.wait_for_url(re.compile(r"/$"))
    door.goto(f"/events/{event_id}/door")
    expect(door.locator("#live-count")).to_have_text("0")
    door.fill("#search-q", "陈晨")
    door.locator(".searchbar button").click()
    match = door.locator("li.match", has_text="陈晨")
    match.get_by_role("button", name="签到").click()
    expect(door.locator("#scan-result")).to_have_class(re.compile(r"\bok\b"))
    expect(door.locator("#scan-result")).to_contain_text("签到成功：陈晨")
    expect(door.locator("#live-count")).to_have_text("1")

    # 3. The second attendee scans the venue screen's QR with the phone.
    screen = new_page()
    screen.context.add_cookies(door.context.cookies())
    screen.goto(f"/events/{event_id}/screen")
    qr = screen.locator("#venue-qr")
    expect(qr).to_be_visible()
    venue_url = decode(qr.screenshot())
    assert f"/e/{event_id}/here/" in venue_url
    second.goto(venue_url)
    second.fill("#mobile", "13900001002")
    second.get_by_role("button", name="确认签到").click()
    expect(second.locator("#here-result")).to_contain_text("签到成功")
    expect(second.locator("#here-result")).to_contain_text("周*")  # masked: a venue code is no directory

    # 4. The door's live counter catches up on its own.
    expect(door.locator("#live-count")).to_have_text("2", timeout=15_000)
