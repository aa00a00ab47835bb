"""Commands of the events package: `flask --app app events purge --older-than-days N`."""
import click
from flask import current_app
from flask.cli import AppGroup

from community.extensions import db
from community.dbsetup import utcnow
from community.messages import message
from community.refusals import Refused
from events.rules import purge_personal_data

events_cli = AppGroup("events", help="Events: retention of attendees' personal data.")


@events_cli.command("purge")
@click.option("--older-than-days", type=int, default=None,
              help="events that ended more than N days ago (default EVENTS_RETENTION_DAYS)")
def purge_command(older_than_days):
    """Remove attendees' personal data of old events; the counts stay."""
    days = older_than_days if older_than_days is not None else \
        current_app.config["EVENTS_RETENTION_DAYS"]
    try:
        events, registrations = purge_personal_data(db.session, None, utcnow(), days)
    except Refused as exc:
        raise click.BadParameter(message(exc.code), param_hint="--older-than-days") from None
    db.session.commit()
    click.echo(f"purged personal data of {registrations} registrations in {events} events "
               f"that ended more than {days} days ago")


def register(app):
    app.cli.add_command(events_cli)
