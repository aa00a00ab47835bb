"""The events rules without HTTP: events, registration, waitlist, retention."""
import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.models import AuditEntry
from community.refusals import Invalid, Refused
from events import attendees, rules
from events.models import Registration
from tests.events.conftest import NOW, event_data, person


def refused(fn, *args, **kwargs):
    with pytest.raises(Refused) as caught:
        fn(*args, **kwargs)
    return caught.value


# --- events -------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, field, code", [
    ({"venue_address": ""}, "venue_address", "venue_required"),
    ({"title": " "}, "title", "required"),
    ({"kind": "party"}, "kind", "choice_invalid"),
    ({"capacity": 0}, "capacity", "capacity_invalid"),
    ({"ends_at": NOW}, "ends_at", "event_time_order"),
    ({"registration_closes_at": NOW + timedelta(days=30)}, "registration_closes_at",
     "closes_after_end"),
    ({"title": "x" * 201}, "title", "text_too_long"),
])
def test_event_fields_are_checked(app, overrides, field, code):
    exc = refused(rules.save_event, db.session, None, event_data(**overrides), NOW)
    assert isinstance(exc, Invalid) and exc.errors[field] == code


def test_registration_closes_at_the_start_unless_told(app, make_event):
    event = make_event()
    assert event.registration_closes_at == event.starts_at
    assert event.status == "published"


def test_status_moves_draft_published_held(app, make_event):
    event = make_event(status="draft")
    assert refused(rules.mark_held, db.session, None, event, NOW).code == "event_not_published"
    rules.publish_event(db.session, None, event, NOW)
    assert refused(rules.publish_event, db.session, None, event, NOW).code == "event_not_draft"
    assert refused(rules.mark_held, db.session, None, event, NOW).code == "event_not_started"
    rules.mark_held(db.session, None, event, event.starts_at + timedelta(hours=1), "顺利")
    assert (event.status, event.summary) == ("held", "顺利")
    assert refused(rules.cancel_event, db.session, None, event, NOW).code == "event_held"
    assert refused(rules.save_event, db.session, None, event_data(), NOW,
                   event).code == "event_not_editable"


def test_every_change_is_audited(app, make_event):
    event = make_event()
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "event", AuditEntry.object_id == event.id)).all()
    assert actions == ["event.created", "event.published"]


# --- registration ----------------------------------------------------------------------

def test_register_gives_a_random_ticket(app, make_event):
    event = make_event()
    first, created = rules.register(db.session, event, person(), NOW)
    second, _ = rules.register(db.session, event, person(), NOW)
    assert created and first.status == "registered" and first.source == "online"
    assert len(first.secret) >= 32 and first.secret != second.secret
    # Not a counter with a suffix: consecutive tickets share no meaningful prefix.
    assert len(os.path.commonprefix([first.secret, second.secret])) < 6
    assert first.consent_at == NOW and first.assessor_consent is False


@pytest.mark.parametrize("status, code", [("draft", "registration_not_open"),
                                          ("cancelled", "event_cancelled"),
                                          ("held", "registration_closed")])
def test_register_only_while_published(app, make_event, status, code):
    event = make_event(status=status)
    assert refused(rules.register, db.session, event, person(), NOW).code == code


def test_registration_after_close_is_refused(app, make_event):
    event = make_event(registration_closes_at=NOW + timedelta(days=1))
    assert refused(rules.register, db.session, event, person(),
                   NOW + timedelta(days=1)).code == "registration_closed"
    assert rules.register(db.session, event, person(), NOW + timedelta(hours=23))[1]


@pytest.mark.parametrize("overrides, field, code", [
    ({"mobile": "1380013800"}, "mobile", "phone_invalid"),
    ({"mobile": "023-63001234"}, "mobile", "phone_not_mobile"),
    ({"mobile": ""}, "mobile", "required"),
    ({"name": ""}, "name", "required"),
    ({"email": "not-an-email"}, "email", "email_invalid"),
    ({"consent": False}, "consent", "consent_required"),
])
def test_bad_registrations_are_refused_and_not_saved(app, make_event, overrides, field, code):
    event = make_event()
    exc = refused(rules.register, db.session, event, person(**overrides), NOW)
    assert exc.errors[field] == code
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_mobile_is_normalised(app, make_event):
    event = make_event()
    registration, _ = rules.register(db.session, event, person(mobile="+86 139-0000-1234"), NOW)
    assert registration.mobile == "13900001234"


