"""The catalogue keeps the package's six categories; providers carry a checked USCC
and dated agreements, flagged before they run out."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.refusals import Invalid
from services import catalogue
from services.models import Agreement, Provider
from tests.conftest import valid_uscc
from tests.services.conftest import provider_data

TODAY = date(2026, 11, 20)


def entry(**overrides):
    return {"name": "商标注册", "section": "other", "unit": "times", "free": True,
            "target_days": 10, "description": "", "active": True} | overrides


def test_the_six_package_categories_exist_and_cannot_be_renamed_or_withdrawn(app):
    names = [c.name for c in catalogue.catalogue(db.session) if c.section == "package"]
    assert names == ["经营主体登记注册", "财务代账", "税务申报", "法律咨询", "适配验证", "专利申报"]
    patent = catalogue.category(db.session, "patent")
    with pytest.raises(Invalid) as exc:
        catalogue.save_category(db.session, None, entry(name="知识产权"), patent)
    assert exc.value.errors == {"name": "category_builtin_name"}
    with pytest.raises(Invalid) as exc:
        catalogue.save_category(db.session, None, entry(name="专利申报", active=False), patent)
    assert exc.value.errors == {"active": "category_builtin_active"}
    catalogue.save_category(db.session, None, entry(name="专利申报", target_days=45), patent)
    assert (patent.target_days, patent.section) == (45, "package")


def test_admin_adds_entries_with_a_unique_name(app):
    catalogue.save_category(db.session, None, entry())
    with pytest.raises(Invalid) as exc:
        catalogue.save_category(db.session, None, entry(target_days=0))
    assert exc.value.errors == {"name": "category_name_taken", "target_days": "target_days_invalid"}


def test_a_provider_with_an_invalid_uscc_is_refused_and_not_saved(app):
    good = valid_uscc()
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(Invalid) as exc:
        catalogue.save_provider(db.session, None, provider_data(uscc=wrong))
    assert exc.value.errors == {"uscc": "uscc_checksum"}
    with pytest.raises(Invalid) as exc:
        catalogue.save_provider(db.session, None, provider_data(uscc=""))
    assert exc.value.errors == {"uscc": "required"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Provider)) == 0
    abroad = catalogue.save_provider(db.session, None, provider_data(uscc="", no_uscc=True))
    assert abroad.uscc is None


def test_only_banks_and_investors_are_resident_and_their_stay_is_dated(app):
    agency = catalogue.save_provider(db.session, None, provider_data(resident=True), None, TODAY)
    data = provider_data(kind="bank", resident=True)
    bank = catalogue.save_provider(db.session, None, data, None, TODAY)
    assert (agency.resident, agency.resident_since) == (False, None)
    assert (bank.resident, bank.resident_since, bank.resident_until) == (True, TODAY, None)
    later = TODAY + timedelta(days=30)
    catalogue.save_provider(db.session, None, data | {"resident": False}, bank, later)
    assert (bank.resident, bank.resident_since, bank.resident_until) == (False, TODAY, later)


def test_an_agreement_ending_before_it_starts_is_refused(make_provider):
    provider = make_provider()
    with pytest.raises(Invalid) as exc:
        catalogue.add_agreement(db.session, None, provider, {
            "title": "合作协议", "starts_on": TODAY, "ends_on": TODAY - timedelta(days=1)})
    assert exc.value.errors == {"ends_on": "agreement_end_before_start"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Agreement)) == 0


def test_expiring_and_expired_agreements_are_flagged_for_renewal(make_provider):
    soon, gone, fine = make_provider(), make_provider(), make_provider()
    for provider, ends in ((soon, TODAY + timedelta(days=30)), (gone, TODAY - timedelta(days=1)),
                           (fine, TODAY + timedelta(days=400))):
        catalogue.add_agreement(db.session, None, provider, {
            "title": "框架合作协议", "starts_on": date(2025, 1, 1), "ends_on": ends})
    db.session.commit()
    due = {p.id: state for p, state in catalogue.agreements_to_renew(db.session, TODAY)}
    assert due == {soon.id: "expiring", gone.id: "expired"}
    catalogue.add_agreement(db.session, None, gone, {
        "title": "续签协议", "starts_on": TODAY, "ends_on": date(2028, 12, 31)})
    db.session.commit()
    db.session.expire_all()
    assert {p.id for p, _ in catalogue.agreements_to_renew(db.session, TODAY)} == {soon.id}
