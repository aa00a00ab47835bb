"""A crowd at the door: many scanners reading one ticket at the same moment make
exactly one check-in, through the rules and through a real HTTP server."""
import json
import urllib.request
from datetime import timedelta
from functools import partial

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


def test_simultaneous_scans_of_one_ticket_check_in_once(app, make_event, make_registration,
                                                        race):
    event_id = make_event().id
    secret = make_registration(db.session.get(Event, event_id)).secret
    db.session.commit()  # end this thread's read snapshot before the scanners write

    def scan(n):
        session = db.session
        begin_write(session)
        checkin.check_in(session, event_id, secret=secret,
                         method="device", now=utcnow(), nonce=f"scanner-{n}")
        session.commit()
        return "ok"

    outcomes = race(*[partial(scan, n) for n in range(SCANNERS)], app=app,
                    expect=checkin.CheckinRefused)
    assert sorted(outcomes.codes()) == ["already_checked_in"] * (SCANNERS - 1) + ["ok"]
    assert check_ins_recorded() == 1


def test_simultaneous_http_scans_through_the_live_server(live_server, live_app, race):
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

    def scan(n):
        """One scanner's request; an HTTP error fails the race with its traceback."""
        body = json.dumps({"code": f"{live_server}/t/{secret}", "nonce": f"n{n}"}).encode()
        request = urllib.request.Request(
            f"{live_server}/api/v1/events/{event_id}/checkins", data=body, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)

    answers = race(*[partial(scan, n) for n in range(SCANNERS)])
    reasons = sorted(a["reason"] or "ok" for a in answers)
    assert reasons == ["already_checked_in"] * (SCANNERS - 1) + ["ok"]
    with live_app.app_context():
        assert check_ins_recorded() == 1
        assert db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.checked_in_at.is_not(None))) == 1
        db.session.remove()


def test_members_of_one_firm_checked_in_at_once_serve_it_once(app, make_event, make_member,
                                                              race):
    """Every scanner credits the firm of the member it checked in: however many of
    them race, the firm has one served record of the event (and one audit of it)."""
    from community.models import ServedRecord
    first = make_member(name="成员0", phone="13700000000")
    for n in range(1, SCANNERS):
        make_member(tenant=first.tenant, name=f"成员{n}", phone=f"137{n:08d}")
    event = db.session.get(Event, make_event().id)
    ids = [rules.register(db.session, event, person(name=f"成员{n}", mobile=f"137{n:08d}"),
                          event.registration_closes_at - timedelta(hours=1))[0].id
           for n in range(SCANNERS)]
    event_id = event.id
    db.session.commit()

    def scan(registration_id):
        session = db.session
        begin_write(session)
        checkin.check_in(session, event_id, registration_id=registration_id,
                         method="device", now=utcnow())
        session.commit()
        return "ok"

    assert list(race(*[partial(scan, i) for i in ids], app=app)) == ["ok"] * SCANNERS
    records = db.session.scalars(select(ServedRecord).where(
        ServedRecord.source == "events")).all()
    assert [(r.tenant_id, r.voided_at) for r in records] == [(first.tenant_id, None)]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "served_record.created")) == 1
