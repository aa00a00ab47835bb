"""The pace of the count indicators: month by month against the target line, the
year-end figure at the current pace, S4 as rolling twelve-month windows, and the
dashboard's sentence and chart."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from community import pace
from community.charts import month_chart, pace_chart
from community.extensions import db
from community.ledger import firms_served
from community.models import ServedRecord
from community.registry import Indicator, registry
from community.served import record_served
from community.web import today as local_today

TODAY = date(2026, 9, 30)


def served_between(session, period):
    """A count indicator over real rows: services recorded in the period."""
    return session.scalar(select(func.count()).select_from(ServedRecord).where(
        ServedRecord.served_on.between(period.start, period.end)))


COUNT = Indicator("T1", "测试服务", "Test services", "次", served_between, Decimal(24),
                  per_year=True)


@pytest.fixture
def counted(app):
    registry(app).add_indicator(COUNT)
    return COUNT


def serve(tenant, *days):
    for day in days:
        record_served(db.session, None, tenant.id, day, "community", f"{tenant.id}-{day}")
    db.session.commit()


def test_month_ends_stop_at_today():
    assert pace.month_ends(2026, date(2026, 3, 5)) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 5)]
    assert len(pace.month_ends(2025, date(2026, 3, 5))) == 12
    assert pace.month_ends(2027, date(2026, 3, 5)) == []


def test_projection_and_target_line():
    # 14 held by 30 September (273 days): 14 / 273 × 365 = 18.7 → 18 by 31 December.
    assert pace.projection(14, date(2026, 9, 30)) == 18
    assert pace.projection(12, date(2024, 6, 30)) == 24  # a leap year: 182 of 366 days
    assert pace.target_line(Decimal(24), date(2026, 12, 31)) == 24
    assert pace.target_line(Decimal(365), date(2026, 1, 31)) == 31
    assert pace.target_line(None, date(2026, 1, 31)) is None


def test_count_series_is_cumulative_month_by_month(app, counted, make_tenant):
    tenant = make_tenant()
    serve(tenant, date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 31), date(2026, 3, 2),
          date(2026, 9, 30), date(2026, 10, 1))  # the last one after today: not counted
    p = pace.pace_of(db.session, counted, {}, 2026, TODAY)
    assert [pt.day for pt in p.points] == pace.month_ends(2026, TODAY)
    assert [int(pt.value) for pt in p.points] == [2, 2, 3, 3, 3, 3, 3, 3, 4]
    assert p.so_far == 4 and p.as_of == TODAY
    assert p.projection == 5  # 4 / 273 × 365 = 5.3
    assert p.behind
    assert p.points[0].target == Decimal(24) * 31 / 365  # the line by 31 January
    assert p.points[-1].target == Decimal(24) * 273 / 365


def test_a_set_target_replaces_the_default(app, counted, make_tenant):
    serve(make_tenant(), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1))
    p = pace.pace_of(db.session, counted, {("T1", 2026): Decimal(3)}, 2026, TODAY)
    assert p.target == 3 and p.projection == 4 and not p.behind


def test_a_past_year_ends_on_31_december(app, counted, make_tenant):
    serve(make_tenant(), date(2025, 5, 1))
    p = pace.pace_of(db.session, counted, {}, 2025, TODAY)
    assert len(p.points) == 12 and p.as_of == date(2025, 12, 31)
    assert p.projection == 1 and p.behind


def test_rolling_s4_is_twelve_months_to_each_month_end(app, make_tenant):
    """S4's point at each month end counts the twelve months to that day: a firm served
    on 15 December 2025 counts through November 2026 and drops out in December, which a
    calendar-year count would never have counted at all."""
    resident = make_tenant(name="常驻企业", moved_in_on=date(2025, 9, 1))
    visitor = make_tenant(name="服务企业", relationship_kind="served", moved_in_on=None)
    serve(visitor, date(2025, 12, 15))
    s4 = next(i for i in registry().indicators if i.code == "S4")
    assert pace.paced(s4)
    p = pace.pace_of(db.session, s4, {}, 2026, date(2027, 1, 10))
    assert p.rolling and p.projection is None
    assert [int(pt.value) for pt in p.points] == [2] * 11 + [1]
    assert all(pt.target == 50 for pt in p.points)  # a level target, not scaled
    # each point is the indicator's own figure for the window to that day
    from community.periods import Period
    nov = Period.make(date(2026, 1, 1), date(2026, 11, 30), date(2026, 11, 30))
    assert firms_served(db.session, nov) == 2
    assert p.behind and resident.id


def test_paces_put_those_behind_first(app, counted, make_tenant):
    tenant = make_tenant()
    serve(tenant, *[date(2026, 1, d) for d in range(1, 29)])  # 28 by January: ahead
    series = pace.paces(db.session, registry(), {}, 2026, TODAY)
    codes = [p.code for p in series]
    assert "T1" in codes and "S4" in codes
    flags = [p.behind for p in series]
    assert flags == sorted(flags, reverse=True) and any(flags)
    assert not series[codes.index("T1")].behind


def test_paces_cost_a_fixed_number_of_statements(app, counted, make_tenant):
    """One value per indicator per month: as many statements for a year of many
    records as for a year of few."""
    tenant = make_tenant()

    def statements(day):
        count = [0]

        def tally(*args):
            count[0] += 1
        event.listen(db.engine, "before_cursor_execute", tally)
        try:
            pace.paces(db.session, registry(), {}, 2026, day)
        finally:
            event.remove(db.engine, "before_cursor_execute", tally)
        return count[0]

    few = statements(TODAY)
    serve(tenant, *[date(2026, m, 3) for m in range(1, 10)])
    serve(make_tenant(), *[date(2026, m, 4) for m in range(1, 10)])
    assert statements(TODAY) == few


def test_sentence_says_where_the_year_ends(app, counted, make_tenant):
    serve(make_tenant(), *[date(2026, m, 5) for m in range(1, 10)])  # 9 by 30 September
    with app.test_request_context():
        p = pace.pace_of(db.session, counted, {}, 2026, TODAY)
        assert pace.sentence(p) == "T1：已完成 9 次，目标 24 次；按当前进度，到12月31日约 12 次"
        s4 = next(i for i in registry().indicators if i.code == "S4")
        text = pace.sentence(pace.pace_of(db.session, s4, {}, 2026, TODAY))
        assert text.startswith("S4：近12个月（截至2026-09-30）1 家")  # the firm is resident and "目标 50 家" in text


def test_chart_is_svg_with_a_bar_per_month_and_a_target_line(app, counted, make_tenant):
    serve(make_tenant(), date(2026, 2, 1))
    svg = str(pace_chart(pace.pace_of(db.session, counted, {}, 2026, TODAY)))
    assert svg.startswith("<svg") and svg.count('class="chart-bar"') == 9
    assert 'class="chart-target"' in svg and "<script" not in svg
    assert 'max-width:320px' in svg  # fits a 360 px phone
    assert "<title>&lt;b&gt;</title>" in str(month_chart([1], title="<b>"))


def test_dashboard_shows_the_pace(app, client, login, counted, make_tenant):
    day = local_today()
    serve(make_tenant(), date(day.year, 1, 1))
    login("staff")
    page = client.get("/").get_data(as_text=True)
    assert 'class="pace-list"' in page and 'data-pace="T1"' in page
    assert "T1：已完成 1 次，目标 24 次" in page and "<svg" in page
    # those behind come first: T1 (1 by today, unless today is near 1 January) and S4
    assert page.index('data-pace="S4"') < page.index('class="cards"')


def test_the_dashboard_keeps_past_months_for_the_day_and_reads_today_live(
        app, client, login, counted, make_tenant):
    """The months already over are read once a day; the month holding today on every
    load, so the sentence (the year so far) shows a change at once."""
    tenant = make_tenant()
    serve(tenant, date(local_today().year, 1, 1))
    login("staff")
    count = [0]

    def tally(*args):
        count[0] += 1
    event.listen(db.engine, "before_cursor_execute", tally)
    try:
        app.extensions.pop("opc_pace_memo", None)
        assert "T1：已完成 1 次" in client.get("/").get_data(as_text=True)
        first = count[0]
        count[0] = 0
        client.get("/")
        kept = count[0]
        serve(tenant, date(local_today().year, 1, 2))
        page = client.get("/").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", tally)
    if local_today().month > 1:  # in January there is no month already over
        assert kept < first
    assert "T1：已完成 2 次" in page
