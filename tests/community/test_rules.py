"""The community rules, called without any request."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community import rules, validators
from community.refusals import Invalid, Refused
from community.served import record_served
from community.models import AuditEntry, Desk, DeskAssignment, Tenant
from community.periods import Period, period_for
from community.registry import Indicator
from tests.conftest import tenant_data, valid_uscc, zone_data

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("code", ["11500000009276281J", "914403001922038216",
                                  " 11500000009276281j "])
def test_real_usccs_are_accepted_and_normalised(code):
    assert validators.clean_uscc(code) == code.strip().upper()


@pytest.mark.parametrize("code, error", [
    ("11500000009276281K", "uscc_checksum"),
    ("91350100M000100Y4Z", "uscc_format"),
    ("1150000000927628", "uscc_length"),
    ("", "required"),
])
def test_bad_usccs_are_refused_with_a_reason(code, error):
    with pytest.raises(Refused) as exc:
        validators.clean_uscc(code)
    assert exc.value.code == error


@pytest.mark.parametrize("raw, clean", [
    ("138 0013 8000", "13800138000"), ("+86 138-0013-8000", "13800138000"),
    ("１３８００１３８０００", "13800138000"), ("023-63001234", "02363001234")])
def test_phones_are_normalised(raw, clean):
    assert validators.clean_phone(raw) == clean


@pytest.mark.parametrize("raw", ["12345", "14012345678", "+1 415 555 0100", "abc"])
def test_bad_phones_are_refused(raw):
    with pytest.raises(Refused) as exc:
        validators.clean_phone(raw)
    assert exc.value.code == "phone_invalid"


def test_masked_phone_keeps_prefix_and_last_four():
    assert validators.mask_phone("13800138000") == "138****8000"


@pytest.mark.parametrize("raw, code", [("-5", "area_not_positive"), ("0", "area_not_positive"),
                                       ("abc", "area_invalid"), ("1.234", "area_invalid"),
                                       ("NaN", "area_not_positive")])
def test_bad_areas_are_refused(raw, code):
    with pytest.raises(Refused) as exc:
        validators.clean_area(raw)
    assert exc.value.code == code


def test_pinyin_initials():
    assert validators.initials("重庆云启科技有限公司") == "cqyqkjyxgs"


def test_duplicate_uscc_is_refused_and_nothing_saved(app, make_tenant):
    first = make_tenant()
    with pytest.raises(Invalid) as exc:
        rules.save_tenant(db.session, None, tenant_data(name="另一家", uscc=first.uscc),
                          TODAY)
    assert exc.value.errors == {"uscc": "uscc_duplicate"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Tenant)) == 1


def test_tenant_errors_are_all_reported_at_once(app):
    with pytest.raises(Invalid) as exc:
        rules.save_tenant(db.session, None, tenant_data(
            uscc="11500000009276281K", phone="123", sector="农业",
            moved_in_on=date(2026, 5, 1), moved_out_on=date(2026, 4, 1)), TODAY)
    assert exc.value.errors == {"uscc": "uscc_checksum", "phone": "phone_invalid",
                                "sector": "choice_invalid", "moved_out_on": "before_move_in"}


def test_resident_needs_a_move_in_date(app):
    with pytest.raises(Invalid) as exc:
        rules.save_tenant(db.session, None, tenant_data(moved_in_on=None), TODAY)
    assert exc.value.errors == {"moved_in_on": "required_for_resident"}


def test_tenant_update_is_audited_with_before_and_after(app, make_tenant):
    tenant = make_tenant(name="重庆旧名科技有限公司")
    rules.save_tenant(db.session, None, tenant_data(name="重庆新名科技有限公司",
                                                    uscc=tenant.uscc), TODAY, tenant)
    db.session.commit()
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "tenant.updated")).one()
    assert entry.before["name"] == "重庆旧名科技有限公司"
    assert entry.after["name"] == "重庆新名科技有限公司"
    assert tenant.name_initials == "cqxmkjyxgs"


def test_bulk_desks_all_or_none(app, make_zone):
    zone = make_zone()
    desks = rules.bulk_create_desks(db.session, None, zone, "a", 1, 150, True, date(2026, 1, 1))
    db.session.commit()
    assert [desks[0].code, desks[-1].code] == ["A-001", "A-150"]
    with pytest.raises(Refused) as exc:
        rules.bulk_create_desks(db.session, None, zone, "A", 145, 10, True, date(2026, 1, 1))
    assert exc.value.code == "desk_code_taken" and exc.value.params["count"] == 6
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Desk)) == 150


@pytest.mark.parametrize("existing, new, clash", [
    ((date(2026, 1, 1), None), (date(2026, 6, 1), date(2026, 6, 30)), True),
    ((date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 3, 31), None), True),
    ((date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 4, 1), None), False),
    ((date(2026, 5, 1), date(2026, 5, 31)), (date(2026, 1, 1), None), True),
    ((date(2026, 5, 1), date(2026, 5, 31)), (date(2026, 1, 1), date(2026, 4, 30)), False),
])
def test_desk_assignments_never_overlap(app, make_desks, make_member, existing, new, clash):
    desk = make_desks(1)[0]
    rules.assign_desk(db.session, None, desk, make_member(), *existing)
    db.session.commit()
    other = make_member()
    if clash:
        with pytest.raises(Refused) as exc:
            rules.assign_desk(db.session, None, desk, other, *new)
        assert exc.value.code == "desk_taken"
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(DeskAssignment)) == 1
    else:
        rules.assign_desk(db.session, None, desk, other, *new)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(DeskAssignment)) == 2


def test_assignment_end_before_start_is_refused(app, make_desks, make_member):
    with pytest.raises(Invalid) as exc:
        rules.assign_desk(db.session, None, make_desks(1)[0], make_member(),
                          date(2026, 5, 1), date(2026, 4, 1))
    assert exc.value.errors == {"ends_on": "end_before_start"}


def test_out_of_service_desk_cannot_be_assigned(app, make_desks, make_member):
    desk = make_desks(1)[0]
    rules.set_desk_status(db.session, None, desk, "out_of_service", True, date(2025, 9, 1),
                          date(2026, 5, 1))
    with pytest.raises(Refused) as exc:
        rules.assign_desk(db.session, None, desk, make_member(), date(2026, 5, 1))
    assert exc.value.code == "desk_out_of_service"


def year(y, today=date(2026, 11, 22)):
    return period_for("year", today, year=y)


def test_space_area_keeps_its_history(app, make_zone):
    from community.ledger import space_area
    zone = make_zone(area_m2="1000", in_service_on=date(2025, 1, 1))
    make_zone(area_m2="300", in_service_on=date(2026, 3, 1))
    make_zone(area_m2="999", in_service_on=date(2024, 1, 1), out_of_service_on=date(2024, 12, 31))
    rules.save_zone(db.session, None, zone_data(name=zone.name, area_m2="1800",
                                                in_service_on=date(2025, 1, 1)),
                    zone, area_effective_on=date(2026, 6, 1))
    db.session.commit()
    assert space_area(db.session, year(2025, today=date(2025, 12, 31))) == Decimal("1000")
    assert space_area(db.session, year(2026)) == Decimal("2100")
    assert space_area(db.session, year(2024, today=date(2024, 12, 31))) == Decimal("999")


def test_zero_rent_desks_and_occupancy(app, make_zone, make_desks, make_member):
    from community.ledger import zero_rent_desks, zero_rent_occupancy
    zone = make_zone()
    desks = make_desks(4, zone=zone)
    make_desks(2, zone=zone, zero_rent=False)
    rules.set_desk_status(db.session, None, desks[3], "out_of_service", True,
                          date(2026, 2, 1), date(2026, 11, 22))
    rules.assign_desk(db.session, None, desks[0], make_member(), date(2026, 1, 1))
    db.session.commit()
    period = year(2026)
    assert zero_rent_desks(db.session, period) == 3
    assert "在用 1/3" in zero_rent_occupancy(db.session, period)


def test_firms_served_counts_residents_and_services_once(app, make_tenant):
    from community.ledger import firms_served, opcs_alive_six_months, opcs_operating
    resident = make_tenant(moved_in_on=date(2026, 7, 15), founded_on=date(2026, 7, 1))
    make_tenant(moved_in_on=date(2024, 1, 1), moved_out_on=date(2025, 6, 30),
                founded_on=date(2023, 6, 1))  # left before
    served = make_tenant(relationship_kind="served", moved_in_on=None)
    make_tenant(relationship_kind="served", moved_in_on=None)  # never served
    make_tenant(investors=2, company_type="有限责任公司（自然人投资或控股）",
                moved_in_on=date(2026, 1, 1))  # not a one-person company
    closed = make_tenant(moved_in_on=date(2026, 1, 5), founded_on=date(2022, 1, 1),
                         closed_on=date(2026, 8, 1))
    record_served(db.session, None, served.id, date(2026, 3, 3), "community", "x1")
    record_served(db.session, None, resident.id, date(2026, 3, 3), "community", "x2")
    db.session.commit()
    period = year(2026)
    assert firms_served(db.session, period) == 3  # resident, served, closed
    assert opcs_operating(db.session, period) == 2
    assert opcs_alive_six_months(db.session, period) == 1  # only served (founded 2025)
    assert closed.closed_on


def test_served_record_is_idempotent_per_source_ref(app, make_tenant):
    tenant = make_tenant()
    record_served(db.session, None, tenant.id, date(2026, 3, 3), "booking", 7)
    record_served(db.session, None, tenant.id, date(2026, 3, 4), "booking", 7)
    db.session.commit()
    from community.models import ServedRecord
    assert db.session.scalars(select(ServedRecord.served_on)).all() == [date(2026, 3, 4)]


def test_periods():
    today = date(2026, 11, 22)
    assert period_for("last12", today) == Period(date(2025, 11, 23), today, today)
    assert period_for("h1", today).end == date(2026, 6, 30)
    assert period_for("h2", today).as_of == today
    with pytest.raises(ValueError):
        period_for("custom", today, start=date(2026, 5, 1), end=date(2026, 4, 1))


def test_per_year_targets_scale_with_the_period():
    events = Indicator("E1", "活动", "Events", "场", lambda s, p: 0, Decimal(24), per_year=True)
    area = Indicator("S1", "面积", "Area", "㎡", lambda s, p: 0, Decimal(3000))
    today = date(2026, 11, 22)
    assert events.target_for({}, period_for("year", today)) == 24
    assert events.target_for({}, period_for("h1", today)) == 12
    assert events.target_for({("E1", 2026): Decimal(30)}, period_for("year", today)) == 30
    assert area.target_for({}, period_for("h1", today)) == 3000


def test_valid_uscc_helper_makes_valid_codes():
    assert validators.clean_uscc(valid_uscc(5))


def test_a_package_cannot_take_another_packages_refusal_code(app):
    from community.registry import registry
    with pytest.raises(ValueError, match="too_long"):
        registry(app).add_messages({"too_long": "another text"})
    assert str(registry(app).messages["too_long"]) != "another text"
