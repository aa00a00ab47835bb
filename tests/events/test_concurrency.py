"""A crowd at the door: many scanners reading one ticket at the same moment make
exactly one check-in, through the rules and through a real HTTP server."""
import json
import threading
import urllib.error
import urllib.request
from datetime import timedelta

from sqlalchemy import func, select

from community.extensions import db
from community.dbsetup import begin_write, utcnow
from community.models import AuditEntry
from events import checkin, rules
from events.models import Event, Registration
from tests.events.conftest import event_data, person

SCANNERS = 24


def check_ins_recorded():
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "registration.checked_in"))


def test_simultaneous_scans_of_one_ticket_check_in_once(app, make_event, make_registration):
    event_id = make_event().id
    secret = make_registration(db.session.get(Event, event_id)).secret
    db.session.commit()  # end this thread's read snapshot before the scanners write
    barrier = threading.Barrier(SCANNERS)
    outcomes = []

    def scan(n):
        with app.app_context():
            session = db.session
            try:
                barrier.wait()
                begin_write(session)
                checkin.check_in(session, event_id, secret=secret,
                                 method="device", now=utcnow(), nonce=f"scanner-{n}")
                session.commit()
                outcomes.append("ok")
            except checkin.CheckinRefused as exc:
                session.rollback()
                outcomes.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scan, args=(n,)) for n in range(SCANNERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already_checked_in"] * (SCANNERS - 1) + ["ok"]
    assert check_ins_recorded() == 1


def test_simultaneous_http_scans_through_the_live_server(live_server, live_app):
    with live_app.app_context():
        now = utcnow()
        event = rules.save_event(db.session, None, event_data(
            starts_at=now + timedelta(hours=1)), now)
        rules.publish_event(db.session, None, event, now)
        registration, _ = rules.register(db.session, event, person(), now)
        _device, token = checkin.create_device(db.session, None, "门口扫码枪", now)
        db.session.commit()
        event_id, secret = event.id, registration.secret
        db.session.remove()
    barrier = threading.Barrier(SCANNERS)
    answers = []

    def scan(n):
        body = json.dumps({"code": f"{live_server}/t/{secret}", "nonce": f"n{n}"}).encode()
        request = urllib.request.Request(
            f"{live_server}/api/v1/events/{event_id}/checkins", data=body, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answers.append(json.load(response))
        except urllib.error.HTTPError as exc:  # pragma: no cover - shown on failure
            answers.append({"status": "http", "reason": exc.code})

    threads = [threading.Thread(target=scan, args=(n,)) for n in range(SCANNERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reasons = sorted(a["reason"] or "ok" for a in answers)
    assert reasons == ["already_checked_in"] * (SCANNERS - 1) + ["ok"]
    with live_app.app_context():
        assert check_ins_recorded() == 1
        assert db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.checked_in_at.is_not(None))) == 1
        db.session.remove()
