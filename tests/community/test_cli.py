"""Commands: create-user, demo, ledger export and backup."""
import hashlib
import sqlite3

import pandas as pd
import pytest
from sqlalchemy import func, select

from app import create_app
from community.extensions import db
from community.models import Desk, DeskAssignment, Tenant, User, Zone
from tests.conftest import PG_URL, base_config


def test_create_user(runner):
    result = runner.invoke(args=["create-user", "--username", "lead", "--role", "admin",
                                 "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.role).where(User.username == "lead")) == "admin"


def test_create_user_refuses_a_short_password(runner):
    result = runner.invoke(args=["create-user", "--username", "lead", "--role", "admin",
                                 "--password", "short"])
    assert result.exit_code == 1 and "新密码至少10位" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def fingerprint():
    """What the demo made, as one hash (ids, codes, dates, USCCs)."""
    rows = [db.session.execute(select(Tenant.uscc, Tenant.name, Tenant.moved_in_on)
                               .order_by(Tenant.id)).all(),
            db.session.execute(select(Desk.code, Desk.zero_rent).order_by(Desk.id)).all(),
            db.session.execute(select(DeskAssignment.desk_id, DeskAssignment.starts_on)
                               .order_by(DeskAssignment.id)).all()]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_demo_is_plausible_and_idempotent(demo, runner):
    first = fingerprint()  # the run's load of the demo; the command again adds nothing
    assert "already present" in runner.invoke(args=["demo"]).output
    assert fingerprint() == first
    area = db.session.scalar(select(func.sum(Zone.area_m2)))
    assert area >= 3000
    assert db.session.scalar(select(func.count()).select_from(Desk)) == 160
    assert db.session.scalar(select(func.count()).select_from(Desk).where(
        Desk.zero_rent.is_(True))) == 150
    assert db.session.scalar(select(func.count()).select_from(Tenant)) == 60
    assert {u.role for u in db.session.scalars(select(User))} == {
        "admin", "staff", "member", "assessor"}


def test_every_action_of_the_demo_reads_as_words(demo):
    """A year of every package's work: no action of the trail is left as a code."""
    from community.audit import describe
    from community.models import AuditEntry
    from community.registry import registry
    app = demo
    words = registry(app).audit_words
    actions = db.session.scalars(select(AuditEntry.action).distinct()).all()
    assert len(actions) > 30
    assert [a for a in actions if describe(a, words) == a] == []


def test_demo_is_deterministic(demo, request):
    first = fingerprint()  # the run's load of the demo, and a second load here:
    other = request.getfixturevalue("other_app")
    with other.app_context():
        assert "loaded" in other.test_cli_runner().invoke(args=["demo"]).output
        assert fingerprint() == first
        db.engine.dispose()


def test_ledger_export_command(demo, runner, tmp_path):
    out = tmp_path / "ledger.xlsx"
    result = runner.invoke(args=["ledger", "export", "--from", "2026-01-01", "--to",
                                 "2026-12-31", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "S1 实体运营空间: 3100.00 / 3000" in result.output
    sheets = pd.read_excel(out, sheet_name=None, dtype=str)
    assert len(sheets["入驻、服务企业台账"]) >= 50
    assert sheets["入驻、服务企业台账"]["联系电话"].str.contains(r"^\d{3}\*{4}\d{4}$").all()
    # The demo gives every package's every sheet rows for the year.
    # Every ledger has demo rows; the demo corrected nothing after a lock.
    assert [title for title, frame in sheets.items() if frame.empty] == ["锁定期后更正"]
    assert "G1 公共服务包: 6 / 6" in result.output


def test_ledger_export_refuses_a_reversed_period(runner, tmp_path):
    result = runner.invoke(args=["ledger", "export", "--from", "2026-12-31", "--to",
                                 "2026-01-01", "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "结束日期不能早于开始日期" in result.output
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.skipif(bool(PG_URL), reason="the backup command is for SQLite (pg_dump for PG)")
def test_backup_restores_to_the_same_workbook(demo, runner, tmp_path):
    period = ["--from", "2026-01-01", "--to", "2026-12-31"]
    runner.invoke(args=["ledger", "export", *period, "--out", str(tmp_path / "live.xlsx")])
    result = runner.invoke(args=["backup", "--out", str(tmp_path / "backup.sqlite3")])
    assert result.exit_code == 0, result.output
    check = sqlite3.connect(tmp_path / "backup.sqlite3")
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()
    restored = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'backup.sqlite3'}"))
    with restored.app_context():
        restored.test_cli_runner().invoke(args=["ledger", "export", *period, "--out",
                                                str(tmp_path / "restored.xlsx")])
        db.session.remove()
        db.engine.dispose()
    live = pd.read_excel(tmp_path / "live.xlsx", sheet_name=None)
    again = pd.read_excel(tmp_path / "restored.xlsx", sheet_name=None)
    assert list(live) == list(again)
    for name in live:
        pd.testing.assert_frame_equal(live[name], again[name])
