"""The structure every package stands on, guarded: the rules import without the
app, nothing imports `app`, each app keeps its own registry, the registry refuses
a second owner of anything, the ledger sheets follow the bang, and `race` really
starts its racers together and loses no error."""
import ast
import subprocess
import sys
import threading
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app import PACKAGES, create_app
from community.export import CORRECTIONS_TITLE, COVER_TITLE, sheet_name, write_workbook
from community.extensions import db
from community.models import User
from community.periods import period_for
from community.permissions import CORE_GRANTS, ROLES, can
from community.registry import (BANG, INDICATOR_ORDER, Indicator, NavItem, Registry, Sheet,
                                registry)
from community.settings import targets
from tests.conftest import base_config

ROOT = Path(__file__).resolve().parent.parent
# Where domain code lives: none of it may lean on the app on top.
DOMAIN = ("community", "booking", "events", "services", "scenarios")
# The decisions: plain functions, importable and testable without an app.
RULE_MODULES = ("community.rules", "community.served", "community.permissions",
                "community.validators", "booking.rules", "booking.hours", "events.rules",
                "events.checkin", "events.attendees", "community.opc", "community.holidays",
                "services.catalogue", "services.subsidies", "services.bills",
                "scenarios.matching")


def modules_under(*packages):
    return sorted(path for package in packages for path in (ROOT / package).rglob("*.py"))


def rules_modules():
    """The named rule modules, and any rules.py a package adds later."""
    named = {ROOT / (name.replace(".", "/") + ".py") for name in RULE_MODULES}
    return sorted(named | {p for p in modules_under(*DOMAIN) if p.name == "rules.py"})


