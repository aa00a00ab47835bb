"""The operator's report (附件2): 基本情况, 基础能力, 建设目标 and 任务计划 for a
period, as one standalone HTML page (inline CSS and SVG, no outside address) and
as a PDF of that page.

Every figure comes from the registry (evaluate(), the ledger sheets): the core
never names a domain package, so the report, the dashboard and the export agree.
A sheet no package keeps yet leaves its part of the report saying so.
"""
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

from flask import current_app, has_request_context, render_template

from community.charts import pace_chart
from community.pace import pace_of, paced, sentence
from community.periods import Period
from community.registry import evaluate
from community.report_charts import target_bars
from community.settings import (MILESTONE_CODES, REPORT_SECTIONS, TARGET_YEARS, community_zone,
                                current_settings, milestones, targets)

REPORT_FONT = "Noto Sans CJK SC"
# 附件2 三、建设目标: its three parts and the indicators each is measured by.
GOALS = (("development", "社区发展", ("O1", "O2", "S4")),
         ("ecosystem", "生态活动", ("E1",)),
         ("scenarios", "场景支持", ("C2", "C1")))
# The ledger sheets the 基础能力 part reads (by title, as their packages name them).
SHEETS = {"zones": "场地台账", "firms": "入驻/服务企业台账", "products": "金融服务产品",
          "institutions": "入驻金融机构", "living": "生活配套清单", "resources": "服务资源清单"}


@dataclass
class Reached:
    """One indicator against what was promised for a year or by a milestone: status is
    met, missed, ongoing (the time is not up: `actual` is so far), ahead (未到期: not
    begun) or none (nothing promised)."""

    code: str
    title: str
    unit: str
    target: Decimal | None
    actual: Decimal | None
    status: str

    @property
    def early(self):
        """Not due yet, but already there."""
        return (self.status in ("ahead", "ongoing") and self.actual is not None
                and self.target is not None and Decimal(str(self.actual)) >= self.target)


@dataclass
class MilestoneCheck:
    milestone: object
    period: Period | None
    rows: list = field(default_factory=list)
    status: str = "none"  # met, missed, ahead (未到期), none (no figures promised)


def _today(session):
    return datetime.now(timezone.utc).astimezone(community_zone(session)).date()


class _Figures:
    """evaluate() per period, each period read once (a year, a milestone's span)."""

    def __init__(self, session, reg, saved_targets):
        self.session, self.reg, self.targets, self.seen = session, reg, saved_targets, {}

    def __call__(self, period):
        key = (period.start, period.end, period.as_of)
        if key not in self.seen:
            self.seen[key] = {r.code: r for r in evaluate(self.session, self.reg,
                                                          self.targets, period)}
        return self.seen[key]


def _reached(result, target, over, today):
    """A Reached for `result` against `target` for a span ending `over.end`."""
    actual = result.actual if result.indicator is not None else None
    if result.indicator is None:
        status = "absent"
    elif over.start > today:
        status, actual = "ahead", None
    elif target is None:
        status = "none"
    elif actual is not None and Decimal(actual) >= Decimal(target):
        status = "met"
    else:
        status = "ongoing" if over.end >= today else "missed"
    return Reached(result.code, result.title_zh, result.unit, target, actual, status)


def goals(session, reg, figures, saved_targets, today, pace_year):
    """建设目标: each part's indicators per target year, target against reached, and the
    pace of its count indicators through `pace_year` month by month."""
    parts = []
    for key, title, codes in GOALS:
        rows = []
        for year in TARGET_YEARS:
            year_period = Period.make(datetime(year, 1, 1).date(),
                                      datetime(year, 12, 31).date(), today)
            results = figures(year_period)
            for code in codes:
                if code not in results:
                    continue
                result = results[code]
                target = (result.indicator.target_for(saved_targets, year_period)
                          if result.indicator else None)
                rows.append((year, _reached(result, target, year_period, today)))
        chart = target_bars([(f"{year} {r.code} {r.title}", r.actual, r.target, r.status)
                             for year, r in rows], title=title)
        parts.append(dict(key=key, title=title, rows=rows, chart=chart,
                          paces=_paces(session, reg, codes, saved_targets, pace_year, today)))
    return parts


def _paces(session, reg, codes, saved_targets, year, today):
    """The month-by-month pace (community.pace) of the part's count indicators in the
    report's year: [(sentence, chart)]."""
    if year > today.year:
        return []
    by_code = {i.code: i for i in reg.indicators}
    found = []
    for code in codes:
        if code in by_code and paced(by_code[code]):
            pace = pace_of(session, by_code[code], saved_targets, year, today)
            found.append((sentence(pace), pace_chart(pace, title=f"{code} {year}")))
    return found


