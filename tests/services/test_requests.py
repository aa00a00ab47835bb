"""A service request from asking to rating: each step dated, audited and refused
with a clear code when it cannot be taken; completing it serves the firm."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.models import AuditEntry, ServedRecord
from community.refusals import Invalid, Refused
from services import catalogue, rules, subsidies
from services.models import Grant, ServiceRequest
from tests.services.conftest import NOW

TODAY = date(2026, 11, 20)
DONE = {"outcome": "已受理，申请号 202611234567.8", "quantity": Decimal(1),
        "value": Decimal("3500"), "completed_on": TODAY}


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_patent_filing_goes_from_request_to_rating(make_request, make_provider, make_user):
    request = make_request("patent")
    agency = make_provider("patent")
    member = make_user("member", tenant=request.tenant)
    rules.assign(db.session, None, request, agency, NOW + timedelta(hours=2))
    rules.start(db.session, None, request, NOW + timedelta(days=1))
    rules.complete(db.session, None, request, DONE, NOW + timedelta(days=5), TODAY)
    rules.confirm(db.session, member, request, 5, "很专业", NOW + timedelta(days=6))
    db.session.commit()
    assert request.status == "completed" and request.rating == 5
    assert (request.assigned_at, request.completed_on) == (NOW + timedelta(hours=2), TODAY)
    assert request.value_fen == 350000
    served = db.session.scalar(select(ServedRecord).where(
        ServedRecord.ref == f"request:{request.id}"))
    assert (served.tenant_id, served.served_on) == (request.tenant_id, TODAY)
    assert served.source == "services"
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "service_request").order_by(AuditEntry.id)).all()
    assert [a.split(".")[1] for a in actions] == [
        "requested", "assigned", "started", "completed", "confirmed"]


def test_completing_without_an_outcome_is_refused_and_nothing_is_served(make_request):
    request = make_request()
    with pytest.raises(Invalid) as exc:
        rules.complete(db.session, None, request, DONE | {"outcome": "  "}, NOW, TODAY)
    assert exc.value.errors == {"outcome": "outcome_required"}
    db.session.rollback()
    assert request.status == "requested" and count(ServedRecord) == 0


@pytest.mark.parametrize("change, field, code", [
    ({"completed_on": TODAY + timedelta(days=1)}, "completed_on", "served_in_future"),
    ({"completed_on": date(2026, 11, 1)}, "completed_on", "completed_before_requested"),
    ({"quantity": Decimal(0)}, "quantity", "quantity_invalid"),
    ({"value": Decimal(-1)}, "value", "amount_invalid"),
])
def test_completion_dates_and_amounts_are_checked(make_request, change, field, code):
    request = make_request()
    with pytest.raises(Invalid) as exc:
        rules.complete(db.session, None, request, DONE | change, NOW, TODAY)
    assert exc.value.errors[field] == code


def test_a_firm_rates_its_own_service_once(make_request, make_user):
    request = make_request()
    rules.complete(db.session, None, request, DONE, NOW, TODAY)
    member, stranger = make_user("member", tenant=request.tenant), make_user("member")
    with pytest.raises(Refused) as exc:
        rules.confirm(db.session, stranger, request, 5, "", NOW)
    assert exc.value.code == "not_your_service"
    with pytest.raises(Invalid):
        rules.confirm(db.session, member, request, 6, "", NOW)
    rules.confirm(db.session, member, request, 4, "", NOW)
    with pytest.raises(Refused) as exc:
        rules.confirm(db.session, member, request, 1, "改个分", NOW)
    assert exc.value.code == "already_rated" and request.rating == 4


def test_an_open_request_cannot_be_rated(make_request, make_user):
    request = make_request()
    with pytest.raises(Refused) as exc:
        rules.confirm(db.session, make_user("member", tenant=request.tenant), request, 5, "", NOW)
    assert exc.value.code == "request_not_completed"


def test_only_a_provider_of_that_service_is_assigned(make_request, make_provider):
    request = make_request("patent")
    lawyers = make_provider("legal", kind="law_firm")
    with pytest.raises(Invalid) as exc:
        rules.assign(db.session, None, request, lawyers, NOW)
    assert exc.value.errors == {"provider_id": "provider_not_for_category"}
    assert request.status == "requested"


def test_a_member_cancels_only_before_it_is_taken_up(make_request, make_provider, make_user):
    request = make_request()
    member = make_user("member", tenant=request.tenant)
    rules.assign(db.session, None, request, make_provider("patent"), NOW)
    with pytest.raises(Refused) as exc:
        rules.cancel(db.session, member, request, "不需要了", NOW)
    assert exc.value.code == "request_not_cancellable"
    staff = make_user("staff")
    with pytest.raises(Invalid):
        rules.cancel(db.session, staff, request, " ", NOW)
    rules.cancel(db.session, staff, request, "企业自行办理", NOW)
    assert (request.status, request.cancel_reason) == ("cancelled", "企业自行办理")
    with pytest.raises(Refused):
        rules.complete(db.session, None, request, DONE, NOW, TODAY)


def test_a_withdrawn_catalogue_entry_cannot_be_requested(app, make_tenant):
    entry = catalogue.save_category(db.session, None, {
        "name": "商标注册", "section": "other", "unit": "times", "target_days": 10,
        "active": False})
    with pytest.raises(Invalid) as exc:
        rules.request_service(db.session, None, make_tenant(), entry, "", NOW)
    assert exc.value.errors == {"category_id": "category_unavailable"}


def test_overdue_requests_are_those_past_their_target_time(make_request):
    old = make_request("legal", at=NOW - timedelta(days=4))  # 3 days allowed
    make_request("patent", at=NOW - timedelta(days=4))  # 30 days allowed
    done = make_request("legal", at=NOW - timedelta(days=9))
    rules.complete(db.session, None, done, DONE, NOW, TODAY)
    assert [r.id for r in rules.overdue(db.session, NOW)] == [old.id]


def test_a_compute_request_is_granted_against_the_quota_when_completed(make_request):
    request = make_request("compute", description="训练模型需要算力")
    compute = catalogue.category(db.session, "compute")
    subsidies.set_quota(db.session, None, request.tenant, 2026, compute, "quantity", 100)
    rules.complete(db.session, None, request, DONE | {"quantity": Decimal(80)}, NOW, TODAY)
    db.session.commit()
    grant = db.session.scalar(select(Grant).where(Grant.request_id == request.id))
    assert grant.quantity == 80 and grant.granted_on == TODAY
    over = make_request("compute", tenant=request.tenant)
    with pytest.raises(Refused) as exc:
        rules.complete(db.session, None, over, DONE | {"quantity": Decimal(30)}, NOW, TODAY)
    assert exc.value.code == "quota_exceeded" and exc.value.params["remaining"] == "20"
    db.session.rollback()
    assert db.session.get(ServiceRequest, over.id).status == "requested"
    assert count(Grant) == 1


def test_staff_log_a_service_already_given_as_delivered(app, make_tenant):
    tenant = make_tenant()
    consulting = catalogue.category(db.session, "consulting")
    with pytest.raises(Invalid) as exc:
        rules.log_delivered(db.session, None, tenant, consulting,
                            {"outcome": "政策咨询", "completed_on": TODAY + timedelta(days=1)},
                            NOW, TODAY)
    assert exc.value.errors == {"completed_on": "served_in_future"}
    db.session.rollback()
    assert count(ServiceRequest) == 0 and count(ServedRecord) == 0
    made = rules.log_delivered(db.session, None, tenant, consulting,
                               {"outcome": "政策咨询", "completed_on": TODAY}, NOW, TODAY)
    assert made.status == "completed" and count(ServedRecord) == 1
