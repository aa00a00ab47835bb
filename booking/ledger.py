"""Booking's indicator S3 and its sheets 预约台账 and 功能空间利用率.

S3 asks for 可预约的路演厅、会议室 and 休闲空间: the cover counts, on the
reference day, the bookable roadshow halls and meeting rooms in service and the
leisure zones in service (open to all, so counted whether or not they take
bookings), and is met when each kind has at least one. Hours booked count
every granted booking in the period; hours used, and utilisation, count only
what took place by the reference moment: a booking that ended and was checked
in, or an event's reservation whose time has passed. Nothing in the future.
"""
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from booking.messages import STATUS_LABELS as STATUS_ZH
from booking.models import Booking, Room
from booking.hours import open_hours_on, room_in_service
from community.dbsetup import utcnow
from community.holidays import load_calendar
from community.labels import said
from community.models import Zone
from community.registry import Column, Indicator, Sheet
from community.settings import community_zone

EVIDENCE = "booking"  # attachment owner: a booking's files (a roadshow's sign-in, photos)
# The kinds S3 names, in the bang's words; halls and meeting rooms count when bookable.
SPACE_KINDS = (("roadshow_hall", "路演厅", True), ("meeting_room", "会议室", True),
               ("leisure", "休闲空间", False))


def _rooms(session):
    return session.scalars(select(Room).options(selectinload(Room.zone))
                           .order_by(Room.id)).all()


def _hours(booking):
    return Decimal((booking.ends_at - booking.starts_at).total_seconds()) / 3600


def spaces_by_kind(session, period):
    """{kind: count} of S3's spaces in service on the reference day."""
    day = period.as_of
    zones = session.execute(select(Zone.kind, Zone.bookable).where(
        Zone.kind.in_([kind for kind, _, _ in SPACE_KINDS]), Zone.in_service_on <= day,
        or_(Zone.out_of_service_on.is_(None), Zone.out_of_service_on >= day))).all()
    counts = dict.fromkeys((kind for kind, _, _ in SPACE_KINDS), 0)
    needs_booking = {kind: bookable for kind, _, bookable in SPACE_KINDS}
    for kind, bookable in zones:
        if bookable or not needs_booking[kind]:
            counts[kind] += 1
    return counts


def rooms_in_service(session, period):
    """S3: the spaces of the three kinds in service on the reference day."""
    return sum(spaces_by_kind(session, period).values())


def spaces_complete(session, period):
    """S3 is met when a hall, a meeting room and a leisure space are all in service."""
    return all(spaces_by_kind(session, period).values())


def reference_moment(period, tz, now=None):
    """The moment "took place" is judged at: the end of the reference day, or now
    when that is sooner (a period still running)."""
    end_of_day = datetime.combine(period.as_of + timedelta(days=1), time(0), tz)
    return min(end_of_day, now or utcnow())


def took_place(booking, moment):
    """A checked-in booking, or an event's reservation, that ended by `moment`."""
    return booking.ends_at <= moment and (booking.checked_in_at is not None
                                          or booking.source == "event")


def _granted(session, start, end):
    """Bookings that held their room, starting in [start, end) (confirmed, or
    released no-shows)."""
    return session.scalars(select(Booking).where(
        Booking.status.in_(("confirmed", "released")), Booking.starts_at >= start,
        Booking.starts_at < end)).all()


def booked_hours_detail(session, period):
    tz = community_zone(session)
    granted, moment = _granted(session, *period.window(tz)), reference_moment(period, tz)
    booked = sum((_hours(b) for b in granted), Decimal(0))
    used = sum((_hours(b) for b in granted if took_place(b, moment)), Decimal(0))
    counts = spaces_by_kind(session, period)
    kinds = " · ".join(f"{said(title)} {counts[kind]}" for kind, title, _ in SPACE_KINDS)
    return kinds + said("；预约 %(booked)s 小时，实际使用 %(used)s 小时", booked=f"{booked:.1f}",
                        used=f"{used:.1f}")


