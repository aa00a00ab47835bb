"""The packages' records that feed ledgers declare the dates a period lock reads: a
change to one dated inside a locked period needs a reason and is marked; one dated
outside it does not."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Date, DateTime, select

from community import locks, rules
from community.extensions import db
from community.models import AuditEntry
from community.refusals import Refused
from community.registry import registry
from events import rules as event_rules
from services import catalogue, subsidies
from tests.events.conftest import event_data
from tests.services.conftest import provider_data

# What the packages declare (the core's own records are declared beside the locks).
PACKAGES = {"booking": False, "event": False, "service_request": False,
            "subsidy_grant": False, "match_meeting": False, "agreement": True,
            "amenity": True, "scenario": True, "scenario_match": True,
            "sourcing_activity": False}
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


def test_each_package_record_names_date_columns_of_its_table(app):
    tables = {m.class_.__tablename__: m for m in db.Model.registry.mappers}
    dated = registry().dated
    for object_type, ranged in PACKAGES.items():
        assert dated[object_type].ranged is ranged, object_type
        columns = tables[object_type].columns
        for field in dated[object_type].fields:
            kind = getattr(columns[field].type, "impl", columns[field].type)  # UTCDateTime
            assert isinstance(kind, (Date, DateTime)), (object_type, field)


@pytest.fixture
def locked_h1(app, make_user):
    def lock():
        rules.lock_period(db.session, make_user("admin"), date(2026, 1, 1), date(2026, 6, 30),
                          date(2026, 11, 20), label="2026年上半年")
        db.session.commit()
    return lock


def correction(action):
    return db.session.scalar(select(AuditEntry).where(AuditEntry.action == action)
                             .order_by(AuditEntry.id.desc()))


def test_an_event_of_a_locked_half_year_is_changed_only_with_a_reason(app, locked_h1):
    june = event_rules.save_event(db.session, None, event_data(
        starts_at=datetime(2026, 6, 10, 2, tzinfo=timezone.utc)), NOW.replace(month=5))
    july = event_rules.save_event(db.session, None, event_data(
        starts_at=datetime(2026, 7, 10, 2, tzinfo=timezone.utc)), NOW.replace(month=5))
    db.session.commit()
    locked_h1()
    with pytest.raises(Refused) as refused:
        event_rules.save_summary(db.session, None, june, "补写小结")
    assert refused.value.code == "period_locked"
    db.session.rollback()
    event_rules.save_summary(db.session, None, july, "七月小结")  # outside the lock
    db.session.commit()
    db.session.info[locks.REASON] = "评审后补写活动小结"
    event_rules.save_summary(db.session, None, june, "补写小结")
    db.session.commit()
    entry = correction("event.updated")
    assert entry.object_id == june.id and entry.lock_id and "评审后补写活动小结" in entry.note


def test_a_grant_and_an_agreement_reaching_a_locked_half_year_need_a_reason(
        app, locked_h1, make_tenant):
    tenant = make_tenant()
    compute = catalogue.category(db.session, "compute")
    subsidies.set_quota(db.session, None, tenant, 2026, compute, "quantity", Decimal(500))
    grant = subsidies.record_grant(db.session, None, tenant, compute, {
        "quantity": Decimal(10), "value": Decimal(100), "granted_on": date(2026, 5, 1)},
        date(2026, 5, 1))
    provider = catalogue.save_provider(db.session, None, provider_data(
        kind="compute", categories=[compute.id]))
    db.session.commit()
    locked_h1()
    with pytest.raises(Refused):
        subsidies.void_grant(db.session, None, grant, "重复登记", NOW)
    db.session.rollback()
    with pytest.raises(Refused):  # in force from March: it rewrites H1's 服务资源清单
        catalogue.add_agreement(db.session, None, provider, {
            "title": "算力合作协议", "starts_on": date(2026, 3, 1), "ends_on": None})
    db.session.rollback()
    catalogue.add_agreement(db.session, None, provider, {  # from July: after the lock
        "title": "算力合作协议", "starts_on": date(2026, 7, 1), "ends_on": None})
    db.session.commit()
