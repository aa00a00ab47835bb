"""F1 投融资对接 and L1 生活配套: the figures and the sheets, for a period read as it
was (an outcome dated after it is not yet known; a withdrawn amenity still listed)."""
import random
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select

from community.extensions import db
from community.models import ServedRecord
from community.periods import Period
from community.registry import evaluate, registry
from community.settings import targets
from services.financing import rules
from services.financing.demo import load_demo
from services.models import Amenity, FinanceProduct, FinancingNeed, MatchMeeting, Provider
from tests.services.test_financing import amenity_data, institution, need_data, product_data

TODAY = date(2026, 12, 1)
H1 = Period.make(date(2026, 1, 1), date(2026, 6, 30), TODAY)
H2 = Period.make(date(2026, 7, 1), date(2026, 12, 31), TODAY)
YEAR = Period.make(date(2026, 1, 1), date(2026, 12, 31), TODAY)
LONG_AGO = datetime(2025, 1, 1, tzinfo=timezone.utc)


def sheet(title, period):
    found = next(s for s in registry().sheets if s.title == title)
    return list(found.rows(db.session, period))


def result(code, period):
    return next(r for r in evaluate(db.session, registry(), targets(db.session), period)
                if r.code == code)


def meet(tenant, provider, met_on, need=None, **outcome):
    held = rules.record_meeting(db.session, None, {
        "tenant": tenant, "provider": provider, "need": need, "met_on": met_on,
        "note": "对接"}, TODAY)
    if outcome:
        rules.record_outcome(db.session, None, held, outcome, TODAY)
    return held


def test_f1_counts_the_meetings_held_and_says_what_came_of_them(app, make_tenant):
    tenant = make_tenant(name="重庆云启科技有限公司")
    bank = institution("重庆银行两江科技支行", kind="bank", created_at=LONG_AGO)
    investor = institution(created_at=LONG_AGO)
    institution("重庆高新创投", resident=False, created_at=LONG_AGO)  # visiting, not resident
    institution("渝律律师事务所", kind="law_firm", created_at=LONG_AGO)  # not financial
    institution("七月入驻的银行", kind="bank", created_at=datetime(2026, 7, 2, tzinfo=timezone.utc))
    rules.save_product(db.session, None, product_data(provider=bank))
    rules.save_product(db.session, None, product_data(
        name="种子基金", scale_wan=Decimal("3000.5"), formation="own"))
    rules.save_product(db.session, None, product_data(
        name="已结束的产品", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31)))
    meet(tenant, investor, date(2026, 2, 10), outcome="invested", amount_wan="100",
         outcome_on=date(2026, 3, 1))
    meet(tenant, bank, date(2026, 5, 5), outcome="loan", amount_wan="50.5",
         outcome_on=date(2026, 6, 30))
    meet(tenant, investor, date(2026, 6, 20), outcome="invested", amount_wan="300",
         outcome_on=date(2026, 7, 15))  # money after H1: not H1's
    meet(tenant, investor, date(2026, 7, 1), outcome="term_sheet", amount_wan="80",
         outcome_on=date(2026, 7, 2))  # a term sheet is not money raised
    first_half = result("F1", H1)
    assert (first_half.actual, first_half.unit, first_half.target) == (3, "次", None)
    assert first_half.detail == ("金融产品 2 个，规模 8,000.50 万元；入驻金融机构 2 家；"
                                 "达成 2 笔 150.50 万元")
    assert result("F1", H2).detail == ("金融产品 2 个，规模 8,000.50 万元；入驻金融机构 3 家；"
                                       "达成 1 笔 300 万元")
    assert result("F1", YEAR).actual == 4


def test_the_meeting_ledger_shows_an_outcome_once_it_was_known(app, make_tenant):
    tenant = make_tenant(name="重庆云启科技有限公司")
    need = rules.save_need(db.session, None, tenant, need_data(stage="angel"), TODAY)
    meet(tenant, institution(), date(2026, 6, 20), need=need, outcome="invested",
         amount_wan="300", outcome_on=date(2026, 7, 15))
    [row] = sheet("投融资对接台账", H1)
    assert row == {"date": date(2026, 6, 20), "tenant": "重庆云启科技有限公司",
                   "uscc": tenant.uscc, "institution": "两江天使投资基金",
                   "institution_kind": "投资机构", "need_amount": Decimal("200.00"),
                   "stage": "天使轮", "outcome": "待反馈", "amount": None,
                   "outcome_on": None, "note": "对接", "evidence_id": row["evidence_id"]}
    [row] = sheet("投融资对接台账", YEAR)
    assert (row["outcome"], row["amount"], row["outcome_on"]) == (
        "已投资", Decimal("300.00"), date(2026, 7, 15))
    assert sheet("投融资对接台账", H2) == []  # held in H1


