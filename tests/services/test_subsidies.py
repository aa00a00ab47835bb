"""Quotas cap what a firm is granted in a year: a grant beyond is refused with what
remains, also when thirty grants race for the last of it; a voided grant gives back."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from community.dbsetup import begin_write
from community.extensions import db
from community.models import ServedRecord
from community.refusals import Invalid, Refused
from services import catalogue, subsidies
from services.models import Grant
from tests.services.conftest import NOW

TODAY = date(2026, 11, 20)


def grant_data(**overrides):
    return {"quantity": Decimal(10), "value": Decimal(500), "granted_on": TODAY,
            "note": ""} | overrides


@pytest.fixture
def compute(app):
    return catalogue.category(db.session, "compute")


def test_a_grant_beyond_the_quota_is_refused_with_what_remains(make_tenant, compute):
    tenant = make_tenant()
    subsidies.set_quota(db.session, None, tenant, 2026, compute, "quantity", Decimal(100))
    subsidies.record_grant(db.session, None, tenant, compute, grant_data(quantity=70), TODAY)
    db.session.commit()
    with pytest.raises(Refused) as exc:
        subsidies.record_grant(db.session, None, tenant, compute, grant_data(quantity=31), TODAY)
    assert exc.value.code == "quota_exceeded" and exc.value.params["remaining"] == "30"
    assert str(exc.value.params["unit"]) == "GPU卡时"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Grant)) == 1
    subsidies.record_grant(db.session, None, tenant, compute, grant_data(quantity=30), TODAY)
    assert subsidies.remaining(db.session, subsidies.quota_of(
        db.session, tenant.id, compute.id, 2026)) == 0


def test_a_yuan_quota_counts_the_value_granted(make_tenant, app):
    tokens = catalogue.category(db.session, "tokens")
    tenant = make_tenant()
    subsidies.set_quota(db.session, None, tenant, 2026, tokens, "value", Decimal(1000))
    subsidies.record_grant(db.session, None, tenant, tokens,
                           grant_data(quantity=500, value=Decimal(800)), TODAY)
    with pytest.raises(Refused) as exc:
        subsidies.record_grant(db.session, None, tenant, tokens,
                               grant_data(quantity=1, value=Decimal("200.01")), TODAY)
    assert exc.value.params["remaining"] == "200"


def test_no_quota_means_no_grant(make_tenant, compute):
    with pytest.raises(Refused) as exc:
        subsidies.record_grant(db.session, None, make_tenant(), compute, grant_data(), TODAY)
    assert exc.value.code == "no_quota" and exc.value.params == {"year": 2026, "kind": "算力补贴"}


def test_last_years_grants_do_not_use_this_years_quota(make_tenant, compute):
    tenant = make_tenant()
    subsidies.set_quota(db.session, None, tenant, 2025, compute, "quantity", Decimal(50))
    subsidies.set_quota(db.session, None, tenant, 2026, compute, "quantity", Decimal(50))
    subsidies.record_grant(db.session, None, tenant, compute,
                           grant_data(quantity=50, granted_on=date(2025, 12, 31)), TODAY)
    subsidies.record_grant(db.session, None, tenant, compute, grant_data(quantity=50), TODAY)


@pytest.mark.parametrize("change, field, code", [
    ({"quantity": Decimal(0)}, "quantity", "quantity_invalid"),
    ({"quantity": "NaN"}, "quantity", "quantity_invalid"),
    ({"value": Decimal(-5)}, "value", "amount_invalid"),
    ({"granted_on": date(2026, 11, 21)}, "granted_on", "served_in_future"),
    ({"granted_on": None}, "granted_on", "required"),
])
def test_bad_grants_are_refused_field_by_field(make_tenant, compute, change, field, code):
    tenant = make_tenant()
    subsidies.set_quota(db.session, None, tenant, 2026, compute, "quantity", Decimal(100))
    with pytest.raises(Invalid) as exc:
        subsidies.record_grant(db.session, None, tenant, compute, grant_data(**change), TODAY)
    assert exc.value.errors[field] == code


def test_only_professional_support_has_quotas(make_tenant, app):
    patent = catalogue.category(db.session, "patent")
    with pytest.raises(Invalid) as exc:
        subsidies.set_quota(db.session, None, make_tenant(), 2026, patent, "quantity", 1)
    assert exc.value.errors == {"category_id": "quota_not_subsidised"}


def test_a_quota_cannot_drop_below_what_was_granted(make_tenant, compute):
    tenant = make_tenant()
    subsidies.set_quota(db.session, None, tenant, 2026, compute, "quantity", Decimal(100))
    subsidies.record_grant(db.session, None, tenant, compute, grant_data(quantity=60), TODAY)
    with pytest.raises(Refused) as exc:
        subsidies.set_quota(db.session, None, tenant, 2026, compute, "quantity", Decimal(59))
    assert exc.value.code == "quota_below_granted"


def test_a_grant_serves_the_firm_and_voiding_gives_the_quota_back(make_tenant, compute):
    tenant = make_tenant()
    subsidies.set_quota(db.session, None, tenant, 2026, compute, "quantity", Decimal(10))
    grant = subsidies.record_grant(db.session, None, tenant, compute,
                                   grant_data(quantity=10), TODAY)
    served = db.session.scalar(select(ServedRecord).where(ServedRecord.ref == f"grant:{grant.id}"))
    assert served.served_on == TODAY and served.voided_at is None
    with pytest.raises(Refused):
        subsidies.void_grant(db.session, None, grant, "", NOW)
    subsidies.void_grant(db.session, None, grant, "重复登记", NOW)
    assert served.voided_at is not None
    with pytest.raises(Refused) as exc:
        subsidies.void_grant(db.session, None, grant, "再次作废", NOW)
    assert exc.value.code == "grant_already_voided"
    subsidies.record_grant(db.session, None, tenant, compute, grant_data(quantity=10), TODAY)


def test_thirty_grants_racing_for_the_last_of_a_quota_never_exceed_it(app, make_tenant, race):
    tenant = make_tenant()
    compute = catalogue.category(db.session, "compute")
    subsidies.set_quota(db.session, None, tenant, 2026, compute, "quantity", Decimal(100))
    subsidies.record_grant(db.session, None, tenant, compute, grant_data(quantity=90), TODAY)
    db.session.commit()
    tenant_id, compute_id = tenant.id, compute.id
    db.session.remove()

    def grant_four():
        begin_write(db.session)
        from community.models import Tenant
        from services.models import ServiceCategory
        made = subsidies.record_grant(
            db.session, None, db.session.get(Tenant, tenant_id),
            db.session.get(ServiceCategory, compute_id), grant_data(quantity=4), TODAY)
        db.session.commit()
        return made.id

    outcomes = race(grant_four, times=30, expect=(Refused,), app=app)
    codes = outcomes.codes()
    assert len(outcomes.errors) == 28
    assert {c for c in codes if isinstance(c, str)} == {"quota_exceeded"}
    total = db.session.scalar(select(func.sum(Grant.quantity)).where(
        Grant.tenant_id == tenant_id, Grant.voided_at.is_(None)))
    assert total == 98
