"""Pace: each count indicator month by month against its target line, and where the
year ends at the current pace.

A count indicator (`Indicator.per_year`: events held, scenarios landed…) is read
cumulatively from 1 January to each month end, never past today; its target line is
the year's target spread evenly over the year's days; the projection is the value so
far ÷ days elapsed × days in the year. S4 counts the firms of a rolling window: each
month end's value is the twelve months to that day (`Period.last_twelve_months`), shown
against its level target, never summed over a calendar year.

Cost: one indicator value per month shown, nothing else (a year of 8 series is at most
8 × 12 value calls), whatever the rest of the dashboard evaluates.
"""
import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from community.periods import Period

# Indicators read over a rolling window rather than summed over the year.
ROLLING = frozenset({"S4"})


@dataclass(frozen=True)
class Point:
    """One month's reading: `day` is the month end (or today, in the current month)."""

    day: date
    value: Decimal
    target: Decimal | None  # the target line on that day


@dataclass(frozen=True)
class Pace:
    code: str
    title_zh: str
    title_en: str
    unit: str
    year: int
    rolling: bool  # S4: each point is the twelve months to its day
    points: tuple  # Point per month from January, up to the month holding today
    target: Decimal | None  # the year's target (a level target for a rolling one)
    projection: Decimal | None  # the year-end value at the current pace (count ones)

    @property
    def so_far(self):
        return self.points[-1].value if self.points else Decimal(0)

    @property
    def as_of(self):
        return self.points[-1].day if self.points else None

    @property
    def behind(self):
        """The year-end projection (the latest rolling value) falls short of the target."""
        if self.target is None or not self.points:
            return False
        reached = self.so_far if self.rolling else self.projection
        return reached < self.target


def month_ends(year, today):
    """The month ends of the year up to today (today itself for the current month)."""
    days = []
    for month in range(1, 13):
        first = date(year, month, 1)
        if first > today:
            break
        days.append(min(date(year, month, calendar.monthrange(year, month)[1]), today))
    return days


def days_in_year(year):
    return 366 if calendar.isleap(year) else 365


def target_line(target, day):
    """The year's target spread evenly over its days: where the count should be by `day`."""
    if target is None:
        return None
    elapsed = (day - date(day.year, 1, 1)).days + 1
    return Decimal(target) * elapsed / days_in_year(day.year)


def projection(value, day):
    """The year-end count at the pace so far (value by `day` ÷ days elapsed × days in
    the year), rounded down: the pace has to beat the target, not nearly reach it."""
    elapsed = (day - date(day.year, 1, 1)).days + 1
    projected = Decimal(value) * days_in_year(day.year) / elapsed
    return projected.quantize(Decimal(1), rounding=ROUND_FLOOR)


def pace_of(session, indicator, targets, year, today, known=None):
    """The monthly series, target line and projection of one indicator for a year.

    `known` ({(code, month end): value}) keeps the readings of the months already over
    (the dashboard keeps them for the day); the month holding today is always read."""
    target = targets.get((indicator.code, year), indicator.default_target)
    target = Decimal(target) if target is not None else None
    rolling = indicator.code in ROLLING
    known = {} if known is None else known
    points = []
    for day in month_ends(year, today):
        key = (indicator.code, day)
        if key not in known or day >= today:
            period = Period.make(date(year, 1, 1), day, day)  # as_of = the month end
            known[key] = Decimal(indicator.value(session, period) or 0)
        points.append(Point(day, known[key], target if rolling else target_line(target, day)))
    proj = None
    if points and not rolling:
        proj = projection(points[-1].value, points[-1].day)
    return Pace(indicator.code, indicator.title_zh, indicator.title_en, indicator.unit,
                year, rolling, tuple(points), target, proj)


def paced(indicator):
    """Whether an indicator is drawn month by month: the count ones and the rolling ones."""
    return indicator.per_year or indicator.code in ROLLING


def paces(session, reg, targets, year, today, known=None):
    """Every paced indicator's series for a year, those behind first (then the bang's
    order); `known` as for pace_of."""
    series = [pace_of(session, i, targets, year, today, known)
              for i in reg.indicators if paced(i)]
    return sorted(series, key=lambda p: not p.behind)  # stable: registry order within


def sentence(pace, lang="zh"):
    """One line saying where the indicator stands: "E1：已举办 14 场，目标 24 场；按当前
    进度，到12月31日约 19 场". Translated through Flask-Babel when an app is running."""
    from flask_babel import gettext as _

    if not pace.points:
        return _("%(code)s：本年尚未开始", code=pace.code)
    from community.labels import unit as unit_words
    n, unit = _n(pace.so_far), unit_words(pace.unit)
    if pace.rolling:
        text = _("%(code)s：近12个月（截至%(day)s）%(n)s %(unit)s", code=pace.code,
                 day=pace.as_of.isoformat(), n=n, unit=unit)
        if pace.target is not None:
            text += _("，目标 %(t)s %(unit)s", t=_n(pace.target), unit=unit)
        return text
    text = _("%(code)s：已完成 %(n)s %(unit)s", code=pace.code, n=n, unit=unit)
    if pace.target is not None:
        text += _("，目标 %(t)s %(unit)s", t=_n(pace.target), unit=unit)
    if pace.as_of < date(pace.year, 12, 31):
        text += _("；按当前进度，到12月31日约 %(p)s %(unit)s", p=_n(pace.projection),
                  unit=unit)
    return text


def _n(value):
    value = Decimal(value)
    return str(value.quantize(Decimal(1))) if value == value.to_integral() else str(
        value.normalize())
