"""The events blueprints: the staff console (/events), the few public pages
(/e/…, /t/…) and the scanner devices' JSON API (/api/v1, events/API.md)."""
import hashlib
import time
import weakref
from datetime import datetime

from flask import Blueprint, current_app, g
from flask_babel import gettext as _

from community.extensions import db
from community.dbsetup import utcnow
from community.labels import label
from community.messages import message
from community.validators import mask_phone
from community.web import community_tz
from events.models import Event

bp = Blueprint("events", __name__, url_prefix="/events")
public_bp = Blueprint("events_public", __name__)
api_bp = Blueprint("events_api", __name__, url_prefix="/api/v1")


def now():
    """The clock the views pass to rules."""
    return utcnow()


def zone():
    """The community's zone, read once per request."""
    if "events_zone" not in g:
        g.events_zone = community_tz()
    return g.events_zone


_answer_zones = weakref.WeakKeyDictionary()  # app -> (zone, monotonic time it is kept till)


def answer_zone():
    """The zone of scanner answers' times: every scan needs it, so each process
    reads it from the settings at most once a minute (a zone change shows within one)."""
    app = current_app._get_current_object()
    cached = _answer_zones.get(app)
    if cached is None or time.monotonic() >= cached[1]:
        cached = _answer_zones[app] = (zone(), time.monotonic() + 60)
    return cached[0]


def local(value):
    """An aware UTC datetime in the community's zone."""
    return value.astimezone(zone()) if value else None


def aware(naive):
    """A datetime typed into a form (community time) as an aware datetime."""
    return naive.replace(tzinfo=zone()) if naive else None


def hhmm(value):
    return f"{value.astimezone(answer_zone()):%H:%M}" if value else ""


def venue_key():
    """The HMAC key of venue codes, derived from (never equal to) the app's secret."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode()
    return hashlib.sha256(b"opc-events-venue:" + secret).digest()


def published_event_or_404(event_id):
    """Public pages see published, held or cancelled events, never drafts."""
    event = db.session.get(Event, event_id)
    if event is None or event.status == "draft":
        from flask import abort
        abort(404)
    return event


COLOURS = {None: "ok", "already_checked_in": "warn"}


def attendee_json(scan):
    return {"id": scan.registration_id, "name": scan.name, "organisation": scan.organisation,
            "mobile": mask_phone(scan.mobile or ""), "tenant": scan.tenant_id is not None,
            "status": scan.status}


def scan_answer(scan=None, refused=None):
    """The one shape of a check-in answer: for the scanner page and the device API."""
    code = refused.code if refused is not None else None
    scan = scan if scan is not None else getattr(refused, "scan", None)
    at = scan.checked_in_at if scan is not None else None
    by = ""
    if at is not None:
        by = scan.by or str(_(label("checkin_method", scan.method)))
    if refused is None:
        text = _("签到成功：%(name)s", name=scan.name)
    elif code == "already_checked_in":
        text = message(code, at=hhmm(at), by=by)
    else:
        text = message(code, **refused.params)
    return {"status": "ok" if refused is None else "error", "reason": code,
            "colour": COLOURS.get(code, "bad"), "message": text,
            "attendee": attendee_json(scan) if scan is not None else None,
            "checked_in_at": at.isoformat() if at else None, "checked_in_by": by,
            "method": scan.method if scan is not None else None,
            "replayed": bool(scan is not None and scan.replayed)}


def iso_local(value):
    return local(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def parse_local(text):
    try:
        return aware(datetime.strptime(text, "%Y-%m-%dT%H:%M"))
    except (TypeError, ValueError):
        return None


from events.views import api, door, manage, public  # noqa: E402,F401
