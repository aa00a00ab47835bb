"""Periods, and the registry where packages declare indicators and ledger sheets.

The dashboard, the export and the evidence pack read only this registry, so
they never name a domain package and can never disagree.
"""
import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Callable, Iterable

from flask import current_app


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    """An inclusive date range; `as_of` is the day level indicators are read on."""

    start: date
    end: date
    as_of: date

    @classmethod
    def make(cls, start, end, today):
        if end < start:
            raise ValueError("end before start")
        if start < FIRST_DAY or end > LAST_DAY:  # also keeps UTC conversions in range
            raise ValueError("period outside 2000-2100")
        return cls(start, end, min(max(today, start), end))

    @property
    def days(self):
        return (self.end - self.start).days + 1


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


PERIOD_CHOICES = ("year", "last12", "h1", "h2", "implementation", "custom")


def period_for(choice, today, year=None, start=None, end=None, implementation=None):
    """The period a dashboard choice names; raises ValueError for a bad custom range."""
    year = year or today.year
    if choice == "last12":
        return Period.make(add_months(today, -12) + timedelta(days=1), today, today)
    if choice == "h1":
        return Period.make(date(year, 1, 1), date(year, 6, 30), today)
    if choice == "h2":
        return Period.make(date(year, 7, 1), date(year, 12, 31), today)
    if choice == "implementation" and implementation:
        return Period.make(implementation[0], implementation[1], today)
    if choice == "custom":
        if not (isinstance(start, date) and isinstance(end, date)):
            raise ValueError("custom period needs both dates")
        return Period.make(start, end, today)
    return Period.make(date(year, 1, 1), date(year, 12, 31), today)


@dataclass(frozen=True)
class Indicator:
    """An indicator of the bang: `value(session, period)` returns a number.

    `per_year` targets (24 events a year) are scaled to the period's length;
    level targets (3000 m²) apply as they are.
    """

    code: str
    title_zh: str
    title_en: str
    unit: str
    value: Callable
    default_target: Decimal | None = None
    per_year: bool = False
    detail: Callable | None = None  # (session, period) -> short text

    def target_for(self, targets, period):
        """The target for a period from per-year targets {(code, year): value}."""
        base = targets.get((self.code, period.end.year), self.default_target)
        if base is None or not self.per_year:
            return base
        if period.start == date(period.start.year, 1, 1) and period.days in (365, 366):
            return base
        scaled = Decimal(base) * Decimal(period.days) / Decimal(365)
        return scaled.quantize(Decimal(1), rounding=ROUND_CEILING)


@dataclass(frozen=True)
class Column:
    """A ledger column; kind `phone` is masked unless an admin asks for the full export."""

    key: str
    title: str
    kind: str = "text"  # text, date, datetime, number, money, phone, bool


@dataclass(frozen=True)
class Sheet:
    """A ledger sheet: its Chinese title as the bang writes it, columns and rows."""

    title: str
    columns: tuple[Column, ...]
    rows: Callable[..., Iterable[dict]]  # (session, period) -> dicts keyed by column
    order: int = 100


# The bang's order (榜单一), then the application form's OPC counts.
INDICATOR_ORDER = ["P1", "S1", "S2", "S3", "S4", "G1", "E1", "C1", "O1", "O2"]


@dataclass(frozen=True)
class NavItem:
    """A menu entry: shown when `visible(user)` says so."""

    endpoint: str
    label: str  # Chinese msgid, translated when shown
    visible: Callable


@dataclass
class Registry:
    indicators: list[Indicator] = field(default_factory=list)
    sheets: list[Sheet] = field(default_factory=list)
    # How each package that records a served tenant names its service (S4 ledger).
    served_sources: dict[str, str] = field(default_factory=dict)
    # Menu entries packages add to the one base layout.
    nav: list[NavItem] = field(default_factory=list)
    # Demo builders run after the core's demo: (session, tenants, rng) -> None.
    demo_loaders: list[Callable] = field(default_factory=list)
    # What an operator must act on first: (session, user) -> [(text, endpoint, args)].
    attention: list[Callable] = field(default_factory=list)

    def add_indicator(self, indicator):
        if any(i.code == indicator.code for i in self.indicators):
            raise ValueError(f"indicator {indicator.code} declared twice")
        self.indicators.append(indicator)
        self.indicators.sort(key=lambda i: (INDICATOR_ORDER.index(i.code)
                                            if i.code in INDICATOR_ORDER else 99, i.code))

    def add_sheet(self, sheet):
        self.sheets.append(sheet)
        self.sheets.sort(key=lambda s: s.order)


def registry(app=None):
    return (app or current_app).extensions["opc_registry"]


@dataclass(frozen=True)
class Result:
    indicator: Indicator
    target: Decimal | None
    actual: Decimal
    detail: str

    @property
    def percent(self):
        if not self.target:
            return None
        return int(Decimal(self.actual) * 100 / Decimal(self.target))

    def status(self, period):
        """met, ongoing (period not over yet) or missed; none without a target."""
        if self.target is None:
            return "none"
        if Decimal(self.actual) >= Decimal(self.target):
            return "met"
        return "ongoing" if period.as_of < period.end else "missed"


def evaluate(session, reg, targets, period):
    """Every registered indicator for a period: what the dashboard and export show."""
    results = []
    for indicator in reg.indicators:
        actual = indicator.value(session, period)
        detail = indicator.detail(session, period) if indicator.detail else ""
        results.append(Result(indicator, indicator.target_for(targets, period),
                              actual, detail))
    return results