def test_the_same_mobile_gets_its_ticket_back(app, make_event):
    event = make_event()
    first, _ = rules.register(db.session, event, person(mobile="13900001234", name="李娜"), NOW)
    again, created = rules.register(db.session, event,
                                    person(mobile="139 0000 1234", name="李 娜"), NOW)
    assert again.id == first.id and not created
    exc = refused(rules.register, db.session, event,
                  person(mobile="13900001234", name="王五"), NOW)
    assert exc.errors == {"mobile": "mobile_taken"}


def test_a_full_event_puts_people_on_the_waitlist_which_moves_up(app, make_event):
    event = make_event(capacity=2)
    a, b, c, d = (rules.register(db.session, event, person(), NOW + timedelta(minutes=n))[0]
                  for n in range(4))
    assert [r.status for r in (a, b, c, d)] == ["registered", "registered", "waitlisted",
                                                "waitlisted"]
    assert rules.waitlist_position(db.session, d) == 2
    rules.cancel_registration(db.session, None, a, NOW)
    assert (a.status, c.status, d.status) == ("cancelled", "registered", "waitlisted")
    assert rules.waitlist_position(db.session, d) == 1
    assert refused(rules.cancel_registration, db.session, None, a,
                   NOW).code == "registration_cancelled"


def test_raising_capacity_moves_the_waitlist_up(app, make_event):
    event = make_event(capacity=1)
    rules.register(db.session, event, person(), NOW)
    waiting, _ = rules.register(db.session, event, person(), NOW)
    assert waiting.status == "waitlisted"
    rules.save_event(db.session, None, event_data(capacity=2), NOW, event)
    assert waiting.status == "registered"
    exc = refused(rules.save_event, db.session, None, event_data(capacity=1), NOW, event)
    assert exc.errors["capacity"] == "capacity_below_registered"


def test_registering_again_after_cancelling_gives_a_fresh_ticket(app, make_event):
    event = make_event()
    first, _ = rules.register(db.session, event, person(mobile="13900001234"), NOW)
    old_secret = first.secret
    rules.cancel_registration(db.session, None, first, NOW)
    again, created = rules.register(db.session, event, person(mobile="13900001234"), NOW)
    assert created and again.id == first.id and again.status == "registered"
    assert again.secret != old_secret


def test_a_typed_organisation_never_links_a_tenant(app, make_event, make_tenant):
    make_tenant(name="重庆云启科技有限公司")
    event = make_event()
    registration, _ = rules.register(db.session, event,
                                     person(organisation="重庆云启科技有限公司"), NOW)
    assert (registration.tenant_id, registration.tenant_basis) == (None, "")
    assert registration.organisation == "重庆云启科技有限公司"  # kept as typed


def test_a_members_mobile_links_the_tenant(app, make_event, make_member):
    member = make_member(name="李娜", phone="139 0000 2468")  # stored as national digits
    event = make_event()
    registration, _ = rules.register(db.session, event, person(
        name="李娜", mobile="+86 13900002468", organisation="某某公司"), NOW)
    assert (registration.tenant_id, registration.tenant_basis) == (member.tenant_id, "member")


def test_a_mobile_shared_by_two_firms_links_neither(app, make_event, make_member):
    make_member(name="李娜", phone="13900002468")
    make_member(name="李娜", phone="13900002468")  # another tenant
    event = make_event()
    registration, _ = rules.register(db.session, event, person(mobile="13900002468"), NOW)
    assert registration.tenant_id is None


def test_the_audit_trail_keeps_no_personal_data(app, make_event):
    event = make_event()
    rules.register(db.session, event, person(name="隐私测试", mobile="13900004321"), NOW)
    db.session.flush()
    for entry in db.session.scalars(select(AuditEntry)):
        assert "13900004321" not in repr(entry.after) and "隐私测试" not in repr(entry.after)


