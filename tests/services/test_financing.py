"""Financing matchmaking and amenities: the rules without HTTP. Every bad input is
refused with its code and writes nothing; a meeting serves its firm; every change
is audited."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.models import AuditEntry, ServedRecord
from community.refusals import Invalid, Refused
from services import SERVED_SOURCE
from services.financing import rules
from services.models import Amenity, FinanceProduct, FinancingNeed, MatchMeeting, Provider

TODAY = date(2026, 6, 1)


def institution(name="两江天使投资基金", kind="investor", resident=True, **extra):
    """A bank, investor or other provider, made directly (the directory is not ours)."""
    row = Provider(name=name, kind=kind, resident=resident, **extra)
    db.session.add(row)
    db.session.flush()
    return row


def product_data(**overrides):
    return {"name": "OPC科创贷", "scale_wan": Decimal("5000"), "formation": "joint",
            "partners": "两江新区融资担保有限公司", "provider": None, "description": "",
            "starts_on": date(2026, 1, 1), "ends_on": None} | overrides


def need_data(**overrides):
    return {"amount_wan": Decimal("200"), "stage": "seed", "purpose": "产品研发",
            "raised_on": date(2026, 5, 1)} | overrides


def amenity_data(**overrides):
    return {"name": "金开人才公寓", "kind": "apartment", "address": "金开大道88号",
            "distance_m": 800, "note": "", "listed_on": date(2026, 1, 1)} | overrides


def written():
    """How many rows financing, amenities, the served records and the audit trail hold."""
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (
        FinanceProduct, FinancingNeed, MatchMeeting, Amenity, ServedRecord, AuditEntry))


def refused(fn, *args, **kwargs):
    """The refusal a rule raises; it must have written nothing."""
    before = written()
    with pytest.raises(Refused) as caught:
        fn(*args, **kwargs)
    assert written() == before
    return caught.value


def field_code(exc, field):
    assert isinstance(exc, Invalid), exc
    return exc.errors[field]


def actions(object_type, object_id):
    return db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
        .order_by(AuditEntry.id)).all()


# --- products -------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, field, code", [
    ({"name": " "}, "name", "required"),
    ({"name": "长" * 201}, "name", "too_long"),
    ({"scale_wan": Decimal("-1")}, "scale_wan", "finance_scale_invalid"),
    ({"scale_wan": "很多"}, "scale_wan", "finance_scale_invalid"),
    ({"scale_wan": Decimal("1.234")}, "scale_wan", "finance_scale_invalid"),
    ({"scale_wan": None}, "scale_wan", "required"),
    ({"formation": "mixed"}, "formation", "choice_invalid"),
    ({"partners": ""}, "partners", "finance_partners_required"),
    ({"ends_on": date(2025, 12, 31)}, "ends_on", "end_before_start"),
])
def test_a_bad_product_is_refused_field_by_field(app, overrides, field, code):
    exc = refused(rules.save_product, db.session, None, product_data(**overrides))
    assert field_code(exc, field) == code


def test_a_product_names_a_bank_or_investor_only(app):
    lawyer = institution("渝律律师事务所", kind="law_firm")
    exc = refused(rules.save_product, db.session, None, product_data(provider=lawyer))
    assert field_code(exc, "provider_id") == "finance_provider_not_financial"


def test_product_names_are_unique_but_a_product_keeps_its_own(app):
    product = rules.save_product(db.session, None, product_data())
    exc = refused(rules.save_product, db.session, None, product_data())
    assert field_code(exc, "name") == "finance_product_name_taken"
    rules.save_product(db.session, None, product_data(scale_wan=Decimal("6000")), product)
    assert product.scale_wan == Decimal("6000")


def test_an_own_product_keeps_no_partners_and_every_change_is_audited(app):
    bank = institution("重庆银行两江科技支行", kind="bank")
    product = rules.save_product(db.session, None, product_data(provider=bank))
    assert (product.partners, product.provider_id) == ("两江新区融资担保有限公司", bank.id)
    rules.save_product(db.session, None, product_data(formation="own"), product)
    assert (product.formation, product.partners, product.provider_id) == ("own", "", None)
    assert actions("finance_product", product.id) == ["finance_product.created",
                                                      "finance_product.updated"]


# --- needs ----------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, field, code", [
    ({"amount_wan": Decimal("0")}, "amount_wan", "finance_amount_invalid"),
    ({"amount_wan": Decimal("-5")}, "amount_wan", "finance_amount_invalid"),
    ({"amount_wan": "x"}, "amount_wan", "finance_amount_invalid"),
    ({"amount_wan": None}, "amount_wan", "required"),
    ({"stage": "ipo"}, "stage", "choice_invalid"),
    ({"purpose": "用" * 2001}, "purpose", "too_long"),
    ({"raised_on": TODAY + timedelta(days=1)}, "raised_on", "finance_date_in_future"),
    ({"raised_on": None}, "raised_on", "required"),
])
def test_a_bad_need_is_refused_field_by_field(app, make_tenant, overrides, field, code):
    tenant = make_tenant()
    exc = refused(rules.save_need, db.session, None, tenant, need_data(**overrides), TODAY)
    assert field_code(exc, field) == code


def test_a_need_is_recorded_corrected_and_closed(app, make_tenant):
    tenant = make_tenant()
    need = rules.save_need(db.session, None, tenant, need_data(), TODAY)
    assert (need.tenant_id, need.status, need.amount_wan) == (tenant.id, "open", Decimal("200"))
    rules.save_need(db.session, None, tenant, need_data(amount_wan="300.5"), TODAY, need)
    assert need.amount_wan == Decimal("300.50")
    rules.close_need(db.session, None, need, "met", date(2026, 5, 20), TODAY)
    assert (need.status, need.closed_on) == ("met", date(2026, 5, 20))
    assert actions("financing_need", need.id) == [
        "financing_need.created", "financing_need.updated", "financing_need.closed"]


@pytest.mark.parametrize("status, closed_on, field, code", [
    ("open", date(2026, 5, 20), "status", "choice_invalid"),
    ("met", None, "closed_on", "required"),
    ("met", date(2026, 4, 30), "closed_on", "finance_closed_before_raised"),
    ("withdrawn", TODAY + timedelta(days=1), "closed_on", "finance_date_in_future"),
])
def test_closing_a_need_is_checked(app, make_tenant, status, closed_on, field, code):
    need = rules.save_need(db.session, None, make_tenant(), need_data(), TODAY)
    exc = refused(rules.close_need, db.session, None, need, status, closed_on, TODAY)
    assert field_code(exc, field) == code
    assert need.status == "open"


def test_a_closed_need_stays_as_it_was(app, make_tenant):
    tenant = make_tenant()
    need = rules.save_need(db.session, None, tenant, need_data(), TODAY)
    rules.close_need(db.session, None, need, "withdrawn", TODAY, TODAY)
    assert refused(rules.close_need, db.session, None, need, "met", TODAY,
                   TODAY).code == "finance_need_closed"
    assert refused(rules.save_need, db.session, None, tenant, need_data(), TODAY,
                   need).code == "finance_need_closed"


# --- meetings -------------------------------------------------------------------------

def meeting_data(tenant, provider, **overrides):
    return {"tenant": tenant, "provider": provider, "need": None,
            "met_on": date(2026, 5, 10), "note": "路演后约谈"} | overrides


def test_a_meeting_serves_its_firm_on_the_day_it_was_held(app, make_tenant):
    tenant, investor = make_tenant(), institution()
    need = rules.save_need(db.session, None, tenant, need_data(), TODAY)
    meeting = rules.record_meeting(db.session, None, meeting_data(tenant, investor, need=need),
                                   TODAY)
    served = db.session.scalar(select(ServedRecord).where(
        ServedRecord.source == SERVED_SOURCE, ServedRecord.ref == f"meeting:{meeting.id}"))
    assert (served.tenant_id, served.served_on) == (tenant.id, date(2026, 5, 10))
    assert "两江天使投资基金" in served.note
    assert (meeting.outcome, meeting.need_id) == ("pending", need.id)
    assert actions("match_meeting", meeting.id) == ["match_meeting.created"]


@pytest.mark.parametrize("change, field, code", [
    ({"tenant": None}, "tenant_id", "required"),
    ({"provider": None}, "provider_id", "required"),
    ({"provider": "lawyer"}, "provider_id", "finance_provider_not_financial"),
    ({"need": "other"}, "need_id", "finance_need_other_tenant"),
    ({"met_on": TODAY + timedelta(days=1)}, "met_on", "finance_date_in_future"),
    ({"met_on": None}, "met_on", "required"),
    ({"note": "记" * 2001}, "note", "too_long"),
])
def test_a_bad_meeting_is_refused_and_serves_no_one(app, make_tenant, change, field, code):
    tenant, other = make_tenant(), make_tenant(name="重庆另一科技有限公司")
    objects = {"lawyer": institution("渝律律师事务所", kind="law_firm"),
               "other": rules.save_need(db.session, None, other, need_data(), TODAY)}
    change = {key: objects.get(value, value) if isinstance(value, str) and value in objects
              else value for key, value in change.items()}
    exc = refused(rules.record_meeting, db.session, None,
                  meeting_data(tenant, institution()) | change, TODAY)
    assert field_code(exc, field) == code


def meeting(tenant, **overrides):
    return rules.record_meeting(db.session, None, meeting_data(
        tenant, institution(f"投资机构{tenant.id}"), **overrides), TODAY)


@pytest.mark.parametrize("data, field, code", [
    ({"outcome": "invested", "outcome_on": date(2026, 5, 20)}, "amount_wan",
     "finance_amount_required"),
    ({"outcome": "loan", "amount_wan": Decimal("0"), "outcome_on": date(2026, 5, 20)},
     "amount_wan", "finance_amount_invalid"),
    ({"outcome": "term_sheet", "amount_wan": Decimal("100")}, "outcome_on",
     "finance_outcome_date_required"),
    ({"outcome": "declined"}, "outcome_on", "finance_outcome_date_required"),
    ({"outcome": "invested", "amount_wan": Decimal("100"), "outcome_on": date(2026, 5, 9)},
     "outcome_on", "finance_outcome_before_meeting"),
    ({"outcome": "interested", "outcome_on": TODAY + timedelta(days=1)}, "outcome_on",
     "finance_date_in_future"),
    ({"outcome": "maybe", "outcome_on": date(2026, 5, 20)}, "outcome", "choice_invalid"),
])
def test_a_bad_outcome_is_refused_and_the_meeting_stays_pending(app, make_tenant, data,
                                                                field, code):
    held = meeting(make_tenant())
    exc = refused(rules.record_outcome, db.session, None, held, data, TODAY)
    assert field_code(exc, field) == code
    assert (held.outcome, held.amount_wan, held.outcome_on) == ("pending", None, None)


def test_an_outcome_is_recorded_with_its_sum_and_date(app, make_tenant):
    held = meeting(make_tenant())
    rules.record_outcome(db.session, None, held, {"outcome": "interested",
                                                  "amount_wan": Decimal("50"),
                                                  "outcome_on": date(2026, 5, 12)}, TODAY)
    assert (held.outcome, held.amount_wan, held.outcome_on) == (
        "interested", None, date(2026, 5, 12))  # an answer without money keeps no sum
    rules.record_outcome(db.session, None, held, {"outcome": "invested",
                                                  "amount_wan": "150",
                                                  "outcome_on": date(2026, 5, 10),
                                                  "note": "已到账"}, TODAY)
    assert (held.outcome, held.amount_wan, held.outcome_on, held.note) == (
        "invested", Decimal("150.00"), date(2026, 5, 10), "已到账")
    rules.record_outcome(db.session, None, held, {"outcome": "pending"}, TODAY)
    assert (held.amount_wan, held.outcome_on, held.note) == (None, None, "已到账")
    assert actions("match_meeting", held.id)[1:] == ["match_meeting.outcome"] * 3


# --- amenities ------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, field, code", [
    ({"name": ""}, "name", "required"),
    ({"kind": "gym"}, "kind", "choice_invalid"),
    ({"distance_m": -1}, "distance_m", "amenity_distance_invalid"),
    ({"distance_m": 100001}, "distance_m", "amenity_distance_invalid"),
    ({"distance_m": "近"}, "distance_m", "amenity_distance_invalid"),
    ({"address": "址" * 301}, "address", "too_long"),
    ({"listed_on": None}, "listed_on", "required"),
])
def test_a_bad_amenity_is_refused_field_by_field(app, overrides, field, code):
    exc = refused(rules.save_amenity, db.session, None, amenity_data(**overrides))
    assert field_code(exc, field) == code


def test_an_amenity_is_listed_corrected_and_withdrawn_never_deleted(app):
    amenity = rules.save_amenity(db.session, None, amenity_data(distance_m=None))
    assert amenity.distance_m is None
    rules.save_amenity(db.session, None, amenity_data(distance_m=750), amenity)
    exc = refused(rules.withdraw_amenity, db.session, None, amenity, date(2025, 12, 31), TODAY)
    assert field_code(exc, "withdrawn_on") == "amenity_withdrawn_before_listed"
    exc = refused(rules.withdraw_amenity, db.session, None, amenity,
                  TODAY + timedelta(days=1), TODAY)
    assert field_code(exc, "withdrawn_on") == "amenity_date_in_future"
    rules.withdraw_amenity(db.session, None, amenity, date(2026, 3, 31), TODAY)
    assert amenity.withdrawn_on == date(2026, 3, 31)
    assert refused(rules.withdraw_amenity, db.session, None, amenity, TODAY,
                   TODAY).code == "amenity_withdrawn"
    assert refused(rules.save_amenity, db.session, None, amenity_data(),
                   amenity).code == "amenity_withdrawn"
    assert actions("amenity", amenity.id) == ["amenity.created", "amenity.updated",
                                              "amenity.withdrawn"]


# --- who records a need ------------------------------------------------------------------

def test_staff_record_needs_for_any_firm_a_founder_only_for_its_own(app, make_tenant,
                                                                     make_user):
    mine, theirs = make_tenant(), make_tenant(name="重庆另一科技有限公司")
    founder = make_user("member", tenant=mine)
    assert rules.can_record_need(founder, mine.id)
    assert not rules.can_record_need(founder, theirs.id)
    assert not rules.can_record_need(founder, None)
    assert rules.can_record_need(make_user("staff"), theirs.id)
    assert not rules.can_record_need(make_user("assessor"), mine.id)