def milestone_checks(session, figures, settings, today):
    """任务计划: each milestone's figures against what was reached by its date, for the
    span from the implementation's start to that date, read as of that date. A date
    still ahead says 未到期 and shows how far it has got so far."""
    checks = []
    for milestone in milestones(session):
        start = min(settings.period_start_on, milestone.due_on)
        span = Period.make(start, milestone.due_on, today)
        results = figures(span)
        rows = []
        for code, promised in (milestone.figures or {}).items():
            result = results.get(code)
            if result is None:
                continue
            actual = result.actual if result.indicator is not None else None
            if milestone.due_on > today:
                status = "ahead"
            elif actual is not None and Decimal(str(actual)) >= Decimal(str(promised)):
                status = "met"
            else:
                status = "missed"
            rows.append(Reached(code, result.title_zh, result.unit, Decimal(str(promised)),
                                actual, status))
        rows.sort(key=lambda r: (MILESTONE_CODES.index(r.code)
                                 if r.code in MILESTONE_CODES else len(MILESTONE_CODES), r.code))
        if milestone.due_on > today:
            status = "ahead"
        elif not rows:
            status = "none"
        else:
            status = "met" if all(r.status == "met" for r in rows) else "missed"
        checks.append(MilestoneCheck(milestone, span, rows, status))
    return checks


def sheet_rows(session, reg, period, titles):
    """{key: rows} of the named ledger sheets (an absent sheet: None)."""
    by_title = {s.title: s for s in reg.sheets}
    return {key: (list(by_title[title].rows(session, period)) if title in by_title else None)
            for key, title in titles.items()}


def facilities(by_code, rows, period):
    """场地设施's figures as the form asks them, from the indicators and the ledgers."""
    firms = rows.get("firms")
    resident = None
    if firms is not None:
        resident = sum(1 for r in firms if r.get("moved_in_on")
                       and r["moved_in_on"] <= period.as_of
                       and (r.get("moved_out_on") is None or r["moved_out_on"] >= period.as_of))
    zones = [r for r in (rows.get("zones") or []) if r.get("counted")]
    s1, s2 = by_code.get("S1"), by_code.get("S2")
    return dict(area=s1.actual if s1 and s1.indicator else None,
                desks=s2.actual if s2 and s2.indicator else None,
                resident=resident, zones=zones)


def operator_people(settings, people=True):
    """The operator's 负责人 and 联系人 with their phones as the report prints them:
    in full for staff and admin; for a pack or an assessor (people=False) the names read
    张* and the phones 138****8000."""
    from community.export import mask_person
    from community.validators import mask_phone
    name = (lambda v: v) if people else mask_person
    phone = (lambda v: v) if people else mask_phone
    return dict(leader=name(settings.leader), leader_phone=phone(settings.leader_phone),
                contact=name(settings.contact), contact_phone=phone(settings.contact_phone))


def report_context(session, reg, period, chooser=None, people=True):
    """Everything the report template shows for a period (`people`: see render_html)."""
    settings = current_settings(session)
    saved_targets = targets(session)
    today = period.today or _today(session)
    figures = _Figures(session, reg, saved_targets)
    results = evaluate(session, reg, saved_targets, period)
    by_code = {r.code: r for r in results}
    rows = sheet_rows(session, reg, period, SHEETS)
    generated = datetime.now(timezone.utc).astimezone(community_zone(session))
    checks = milestone_checks(session, figures, settings, today)
    return dict(settings=settings, period=period, results=results, by_code=by_code,
                texts=settings.report_texts or {}, sections=dict(REPORT_SECTIONS),
                facilities=facilities(by_code, rows, period), rows=rows,
                goals=goals(session, reg, figures, saved_targets, today, period.as_of.year),
                checks=checks,
                milestone_chart=target_bars(
                    [(f"{c.milestone.due_on:%Y-%m-%d} {r.code} {r.title}", r.actual,
                      r.target, r.status) for c in checks for r in c.rows]),
                generated=generated, today=today, font=REPORT_FONT, chooser=chooser,
                operator=operator_people(settings, people))


def render_html(session, reg, period, chooser=None, people=True):
    """The whole report for a period as a standalone HTML page (what /report shows;
    `chooser`, the period form, only on the page). `people`: people's names and phones
    in full (staff, admin); a pack and an assessor pass False. Outside a request (a pack
    built by a worker) it renders in a bare one."""
    if not has_request_context():
        with current_app.test_request_context():
            return render_html(session, reg, period, chooser, people)
    return render_template("community/report.html",
                           **report_context(session, reg, period, chooser, people))


def write_pdf(html, out):
    """Render a report page to PDF into `out` (a path or a binary file object)."""
    from weasyprint import HTML
    HTML(string=html).write_pdf(out)
