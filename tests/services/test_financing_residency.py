"""When a bank or investor was resident: dated, so a past period's 入驻金融机构 (and
F1's detail) names who was resident then, whatever today's flag says."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import AuditEntry
from community.periods import Period
from community.refusals import Invalid
from services.financing.residency import resident_on, set_residency
from services.models import Provider
from tests.services.test_financing import actions, field_code, institution, written
from tests.services.test_financing_ledger import meet, result, sheet

TODAY = date(2026, 12, 1)
H1 = Period.make(date(2026, 1, 1), date(2026, 6, 30), TODAY)
H2 = Period.make(date(2026, 7, 1), date(2026, 12, 31), TODAY)
LONG_AGO = datetime(2025, 1, 1, tzinfo=timezone.utc)


def text(response):
    return response.get_data(as_text=True)


def refused(provider, since, until, today=TODAY):
    """The field codes a residency is refused with; the provider stays as it was."""
    before = (written(), provider.resident, provider.resident_since, provider.resident_until)
    with pytest.raises(Invalid) as caught:
        set_residency(db.session, None, provider, since, until, today)
    assert (written(), provider.resident, provider.resident_since,
            provider.resident_until) == before
    return caught.value


@pytest.mark.parametrize("since, until, field, code", [
    (None, None, "resident_since", "required"),
    (None, date(2026, 3, 1), "resident_since", "required"),
    (TODAY + timedelta(days=1), None, "resident_since", "finance_residency_since_in_future"),
    (date(2026, 3, 1), date(2026, 2, 28), "resident_until",
     "finance_residency_until_before_since"),
])
def test_bad_residency_dates_are_refused(app, since, until, field, code):
    bank = institution("重庆银行两江科技支行", kind="bank", resident=False)
    assert field_code(refused(bank, since, until), field) == code


def test_only_a_bank_or_investor_is_resident(app):
    lawyer = institution("渝律律师事务所", kind="law_firm", resident=False)
    exc = refused(lawyer, date(2026, 1, 1), None)
    assert field_code(exc, "provider_id") == "finance_provider_not_financial"


def test_the_current_flag_follows_the_dates_and_each_change_is_audited(app):
    bank = institution("重庆银行两江科技支行", kind="bank", resident=False)
    set_residency(db.session, None, bank, date(2026, 1, 1), None, TODAY)
    assert bank.resident is True
    set_residency(db.session, None, bank, date(2026, 1, 1), TODAY + timedelta(days=30), TODAY)
    assert bank.resident is True  # leaves next month: still here today
    set_residency(db.session, None, bank, date(2026, 1, 1), date(2026, 3, 31), TODAY)
    assert (bank.resident, bank.resident_until) == (False, date(2026, 3, 31))
    assert actions("provider", bank.id) == ["provider.residency"] * 3
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "provider").order_by(AuditEntry.id.desc())).first()
    assert entry.before["resident"] is True and entry.after["resident"] is False
    assert resident_on(date(2026, 1, 1), date(2026, 3, 31), date(2026, 3, 31))
    assert not resident_on(date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1))
    assert not resident_on(None, None, TODAY)


def test_a_past_period_reads_who_was_resident_then(app, make_tenant):
    left = institution("三月迁出的银行", kind="bank", created_at=LONG_AGO, resident=False,
                       resident_since=date(2025, 6, 1), resident_until=date(2026, 3, 31))
    came = institution("八月入驻的基金", created_at=LONG_AGO, resident=True,
                       resident_since=date(2026, 8, 1))
    institution("一直在的基金", created_at=LONG_AGO)  # ticked before dates were kept
    institution("从未入驻的创投", created_at=LONG_AGO, resident=False)
    institution("已停用但曾入驻的银行", kind="bank", created_at=LONG_AGO, active=False,
                resident=False, resident_since=date(2026, 2, 1),
                resident_until=date(2026, 2, 28))
    meet(make_tenant(), left, date(2026, 2, 10))
    meet(make_tenant(name="重庆另一科技有限公司"), came, date(2026, 9, 1))
    first_half = sheet("入驻金融机构", H1)
    assert [(r["name"], r["meetings"]) for r in first_half] == [
        ("三月迁出的银行", 1), ("已停用但曾入驻的银行", 0), ("一直在的基金", 0)]
    assert [(r["name"], r["meetings"]) for r in sheet("入驻金融机构", H2)] == [
        ("一直在的基金", 0), ("八月入驻的基金", 1)]
    assert "入驻金融机构 3 家" in result("F1", H1).detail
    assert "入驻金融机构 2 家" in result("F1", H2).detail
    may = Period.make(date(2026, 5, 1), date(2026, 5, 31), TODAY)
    assert [r["name"] for r in sheet("入驻金融机构", may)] == ["一直在的基金"]


def test_a_resident_without_dates_counts_from_the_day_it_was_entered(app):
    institution("七月录入的银行", kind="bank",
                created_at=datetime(2026, 7, 2, tzinfo=timezone.utc))
    assert sheet("入驻金融机构", H1) == []
    assert [r["name"] for r in sheet("入驻金融机构", H2)] == ["七月录入的银行"]


def test_the_database_refuses_a_move_out_before_the_move_in(app):
    from sqlalchemy.exc import IntegrityError
    with pytest.raises(IntegrityError):
        institution("日期颠倒的银行", kind="bank", resident_since=date(2026, 3, 1),
                    resident_until=date(2026, 2, 1))
    db.session.rollback()


# --- through the financing page -----------------------------------------------------------

def test_staff_record_when_an_institution_moved_in_and_out(client, login):
    bank = institution("重庆银行两江科技支行", kind="bank", resident=True)
    db.session.commit()
    login("staff")
    page = text(client.get("/services/financing"))
    assert "登记入驻 / 迁出日期" in page and "入驻日期未登记" in page
    before = written()
    response = client.post("/services/financing/residency", data={
        "provider_id": bank.id, "resident_since": "2026-03-01",
        "resident_until": "2026-02-01"}, follow_redirects=True)
    assert "迁出日期不能早于入驻日期" in text(response)
    assert written() == before
    response = client.post("/services/financing/residency", data={
        "provider_id": bank.id, "resident_since": "2025-06-01",
        "resident_until": "2026-03-31"})
    assert response.status_code == 302 and response.location.endswith("#institutions")
    db.session.refresh(bank)
    assert (bank.resident, bank.resident_since, bank.resident_until) == (
        False, date(2025, 6, 1), date(2026, 3, 31))
    page = text(client.get("/services/financing"))
    assert "已迁出" in page and "2025-06-01 — 2026-03-31" in page


def test_residency_wants_an_institution(client, login):
    login("staff")
    before = written()
    response = client.post("/services/financing/residency", data={
        "provider_id": "0", "resident_since": "2026-03-01"}, follow_redirects=True)
    assert "此项必填" in text(response)
    assert written() == before


@pytest.mark.parametrize("role", ["member", "assessor"])
def test_only_staff_record_residency(client, login, role):
    bank = institution("重庆银行两江科技支行", kind="bank", resident=False)
    db.session.commit()
    login(role)
    before = written()
    response = client.post("/services/financing/residency", data={
        "provider_id": bank.id, "resident_since": "2026-03-01"})
    assert response.status_code == 403 and written() == before
    assert db.session.get(Provider, bank.id).resident_since is None
