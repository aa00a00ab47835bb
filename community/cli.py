"""Commands: create-user, demo, ledger export, backup. Each commits once at its end."""
import sqlite3

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from community.extensions import db
from community.export import write_workbook
from community.messages import message
from community.permissions import ROLES
from community.periods import Period
from community.registry import registry
from community.refusals import Refused
from community.settings import current_settings, targets
from community.web import today


def register(app):
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(ledger)
    app.cli.add_command(backup_command)
    app.cli.add_command(audit_group)


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--name", default="")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--tenant-id", type=int, default=None, help="the tenant of a member")
@click.password_option()
@with_appcontext
def create_user_command(username, name, role, tenant_id, password):
    """Create a user account."""
    from community.users import create_user
    try:
        create_user(db.session, None, username, name or username, role, password, tenant_id)
    except Refused as exc:
        for field, code in getattr(exc, "errors", {"": exc.code}).items():
            click.echo(f"{field}: {message(code)}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"created {role} {username}")


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the demo community (deterministic; does nothing if it is already there)."""
    from community.demo import load_demo
    made = load_demo(db.session, registry().demo_loaders, today(),
                     current_app.config["UPLOAD_FOLDER"])
    db.session.commit()
    if made and db.engine.dialect.name == "postgresql":
        # Fresh statistics, or the planner nested-loops over the new rows for a while.
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    click.echo("demo community loaded" if made else "demo community already present")


@click.group()
def ledger():
    """Ledger workbooks."""


@ledger.command("export")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--full", is_flag=True, help="unmasked phone numbers (for the admin)")
@with_appcontext
def export_command(start, end, out, full):
    """Write the ledger workbook for a period."""
    try:
        period = Period.make(start.date(), end.date(), today())
    except ValueError:
        raise click.BadParameter(message("period_invalid"), param_hint="--to") from None
    settings = current_settings(db.session)
    results = write_workbook(db.session, registry(), targets(db.session), period, out,
                             community_name=settings.name, full=full,
                             tz_name=settings.timezone)
    for r in results:
        if r.indicator is None:
            click.echo(f"{r.code} {r.title_zh}: 未建立台账")
            continue
        click.echo(f"{r.code} {r.title_zh}: {r.actual} / "
                   f"{r.indicator.target_text or (r.target if r.target is not None else '—')}")
    click.echo(f"written {out}")


@click.group("audit")
def audit_group():
    """The audit trail."""


@audit_group.command("verify")
@with_appcontext
def verify_command():
    """Walk the hash chain; name the first entry edited, deleted or inserted out of
    order and exit 1, else print the count and head hash."""
    from community import chain
    problem = chain.verify(db.session)
    if problem is not None:
        click.echo(f"audit trail broken: {problem.text}", err=True)
        raise SystemExit(1)
    count, head = chain.head_of(db.session)
    click.echo(f"audit trail intact: {count} entries, head {head or '—'}")


@click.command("backup")
@click.option("--out", type=click.Path(dir_okay=False), required=True)
@with_appcontext
def backup_command(out):
    """Copy the live SQLite database consistently (SQLite's online backup API)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            "backup is for SQLite; for PostgreSQL use pg_dump -Fc (see README)")
    source = sqlite3.connect(url.database)
    target = sqlite3.connect(out)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    click.echo(f"backup written to {out}")