def booking_rows(session, period):
    """预约台账: every booking that starts in the period."""
    start, end = period.window(community_zone(session))
    bookings = session.scalars(
        select(Booking).options(selectinload(Booking.room).selectinload(Room.zone),
                                selectinload(Booking.tenant), selectinload(Booking.booked_by))
        .where(Booking.starts_at >= start, Booking.starts_at < end)
        .order_by(Booking.starts_at))
    for b in bookings:
        yield {"room": b.room.zone.name, "tenant": b.tenant.name if b.tenant else "社区",
               "booker": b.booked_by.name if b.booked_by else "",
               "starts_at": b.starts_at, "ends_at": b.ends_at,
               "status": STATUS_ZH.get(b.status, b.status), "purpose": b.purpose,
               "source": "活动" if b.source == "event" else "预约",
               "checked_in_at": b.checked_in_at, "evidence_id": b.id}


def _months(first, last):
    day = first.replace(day=1)
    while day <= last:
        following = (day + timedelta(days=32)).replace(day=1)
        yield day, max(day, first), min(following - timedelta(days=1), last)
        day = following


def utilisation_rows(session, period):
    """功能空间利用率: per room per month up to the reference day, open, booked and
    used hours and the rate (used ÷ open). Days after the reference day are not
    yet open hours, and bookings after it are not yet used."""
    tz = community_zone(session)
    last = period.as_of
    start, _end = period.window(tz)
    moment = reference_moment(period, tz)
    booked, used = defaultdict(Decimal), defaultdict(Decimal)
    for b in _granted(session, start, datetime.combine(last + timedelta(days=1), time(0), tz)):
        key = (b.room_id, b.starts_at.astimezone(tz).date().replace(day=1))
        booked[key] += _hours(b)
        if took_place(b, moment):
            used[key] += _hours(b)
    calendar = load_calendar(session, period.start, last)
    for room in _rooms(session):
        for month, first, month_last in _months(period.start, last):
            days = [first + timedelta(days=n) for n in range((month_last - first).days + 1)]
            open_hours = Decimal(sum(open_hours_on(room, d, calendar) for d in days
                                     if room_in_service(room, d)))
            if not open_hours and not booked[(room.id, month)]:
                continue
            rate = (used[(room.id, month)] * 100 / open_hours) if open_hours else Decimal(0)
            yield {"room": room.zone.name, "month": f"{month:%Y-%m}",
                   "open_hours": open_hours.quantize(Decimal("0.1")),
                   "booked_hours": booked[(room.id, month)].quantize(Decimal("0.1")),
                   "used_hours": used[(room.id, month)].quantize(Decimal("0.1")),
                   "rate": rate.quantize(Decimal("0.1"))}


def register(reg):
    reg.add_indicator(Indicator("S3", "可预约功能空间", "Bookable rooms", "间",
                                rooms_in_service, None, detail=booked_hours_detail,
                                met=spaces_complete, target_text="路演厅、会议室、休闲空间齐备"))
    reg.add_sheet(Sheet("预约台账", "S3", (
        Column("room", "功能空间"), Column("tenant", "预约企业"),
        Column("booker", "预约人", "person"),
        Column("starts_at", "开始时间", "datetime"), Column("ends_at", "结束时间", "datetime"),
        Column("status", "状态"), Column("purpose", "用途"), Column("source", "来源"),
        Column("checked_in_at", "签到时间", "datetime")), booking_rows, evidence=EVIDENCE))
    reg.add_sheet(Sheet("功能空间利用率", "S3", (
        Column("room", "功能空间"), Column("month", "月份"),
        Column("open_hours", "开放小时", "number"), Column("booked_hours", "预约小时", "number"),
        Column("used_hours", "使用小时", "number"), Column("rate", "利用率（%）", "number")),
        utilisation_rows))

