"""The scanner devices' JSON API (documented in events/API.md).

Each device sends its own token (``Authorization: Bearer …``); the API is exempt
from CSRF because no cookie authenticates it.
"""
from flask import abort, g, jsonify, request
from sqlalchemy import select

from community.extensions import db
from community.refusals import Refused
from community.web import bearer, commit
from events import checkin
from events.ledger import venue_of
from events.models import Event
from events.views import api_bp, attendee_json, now, scan_answer
from events.views.door import search


def _error(reason, status):
    response = jsonify({"status": "error", "reason": reason})
    response.status_code = status
    return response


@api_bp.url_value_preprocessor
def authenticate(endpoint, values):
    """Find the device by its token, or answer 401.

    A url_value_preprocessor runs before every before_request hook, so this read
    happens before community.web.start_write_transaction takes SQLite's write lock:
    at a crowded door every other scanner waits for that lock, so it is held for the
    check-in itself only (the bench showed the lookup inside it cost a quarter of the
    throughput). The read's transaction is then ended, so the write one begins
    IMMEDIATE as always; PostgreSQL has no such lock and keeps its transaction.
    On SQLite the read takes a pool connection of its own, past the session, and gives
    it back (its read transaction ended) before the write one begins on it.
    """
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    sqlite = db.engine.dialect.name == "sqlite"
    connection = db.engine.connect() if sqlite else db.session.connection()
    try:
        g.device = checkin.device_for_token(connection, token)
    except Refused as exc:
        g.device = None
        abort(_error(exc.code, 401))
    finally:
        if sqlite:
            connection.close()


def _event(event_id):
    return db.session.get(Event, event_id)


def _event_json(event):
    return {"id": event.id, "title": event.title, "status": event.status,
            "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat(),
            "venue": venue_of(event), "capacity": event.capacity}


@api_bp.route("/events")
@bearer
def events():
    """Events a door device may be working at: published, not ended more than 12 h ago."""
    from datetime import timedelta
    rows = db.session.scalars(select(Event).where(
        Event.status.in_(checkin.OPEN_STATUSES), Event.ends_at >= now() - timedelta(hours=12))
        .order_by(Event.starts_at).limit(50)).all()
    return jsonify({"status": "ok", "events": [_event_json(e) for e in rows]})


@api_bp.route("/events/<int:event_id>")
@bearer
def event(event_id):
    event = _event(event_id)
    if event is None:
        return _error("unknown_event", 404)
    return jsonify({"status": "ok", "event": _event_json(event),
                    "attendance": checkin.attendance(db.session, event.id)})


@api_bp.route("/events/<int:event_id>/checkins", methods=["POST"])
@bearer
def checkins(event_id):
    """Check in the ticket a device scanned: {"code": QR text, "nonce": per scan}."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not (data.get("code") or data.get("secret")):
        return _error("bad_request", 400)
    secret = checkin.secret_from_code(str(data.get("code") or data.get("secret")))
    return _check_in(event_id, data, secret=secret)


@api_bp.route("/events/<int:event_id>/registrations")
@bearer
def registrations(event_id):
    """Manual search on a device: by name, organisation or the mobile's last digits."""
    event = _event(event_id)
    if event is None:
        return _error("unknown_event", 404)
    rows = search(event, request.args.get("q", ""))
    return jsonify({"status": "ok", "registrations": [
        attendee_json(checkin.scan_of(r)) | {"checked_in_at": r.checked_in_at.isoformat()
                                             if r.checked_in_at else None} for r in rows]})


@api_bp.route("/events/<int:event_id>/registrations/<int:registration_id>/checkin",
              methods=["POST"])
@bearer
def checkin_by_id(event_id, registration_id):
    """Check in someone the device found by the manual search."""
    data = request.get_json(silent=True)
    return _check_in(event_id, data if isinstance(data, dict) else {},
                     registration_id=registration_id)


def _check_in(event_id, data, **which):
    nonce = str(data.get("nonce") or "")[:64] or None
    try:
        scan = checkin.check_in(db.session, event_id, method="device", now=now(),
                                device=g.device, nonce=nonce, **which)
    except checkin.CheckinRefused as exc:
        if exc.code == "unknown_event":
            return _error("unknown_event", 404)
        return jsonify(scan_answer(refused=exc))
    commit()  # first: the answer needs no database, so build it after the lock is gone
    return jsonify(scan_answer(scan))
