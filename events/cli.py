"""Commands of the events package: `flask --app app events purge [--older-than-days N]`."""
import click
from flask import current_app
from flask.cli import AppGroup

from community.extensions import db
from community.dbsetup import utcnow
from community.messages import message
from community.refusals import Refused
from events.attendees import purge_personal_data

events_cli = AppGroup("events", help="Events: retention of attendees' personal data.")


@events_cli.command("purge")
@click.option("--older-than-days", type=int, default=None,
              help="after the keep-until date, purge events that ended more than N days "
                   "ago (at least 30; default EVENTS_RETENTION_DAYS, 365)")
def purge_command(older_than_days):
    """Remove attendees' personal data (name, mobile, email, organisation, ticket) of
    finished events. Registrations, check-in times and tenant links stay, so every
    count and the served records stay.

    \b
    The rule:
    - Nothing is removed on or before the keep-until date of the settings
      (设置 → 参会人个人信息保留至; by default the end of the implementation
      period plus six months): the acceptance review may ask for the sign-in
      names of the whole period. Before that date the command refuses, removes
      nothing and exits with status 1.
    - After it, an event's personal data is removed once the event ended more
      than N days ago (--older-than-days).
    """
    days = older_than_days if older_than_days is not None else \
        current_app.config["EVENTS_RETENTION_DAYS"]
    try:
        events, registrations = purge_personal_data(db.session, None, utcnow(), days)
    except Refused as exc:
        db.session.rollback()
        if exc.code == "purge_days_invalid":
            raise click.BadParameter(message(exc.code), param_hint="--older-than-days") \
                from None
        raise click.ClickException(message(exc.code, **exc.params)) from None
    db.session.commit()
    click.echo(f"purged personal data of {registrations} registrations in {events} events "
               f"that ended more than {days} days ago")


def register(app):
    app.cli.add_command(events_cli)