def test_withdrawing_assessor_consent(app, make_event):
    event = make_event()
    registration, _ = rules.register(db.session, event, person(assessor_consent=True), NOW)
    assert registration.assessor_consent
    rules.withdraw_assessor_consent(db.session, registration)
    assert not registration.assessor_consent


# --- retention ----------------------------------------------------------------------

def set_period(end, keep=None):
    """The implementation period (and keep-until date) of the settings."""
    from datetime import date
    from community.settings import save_settings
    save_settings(db.session, None, {"name": "社区", "timezone": "Asia/Shanghai",
                                     "period_start_on": date(2024, 1, 1),
                                     "period_end_on": end, "personal_data_until": keep})


def test_purge_removes_personal_data_and_keeps_counts(app, make_event):
    from datetime import date
    from events.checkin import attendance, check_in
    set_period(date(2026, 3, 31))  # kept until 2026-09-30
    event = make_event()
    kept, _ = rules.register(db.session, event, person(name="赵六"), NOW)
    rules.register(db.session, event, person(), NOW)
    check_in(db.session, event.id, secret=kept.secret, method="manual", now=event.starts_at)
    before = attendance(db.session, event.id)
    later = event.ends_at + timedelta(days=131)  # 2026-10-15: past the keep-until day
    assert refused(attendees.purge_personal_data, db.session, None, later, 7).code == \
        "purge_days_invalid"
    assert attendees.purge_personal_data(db.session, None, later, 160) == (0, 0)
    assert attendees.purge_personal_data(db.session, None, later, 130) == (1, 2)
    assert attendance(db.session, event.id) == before
    for r in db.session.scalars(select(Registration)):
        assert (r.name, r.mobile, r.email, r.organisation, r.secret) == ("", None, "", "", None)
    assert event.purged_at == later
    assert attendees.purge_personal_data(db.session, None, later, 130) == (0, 0)


def test_2026_sign_in_names_survive_a_2027_purge_until_the_keep_until_day(app, make_event):
    """Default settings: the period ends 2027-12-31, names are kept until 2028-06-30."""
    from datetime import datetime, timezone
    from community.settings import current_settings, personal_data_kept_until
    from events.checkin import check_in
    assert f"{personal_data_kept_until(current_settings(db.session))}" == "2028-06-30"
    event = make_event()  # June 2026
    registration, _ = rules.register(db.session, event, person(name="赵六"), NOW)
    check_in(db.session, event.id, secret=registration.secret, method="manual",
             now=event.starts_at)
    db.session.commit()
    for now in (datetime(2027, 9, 1, tzinfo=timezone.utc),  # a year after the event
                datetime(2028, 6, 30, 15, 59, tzinfo=timezone.utc)):  # 23:59 on the day
        exc = refused(attendees.purge_personal_data, db.session, None, now, 365)
        assert (exc.code, exc.params) == ("personal_data_kept", {"until": "2028-06-30"})
        db.session.rollback()
        db.session.refresh(registration)
        assert registration.name == "赵六" and registration.mobile is not None
        assert event.purged_at is None
    # The day after (in Chongqing), the 365-day rule applies again.
    assert attendees.purge_personal_data(db.session, None, datetime(
        2028, 6, 30, 16, 0, tzinfo=timezone.utc), 365) == (1, 1)


def test_the_admins_keep_until_date_rules(app, make_event):
    from datetime import date, datetime, timezone
    set_period(date(2026, 12, 31), keep=date(2029, 1, 31))
    event = make_event()
    rules.register(db.session, event, person(), NOW)
    assert refused(attendees.purge_personal_data, db.session, None, datetime(
        2029, 1, 15, tzinfo=timezone.utc), 365).params == {"until": "2029-01-31"}
    assert attendees.purge_personal_data(db.session, None, datetime(
        2029, 2, 1, tzinfo=timezone.utc), 365) == (1, 1)


def test_a_checked_in_registration_cannot_be_cancelled(app, make_event):
    from events.checkin import check_in
    event = make_event()
    registration, _ = rules.register(db.session, event, person(), NOW)
    check_in(db.session, event.id, secret=registration.secret, method="manual", now=NOW)
    db.session.refresh(registration)
    assert refused(rules.cancel_registration, db.session, None, registration,
                   NOW).code == "checked_in_cannot_cancel"
