"""G1, P1 and their sheets: figures from dated records, so a past period reads as
it was; the workbook carries 公共服务台账, 专业服务台账 and 服务资源清单."""
import io
from datetime import date, datetime, timezone
from decimal import Decimal

import pandas as pd

from community.export import write_workbook
from community.extensions import db
from community.ledger import firms_served
from community.periods import Period
from community.registry import evaluate, registry
from services import catalogue, ledger, rules, subsidies

H2 = Period(date(2026, 7, 1), date(2026, 12, 31), date(2026, 12, 31))
H1 = Period(date(2026, 1, 1), date(2026, 6, 30), date(2026, 6, 30))


def deliver(make_request, code, on, tenant=None, **extra):
    request = make_request(code, tenant=tenant,
                           at=datetime(on.year, on.month, 1, 2, tzinfo=timezone.utc))
    rules.complete(db.session, None, request, {"outcome": f"{code} 已办结",
                                               "quantity": Decimal(1), "completed_on": on,
                                               **extra}, request.requested_at, on)
    return request


def test_g1_counts_the_six_categories_delivered_in_the_period(make_request, make_tenant):
    tenant = make_tenant()
    for code in ("registration", "bookkeeping", "tax", "legal", "adaptation"):
        deliver(make_request, code, date(2026, 8, 3), tenant)
    deliver(make_request, "patent", date(2026, 5, 20), tenant)  # the first half
    open_request = make_request("patent", tenant=tenant)  # not delivered: does not count
    db.session.commit()
    assert (ledger.g1_value(db.session, H2), ledger.g1_value(db.session, H1)) == (5, 1)
    detail = ledger.g1_detail(db.session, H2)
    assert "专利申报 0" in detail and "服务企业 1 家" in detail
    deliver(make_request, "patent", date(2026, 9, 1), tenant)
    db.session.commit()
    result = {r.code: r for r in evaluate(db.session, registry(), {}, H2)}["G1"]
    assert (result.actual, result.target, result.status(H2)) == (6, 6, "met")
    assert result.lacking == 6  # none confirmed and rated by the firm yet
    assert open_request.status == "requested"


def test_p1_counts_grants_by_kind_and_ignores_voided_ones(make_tenant, make_provider):
    tenant = make_tenant()
    compute = catalogue.category(db.session, "compute")
    subsidies.set_quota(db.session, None, tenant, 2026, compute, "quantity", Decimal(500))
    kept = subsidies.record_grant(db.session, None, tenant, compute, {
        "quantity": Decimal(100), "value": Decimal(2000), "granted_on": date(2026, 9, 1)},
        date(2026, 9, 1))
    wrong = subsidies.record_grant(db.session, None, tenant, compute, {
        "quantity": Decimal(50), "value": Decimal(1000), "granted_on": date(2026, 9, 2)},
        date(2026, 9, 2))
    subsidies.void_grant(db.session, None, wrong, "重复登记",
                         datetime(2026, 9, 3, tzinfo=timezone.utc))
    db.session.commit()
    assert ledger.p1_value(db.session, H2) == 1
    assert "算力补贴 1 笔 100.00 GPU卡时 ¥2,000.00" in ledger.p1_detail(db.session, H2)
    assert not ledger.p1_met(db.session, H2)  # no compute provider under agreement
    provider = make_provider("compute", kind="compute", name="西部算力中心")
    catalogue.add_agreement(db.session, None, provider, {
        "title": "算力合作协议", "starts_on": date(2026, 1, 1), "ends_on": None})
    db.session.commit()
    assert ledger.p1_met(db.session, H2)
    rows = list(ledger.grant_rows(db.session, H2))
    assert [(r["kind"], r["quantity"]) for r in rows] == [("算力补贴", 100)]
    assert kept.id


def test_delivered_services_serve_the_firm_for_s4(make_request, make_tenant):
    tenant = make_tenant(relationship_kind="served", moved_in_on=None)
    deliver(make_request, "legal", date(2026, 11, 2), tenant)
    db.session.commit()
    assert firms_served(db.session, Period(date(2026, 11, 1), date(2026, 11, 30),
                                           date(2026, 11, 30))) == 1


def test_the_workbook_carries_the_services_sheets(make_request, make_tenant, make_provider):
    tenant = make_tenant(name="重庆甲科技有限公司")
    request = deliver(make_request, "patent", date(2026, 8, 3), tenant, value=Decimal(3000))
    provider = make_provider("patent", name="重庆乙专利代理所")
    catalogue.add_agreement(db.session, None, provider, {
        "title": "专利代理合作协议", "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 12, 31)})
    db.session.commit()
    out = io.BytesIO()
    write_workbook(db.session, registry(), {}, H2, out)
    book = pd.read_excel(io.BytesIO(out.getvalue()), sheet_name=None)
    services = book["公共服务台账"]
    assert list(services["企业名称"]) == ["重庆甲科技有限公司"]
    assert list(services["办理结果"]) == ["patent 已办结"] and request.id
    assert Decimal(str(services["服务价值（元）"][0])) == 3000
    providers = book["服务资源清单"].set_index("机构名称")
    assert providers.loc["重庆乙专利代理所", "协议状态"] == "即将到期"  # read on Dec 31
    assert providers.loc["重庆乙专利代理所", "服务范围"] == "专利申报"
    assert "专业服务台账" in book
