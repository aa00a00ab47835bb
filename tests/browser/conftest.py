"""Browser fixtures: the real app served on 127.0.0.1 (CSRF on, a fresh migrated
database per test) and headless Debian Chromium driven by Playwright.

Chromium is never downloaded: CHROMIUM_PATH (default /usr/bin/chromium) is used.
Without it the browser tests are skipped, or fail when REQUIRE_BROWSER=1 (CI).
"""
import os
import shutil
import threading
import traceback
from dataclasses import dataclass

import pytest
from flask import got_request_exception
from werkzeug.serving import make_server

from app import create_app, db
from community.models import User
from tests.conftest import PASSWORD, PG_URL, _truncate_all

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STAFF_USERNAME = "staff-browser"
STAFF_PASSWORD = PASSWORD
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class Staff:
    username: str
    password: str
    name: str


@pytest.fixture
def live_app(migrated, tmp_path):
    """The app on its own fresh migrated database, CSRF protection left on."""
    if PG_URL:
        uri = PG_URL
    else:
        shutil.copy(migrated, tmp_path / "live.sqlite3")
        uri = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "browser-test-secret",
                      "SESSION_COOKIE_SECURE": False,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads"),
                      "SQLALCHEMY_DATABASE_URI": uri})
    assert app.config.get("WTF_CSRF_ENABLED", True), "browser tests need real CSRF tokens"
    yield app
    with app.app_context():
        db.session.remove()
        if PG_URL:
            _truncate_all()
        db.engine.dispose()


@pytest.fixture
def staff(live_app):
    """A staff user with a known password, made directly through the models."""
    with live_app.app_context():
        user = User(username=STAFF_USERNAME, name="浏览器测试运营", role="staff")
        user.set_password(STAFF_PASSWORD)
        db.session.add(user)
        db.session.commit()
        db.session.remove()
    return Staff(STAFF_USERNAME, STAFF_PASSWORD, "浏览器测试运营")


@pytest.fixture
def live_server(live_app, staff):
    """Serve the app on 127.0.0.1:<free port> in a background thread; yield its base URL.

    An exception inside a request (a 500 in the browser; with filterwarnings=error
    a warning counts) fails the test at teardown with the server's own traceback.
    """
    errors = []

    def on_exception(sender, exception, **extra):
        errors.append(exception)

    got_request_exception.connect(on_exception, live_app, weak=False)
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        got_request_exception.disconnect(on_exception, live_app)
    if errors:
        pytest.fail("the live server raised during the test:\n" + "\n".join(
            "".join(traceback.format_exception(e)) for e in errors), pytrace=False)


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
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
