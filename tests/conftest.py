"""Fixtures: an app on a migrated database (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set), a client, a login helper, make_* factories, a live
server and `race`, which every concurrency test uses to start its racers."""
import itertools
import os
import shutil
import threading
import traceback
from dataclasses import dataclass
from datetime import date

import pytest
from flask import g, got_request_exception
from flask_migrate import upgrade
from sqlalchemy import text
from stdnum.cn import uscc as stdnum_uscc
from werkzeug.serving import make_server

from app import create_app
from community.extensions import db
from community import chain, rules
from community.models import User
from services.catalogue import ensure_catalogue

PG_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "correct-horse-battery"


def base_config(tmp_path, uri):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
            "UPLOAD_FOLDER": str(tmp_path / "uploads")}


@pytest.fixture(scope="session")
def migrated(tmp_path_factory):
    """Migrate once per run: a template SQLite file, or the PostgreSQL test database."""
    tmp = tmp_path_factory.mktemp("template")
    uri = PG_URL or f"sqlite:///{tmp / 'template.sqlite3'}"
    app = create_app(base_config(tmp, uri))
    with app.app_context():
        if PG_URL:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return None if PG_URL else tmp / "template.sqlite3"


def _truncate_all():
    """Empty every table, then put back the rows a migration seeds (the built-in
    service catalogue), so each test starts from a freshly migrated database."""
    # DELETE only the tables a test wrote, dependents first, then restart the sequences
    # it moved: a TRUNCATE of all 46 tables cost 0.65 s a test, ten minutes a run.
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        written = {row[0] for row in conn.execute(text(" UNION ALL ".join(
            f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in tables)))}
        for name in (name for name in tables if name in written):
            conn.execute(text(f'DELETE FROM "{name}"'))
        conn.execute(text(
            "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) "
            "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"))
    ensure_catalogue(db.session)
    chain.backfill(db.session)  # the audit chain's head row, as the migration makes it
    db.session.commit()
    db.session.remove()


@pytest.fixture(scope="session")
def demo_snapshot(migrated, tmp_path_factory):
    """The demo community, loaded once a run as `flask demo` loads it (20 seconds of
    rules at work): every table's rows and the folder of files it uploaded."""
    from community.demo import load_demo
    from community.registry import registry
    from community.web import today
    tmp = tmp_path_factory.mktemp("demo")
    if PG_URL:
        uri = PG_URL
    else:
        shutil.copy(migrated, tmp / "demo.sqlite3")
        uri = f"sqlite:///{tmp / 'demo.sqlite3'}"
    app = create_app(base_config(tmp, uri))
    with app.app_context():
        assert load_demo(db.session, registry().demo_loaders, today(),
                         app.config["UPLOAD_FOLDER"])
        db.session.commit()
        with db.engine.connect() as conn:
            tables = [(table, [row._asdict() for row in conn.execute(table.select())])
                      for table in db.metadata.sorted_tables]
        db.session.remove()
        if PG_URL:
            _truncate_all()
        db.engine.dispose()
    return tables, tmp / "uploads"


def put_demo(app, snapshot):
    """Write the run's demo (demo_snapshot) into an app's fresh database and upload
    folder, row for row: ids and the audit chain as the load made them."""
    tables, uploads = snapshot
    with app.app_context(), db.engine.begin() as conn:
        for table, _ in reversed(tables):  # the rows a migration seeds, dependents first
            conn.execute(table.delete())
        for table, rows in tables:
            if rows:
                conn.execute(table.insert(), rows)
        if PG_URL:  # the next id of each table follows the rows written with their ids
            for table, rows in tables:
                if "id" in table.c and table.c.id.primary_key and rows:
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f"(SELECT MAX(id) FROM \"{table.name}\"))"))
    if uploads.exists():
        shutil.copytree(uploads, app.config["UPLOAD_FOLDER"], dirs_exist_ok=True)


@pytest.fixture
def demo(app, demo_snapshot):
    """The demo community in this test's database, as `flask demo` loads it."""
    put_demo(app, demo_snapshot)
    return app


@pytest.fixture
def app_config():
    """Override to change the app's configuration for one test module."""
    return {}


@pytest.fixture
def app(migrated, tmp_path, app_config):
    if PG_URL:
        uri = PG_URL
    else:
        shutil.copy(migrated, tmp_path / "db.sqlite3")
        uri = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    app = create_app(base_config(tmp_path, uri) | app_config)
    with app.app_context():
        yield app
        db.session.remove()
        if PG_URL:
            _truncate_all()
        db.engine.dispose()


@pytest.fixture
def other_app(migrated, tmp_path):
    """A second app on a second fresh SQLite database, for "the same again gives the
    same" tests (PostgreSQL has one test database: those tests run on SQLite)."""
    if PG_URL:
        pytest.skip("one PostgreSQL test database: shown on SQLite")
    shutil.copy(migrated, tmp_path / "other.sqlite3")
    other = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'other.sqlite3'}"))
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_numbers = itertools.count(1)


def valid_uscc(n=None):
    """A USCC with a correct check character, distinct per call."""
    n = next(_numbers) if n is None else n
    body = f"915001120{n:08d}"
    return body + stdnum_uscc.calc_check_digit(body)


@pytest.fixture
def make_user(app):
    def make(role="staff", username=None, tenant=None):
        user = User(username=username or f"{role}{next(_numbers)}", name=f"{role} user",
                    role=role, tenant_id=tenant.id if tenant else None)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user
    return make


@pytest.fixture
def login(client, make_user, make_tenant):
    """Log the test client in as a new user of a role (a member gets a tenant),
    replacing whoever was logged in."""
    def do(role="staff", tenant=None):
        if role == "member" and tenant is None:
            tenant = make_tenant()
        user = make_user(role, tenant=tenant)
        with client.session_transaction() as session:
            session.clear()
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        # Requests share the fixture's app context, so forget the user Flask-Login cached.
        g.pop("_login_user", None)
        return user
    return do


