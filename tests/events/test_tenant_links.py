"""Served means it happened: an attendee credits a tenant (S4) only when known to
belong to it — a member's registered mobile, or staff confirming the link — and
only once checked in. Rules without a request first, then the staff page."""
from datetime import date

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.ledger import firms_served
from community.models import AuditEntry, ServedRecord
from community.periods import Period
from community.refusals import Refused
from events import attendees, checkin, rules
from events.models import Registration
from tests.events.conftest import NOW


def served():
    return [(s.tenant_id, s.served_on, s.voided_at is not None, s.void_reason)
            for s in db.session.scalars(select(ServedRecord).where(
                ServedRecord.source == "events").order_by(ServedRecord.id))]


def audited(action):
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == action))


def checked_in(event, registration, at=None):
    checkin.check_in(db.session, event.id, registration_id=registration.id, method="manual",
                     now=at or event.starts_at)
    db.session.commit()
    db.session.refresh(registration)
    return registration


@pytest.fixture
def firm(make_tenant):
    """A firm served but not resident: only its served records put it in S4."""
    return make_tenant(name="重庆云启科技有限公司", relationship_kind="served",
                       moved_in_on=None)


def s4(day):
    return firms_served(db.session, Period(date(2026, 1, 1), date(2026, 12, 31), day))


# --- rules ---------------------------------------------------------------------------

def test_staff_link_a_checked_in_attendee_and_the_tenant_is_served(app, make_event,
                                                                   make_registration, firm):
    event = make_event()
    r = checked_in(event, make_registration(event, organisation="云启科技"))
    assert served() == [] and s4(date(2026, 12, 31)) == 0
    attendees.link_tenant(db.session, None, r, firm, NOW)
    db.session.commit()
    assert (r.tenant_id, r.tenant_basis) == (firm.id, "staff")
    # Dated the event's local day: 09:00 Chongqing on 2026-06-08.
    assert served() == [(firm.id, date(2026, 6, 8), False, "")]
    assert s4(date(2026, 12, 31)) == 1
    assert audited("registration.tenant_linked") == 1 and audited("served_record.created") == 1
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "registration.tenant_linked"))
    assert (entry.before["tenant_id"], entry.after["tenant_id"],
            entry.after["tenant_basis"]) == (None, firm.id, "staff")


def test_linking_twice_changes_nothing(app, make_event, make_registration, firm):
    event = make_event()
    r = checked_in(event, make_registration(event))
    for _ in range(2):
        attendees.link_tenant(db.session, None, r, firm, NOW)
        db.session.commit()
    assert len(served()) == 1
    assert audited("registration.tenant_linked") == 1 and audited("served_record.created") == 1


def test_a_link_before_check_in_serves_only_once_they_come(app, make_event, make_registration,
                                                           firm):
    event = make_event()
    r = make_registration(event)
    attendees.link_tenant(db.session, None, r, firm, NOW)
    db.session.commit()
    assert served() == []
    checked_in(event, r)
    assert served() == [(firm.id, date(2026, 6, 8), False, "")]


def test_unlinking_voids_the_served_record_when_nobody_else_of_the_firm_came(
        app, make_event, make_registration, firm):
    event = make_event()
    a, b = (checked_in(event, make_registration(event)) for _ in range(2))
    for r in (a, b):
        attendees.link_tenant(db.session, None, r, firm, NOW)
    db.session.commit()
    attendees.unlink_tenant(db.session, None, a, NOW)
    db.session.commit()
    assert served() == [(firm.id, date(2026, 6, 8), False, "")]  # b still came
    attendees.unlink_tenant(db.session, None, b, NOW)
    db.session.commit()
    assert (b.tenant_id, b.tenant_basis) == (None, "")
    assert served() == [(firm.id, date(2026, 6, 8), True, "参会人与企业的关联已取消")]
    assert s4(date(2026, 12, 31)) == 0
    assert audited("registration.tenant_unlinked") == 2 and audited("served_record.voided") == 1
    attendees.unlink_tenant(db.session, None, b, NOW)  # again: nothing to undo
    assert audited("registration.tenant_unlinked") == 2
    # Linked again: the same record is restored, not a second one.
    attendees.link_tenant(db.session, None, b, firm, NOW)
    db.session.commit()
    assert served() == [(firm.id, date(2026, 6, 8), False, "")]


def test_unlinking_a_members_link_voids_it_too(app, make_event, make_registration,
                                               make_member):
    member = make_member(name="李娜", phone="13900002468")
    event = make_event()
    r = checked_in(event, make_registration(event, name="李娜", mobile=member.phone))
    assert r.tenant_basis == "member" and len(served()) == 1
    attendees.unlink_tenant(db.session, None, r, NOW)
    db.session.commit()
    assert [voided for _, _, voided, _ in served()] == [True]


def test_linking_to_another_firm_moves_the_credit(app, make_event, make_registration, firm,
                                                  make_tenant):
    other = make_tenant(name="重庆数智科技有限公司")
    event = make_event()
    r = checked_in(event, make_registration(event))
    attendees.link_tenant(db.session, None, r, firm, NOW)
    attendees.link_tenant(db.session, None, r, other, NOW)
    db.session.commit()
    assert [(t, voided) for t, _, voided, _ in served()] == [(firm.id, True), (other.id, False)]


def test_a_cancelled_registration_is_not_linked(app, make_event, make_registration, firm):
    event = make_event()
    r = make_registration(event)
    rules.cancel_registration(db.session, None, r, NOW)
    db.session.commit()
    with pytest.raises(Refused) as caught:
        attendees.link_tenant(db.session, None, r, firm, NOW)
    assert caught.value.code == "registration_cancelled"
    db.session.rollback()
    assert db.session.get(Registration, r.id).tenant_id is None
    assert audited("registration.tenant_linked") == 0


