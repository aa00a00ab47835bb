"""The holiday calendar: statutory days off and adjusted working days (调休), per year.

The State Council publishes each year's arrangement in the preceding winter
(国务院办公厅关于YYYY年部分节假日安排的通知); the chinese-calendar library
follows it a few weeks later and knows nothing of years not yet published.
Staff therefore keep the calendar as a table (`community.models.Holiday`),
each day with its source: filled from the library for the years it knows,
completed or corrected by hand for the others. A year without a single row is
a year the system does not know; booking treats its days as ordinary days and
the dashboard says so, rather than pretending.

Rules here take the session, the actor and plain values; nothing reads a
request. Whoever needs the calendar loads it once for the days it shows
(`load_calendar`, one query) and asks the loaded `Calendar`.
"""
from dataclasses import dataclass
from datetime import date

import chinese_calendar
from sqlalchemy import select

from community import audit
from community.models import Holiday
from community.periods import FIRST_DAY, LAST_DAY
from community.refusals import Invalid, Refused
from community.validators import clean_text

KINDS = ("off", "workday")  # a day off, or a weekend day worked instead (调休上班)
LIBRARY_SOURCE = f"chinese-calendar {chinese_calendar.__version__}"


@dataclass(frozen=True)
class Day:
    """One row of the table, detached from the session."""

    day: date
    kind: str
    name_zh: str
    name_en: str
    source: str

    def name(self, lang="zh"):
        """The name in the reader's language (the Chinese one when no English is kept)."""
        return self.name_en if lang == "en" and self.name_en else self.name_zh


class Calendar:
    """The holiday table for whole years, loaded at once.

    `holiday(day)` is the name of the day off (None on other days),
    `is_adjusted_workday(day)` says a weekend day is worked, `knows(year)` whether
    the year has any rows at all. Names are given in `lang`. Asking about a day
    outside the loaded years is a programming error and raises.
    """

    def __init__(self, days, first_year, last_year, lang="zh"):
        self.days = {d.day: d for d in days}
        self.first_year, self.last_year, self.lang = first_year, last_year, lang
        self.known = {d.day.year for d in days}

    def _check(self, year):
        if not self.first_year <= year <= self.last_year:
            raise ValueError(f"holiday calendar loaded for {self.first_year}-{self.last_year}"
                             f", asked about {year}")

    def entry(self, day):
        """The table's row for a day, or None."""
        self._check(day.year)
        return self.days.get(day)

    def holiday(self, day):
        """The name of the statutory day off on `day`, or None."""
        entry = self.entry(day)
        return entry.name(self.lang) if entry is not None and entry.kind == "off" else None

    def is_adjusted_workday(self, day):
        """A Saturday or Sunday that is a working day (调休)."""
        entry = self.entry(day)
        return entry is not None and entry.kind == "workday" and day.weekday() >= 5

    def workday_for(self, day):
        """The holiday an adjusted working day makes up for (its name), or None."""
        entry = self.entry(day)
        return entry.name(self.lang) if entry is not None and entry.kind == "workday" else None

    def knows(self, year):
        """Whether the table has any row for the year (else its days count as ordinary)."""
        self._check(year)
        return year in self.known

    def unknown_years(self):
        return [y for y in range(self.first_year, self.last_year + 1) if y not in self.known]


def load_calendar(session, first, last=None, lang="zh"):
    """The calendar of every year from `first`'s to `last`'s, in one query (plain rows:
    a booking asks for it on every post, and mapped objects cost ten times more)."""
    last = last or first
    first_year, last_year = min(first, last).year, max(first, last).year
    rows = session.execute(select(
        Holiday.day, Holiday.kind, Holiday.name_zh, Holiday.name_en, Holiday.source).where(
        Holiday.day >= date(first_year, 1, 1), Holiday.day <= date(last_year, 12, 31)))
    return Calendar([Day(*row) for row in rows], first_year, last_year, lang)


def days_of_year(session, year):
    """The table's rows of a year, in date order (for the staff page)."""
    return session.scalars(select(Holiday).where(
        Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))
        .order_by(Holiday.day)).all()


def years_kept(session):
    """{year: (days off, adjusted working days)} for every year with rows."""
    counts = {}
    for day, kind in session.execute(select(Holiday.day, Holiday.kind)):
        off, work = counts.get(day.year, (0, 0))
        counts[day.year] = (off + (kind == "off"), work + (kind == "workday"))
    return dict(sorted(counts.items()))


# --- changing the table -------------------------------------------------------------------

def add_day(session, actor, data):
    """Enter one day (a day off or an adjusted working day) with its source.

    Refused per field: day missing or absurd, already entered, a working day on
    Monday–Friday (those are working days anyway), unknown kind, no Chinese
    name, no source.
    """
    errors, clean = {}, {}
    day = data.get("day")
    if not isinstance(day, date):
        errors["day"] = "required" if day in (None, "") else "date_invalid"
    elif not FIRST_DAY <= day <= LAST_DAY:
        errors["day"] = "date_invalid"
    elif session.scalar(select(Holiday.id).where(Holiday.day == day)) is not None:
        errors["day"] = "holiday_duplicate"
    kind = data.get("kind")
    if kind not in KINDS:
        errors["kind"] = "choice_invalid"
    elif kind == "workday" and isinstance(day, date) and day.weekday() < 5:
        errors["kind"] = "holiday_workday_on_weekday"
    for field, limit, required in (("name_zh", 50, True), ("name_en", 50, False),
                                   ("source", 200, True)):
        try:
            clean[field] = clean_text(data.get(field), limit, required=required)
        except Refused as exc:
            errors[field] = exc.code
    if errors:
        raise Invalid(errors)
    row = Holiday(day=day, kind=kind, **clean)
    session.add(row)
    audit.record(session, actor, "holiday.created", row)
    return row


def remove_day(session, actor, row):
    """Take a day out of the table (audited with what it said)."""
    audit.record(session, actor, "holiday.deleted", row, before=audit.snapshot(row))
    session.delete(row)
    session.flush()


def library_years():
    """The years chinese-calendar has data for."""
    days = chinese_calendar.holidays
    return range(min(days).year, max(days).year + 1)


def _library_days(year):
    """(day, kind, name_zh, name_en) of a year as chinese-calendar has them."""
    for kind, table in (("off", chinese_calendar.holidays), ("workday", chinese_calendar.workdays)):
        for day, english in sorted(table.items()):
            if day.year == year:
                yield day, kind, chinese_calendar.Holiday(english).chinese, english


def import_year(session, actor, year):
    """Fill a year from chinese-calendar: add the days the table lacks, never change a
    day already entered (staff know better). Returns (rows added, days kept)."""
    if year not in library_years():
        raise Refused("holiday_year_unknown", year=year)
    have = {d for d in session.scalars(select(Holiday.day).where(
        Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31)))}
    added, kept = [], 0
    for day, kind, name_zh, name_en in _library_days(year):
        if day in have:
            kept += 1
            continue
        row = Holiday(day=day, kind=kind, name_zh=name_zh, name_en=name_en,
                      source=LIBRARY_SOURCE)
        session.add(row)
        audit.record(session, actor, "holiday.created", row, note=f"导入 {year}")
        added.append(row)
    return added, kept
