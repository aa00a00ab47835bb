"""Evidence completeness: S4's firms without their licence file, the page that lists every
indicator's gaps for a period (staff; an assessor only inside its grant), and the
cover's 缺证据记录 equal to the number of gaps on the demo community, period after period."""
from datetime import date, timedelta

import pytest
from flask import url_for

from community.dbsetup import utcnow
from community.extensions import db
from community.files import save_attachment
from community.gaps import collect, licence_gaps
from community.models import AssessorGrant
from community.opc import LICENCE_FILE
from community.periods import Period, period_for
from community.registry import INDICATOR_ORDER, Gap, evaluate, registry
from community.settings import current_settings, targets

PDF = b"%PDF-1.4\n%%EOF\n"
Y2025 = Period(date(2025, 1, 1), date(2025, 12, 31), date(2025, 12, 31))
Y2024 = Period(date(2024, 1, 1), date(2024, 12, 31), date(2024, 12, 31))
LATE_2025 = {"period": "custom", "start": "2025-10-01", "end": "2025-12-31"}


def s4_lacking(period):
    return {r.code: r for r in evaluate(db.session, registry(), {}, period)}["S4"].lacking


def file_licence(app, tenant):
    made = save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], LICENCE_FILE,
                           tenant.id, "营业执照.pdf", PDF)
    db.session.commit()
    return made


def test_a_firm_without_its_licence_file_is_a_gap_until_it_is_filed(app, make_tenant):
    tenant = make_tenant(name="重庆缺执照科技有限公司")  # resident since 2025-09-01
    gaps = licence_gaps(db.session, Y2025)
    assert gaps == [Gap("入驻/服务企业台账", f"重庆缺执照科技有限公司（{tenant.uscc}）",
                        "营业执照扫描件", "community.tenant_detail", {"tenant_id": tenant.id})]
    assert s4_lacking(Y2025) == 1
    assert licence_gaps(db.session, Y2024) == [] and not s4_lacking(Y2024)  # not yet a firm of S4
    licence = file_licence(app, tenant)
    assert licence_gaps(db.session, Y2025) == [] and s4_lacking(Y2025) == 0
    licence.withdrawn_at, licence.withdraw_reason = utcnow(), "扫描件不清晰"
    db.session.commit()
    assert len(licence_gaps(db.session, Y2025)) == 1 and s4_lacking(Y2025) == 1


def test_the_page_lists_the_gaps_per_indicator_with_a_link_to_fix_each(
        app, client, login, make_tenant):
    tenant = make_tenant(name="重庆缺执照科技有限公司")
    login("staff")
    body = client.get("/evidence/gaps", query_string=LATE_2025).get_data(as_text=True)
    s4 = body.split('id="gaps-S4"')[1].split("</section>")[0]
    assert "重庆缺执照科技有限公司" in s4 and "营业执照扫描件" in s4 and "1 条记录缺少证据材料" in s4
    assert f'href="/tenants/{tenant.id}"' in s4
    assert 'href="#gaps-S4"' in body  # the counts per indicator lead to their lists
    # Indicators in the bang's order, every one that declares gaps listed.
    codes = [part.split('"')[0] for part in body.split('data-code="')[1:]]
    assert codes == sorted(registry().gaps, key=INDICATOR_ORDER.index)

    file_licence(app, tenant)
    body = client.get("/evidence/gaps", query_string=LATE_2025).get_data(as_text=True)
    assert 'id="no-gaps"' in body and "重庆缺执照科技有限公司" not in body


def test_the_dashboard_count_links_to_the_page(app, client, login, make_tenant):
    make_tenant()
    login("staff")
    body = client.get("/", query_string=LATE_2025).get_data(as_text=True)
    link = body.split("1 条记录缺少证据材料</a>")[0].rsplit("<a ", 1)[1]
    assert "/evidence/gaps?" in link and "start=2025-10-01" in link and "#gaps-S4" in link


def test_an_assessor_reads_the_gaps_only_inside_its_granted_period(app, client, login):
    assessor = login("assessor")
    assert client.get("/evidence/gaps", query_string=LATE_2025).status_code == 403
    db.session.add(AssessorGrant(user_id=assessor.id, start_on=date(2025, 7, 1),
                                 end_on=date(2025, 12, 31)))
    db.session.commit()
    assert client.get("/evidence/gaps", query_string=LATE_2025).status_code == 200
    assert client.get("/evidence/gaps", query_string={
        "period": "custom", "start": "2025-06-01", "end": "2025-12-31"}).status_code == 403
    login("member")
    assert client.get("/evidence/gaps", query_string=LATE_2025).status_code == 403


@pytest.mark.parametrize("query", [
    {"period": "custom", "start": "2026-05-01", "end": "2026-01-01"},  # end before start
    {"period": "custom", "start": "not-a-day"}, {"period": "nonsense", "year": "99999"}])
def test_a_bad_period_falls_back_to_this_year_with_a_message(app, client, login, query):
    login("staff")
    response = client.get("/evidence/gaps", query_string=query)
    assert response.status_code == 200
    assert "证据材料缺口" in response.get_data(as_text=True)


def test_on_the_demo_each_cover_count_equals_its_gaps_and_every_link_builds(demo):
    app = demo
    reg, settings = registry(app), current_settings(db.session)
    today = date.today()
    periods = [period_for(choice, today, implementation=(settings.period_start_on,
                                                          settings.period_end_on))
               for choice in ("year", "last12", "h1", "h2", "implementation")]
    periods.append(period_for("year", today, year=today.year - 1))
    periods.append(Period.make(today - timedelta(days=30), today, today))
    assert set(reg.gap_counts) == set(reg.gaps)  # a count on the cover, a list on the page
    seen = 0
    for period in periods:
        results = {r.code: r for r in evaluate(db.session, reg, targets(db.session), period)}
        for group in collect(db.session, reg, period):
            assert results[group.code].lacking == len(group.gaps), (group.code, period)
            for gap in group.gaps:
                assert isinstance(gap, Gap) and gap.lacks and gap.record
                with app.test_request_context():
                    assert url_for(gap.endpoint, **gap.args).startswith("/")
            seen += len(group.gaps)
    assert seen  # the demo leaves something to file, so the page has rows to show


def test_a_long_list_is_cut_short_and_says_how_many_there_are(
        app, client, login, make_tenant, monkeypatch):
    from community.views import evidence
    monkeypatch.setattr(evidence, "SHOWN", 1)
    make_tenant(name="重庆甲科技有限公司")
    make_tenant(name="重庆乙科技有限公司")
    login("staff")
    body = client.get("/evidence/gaps", query_string=LATE_2025).get_data(as_text=True)
    s4 = body.split('id="gaps-S4"')[1].split("</section>")[0]
    assert "2 条记录缺少证据材料" in s4 and s4.count("<li>") == 1
    assert "仅列出前 1 条，共 2 条" in s4