def test_cancelling_an_event_voids_what_its_check_ins_credited(app, make_event,
                                                              make_registration, make_member):
    member = make_member(name="李娜", phone="13900002468")
    event = make_event()
    checked_in(event, make_registration(event, name="李娜", mobile=member.phone))
    other = make_registration(event, name="王五", mobile="13700001357")
    checked_in(event, other)
    rules.cancel_event(db.session, None, event, NOW)
    db.session.commit()
    assert [(voided, reason) for _, _, voided, reason in served()] == [(True, "活动已取消")]
    # Linking one of its attendees afterwards serves nobody either.
    with pytest.raises(Refused) as caught:
        attendees.link_tenant(db.session, None, other, member.tenant, NOW)
    assert caught.value.code == "event_cancelled"
    db.session.rollback()
    assert [voided for _, _, voided, _ in served()] == [True]


def test_the_typed_organisation_survives_a_link(app, make_event, make_registration, firm):
    event = make_event()
    r = make_registration(event, organisation="云启")
    attendees.link_tenant(db.session, None, r, firm, NOW)
    assert r.organisation == "云启"


# --- the staff page --------------------------------------------------------------------

def link_url(event, r, unlink=False):
    return f"/events/{event.id}/registrations/{r.id}/tenant" + ("/unlink" if unlink else "")


def test_staff_confirm_a_link_on_the_event_page(client, login, make_event, make_registration,
                                                firm, make_tenant):
    make_tenant(name="重庆数智科技有限公司")
    event = make_event(live=True)
    r = make_registration(event, name="欧阳娜娜", organisation="云启科技")
    checkin.check_in(db.session, event.id, registration_id=r.id, method="manual",
                     now=event.starts_at)
    db.session.commit()
    login("staff")
    detail = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert link_url(event, r) in detail
    page = client.get(link_url(event, r)).get_data(as_text=True)
    # The firm whose name resembles what they typed is offered first.
    suggested = page.split("名称与填写的单位相近")[1].split("</optgroup>")[0]
    assert firm.name in suggested and "重庆数智科技有限公司" not in suggested
    for _ in range(2):  # twice: the same answer, one record
        response = client.post(link_url(event, r), data={"tenant_id": firm.id},
                               follow_redirects=True)
        assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "工作人员确认" in body and link_url(event, r, unlink=True) in body
    assert len(served()) == 1 and audited("registration.tenant_linked") == 1
    client.post(link_url(event, r, unlink=True))
    db.session.refresh(r)
    assert r.tenant_id is None and served()[0][2] is True


def test_linking_to_a_firm_that_does_not_exist_is_a_404(client, login, make_event,
                                                        make_registration):
    event = make_event(live=True)
    r = make_registration(event)
    login("staff")
    assert client.post(link_url(event, r), data={"tenant_id": 99999}).status_code == 404
    refused = client.post(link_url(event, r), data={}, follow_redirects=True)
    assert refused.status_code == 200 and "此项必填" in refused.get_data(as_text=True)
    db.session.refresh(r)
    assert r.tenant_id is None and audited("registration.tenant_linked") == 0


def test_a_registration_of_another_event_is_a_404(client, login, make_event,
                                                  make_registration, firm):
    event, other = make_event(live=True), make_event(live=True, title="沙龙")
    r = make_registration(other)
    login("staff")
    assert client.get(link_url(event, r)).status_code == 404
    assert client.post(link_url(event, r), data={"tenant_id": firm.id}).status_code == 404
    assert client.post(link_url(event, r, unlink=True)).status_code == 404
    db.session.refresh(r)
    assert r.tenant_id is None


@pytest.mark.parametrize("role", ["member", "assessor"])
def test_only_staff_link_attendees_to_firms(client, login, make_event, make_registration,
                                            firm, role):
    event = make_event(live=True)
    r = make_registration(event)
    login(role)
    assert client.get(link_url(event, r)).status_code == 403
    assert client.post(link_url(event, r), data={"tenant_id": firm.id}).status_code == 403
    assert client.post(link_url(event, r, unlink=True)).status_code == 403
    db.session.refresh(r)
    assert r.tenant_id is None and audited("registration.tenant_linked") == 0


def test_a_cancelled_registration_is_refused_with_a_message(client, login, make_event,
                                                            make_registration, firm):
    event = make_event(live=True)
    r = make_registration(event)
    rules.cancel_registration(db.session, None, r, NOW)
    db.session.commit()
    login("staff")
    response = client.post(link_url(event, r), data={"tenant_id": firm.id},
                           follow_redirects=True)
    assert "该报名已取消" in response.get_data(as_text=True)
    db.session.refresh(r)
    assert r.tenant_id is None


def test_public_pages_never_list_or_reveal_the_firms(client, make_event, make_registration,
                                                     make_member, make_tenant):
    make_tenant(name="重庆保密名单科技有限公司")
    member = make_member(name="李娜", phone="13900002468")
    event = make_event(live=True)
    page = client.get(f"/e/{event.id}").get_data(as_text=True)
    assert "重庆保密名单科技有限公司" not in page and member.tenant.name not in page
    assert "<datalist" not in page
    # Registering with a member's mobile links the firm, but the ticket shows only
    # what was typed: a mobile is no way to learn where someone works.
    response = client.post(f"/e/{event.id}", data={
        "name": "李娜", "mobile": "13900002468", "organisation": "自由职业", "consent": "y"})
    r = db.session.scalar(select(Registration))
    assert r.tenant_id == member.tenant_id
    ticket = client.get(response.headers["Location"]).get_data(as_text=True)
    assert member.tenant.name not in ticket and "自由职业" in ticket
