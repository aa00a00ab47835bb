"""The services' evidence gaps: a completed service the firm has not rated (G1), a grant
without provider or value (P1), a provider used with no agreement in force or without
its file (G1, P1), a meeting whose outcome is not recorded (F1). Each disappears once
filed, and each indicator's 缺证据记录 equals its number of gaps."""
from datetime import date, datetime, timezone
from decimal import Decimal

from community.dbsetup import utcnow
from community.extensions import db
from community.files import save_attachment
from community.periods import Period
from community.registry import evaluate, registry
from services import catalogue, rules, subsidies
from services.financing import rules as financing_rules
from services.ledger import AGREEMENT
from tests.services.test_financing import institution
from tests.services.test_ledger import deliver

H1 = Period.make(date(2026, 1, 1), date(2026, 6, 30), date(2026, 12, 1))
H2 = Period.make(date(2026, 7, 1), date(2026, 12, 31), date(2026, 12, 1))
PDF = b"%PDF-1.4\n%%EOF\n"


def gaps(code, period):
    return [gap for fn in registry().gaps[code] for gap in fn(db.session, period)]


def lacking(code, period):
    return {r.code: r for r in evaluate(db.session, registry(), {}, period)}[code].lacking


def agreement(provider, starts_on, ends_on):
    made = catalogue.add_agreement(db.session, None, provider, {
        "title": f"合作协议 {starts_on:%Y}", "starts_on": starts_on, "ends_on": ends_on})
    db.session.commit()
    return made


def file_agreement(app, made):
    save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], AGREEMENT, made.id,
                    "协议.pdf", PDF)
    db.session.commit()


def test_a_service_the_firm_has_not_rated_is_a_gap_until_it_is(
        app, make_request, make_tenant, make_user):
    tenant = make_tenant(name="重庆评价测试科技有限公司")
    request = deliver(make_request, "legal", date(2026, 8, 3), tenant)
    db.session.commit()
    (gap,) = gaps("G1", H2)
    assert (gap.sheet, gap.lacks, gap.endpoint, gap.args) == (
        "公共服务台账", "企业确认与评价", "services.request_detail", {"request_id": request.id})
    assert gap.record.startswith("重庆评价测试科技有限公司 · ") and "2026-08-03" in gap.record
    assert lacking("G1", H2) == 1 and gaps("G1", H1) == [] and not lacking("G1", H1)
    founder = make_user("member", tenant=tenant)
    rules.confirm(db.session, founder, request, 5, "很好", utcnow())
    db.session.commit()
    assert gaps("G1", H2) == [] and not lacking("G1", H2)


def test_a_provider_used_after_its_agreement_ended_is_a_gap_until_renewed_and_filed(
        app, make_request, make_provider, make_tenant, make_user):
    provider = make_provider("legal", name="重庆过期协议律师事务所", kind="law_firm")
    old = agreement(provider, date(2025, 7, 1), date(2026, 6, 30))
    file_agreement(app, old)
    tenant = make_tenant()
    founder = make_user("member", tenant=tenant)
    for on in (date(2026, 5, 6), date(2026, 8, 3)):
        request = make_request("legal", tenant=tenant,
                               at=datetime(on.year, on.month, 1, 2, tzinfo=timezone.utc))
        rules.assign(db.session, None, request, provider, request.requested_at)
        rules.complete(db.session, None, request, {"outcome": "已出具法律意见",
                                                   "quantity": Decimal(1), "completed_on": on},
                       request.requested_at, on)
        rules.confirm(db.session, founder, request, 4, "", utcnow())
    db.session.commit()
    assert gaps("G1", H1) == []  # served in May under the agreement, which has its file
    (gap,) = gaps("G1", H2)
    assert (gap.sheet, gap.record, gap.lacks, gap.endpoint, gap.args) == (
        "服务资源清单", "重庆过期协议律师事务所", "有效合作协议", "services.provider_detail",
        {"provider_id": provider.id})
    assert lacking("G1", H2) == 1
    renewal = agreement(provider, date(2026, 7, 1), None)  # renewed, its file not yet filed
    assert [g.lacks for g in gaps("G1", H2)] == ["合作协议文件"] and lacking("G1", H2) == 1
    file_agreement(app, renewal)
    assert gaps("G1", H2) == [] and not lacking("G1", H2)


def test_a_grant_without_provider_or_value_is_a_gap(app, make_tenant, make_provider):
    tenant = make_tenant(name="重庆算力测试科技有限公司")
    compute = catalogue.category(db.session, "compute")
    subsidies.set_quota(db.session, None, tenant, 2026, compute, "quantity", Decimal(500))
    bare = subsidies.record_grant(db.session, None, tenant, compute, {
        "quantity": Decimal(100), "granted_on": date(2026, 9, 1)}, date(2026, 9, 1))
    provider = make_provider("compute", name="重庆算力中心", kind="compute")
    subsidies.record_grant(db.session, None, tenant, compute, {
        "quantity": Decimal(50), "value": Decimal(1000), "granted_on": date(2026, 9, 2),
        "provider_id": provider.id}, date(2026, 9, 2))
    db.session.commit()
    found = gaps("P1", H2)
    assert [(g.sheet, g.lacks, g.endpoint) for g in found] == [
        ("专业服务台账", "服务机构、折合金额", "services.grants"),
        ("服务资源清单", "有效合作协议", "services.provider_detail")]
    assert found[0].record == "重庆算力测试科技有限公司 · 算力补贴 100.00（2026-09-01）"
    assert lacking("P1", H2) == 2 and gaps("P1", H1) == [] and not lacking("P1", H1)
    subsidies.void_grant(db.session, None, bare, "补录机构与金额",
                         datetime(2026, 9, 3, tzinfo=timezone.utc))
    file_agreement(app, agreement(provider, date(2026, 1, 1), None))
    assert gaps("P1", H2) == [] and not lacking("P1", H2)


def test_a_meeting_without_its_outcome_is_a_gap_until_recorded(app, make_tenant):
    bank = institution()
    tenant = make_tenant(name="重庆融资测试科技有限公司")
    meeting = financing_rules.record_meeting(db.session, None, {
        "tenant": tenant, "provider": bank, "need": None, "met_on": date(2026, 9, 10),
        "note": ""}, date(2026, 12, 1))
    db.session.commit()
    (gap,) = gaps("F1", H2)
    assert (gap.sheet, gap.lacks, gap.endpoint, gap.args) == (
        "投融资对接台账", "对接结果", "services.financing_meeting", {"meeting_id": meeting.id})
    assert gap.record == f"重庆融资测试科技有限公司 × {bank.name}（2026-09-10）"
    assert lacking("F1", H2) == 1 and gaps("F1", H1) == []
    financing_rules.record_outcome(db.session, None, meeting, {
        "outcome": "declined", "outcome_on": date(2026, 9, 20)}, date(2026, 12, 1))
    db.session.commit()
    assert gaps("F1", H2) == [] and not lacking("F1", H2)
