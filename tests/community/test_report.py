"""The operator's report (附件2): its sections, figures that are evaluate()'s for the
period, milestones against what was reached, the PDF (Chinese drawn, not blank), who
may read it and the trail of its downloads."""
import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import select

from community.extensions import db
from community.models import AssessorGrant, AuditEntry
from community.periods import Period
from community.registry import evaluate, registry
from community.report import render_html
from community.settings import save_milestone, save_settings, targets

YEAR = "period=year&year=2025"
PERIOD_2025 = (date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
def community(app, make_desks, make_tenant):
    """A community running since September 2025: a 500 m² desk area with three zero-rent
    desks, one resident one-person company, milestones one past and one far ahead."""
    save_settings(db.session, None, {
        "name": "测试OPC社区", "timezone": "Asia/Shanghai", "period_start_on": date(2025, 9, 1),
        "period_end_on": date(2027, 12, 31), "operator_name": "重庆测试运营有限公司",
        "leader": "王敏", "tenure_kind": "leased", "tenure_starts_on": date(2025, 7, 1),
        "tenure_ends_on": date(2030, 6, 30), "focus": ["数字内容", "低空经济"],
        "report_texts": {"professional": "接入国产大模型。"}})
    make_desks(count=3)
    make_tenant(name="重庆一人科技有限公司")
    save_milestone(db.session, None, None, date(2025, 12, 31), "入驻起步",
                   {"O1": "1", "S4": "5"})
    save_milestone(db.session, None, None, date(2099, 6, 30), "远期目标", {"O1": "100"})
    db.session.commit()


def section(page, anchor):
    """The page's part from the element with id `anchor` to the next section."""
    start = page.index(f'id="{anchor}"')
    end = page.find("<section", start)
    return page[start:end if end != -1 else None]


def indicator_rows(page):
    """{code: the actual figure's text} of the report's indicator table."""
    part = section(page, "indicators")
    return {code: re.sub(r"<[^>]+>", "", cell).strip() for code, cell in re.findall(
        r'<tr data-code="(\w+)">.*?<td class="num actual">(.*?)</td>', part, re.S)}


def shown(value, unit):
    from decimal import Decimal
    value = Decimal(value)
    text = f"{value:,.0f}" if value == value.to_integral() else f"{value:,.2f}"
    return f"{text} {unit}".strip()


def test_the_report_follows_the_form_with_evaluate_figures_for_the_period(
        client, login, community):
    login("staff")
    response = client.get(f"/report?{YEAR}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for heading in ("一、基本情况", "二、基础能力", "1. 专业服务", "2. 场地设施", "3. 金融服务",
                    "4. 生活配套", "5. 公共服务", "三、建设目标", "社区发展", "生态活动",
                    "场景支持", "四、任务计划"):
        assert heading in page, heading
    assert "2025-01-01 至 2025-12-31" in page  # the period in the title
    assert "重庆测试运营有限公司" in page and "数字内容、低空经济" in page
    assert "租赁，使用期限 2025-07-01 至 2030-06-30" in page
    assert "接入国产大模型。" in page
    period = Period.make(*PERIOD_2025, date.today())
    results = evaluate(db.session, registry(), targets(db.session), period)
    rows = indicator_rows(page)
    for r in results:
        expected = shown(r.actual, r.unit) if r.indicator and r.actual is not None else "—"
        assert rows[r.code] == expected, r.code
    by_code = {r.code: r for r in results}
    facilities = section(page, "capability")
    assert f'data-code="S1"><span class="nb">{shown(by_code["S1"].actual, "")}' in facilities
    assert f'data-code="S2"><span class="nb">{shown(by_code["S2"].actual, "")}' in facilities
    assert by_code["S2"].actual == 3
    assert re.search(r'id="resident-firms"><span class="nb">1</span>', facilities)
    # The page holds its own style and drawings, nothing from elsewhere.
    assert "<link" not in page and " src=" not in page
    assert "unsafe-inline" in response.headers["Content-Security-Policy"]


def test_milestones_say_what_was_reached_by_their_date_and_a_date_ahead_is_not_due(
        client, login, community):
    login("admin")
    page = client.get(f"/report?{YEAR}").get_data(as_text=True)
    past = page[page.index('id="milestone-2025-12-31"'):page.index('id="milestone-2099-06-30"')]
    assert "未完成" in past  # S4: one firm of the five promised
    assert re.search(r'data-code="O1">.*?已达标', past, re.S)
    assert re.search(r'data-code="S4">.*?未达标', past, re.S)
    ahead = section(page, "plan")
    ahead = ahead[ahead.index('id="milestone-2099-06-30"'):]
    assert "未到期" in ahead and "远期目标" in ahead
    assert "已达标" not in ahead and "未达标" not in ahead
    assert "<svg" in section(page, "plan") and "<svg" in section(page, "goals")


def test_the_pdf_draws_the_report_in_chinese_and_its_download_is_in_the_trail(
        client, login, community, tmp_path):
    user = login("staff")
    response = client.get(f"/report.pdf?{YEAR}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.data)
    response.close()
    assert shutil.which("pdftoppm"), "poppler-utils draws the PDF"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 0
    image = Image.open(png).convert("L")
    dark = sum(image.histogram()[:200])
    assert dark > 500  # text and tables, not a blank page
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "NotoSansCJK" in fonts.replace("-", "")  # the Chinese is drawn in a CJK font
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "report.downloaded"))
    assert (entry.actor_id, entry.object_type, entry.note) == (
        user.id, "report", "2025-01-01~2025-12-31")


def test_an_assessor_reads_the_report_only_inside_its_grant(client, login, community):
    assessor = login("assessor")
    for path in (f"/report?{YEAR}", f"/report.pdf?{YEAR}"):
        assert client.get(path).status_code == 403
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "report.downloaded")) is None
    db.session.add(AssessorGrant(user_id=assessor.id, start_on=date(2025, 1, 1),
                                 end_on=date(2025, 12, 31)))
    db.session.commit()
    assert client.get(f"/report?{YEAR}").status_code == 200
    response = client.get(f"/report.pdf?{YEAR}")
    assert response.status_code == 200
    response.close()
    assert client.get("/report?period=year&year=2024").status_code == 403
    for role in ("member",):
        login(role)
        assert client.get(f"/report?{YEAR}").status_code == 403


def test_the_report_renders_outside_a_request_for_a_pack(app, community):
    period = Period.make(*PERIOD_2025, date.today())
    html = render_html(db.session, registry(), period)
    assert html.startswith("<!doctype html>") and "一、基本情况" in html
    assert 'class="chooser"' not in html  # the period form is the page's, not the pack's
    from community.report import write_pdf
    out = io.BytesIO()
    write_pdf(html, out)
    assert out.getvalue().startswith(b"%PDF")


def test_a_bad_period_falls_back_and_never_fails(client, login, community):
    login("staff")
    response = client.get("/report?period=custom&start=2025-12-31&end=2025-01-01")
    assert response.status_code == 200
    assert client.get("/report?period=year&year=abc").status_code == 200
