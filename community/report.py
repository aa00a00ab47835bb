"""The operator's report (附件2): 基本情况, 基础能力, 建设目标 and 任务计划 for a
period, as one standalone HTML page (inline CSS and SVG, no outside address) and
as a PDF of that page.

Every figure comes from the registry (evaluate(), the ledger sheets): the core
never names a domain package, so the report, the dashboard and the export agree.
"""
from datetime import datetime, timezone

from flask import current_app, has_request_context, render_template

from community.registry import evaluate
from community.settings import community_zone, current_settings, targets

REPORT_FONT = "Noto Sans CJK SC"


def report_context(session, reg, period):
    """Everything the report template shows for a period."""
    settings = current_settings(session)
    results = evaluate(session, reg, targets(session), period)
    generated = datetime.now(timezone.utc).astimezone(community_zone(session))
    return dict(settings=settings, period=period, results=results,
                generated=generated, font=REPORT_FONT)


def render_html(session, reg, period):
    """The whole report for a period as a standalone HTML page (what /report shows).
    Outside a request (a pack built by a worker) it renders in a bare one."""
    if not has_request_context():
        with current_app.test_request_context():
            return render_html(session, reg, period)
    return render_template("community/report.html", **report_context(session, reg, period))


def write_pdf(html, out):
    """Render a report page to PDF into `out` (a path or a binary file object)."""
    from weasyprint import HTML
    HTML(string=html).write_pdf(out)
