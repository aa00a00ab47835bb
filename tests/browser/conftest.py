"""Browser fixtures: headless Debian Chromium driven by Playwright, against the
`live_server` of tests/conftest.py (CSRF on, a fresh migrated database per test).

Chromium is never downloaded: CHROMIUM_PATH (default /usr/bin/chromium) is used.
Without it the browser tests are skipped, or fail when REQUIRE_BROWSER=1 (CI).
"""
import os
import re

import pytest


CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}


def log_in(page, username, password=None):
    """Sign in through the login form (CSRF on) and wait for the user's home."""
    from tests.conftest import PASSWORD
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password or PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/(tenants/\d+)?$"))


def fits(page):
    """No horizontal scroll at the viewport's width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    return width <= page.viewport_size["width"]


def fits_phones(page):
    """The page fits 390 px and 360 px wide phones."""
    for viewport in (PHONE, SMALL_PHONE):
        page.set_viewport_size(viewport)
        page.reload()
        assert fits(page), f"{page.url} scrolls sideways at {viewport['width']} px"
    page.set_viewport_size(PHONE)


@pytest.fixture(scope="session")
def _playwright():
    if not os.path.exists(CHROMIUM_PATH):
        message = (f"Chromium not found at {CHROMIUM_PATH} (set CHROMIUM_PATH, or install "
                   "Debian's chromium package); browser tests cannot run")
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + " and REQUIRE_BROWSER=1", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    manager = sync_playwright()
    playwright = manager.start()
    try:
        yield playwright
    finally:
        playwright.stop()


@pytest.fixture(scope="session")
def browser(_playwright):
    """Headless Debian Chromium (never a Playwright download)."""
    browser = _playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True,
                                          args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open pages in fresh browser contexts (closed before the server stops)."""
    contexts = []

    def make(viewport=DESKTOP, **options):
        context = browser.new_context(viewport=viewport, base_url=live_server,
                                      accept_downloads=True, locale="zh-CN",
                                      timezone_id="Asia/Shanghai", **options)
        context.set_default_timeout(15_000)
        # The browser fetches the icon after the page's load event, so a test moving on
        # drops that connection mid-file and the development server leaves the file
        # open (a ResourceWarning, an error here): the icon is answered in the browser.
        context.route("**/favicon.svg", lambda route: route.fulfill(status=204))
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