def tenant_data(**overrides):
    """A resident one-person company (its licence facts make it an OPC by the rule)."""
    return {"name": "重庆测试科技有限公司", "uscc": valid_uscc(), "legal_rep": "张三",
            "phone": "13800138000", "email": "", "sector": "数字内容",
            "relationship_kind": "resident", "founded_on": date(2025, 3, 1),
            "moved_in_on": date(2025, 9, 1), "moved_out_on": None, "closed_on": None,
            "company_type": "有限责任公司（自然人独资）", "registered_capital": "10",
            "investors": 1} | overrides


def make_tenant_row(**overrides):
    """A tenant saved through the rules (the caller commits)."""
    tenant = rules.save_tenant(db.session, None, tenant_data(**overrides), date.today())
    db.session.flush()
    return tenant


@pytest.fixture
def make_tenant(app):
    def make(**overrides):
        tenant = make_tenant_row(**overrides)
        db.session.commit()
        return tenant
    return make


@pytest.fixture
def make_member(app, make_tenant):
    def make(tenant=None, name="李四"):
        member = rules.add_member(db.session, None, tenant or make_tenant(), name)
        db.session.commit()
        return member
    return make


def zone_data(**overrides):
    return {"floor": "2F", "name": f"开放工位区{next(_numbers)}", "kind": "open_desk",
            "area_m2": "500", "capacity": 60, "bookable": False,
            "in_service_on": date(2025, 9, 1), "out_of_service_on": None} | overrides


@pytest.fixture
def make_zone(app):
    def make(**overrides):
        zone = rules.save_zone(db.session, None, zone_data(**overrides))
        db.session.commit()
        return zone
    return make


@pytest.fixture
def make_desks(app, make_zone):
    def make(count=3, prefix=None, zone=None, zero_rent=True, in_service_on=date(2025, 9, 1)):
        desks = rules.bulk_create_desks(db.session, None, zone or make_zone(),
                                        prefix or f"T{next(_numbers)}", 1, count, zero_rent,
                                        in_service_on)
        db.session.commit()
        return desks
    return make


# --- racers: many callers at the same moment --------------------------------------

RACE_TIMEOUT = 120  # seconds a racer may take before the race is declared hung


class Outcomes(list):
    """What each racer ended with, in the order the racers were given: the value
    it returned, or the exception (of a type the test expected) it raised."""

    @property
    def errors(self):
        return [o for o in self if isinstance(o, BaseException)]

    def codes(self):
        """Each outcome as a refusal's code, or the value itself: what tests sort and compare."""
        return [getattr(o, "code", o) if isinstance(o, BaseException) else o for o in self]


@pytest.fixture
def race():
    """Run callables at the same moment and return their `Outcomes`.

    `race(*callables)` runs each once; `race(fn, times=n)` runs n copies of fn.
    Every racer gets its own thread; a barrier releases them together. With
    `app=`, each runs in its own app context (so its own database session,
    removed afterwards: what it did not commit is rolled back).

    An exception of a type in `expect` is an outcome; any other exception, a
    racer still running after RACE_TIMEOUT or a barrier that never opened fails
    the test with each racer's traceback: a race never loses an error.
    """
    def run(*callables, times=None, expect=(), app=None, timeout=RACE_TIMEOUT):
        if times is not None:
            assert len(callables) == 1, "times= copies one callable"
            callables = callables * times
        assert len(callables) >= 2, "a race needs at least two racers"
        barrier = threading.Barrier(len(callables))
        outcomes = [None] * len(callables)
        failures = []

        def racer(index, fn):
            try:
                barrier.wait(timeout=timeout)
                if app is None:
                    outcomes[index] = fn()
                    return
                with app.app_context():
                    try:
                        outcomes[index] = fn()
                    finally:
                        db.session.remove()
            except BaseException as exc:  # noqa: BLE001 - every error is kept, none lost
                if expect and isinstance(exc, expect):
                    outcomes[index] = exc
                else:
                    failures.append((index, exc))

        threads = [threading.Thread(target=racer, args=(n, fn), name=f"racer-{n}", daemon=True)
                   for n, fn in enumerate(callables)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)
        hung = [t.name for t in threads if t.is_alive()]
        if hung or failures:
            pytest.fail("the race went wrong:\n" + (f"still running: {hung}\n" if hung else "")
                        + "\n".join(f"racer {n}:\n" + "".join(traceback.format_exception(exc))
                                    for n, exc in sorted(failures, key=lambda f: f[0])),
                        pytrace=False)
        return Outcomes(outcomes)
    return run


# --- a real server on 127.0.0.1, for browser journeys and concurrency tests -------

STAFF_USERNAME = "staff-browser"


@dataclass
class Staff:
    username: str
    password: str
    name: str


@pytest.fixture
def redis_url(tmp_path):
    """A real redis-server on a free port, for this test only."""
    from tests.servers import redis_server
    with redis_server(tmp_path) as url:
        yield url


@pytest.fixture
def live_app(migrated, tmp_path, app_config):
    """The app on its own fresh migrated database, CSRF protection left on."""
    if PG_URL:
        uri = PG_URL
    else:
        shutil.copy(migrated, tmp_path / "live.sqlite3")
        uri = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "browser-test-secret",
                      "SESSION_COOKIE_SECURE": False,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads"),
                      "SQLALCHEMY_DATABASE_URI": uri} | app_config)
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
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        db.session.remove()
    return Staff(STAFF_USERNAME, PASSWORD, "浏览器测试运营")


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
