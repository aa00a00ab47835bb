"""Periods: the date ranges every indicator and ledger is computed for.

A period is inclusive, in the community's local days; `as_of` is its
reference day, on which level indicators (area, desks) are read: today for
a period still running, else its last day.
"""
import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
PERIOD_CHOICES = ("year", "last12", "h1", "h2", "implementation", "custom")


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def supersede(rows):
    """Dated rows of one owner (a desk's states, a firm's licence facts): each holds
    until the next takes effect, so `superseded_on` is that one's `effective_on` (None
    for the last). Run after any row is added or moved."""
    ordered = sorted(rows, key=lambda row: row.effective_on)
    for earlier, later in zip(ordered, ordered[1:] + [None]):
        earlier.superseded_on = later.effective_on if later else None


@dataclass(frozen=True)
class Period:
    """An inclusive date range; `as_of` is the day level indicators are read on."""

    start: date
    end: date
    as_of: date
    # The day it is read on: for a period still ahead, nothing after it has happened.
    today: date | None = field(default=None, compare=False)

    @classmethod
    def make(cls, start, end, today):
        if end < start:
            raise ValueError("end before start")
        if start < FIRST_DAY or end > LAST_DAY:  # also keeps UTC conversions in range
            raise ValueError("period outside 2000-2100")
        return cls(start, end, min(max(today, start), end), today)

    @property
    def happened_by(self):
        """The last day whose services can have taken place: the reference day, or
        today when the period lies ahead."""
        return min(self.as_of, self.today) if self.today else self.as_of

    @property
    def days(self):
        return (self.end - self.start).days + 1

    def window(self, tz):
        """[first moment, moment after the last day) in the community's zone: the
        range a timestamp must fall in to belong to the period."""
        return (datetime.combine(self.start, time(0), tz),
                datetime.combine(self.end + timedelta(days=1), time(0), tz))

    def last_twelve_months(self):
        """The twelve months ending on the reference day (S4's 近12个月), never past
        today (for a period ahead the window may hold no day at all)."""
        return Period(max(add_months(self.as_of, -12) + timedelta(days=1), FIRST_DAY),
                      self.happened_by, self.as_of)

    def scaled(self, per_year):
        """A per-year figure scaled to the period's length (a whole year keeps it)."""
        if self.start == date(self.start.year, 1, 1) and self.days in (365, 366):
            return per_year
        scaled = Decimal(per_year) * Decimal(self.days) / Decimal(365)
        return scaled.quantize(Decimal(1), rounding=ROUND_CEILING)


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