def module_name(path):
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def imported_modules(path):
    """Every absolute module name a file imports, at any depth of its code."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


# --- imports ------------------------------------------------------------------------

PROBE = ("import importlib, sys\n"
         "for name in sys.argv[1:]: importlib.import_module(name)\n"
         "print('app' in sys.modules)")


def imports_the_app(*names):
    """Whether importing these modules, in a fresh interpreter (the venv's python, as
    the test runs), loads the module `app`."""
    run = subprocess.run([sys.executable, "-c", PROBE, *names], cwd=ROOT, text=True,
                         capture_output=True, timeout=120)
    assert run.returncode == 0, f"importing {names} failed:\n{run.stderr}"
    return run.stdout.strip() == "True"


def test_the_rules_import_without_the_app():
    names = [module_name(p) for p in rules_modules()]
    assert set(RULE_MODULES) <= set(names)
    if imports_the_app(*names):  # one interpreter for all; on failure, name the culprits
        assert [name for name in names if imports_the_app(name)] == []
        pytest.fail("importing the rules together loads the app")


def test_no_domain_module_imports_the_app():
    offenders = [f"{path.relative_to(ROOT)} imports {module}"
                 for path in modules_under(*DOMAIN) for module in imported_modules(path)
                 if module == "app" or module.startswith("app.")]
    assert offenders == [], "the app sits on top; take db & co from community.extensions"


def test_rules_modules_do_not_import_flask():
    offenders = [f"{path.relative_to(ROOT)} imports {module}"
                 for path in rules_modules() for module in imported_modules(path)
                 if module.split(".")[0].startswith("flask")]
    assert offenders == [], "rules are plain functions: the actor and clock are parameters"


def test_the_scan_sees_the_modules_it_guards():
    """The checks above read real files (a renamed folder would make them pass vacuously)."""
    scanned = {module_name(p) for p in modules_under(*DOMAIN)}
    assert set(RULE_MODULES) <= scanned
    assert {"community.extensions", "booking.views", "events.views.public"} <= scanned


# --- one registry per app -----------------------------------------------------------

def snapshot(reg):
    """What a registry holds, as plain comparable values."""
    return {"grants": {role: set(p) for role, p in reg.grants.items()},
            "messages": set(reg.messages), "labels": set(reg.labels),
            "owners": set(reg.attachment_owners), "served": set(reg.served_sources),
            "indicators": [i.code for i in reg.indicators],
            "sheets": [s.title for s in reg.sheets], "nav": [n.endpoint for n in reg.nav],
            "demo": len(reg.demo_loaders), "attention": len(reg.attention)}


def user(role):
    return User(username=f"probe-{role}", name=role, role=role, active=True)


def test_two_apps_in_one_process_do_not_leak_into_each_other(tmp_path):
    config = base_config(tmp_path, f"sqlite:///{tmp_path / 'never-opened.sqlite3'}")
    first = create_app(config)
    pristine = snapshot(registry(first))
    reg = registry(first)
    reg.grant("member", "made_up_permission")
    reg.add_messages({"made_up_refusal": "虚构的拒绝"})
    reg.add_labels({"made_up_group": {"x": "虚构"}})
    reg.add_attachment_owner("made_up_owner", lambda _user, _id: True)
    reg.add_served_source("made_up_source", "虚构服务")
    reg.add_sheet(Sheet("虚构台账", "C1", (), lambda session, period: []))
    reg.add_nav(NavItem("community.dashboard", "虚构菜单", lambda _user: True))

    second = create_app(config)

    assert registry(second) is not registry(first)
    assert snapshot(registry(second)) == pristine, "the first app's additions leaked"
    for app in (first, second):
        for role in ROLES:
            assert CORE_GRANTS[role] <= registry(app).grants.get(role, set())
    member = user("member")
    with first.app_context():
        assert can(member, "made_up_permission")
        assert registry() is reg
    with second.app_context():
        assert not can(member, "made_up_permission")
        assert registry() is registry(second)
    for app in (first, second):  # the core's answers are the same in both
        with app.app_context():
            assert can(user("staff"), "edit") and not can(user("assessor"), "edit")
            assert not can(member, "view")


def test_each_package_plugs_in_through_the_registry(tmp_path):
    """Every package app.py names hands something to the registry, and the grants
    name only the four roles."""
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    reg = registry(app)
    assert PACKAGES[0].__name__ == "community", "the core makes the registry: it comes first"
    assert set(reg.grants) <= set(ROLES)
    for package in PACKAGES:
        source = getattr(package, "SERVED_SOURCE", None)
        assert source in reg.served_sources, f"{package.__name__} names no served source"


# --- the registry refuses a second owner ------------------------------------------

def indicator(code):
    return Indicator(code, "虚构指标", "Made-up", "个", lambda session, period: 0)


def test_the_registry_refuses_a_label_group_declared_twice():
    reg = Registry()
    reg.add_labels({"tenant_status": {"a": "甲"}})
    with pytest.raises(ValueError, match="tenant_status"):
        reg.add_labels({"tenant_status": {"b": "乙"}})
    assert reg.labels == {"tenant_status": {"a": "甲"}}


def test_a_refused_label_batch_adds_none_of_its_groups():
    reg = Registry()
    reg.add_labels({"taken": {"a": "甲"}})
    with pytest.raises(ValueError):
        reg.add_labels({"fresh": {"b": "乙"}, "taken": {"c": "丙"}})
    assert set(reg.labels) == {"taken"}


def test_the_registry_refuses_an_attachment_owner_declared_twice():
    reg = Registry()
    first = lambda _user, _id: True  # noqa: E731
    reg.add_attachment_owner("tenant", first)
    with pytest.raises(ValueError, match="tenant"):
        reg.add_attachment_owner("tenant", lambda _user, _id: False)
    assert reg.attachment_owners == {"tenant": first}


def test_the_registry_refuses_a_served_source_declared_twice():
    reg = Registry()
    reg.add_served_source("booking", "场地预约")
    with pytest.raises(ValueError, match="booking"):
        reg.add_served_source("booking", "另一个")
    assert reg.served_sources == {"booking": "场地预约"}


def test_the_registry_refuses_an_indicator_declared_twice():
    reg = Registry()
    reg.add_indicator(indicator("E1"))
    with pytest.raises(ValueError, match="E1"):
        reg.add_indicator(indicator("E1"))
    assert [i.code for i in reg.indicators] == ["E1"]


def test_the_registry_refuses_a_refusal_code_with_two_texts_and_keeps_the_batch_out():
    reg = Registry()
    mine = "已被预约"
    reg.add_messages({"slot_taken": mine})
    reg.add_messages({"slot_taken": mine})  # the same text again is no clash
    with pytest.raises(ValueError, match="slot_taken"):
        reg.add_messages({"brand_new": "新", "slot_taken": "别的说法"})
    assert reg.messages == {"slot_taken": mine}


def test_the_registry_refuses_a_sheet_under_an_unknown_indicator():
    reg = Registry()
    with pytest.raises(ValueError, match="无此指标"):
        reg.add_sheet(Sheet("无此指标", "Z9", (), lambda session, period: []))
    assert reg.sheets == []


def test_an_apps_registry_refuses_what_the_core_already_owns(tmp_path):
    reg = registry(create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}")))
    before = snapshot(reg)
    code = next(iter(reg.messages))
    for add in (lambda: reg.add_messages({code: "另一个说法"}),
                lambda: reg.add_labels({next(iter(reg.labels)): {}}),
                lambda: reg.add_attachment_owner("tenant", lambda _user, _id: True),
                lambda: reg.add_served_source("booking", "另一个"),
                lambda: reg.add_indicator(indicator("S1"))):
        with pytest.raises(ValueError):
            add()
    assert snapshot(reg) == before


# --- the ledger follows the bang ------------------------------------------------------

BANG_ORDER = ["P1", "S1", "S2", "S3", "S4", "G1", "E1", "C1"]


def rank(code):
    return INDICATOR_ORDER.index(code)


def test_the_registry_declares_the_bangs_order():
    assert [code for code, _zh, _en in BANG] == BANG_ORDER
    assert INDICATOR_ORDER[:len(BANG_ORDER)] == BANG_ORDER


def test_every_sheet_sits_under_a_known_indicator_in_the_bangs_order(app):
    reg = registry(app)
    known = {i.code for i in reg.indicators}
    assert reg.sheets, "no ledger sheet is registered"
    strays = [s.title for s in reg.sheets if s.indicator not in known]
    assert strays == [], "each sheet evidences an indicator some package provides"
    ranks = [rank(s.indicator) for s in reg.sheets]
    assert ranks == sorted(ranks), [(s.indicator, s.title) for s in reg.sheets]
    codes = [i.code for i in reg.indicators]
    assert [rank(c) for c in codes] == sorted(rank(c) for c in codes)


def test_the_workbook_has_the_cover_then_the_sheets_in_the_bangs_order(app):
    reg = registry(app)
    out = BytesIO()
    period = period_for("year", date(2026, 6, 30))
    write_workbook(db.session, reg, targets(db.session), period, out)
    out.seek(0)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ([COVER_TITLE] + [sheet_name(s.title) for s in reg.sheets]
                               + [CORRECTIONS_TITLE])
    cover = [row[0] for row in book[COVER_TITLE].iter_rows(min_row=4, values_only=True)]
    assert cover[:len(BANG_ORDER)] == BANG_ORDER
    book.close()


# --- the race fixture ---------------------------------------------------------------

def test_race_runs_its_racers_at_the_same_moment(race):
    """Each racer waits for all the others: only racers running together get through."""
    together = threading.Barrier(8)
    outcomes = race(lambda: together.wait(timeout=10) is not None, times=8)
    assert outcomes == [True] * 8


def test_race_returns_expected_refusals_in_order_and_fails_on_anything_else(race):
    def refuse(n):
        def run():
            if n % 2:
                raise LookupError(f"refused-{n}")
            return n
        return run

    outcomes = race(*[refuse(n) for n in range(4)], expect=LookupError)
    assert [str(o) if isinstance(o, LookupError) else o for o in outcomes] == [
        0, "refused-1", 2, "refused-3"]
    assert len(outcomes.errors) == 2

    def crash():
        raise ZeroDivisionError("a racer's own bug")

    with pytest.raises(pytest.fail.Exception, match="a racer's own bug"):
        race(crash, lambda: 1, expect=LookupError)


def test_each_connection_is_set_up_for_its_database(app):
    """SQLite: write-ahead log and foreign keys on; PostgreSQL: no JIT compiling (10 to
    20 ms of compiling a query over every firm at a large community, never repaid)."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        else:
            assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
