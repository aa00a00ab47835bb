"""Check-in rules without HTTP: tickets, venue codes, walk-ins, paper, devices."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.models import AuditEntry, ServedRecord
from community.refusals import Refused
from events import checkin, rules
from events.models import Registration
from tests.events.conftest import NOW, person

KEY = b"k" * 32


def refusal(fn, *args, **kwargs):
    with pytest.raises(Refused) as caught:
        fn(*args, **kwargs)
    return caught.value


def test_a_ticket_checks_in_once(app, make_event, make_registration, make_user):
    staff = make_user("staff")
    event = make_event()
    r = make_registration(event, name="李娜")
    at = event.starts_at - timedelta(minutes=5)
    done = checkin.check_in(db.session, event.id, secret=r.secret, method="scanner", now=at,
                            user=staff)
    assert (done.checked_in_at, done.method, done.by, done.replayed) == (
        at, "scanner", staff.name, False)
    db.session.refresh(r)
    assert (r.checked_in_at, r.checkin_method, r.checked_in_by_id) == (at, "scanner", staff.id)
    exc = refusal(checkin.check_in, db.session, event.id, secret=r.secret, method="scanner",
                  now=at + timedelta(minutes=1))
    assert exc.code == "already_checked_in"
    assert exc.params == {"at": at, "by": staff.name}
    assert exc.scan.registration_id == r.id
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "registration.checked_in")) == 1


def test_a_retried_scan_with_its_nonce_is_answered_not_doubled(app, make_event,
                                                               make_registration, make_device):
    device, _ = make_device()
    event = make_event()
    r = make_registration(event)
    first = checkin.check_in(db.session, event.id, secret=r.secret, method="device", now=NOW,
                             device=device, nonce="scan-1")
    assert first.replayed is False
    again = checkin.check_in(db.session, event.id, secret=r.secret, method="device",
                             now=NOW + timedelta(seconds=3), device=device, nonce="scan-1")
    assert again.replayed is True
    assert again.checked_in_at == NOW
    assert refusal(checkin.check_in, db.session, event.id, secret=r.secret, method="device",
                   now=NOW, device=device, nonce="scan-2").code == "already_checked_in"


@pytest.mark.parametrize("secret", ["", "short", "x" * 31, "'; DROP TABLE event; --",
                                    "A" * 43])
def test_forged_or_truncated_secrets_are_unknown(app, make_event, make_registration, secret):
    event = make_event()
    make_registration(event)
    assert refusal(checkin.check_in, db.session, event.id, secret=secret, method="scanner",
                   now=NOW).code == "unknown_ticket"


def test_a_truncated_real_secret_is_unknown(app, make_event, make_registration):
    event = make_event()
    r = make_registration(event)
    assert refusal(checkin.check_in, db.session, event.id, secret=r.secret[:-1],
                   method="scanner", now=NOW).code == "unknown_ticket"


def test_ticket_of_another_event(app, make_event, make_registration):
    event, other = make_event(), make_event(title="独立开发者沙龙")
    r = make_registration(other)
    exc = refusal(checkin.check_in, db.session, event.id, secret=r.secret, method="scanner",
                  now=NOW)
    assert (exc.code, exc.params["title"]) == ("wrong_event", "独立开发者沙龙")
    assert r.checked_in_at is None


def test_cancelled_and_waitlisted_tickets_do_not_check_in(app, make_event, make_registration):
    event = make_event(capacity=1)
    first, waiting = make_registration(event), make_registration(event)
    late = make_registration(event)
    assert waiting.status == "waitlisted"
    assert refusal(checkin.check_in, db.session, event.id, secret=late.secret, method="scanner",
                   now=NOW).code == "waitlisted"
    rules.cancel_registration(db.session, None, first, NOW)
    assert refusal(checkin.check_in, db.session, event.id, secret=first.secret,
                   method="scanner", now=NOW).code == "cancelled"
    assert checkin.check_in(db.session, event.id, secret=waiting.secret, method="scanner",
                            now=NOW).registration_id == waiting.id  # moved up, checks in


def test_a_cancelled_event_checks_nobody_in(app, make_event, make_registration):
    event = make_event()
    r = make_registration(event)
    rules.cancel_event(db.session, None, event, NOW)
    assert refusal(checkin.check_in, db.session, event.id, secret=r.secret, method="scanner",
                   now=NOW).code == "event_not_open"


def test_secret_from_code_reads_the_ticket_url(app):
    secret = "a" * 32
    assert checkin.secret_from_code(f"https://opc.example/t/{secret}") == secret
    assert checkin.secret_from_code(f"  {secret}\n") == secret
    assert checkin.secret_from_code("https://opc.example/t/short") is None
    assert checkin.secret_from_code("") is None


# --- the venue code ----------------------------------------------------------------------

def test_venue_code_lives_for_its_minute_and_the_next(app):
    at = NOW + timedelta(seconds=50)
    code = checkin.venue_code(KEY, 7, at)
    checkin.check_venue_code(KEY, 7, code, at)
    checkin.check_venue_code(KEY, 7, code, at + timedelta(seconds=60))
    for later in (timedelta(seconds=75), timedelta(minutes=10)):  # photographed earlier
        assert refusal(checkin.check_venue_code, KEY, 7, code,
                       at + later).code == "venue_code_invalid"
    assert refusal(checkin.check_venue_code, KEY, 7, code,
                   at - timedelta(minutes=2)).code == "venue_code_invalid"


@pytest.mark.parametrize("mangle", [
    lambda code: code[:-1] + ("0" if code[-1] != "0" else "1"),  # forged signature
    lambda code: code.split(".")[0],                              # no signature
    lambda code: "x." + code.split(".")[1],                       # not a minute
    lambda code: "",
])
def test_forged_venue_codes_are_refused(app, mangle):
    code = checkin.venue_code(KEY, 7, NOW)
    assert refusal(checkin.check_venue_code, KEY, 7, mangle(code),
                   NOW).code == "venue_code_invalid"


def test_a_venue_code_is_for_one_event_and_one_key(app):
    code = checkin.venue_code(KEY, 7, NOW)
    assert refusal(checkin.check_venue_code, KEY, 8, code, NOW).code == "venue_code_invalid"
    assert refusal(checkin.check_venue_code, b"other" * 8, 7, code,
                   NOW).code == "venue_code_invalid"
    assert refusal(checkin.check_door_pass, KEY, 7, code, NOW).code == "venue_code_invalid"


def test_door_pass_gives_five_minutes_to_type(app):
    token = checkin.door_pass(KEY, 7, NOW)
    checkin.check_door_pass(KEY, 7, token, NOW + timedelta(minutes=5))
    assert refusal(checkin.check_door_pass, KEY, 7, token,
                   NOW + timedelta(minutes=6)).code == "venue_code_invalid"


def test_self_check_in_by_mobile(app, make_event, make_registration):
    event = make_event()
    r = make_registration(event, mobile="13900007777")
    done, again = checkin.self_check_in(db.session, event, "139 0000 7777", NOW)
    assert (done.registration_id, done.method, again) == (r.id, "self", False)
    # Scanning the venue code a second time tells them they are in; nothing changes.
    done, again = checkin.self_check_in(db.session, event, "13900007777",
                                        NOW + timedelta(minutes=3))
    assert (done.registration_id, done.checked_in_at, again) == (r.id, NOW, True)
    for mobile, code in (("13900008888", "mobile_not_registered"), ("12345", "phone_invalid")):
        assert refusal(checkin.self_check_in, db.session, event, mobile,
                       NOW).errors == {"mobile": code}


def test_self_check_in_of_a_waitlisted_registration_is_refused(app, make_event,
                                                              make_registration):
    event = make_event(capacity=1)
    make_registration(event)
    waiting = make_registration(event, mobile="13900006666")
    assert refusal(checkin.self_check_in, db.session, event, "13900006666",
                   NOW).errors == {"mobile": "waitlisted"}
    db.session.refresh(waiting)
    assert waiting.checked_in_at is None


# --- walk-ins, paper, attendance ---------------------------------------------------------

def test_staff_walk_in_registers_and_checks_in_even_when_full(app, make_event,
                                                              make_registration, make_user):
    staff = make_user("staff")
    event = make_event(capacity=1)
    make_registration(event)
    scan = checkin.walk_in(db.session, staff, event, person(), NOW)
    r = db.session.get(Registration, scan.registration_id)
    assert (r.status, r.source, r.checkin_method) == ("registered", "walk_in", "walk_in")


def test_a_walk_in_already_checked_in_is_told_beside_the_mobile(app, make_event,
                                                                make_registration, make_user):
    staff = make_user("staff")
    event = make_event()
    r = make_registration(event, name="李娜", mobile="13900005555")
    checkin.check_in(db.session, event.id, secret=r.secret, method="scanner", now=NOW)
    exc = refusal(checkin.walk_in, db.session, staff, event,
                  person(name="李娜", mobile="13900005555"), NOW + timedelta(minutes=5))
    assert exc.errors == {"mobile": "walk_in_already_checked_in"}
    db.session.refresh(r)
    assert (r.checked_in_at, r.checkin_method) == (NOW, "scanner")


def test_paper_check_ins(app, make_event, make_registration, make_user):
    staff = make_user("staff")
    event = make_event()
    a, b = make_registration(event), make_registration(event)
    checkin.check_in(db.session, event.id, secret=a.secret, method="scanner", now=event.starts_at)
    done, skipped = checkin.record_paper(db.session, staff, event, [a.id, b.id],
                                         event.starts_at)
    assert [s.registration_id for s in done] == [b.id]
    assert skipped == [(a.id, "already_checked_in")]
    db.session.refresh(a)
    db.session.refresh(b)
    assert (a.checkin_method, b.checkin_method) == ("scanner", "paper")
    assert refusal(checkin.record_paper, db.session, staff, event, [b.id],
                   event.starts_at + timedelta(days=3)).code == "paper_time_invalid"
    walked = db.session.get(Registration, checkin.walk_in(
        db.session, staff, event, person(), event.starts_at, method="paper").registration_id)
    assert (walked.source, walked.checkin_method) == ("paper", "paper")


def test_attendance_counts(app, make_event, make_registration, make_member):
    member = make_member(name="李娜", phone="13900003333")
    event = make_event(capacity=3)
    a = make_registration(event, name="李娜", mobile="13900003333")
    b = make_registration(event, organisation=member.tenant.name)  # typed: not linked
    make_registration(event)
    make_registration(event)  # waitlisted
    for r in (a, b):
        checkin.check_in(db.session, event.id, secret=r.secret, method="scanner", now=NOW)
    assert checkin.attendance(db.session, event.id) == {
        "registered": 3, "checked_in": 2, "not_in": 1, "waitlisted": 1, "cancelled": 0,
        "tenants_in": 1, "guests_in": 1, "walk_ins": 0}


def served_records():
    return db.session.scalars(select(ServedRecord).where(ServedRecord.source == "events")
                              .order_by(ServedRecord.id)).all()


def test_a_tenant_whose_members_attend_is_served_once_per_event(app, make_event,
                                                                make_registration, make_member):
    first = make_member(name="李娜", phone="13900003333")
    second = make_member(tenant=first.tenant, name="王敏", phone="13900004444")
    event = make_event()
    for member in (first, second):
        r = make_registration(event, name=member.name, mobile=member.phone)
        assert (r.tenant_id, r.tenant_basis) == (first.tenant_id, "member")
        checkin.check_in(db.session, event.id, secret=r.secret, method="scanner", now=NOW)
    assert [(s.tenant_id, s.served_on, s.voided_at) for s in served_records()] == [
        (first.tenant_id, event.starts_at.date(), None)]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "served_record.created")) == 1


def test_a_typed_organisation_serves_nobody(app, make_event, make_registration, make_tenant):
    tenant = make_tenant(name="重庆云启科技有限公司")
    event = make_event()
    r = make_registration(event, organisation=tenant.name)
    checkin.check_in(db.session, event.id, secret=r.secret, method="self", now=NOW)
    db.session.refresh(r)
    assert (r.tenant_id, r.tenant_basis) == (None, "")
    assert served_records() == []


def test_a_registration_not_checked_in_serves_nobody(app, make_event, make_registration,
                                                     make_member):
    member = make_member(name="李娜", phone="13900003333")
    event = make_event()
    r = make_registration(event, name="李娜", mobile=member.phone)
    assert r.tenant_id == member.tenant_id
    assert served_records() == []


# --- devices -------------------------------------------------------------------------

def test_device_tokens_are_stored_hashed_and_can_be_revoked(app, make_device):
    device, token = make_device()
    assert token not in device.token_hash and len(token) > 40
    assert checkin.device_for_token(db.session, token).id == device.id
    assert refusal(checkin.device_for_token, db.session, token + "x").code == "unauthorized"
    assert refusal(checkin.device_for_token, db.session, "").code == "unauthorized"
    checkin.revoke_device(db.session, None, device, NOW)
    assert refusal(checkin.device_for_token, db.session, token).code == "device_revoked"
    assert refusal(checkin.revoke_device, db.session, None, device,
                   NOW).code == "already_revoked"
    assert refusal(checkin.create_device, db.session, None, " ",
                   NOW).code == "device_name_required"
