"""Booking's indicator S3 and its sheets 预约台账 and 功能空间利用率."""
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.messages import STATUS_LABELS as STATUS_ZH
from booking.models import Booking, Room
from booking.hours import open_hours_on, room_in_service
from community.registry import Column, Indicator, Sheet
from community.settings import community_zone


def _rooms(session):
    return session.scalars(select(Room).options(selectinload(Room.zone))
                           .order_by(Room.id)).all()


def _hours(booking):
    return Decimal((booking.ends_at - booking.starts_at).total_seconds()) / 3600


def rooms_in_service(session, period):
    """S3: bookable rooms in service during the period."""
    return sum(1 for room in _rooms(session)
               if room.zone.bookable and room.zone.in_service_on <= period.as_of
               and (room.zone.out_of_service_on is None
                    or room.zone.out_of_service_on >= period.start))


def _granted(session, period):
    """Bookings that held their room in the period (confirmed, or released no-shows)."""
    start, end = period.window(community_zone(session))
    return session.scalars(select(Booking).where(
        Booking.status.in_(("confirmed", "released")), Booking.starts_at >= start,
        Booking.starts_at < end)).all()


def booked_hours_detail(session, period):
    granted = _granted(session, period)
    booked = sum((_hours(b) for b in granted), Decimal(0))
    used = sum((_hours(b) for b in granted if b.checked_in_at or b.source == "event"),
               Decimal(0))
    return f"预约 {booked:.1f} 小时，实际使用 {used:.1f} 小时"


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
               "checked_in_at": b.checked_in_at}


def _months(period):
    day = period.start.replace(day=1)
    while day <= period.end:
        following = (day + timedelta(days=32)).replace(day=1)
        yield day, max(day, period.start), min(following - timedelta(days=1), period.end)
        day = following


def utilisation_rows(session, period):
    """功能空间利用率: per room per month, open, booked and used hours and the rate."""
    tz = community_zone(session)
    booked, used = defaultdict(Decimal), defaultdict(Decimal)
    for b in _granted(session, period):
        key = (b.room_id, b.starts_at.astimezone(tz).date().replace(day=1))
        booked[key] += _hours(b)
        if b.checked_in_at or b.source == "event":
            used[key] += _hours(b)
    for room in _rooms(session):
        for month, first, last in _months(period):
            days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
            open_hours = Decimal(sum(open_hours_on(room, d) for d in days
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
                                rooms_in_service, Decimal(2), detail=booked_hours_detail))
    reg.add_sheet(Sheet("预约台账", "S3", (
        Column("room", "功能空间"), Column("tenant", "预约企业"), Column("booker", "预约人"),
        Column("starts_at", "开始时间", "datetime"), Column("ends_at", "结束时间", "datetime"),
        Column("status", "状态"), Column("purpose", "用途"), Column("source", "来源"),
        Column("checked_in_at", "签到时间", "datetime")), booking_rows))
    reg.add_sheet(Sheet("功能空间利用率", "S3", (
        Column("room", "功能空间"), Column("month", "月份"),
        Column("open_hours", "开放小时", "number"), Column("booked_hours", "预约小时", "number"),
        Column("used_hours", "使用小时", "number"), Column("rate", "利用率（%）", "number")),
        utilisation_rows))