def test_the_product_and_institution_sheets_list_the_periods_own(app, make_tenant):
    bank = institution("重庆银行两江科技支行", kind="bank", created_at=LONG_AGO,
                       contact_name="王经理", contact_phone="13800138000")
    rules.save_product(db.session, None, product_data(provider=bank))
    rules.save_product(db.session, None, product_data(
        name="下半年的产品", formation="own", starts_on=date(2026, 7, 1)))
    meet(make_tenant(), bank, date(2026, 3, 3))
    assert sheet("金融服务产品", H1) == [{
        "name": "OPC科创贷", "scale_wan": Decimal("5000.00"), "formation": "合建",
        "partners": "两江新区融资担保有限公司", "provider": "重庆银行两江科技支行",
        "starts_on": date(2026, 1, 1), "ends_on": None, "description": ""}]
    assert [r["name"] for r in sheet("金融服务产品", H2)] == ["OPC科创贷", "下半年的产品"]
    assert sheet("入驻金融机构", H1) == [{
        "name": "重庆银行两江科技支行", "kind": "银行", "uscc": None, "contact": "王经理",
        "phone": "13800138000", "address": "", "meetings": 1, "evidence_id": bank.id}]
    assert sheet("入驻金融机构", H2)[0]["meetings"] == 0


def test_l1_lists_what_was_listed_then_a_withdrawn_amenity_included(app):
    shop = rules.save_amenity(db.session, None, amenity_data(
        name="便利店", kind="shop", listed_on=date(2026, 1, 1)))
    rules.save_amenity(db.session, None, amenity_data(listed_on=date(2026, 2, 1)))
    rules.save_amenity(db.session, None, amenity_data(
        name="职工食堂", kind="canteen", distance_m=0, listed_on=date(2026, 8, 1)))
    rules.withdraw_amenity(db.session, None, shop, date(2026, 3, 31), TODAY)
    assert (result("L1", H1).actual, result("L1", H1).unit) == (2, "处")
    assert result("L1", H1).detail == "人才公寓 1 · 便利店/商超 1"
    assert result("L1", H2).actual == 2
    assert result("L1", H2).detail == "人才公寓 1 · 食堂 1"
    rows = sheet("生活配套清单", H1)
    assert [(r["name"], r["kind"], r["withdrawn_on"]) for r in rows] == [
        ("金开人才公寓", "人才公寓", None), ("便利店", "便利店/商超", date(2026, 3, 31))]
    assert rows[0] | {"listed_on": None} == {
        "name": "金开人才公寓", "kind": "人才公寓", "address": "金开大道88号",
        "distance_m": 800, "note": "", "listed_on": None, "withdrawn_on": None}
    q1 = Period.make(date(2026, 1, 1), date(2026, 3, 15), TODAY)
    assert [r["withdrawn_on"] for r in sheet("生活配套清单", q1)] == [None, None]


def test_a_period_still_ahead_counts_nothing_yet(app, make_tenant):
    rules.save_amenity(db.session, None, amenity_data(listed_on=date(2026, 11, 1)))
    meet(make_tenant(), institution(), date(2026, 11, 5))
    ahead = Period.make(date(2027, 1, 1), date(2027, 12, 31), TODAY)
    assert (result("F1", ahead).actual, result("L1", ahead).actual) == (0, 0)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_fills_every_sheet_once(app, make_tenant):
    tenants = [make_tenant(name=f"重庆演示{n}科技有限公司", founded_on=date(2025, 1, 1))
               for n in range(30)]
    load_demo(db.session, tenants, random.Random(7), TODAY)
    load_demo(db.session, tenants, random.Random(7), TODAY)  # a second run adds nothing
    assert count(FinanceProduct) == 3 and count(Amenity) == 9
    assert count(Provider) == 3 and count(FinancingNeed) == 15
    assert 20 <= count(MatchMeeting) <= 40
    assert count(ServedRecord) == count(MatchMeeting)
    last_year = Period.make(date(2025, 12, 2), TODAY, TODAY)
    for title in ("投融资对接台账", "金融服务产品", "入驻金融机构", "生活配套清单"):
        assert sheet(title, last_year), title
    assert "达成 0 笔" not in result("F1", last_year).detail
