"""Every page a role can open, on the demo community, at 360 px and 1280 px: it
fits the width (no sideways scroll) and its visible text speaks words, not codes.

The pages come from the app's own url_map (every GET endpoint), so a new page is
walked the day it is added. Ids come from the demo community. A download (a
workbook, PDF, calendar, image, JSON) is not a page and is passed over; so is a
page the role may not open (403, 404 or a redirect). One failure lists every
offending page and snippet at once.
"""
import re
from collections import defaultdict

import pytest
from flask import url_for
from sqlalchemy import text

from community.extensions import db
from tests.browser.conftest import log_in
from tests.conftest import PG_URL, put_demo

WIDTHS = (360, 1280)

# What a user should never read: a code, a Python value or a machine timestamp.
RAW = (
    ("dotted code", re.compile(r"(?<![\w@./:-])[a-z][a-z_]+\.[a-z][a-z_]+(?![\w@/-]|\.\w)")),
    ("snake_case code", re.compile(r"(?<![\w@./:-])[a-z]+_[a-z_]*[a-z](?![\w@/-])")),
    ("Python value", re.compile(r"\b(?:None|True|False)\b")),
    ("Python value", re.compile(r"Decimal\(|datetime\.|\bdate\(")),
    ("ISO timestamp", re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|\d\d:\d\d:\d\d\.\d+|[+-]00:00\b")),
    ("template left-over", re.compile(r"\{\{|\}\}|\{%|%\(\w+\)")),
)
# A dotted word that is a file name or an address, not a code.
FILE_NAME = re.compile(r"\.(xlsx|pdf|ics|png|zip|csv|svg|jpg|jpeg|json|html|com|cn|org|net)$")


def line_of(visible, match):
    """The stripped line of text a match is on."""
    start = visible.rfind("\n", 0, match.start()) + 1
    end = visible.find("\n", match.end())
    return visible[start:end if end >= 0 else len(visible)].strip()


def raw_codes(visible, english=False):
    """The snippets of visible text that are codes, each with what it is (in English,
    "None" on a line of its own is the word, not Python's value)."""
    found = []
    for what, pattern in RAW:
        for match in pattern.finditer(visible):
            if what == "dotted code" and FILE_NAME.search(match.group()):
                continue
            if english and match.group() == "None" and line_of(visible, match) == "None":
                continue
            start, end = max(match.start() - 20, 0), min(match.end() + 20, len(visible))
            context = visible[start:end].replace("\n", " ⏎ ")
            found.append(f"{what} {match.group()!r} in …{context}…")
    return found


# --- the pages: every GET endpoint, its ids filled from the demo community ----------

SKIPPED = {"static"}

# One value per URL argument (an endpoint can name its own), read from the demo's rows.
ARGUMENTS = {
    "tenant_id": "SELECT tenant_id FROM \"user\" WHERE username = 'founder'",
    "user_id": "SELECT id FROM \"user\" WHERE username = 'founder'",
    "zone_id": "SELECT min(id) FROM zone",
    "desk_id": "SELECT desk_id FROM desk_assignment GROUP BY desk_id "
               "ORDER BY count(*) DESC, desk_id LIMIT 1",
    "attachment_id": "SELECT min(id) FROM attachment",
    "owner_type": "SELECT owner_type FROM attachment ORDER BY id LIMIT 1",
    "owner_id": "SELECT owner_id FROM attachment ORDER BY id LIMIT 1",
    "pack_id": "SELECT min(id) FROM report_pack",
    "room_id": "SELECT min(id) FROM room",
    "booking_id": "SELECT min(id) FROM booking",
    "token": "SELECT min(token) FROM tenant_feed",
    "booking.door/token": "SELECT door_token FROM room ORDER BY id LIMIT 1",
    "booking.room_feed_private/token": "SELECT feed_token FROM room ORDER BY id LIMIT 1",
    # the published event with the most people registered: its pages have the most to show
    "event_id": "SELECT e.id FROM event e JOIN registration r ON r.event_id = e.id "
                "WHERE e.status = 'published' GROUP BY e.id ORDER BY count(*) DESC, e.id LIMIT 1",
    "registration_id": "SELECT min(r.id) FROM registration r WHERE r.event_id = :event_id",
    "secret": "SELECT secret FROM registration WHERE event_id = :event_id "
              "AND secret IS NOT NULL ORDER BY id LIMIT 1",
    "scenario_id": "SELECT scenario_id FROM scenario_stage GROUP BY scenario_id "
                   "ORDER BY count(*) DESC, scenario_id LIMIT 1",
    "activity_id": "SELECT min(id) FROM sourcing_activity",
    "amenity_id": "SELECT min(id) FROM amenity",
    "bill_id": "SELECT min(id) FROM bill",
    "category_id": "SELECT min(id) FROM service_category",
    "meeting_id": "SELECT min(id) FROM match_meeting",
    "need_id": "SELECT min(id) FROM financing_need",
    "product_id": "SELECT min(id) FROM finance_product",
    "provider_id": "SELECT provider_id FROM bill GROUP BY provider_id "
                   "ORDER BY count(*) DESC, provider_id LIMIT 1",
    "request_id": "SELECT min(id) FROM service_request WHERE tenant_id = :tenant_id",
}


def venue_code(event_id):
    """The code the event's screen shows this minute (valid for about a minute)."""
    from events.checkin import venue_code as code
    from events.views import venue_key
    from datetime import datetime, timezone
    return code(venue_key(), event_id, datetime.now(timezone.utc))


def page_paths(app):
    """Every GET page of the app as (endpoint, path or a callable giving the path)."""
    with app.app_context():
        values = {}
        for name in ("tenant_id", "event_id"):
            values[name] = db.session.scalar(text(ARGUMENTS[name]))
        for name, sql in ARGUMENTS.items():
            if name not in values:
                values[name] = db.session.scalar(text(sql), values)
        db.session.remove()
    paths = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in SKIPPED:
            continue
        args = {a: values.get(f"{rule.endpoint}/{a}", values.get(a)) for a in rule.arguments
                if a != "code"}
        if any(v is None for v in args.values()):
            paths.append((rule.endpoint, None))  # the demo has no such row
            continue

        def build(endpoint=rule.endpoint, args=args, code="code" in rule.arguments):
            with app.test_request_context():
                extra = {"code": venue_code(args["event_id"])} if code else {}
                return url_for(endpoint, **args, **extra)
        paths.append((rule.endpoint, build))
    return paths


@pytest.fixture
def demo(live_app, demo_snapshot):
    put_demo(live_app, demo_snapshot)


def walk(page, paths, who, problems, english=False):
    """Visit each path a role can open, at each width; return the endpoints it opened."""
    opened = []
    for endpoint, build in paths:
        if build is None:
            continue
        path = build()
        page.set_viewport_size({"width": WIDTHS[0], "height": 780})
        try:
            response = page.goto(path)
        except Exception as error:  # noqa: BLE001 - a download is no page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or response.status != 200 or response.request.redirected_from:
            continue  # the role may not open it (or it is not here for it)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # JSON, an image, a feed: not a page
        opened.append(endpoint)
        for width in WIDTHS:
            if width != WIDTHS[0]:
                page.set_viewport_size({"width": width, "height": 900})
            scroll = page.evaluate("document.documentElement.scrollWidth")
            inner = page.evaluate("window.innerWidth")
            if scroll > inner:
                problems[f"{who} {path} at {width} px"].append(
                    f"is {scroll} px wide: {widest(page, inner)}")
            for found in raw_codes(page.evaluate("document.body.innerText"), english):
                if found not in problems[f"{who} {path}"]:
                    problems[f"{who} {path}"].append(found)
    return opened


WIDEST = """(inner) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > inner + 1 && r.width > 0) {
      const parent = el.parentElement && el.parentElement.getBoundingClientRect();
      if (!parent || parent.right <= inner + 1) out.push(
        el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
          ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' → ' + Math.round(r.right));
    }
  }
  return out.slice(0, 4).join(', ');
}"""


def widest(page, inner):
    """The outermost elements that stick out past the viewport (what to fix)."""
    return page.evaluate(WIDEST, inner)


def report(problems):
    return "\n".join(f"{where}:\n    " + "\n    ".join(found)
                     for where, found in sorted(problems.items()) if found)


@pytest.mark.skipif(bool(PG_URL), reason="what a page shows and how wide it is does not "
                    "depend on the database: walked on SQLite (the pages' queries run in "
                    "the suite on both)")
def test_every_page_fits_a_phone_and_a_desk_and_shows_no_codes(new_page, live_app, demo):
    paths = page_paths(live_app)
    problems = defaultdict(list)
    opened = {}
    for who, password in (("staff", "staff-demo-pass"), ("admin", "admin-demo-pass"),
                          ("founder", "founder-demo-pass"),
                          ("assessor", "assessor-demo-pass")):
        page = new_page()
        log_in(page, who, password)
        opened[who] = walk(page, paths, who, problems)
    # An attendee: the event page, a ticket, the self check-in page (and the login).
    opened["attendee"] = walk(new_page(), paths, "attendee", problems)
    # English: the staff pages once more.
    page = new_page()
    log_in(page, "staff", "staff-demo-pass")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    staff_pages = [(e, b) for e, b in paths if e in set(opened["staff"])]
    opened["staff (English)"] = walk(page, staff_pages, "staff (English)", problems,
                                       english=True)

    assert report(problems) == "", "pages that scroll sideways or show codes:\n" + report(problems)
    # The walk really walked: each role opened its pages, the attendee the public ones.
    assert {"community.dashboard", "community.tenants", "community.desk_detail",
            "booking.room_day", "events.detail", "services.queue",
            "scenarios.board"} <= set(opened["staff"])
    assert {"community.settings", "community.users", "community.audit_log"} <= set(opened["admin"])
    assert {"community.tenant_detail", "booking.rooms", "services.mine"} <= set(opened["founder"])
    assert {"community.dashboard", "community.audit_log"} <= set(opened["assessor"])
    assert {"events_public.event_page", "events_public.ticket", "events_public.here",
            "community.login"} <= set(opened["attendee"])
    assert len(opened["staff (English)"]) == len(opened["staff"])


@pytest.fixture
def lead(live_app):
    """A community lead (admin): the role that sees the whole menu."""
    from community.models import User
    from tests.conftest import PASSWORD
    with live_app.app_context():
        user = User(username="lead-browser", name="浏览器测试负责人", role="admin")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        db.session.remove()
    return "lead-browser"


def menu_links(page):
    return page.eval_on_selector_all(
        "#mainnav a", "links => links.filter(a => a.offsetParent !== null)"
                      ".map(a => a.getAttribute('href'))")


def test_on_a_phone_the_header_is_one_line_and_the_menu_opens_on_demand(new_page, lead):
    desk = new_page()
    log_in(desk, lead)
    at_desk = menu_links(desk)
    assert {"/", "/tenants", "/settings", "/users", "/audit", "/holidays"} <= set(at_desk)

    phone = new_page(viewport={"width": 390, "height": 844})
    log_in(phone, lead)
    header = phone.locator("header.topbar")
    assert header.bounding_box()["height"] <= 64  # brand, 菜单 and the account on one line
    assert phone.get_by_role("button", name="退出").is_visible()
    assert menu_links(phone) == []  # folded away until asked for

    # Opened from the keyboard (Tab to 菜单, Space): every link of the desk's menu is there.
    phone.focus("#menu-open")
    phone.keyboard.press("Space")
    opened = menu_links(phone)
    assert set(at_desk) <= set(opened)
    assert "/password" in opened  # the account's other link moves into the menu
    assert phone.get_by_role("checkbox", name="菜单").is_checked()
    phone.get_by_text("菜单", exact=True).click()  # and it folds again
    assert menu_links(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
