"""Period locks: a reported period is closed, and a later change inside it is a
correction — made with a reason, marked in the audit trail, listed in the next export.

A package says which columns date its records (`reg.add_dated`); `audit.record`
asks `guard` before it writes an entry (an admin locks with rules.lock_period), so no change to a dated record can
slip past a lock, whatever page or command made it. The reason comes from the
person's correction mode (`session.info[REASON]`, set per request from their
login session by the views; a rule or a test sets it directly).
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from community.models import Community, PeriodLock
from community.refusals import Invalid, Refused

REASON = "opc_correction_reason"
CACHE = "opc_period_locks"
MAX_REASON = 300


def period_locks(session):
    """Every lock, read once per transaction (a write asks for each dated record)."""
    if CACHE not in session.info:
        session.info[CACHE] = session.scalars(
            select(PeriodLock).order_by(PeriodLock.start_on)).all()
    return session.info[CACHE]


def forget(session):
    """A lock was added: read them afresh."""
    session.info.pop(CACHE, None)


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction):
    if transaction.parent is None:
        forget(session)


def _day(value, tz):
    """A snapshot's date or datetime (ISO text) as a local day; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(tz).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(tz).date() if moment.tzinfo else moment.date()


def touched(dated, before, after, tz):
    """The spans of days a change reaches: [(first, last)], None meaning open-ended.

    A point record reaches each day one of its dates names, before and after.
    A ranged record (first field its start, the others its ends) reaches its whole
    span when it is created or deleted, and otherwise only the days between an old
    and a new value of a date that moved."""
    old, new = before or {}, after or {}
    if not dated.ranged:
        days = {_day(side.get(f), tz) for side in (old, new) for f in dated.fields}
        return [(day, day) for day in days if day is not None]
    start, *ends = dated.fields
    if before is None or after is None:
        side = new if before is None else old
        first = _day(side.get(start), tz)
        lasts = [d for d in (_day(side.get(f), tz) for f in ends) if d is not None]
        return [(first, min(lasts) if lasts else None)]
    spans = []
    for index, field in enumerate(dated.fields):
        a, b = _day(old.get(field), tz), _day(new.get(field), tz)
        if a == b:
            continue
        if a is None or b is None:  # an open start reaches back, an open end onward
            known = a or b
            spans.append((None, known) if index == 0 else (known, None))
        else:
            spans.append((min(a, b), max(a, b)))
    return spans


def _overlaps(lock, span):
    first, last = span
    return (first is None or first <= lock.end_on) and (last is None or last >= lock.start_on)


def guard(session, dated, before, after):
    """The lock a change to a dated record reaches, with the person's reason — or
    Refused when it reaches one and no reason was given; None when it reaches none."""
    locks = period_locks(session)
    if not locks:
        return None
    spans = touched(dated, before, after, _zone(session))
    hit = next((lock for lock in locks for span in spans if _overlaps(lock, span)), None)
    if hit is None:
        return None
    reason = (session.info.get(REASON) or "").strip()
    if not reason:
        raise Refused("period_locked", period=hit.label)
    return hit, reason


def _zone(session):
    """The community's zone, in which a timestamp's day is read (as settings do)."""
    name = session.scalar(select(Community.timezone).limit(1)) or "Asia/Shanghai"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def clean_reason(text):
    """A correction reason as typed: required, one line, at most 300 characters."""
    text = " ".join((text or "").split())
    if not text:
        raise Invalid({"reason": "required"})
    if len(text) > MAX_REASON:
        raise Invalid({"reason": "too_long"})
    return text
