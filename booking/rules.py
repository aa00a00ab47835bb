"""Booking decisions as plain functions: the actor, the clock (`now`) and the
community's time zone are parameters; nothing here reads a request."""
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from booking import SERVED_SOURCE
from booking.hours import opening_for, room_in_service
from booking.models import ACTIVE, Blackout, Booking, Room
from community import audit
from community.dbsetup import lock_row
from community.holidays import load_calendar
from community.permissions import can, member_of
from community.refusals import Refused
from community.served import record_served, void_served
from community.settings import community_zone

MAX_OCCURRENCES = 12
CHECKIN_EARLY = timedelta(minutes=15)


class BookingRefused(Refused):
    """A booking rule said no; `code` says which."""


# --- permissions ------------------------------------------------------------------

def is_staff(user):
    return can(user, "edit")


def can_book(user, room):
    """Staff book any bookable room; a member books for its own tenant."""
    return is_staff(user) or (user.is_authenticated and user.role == "member"
                              and user.tenant_id is not None)


def can_see_booking(user, booking):
    return can(user, "view") or member_of(user, booking.tenant_id)


def can_cancel(user, booking):
    """Staff cancel any booking; a member only its own tenant's."""
    return is_staff(user) or member_of(user, booking.tenant_id)


# --- checks ---------------------------------------------------------------------------

def overlapping(session, room_id, starts_at, ends_at, exclude_id=None):
    """The first active booking of the room that shares a moment with [starts_at, ends_at)."""
    query = select(Booking).where(Booking.room_id == room_id, Booking.status.in_(ACTIVE),
                                  Booking.starts_at < ends_at, Booking.ends_at > starts_at)
    if exclude_id:
        query = query.where(Booking.id != exclude_id)
    return session.scalars(query.limit(1)).first()


def blackouts_over(session, room_id, starts_at, ends_at):
    """The room's blackouts sharing a moment with [starts_at, ends_at), earliest first."""
    return session.scalars(select(Blackout).where(
        Blackout.room_id == room_id, Blackout.starts_at < ends_at,
        Blackout.ends_at > starts_at).order_by(Blackout.starts_at)).all()


def _blackout(session, room_id, starts_at, ends_at):
    return next(iter(blackouts_over(session, room_id, starts_at, ends_at)), None)


def bookings_hit(session, blackout):
    """The active bookings of the blackout's room that fall inside it, soonest first:
    staff tell their tenants (a blackout warns, it does not cancel them)."""
    return session.scalars(select(Booking).where(
        Booking.room_id == blackout.room_id, Booking.status.in_(ACTIVE),
        Booking.starts_at < blackout.ends_at, Booking.ends_at > blackout.starts_at)
        .order_by(Booking.starts_at)).all()


def last_bookable_day(room, now, tz):
    """The last local day a member may book the room on (its booking window)."""
    return (now + timedelta(days=room.book_ahead_days)).astimezone(tz).date()


def week_hours(session, room_id, tenant_id, day, tz):
    """Hours the tenant holds in a room in the (local, Monday-first) week of `day`."""
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time(0), tz)
    rows = session.execute(select(Booking.starts_at, Booking.ends_at).where(
        Booking.room_id == room_id, Booking.tenant_id == tenant_id,
        Booking.status.in_(ACTIVE), Booking.starts_at >= start,
        Booking.starts_at < start + timedelta(days=7)))
    return sum((end - begin).total_seconds() for begin, end in rows) / 3600


def check_when(room, starts_at, now, tz, staff=False):
    """Refuse a start the room takes from nobody: out of service, past, or (for a member)
    beyond the booking window."""
    if not room_in_service(room, starts_at.astimezone(tz).date()):
        raise BookingRefused("not_bookable")
    if starts_at < now:
        raise BookingRefused("in_past")
    if not staff and starts_at > now + timedelta(days=room.book_ahead_days):
        raise BookingRefused("beyond_window", days=room.book_ahead_days,
                             last=f"{last_bookable_day(room, now, tz):%Y-%m-%d}")


def check_open(room, starts_at, ends_at, tz, calendar, blackouts):
    """Refuse [starts_at, ends_at) when the room is closed that day (a holiday), it runs
    outside the opening hours or off the slot grid, or a blackout (of `blackouts`, the
    room's blackouts around it) covers part of it."""
    local_start, local_end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    day = local_start.date()
    opening = opening_for(room, day, calendar)
    if opening is None:
        name = calendar.holiday(day)
        raise BookingRefused("holiday", name=name) if name else BookingRefused("closed")
    opens, closes = (datetime.combine(day, t, tz) for t in opening)
    if local_start < opens or local_end > closes:
        raise BookingRefused("outside_hours", opens=f"{opening[0]:%H:%M}",
                             closes=f"{opening[1]:%H:%M}")
    step = timedelta(minutes=room.slot_minutes)
    if (local_start - opens) % step or (ends_at - starts_at) % step:
        raise BookingRefused("off_slot", minutes=room.slot_minutes)
    hit = next((b for b in blackouts if b.starts_at < ends_at and b.ends_at > starts_at), None)
    if hit is not None:
        raise BookingRefused("blackout", reason=hit.reason)


def check_request(session, room, tenant_id, starts_at, ends_at, now, tz, staff=False,
                  exclude_id=None, calendar=None):
    """Refuse a requested booking with the first rule it breaks. `calendar` is the
    holiday calendar covering the day (loaded here when not given). The day and week
    views ask check_when and check_open of every slot, so they show what this refuses."""
    if ends_at <= starts_at:
        raise BookingRefused("ends_not_after_start")
    day = starts_at.astimezone(tz).date()
    calendar = calendar or load_calendar(session, day)
    check_when(room, starts_at, now, tz, staff)
    minutes = (ends_at - starts_at).total_seconds() / 60
    if minutes < room.min_minutes:
        raise BookingRefused("duration_too_short", minutes=room.min_minutes)
    if minutes > room.max_minutes:
        raise BookingRefused("duration_too_long", minutes=room.max_minutes)
    check_open(room, starts_at, ends_at, tz, calendar,
               blackouts_over(session, room.id, starts_at, ends_at))
    if not staff and tenant_id and room.quota_hours_per_week:
        held = week_hours(session, room.id, tenant_id, day, tz)
        if held + minutes / 60 > room.quota_hours_per_week:
            raise BookingRefused("over_quota", quota=room.quota_hours_per_week,
                                 held=f"{held:g}")
    if overlapping(session, room.id, starts_at, ends_at, exclude_id):
        raise BookingRefused("slot_taken")


def _insert(session, booking):
    """Insert; PostgreSQL's exclusion constraint has the last word. After a refusal
    the transaction is spent: the caller rolls back (create_series uses savepoints)."""
    session.add(booking)
    try:
        session.flush()
    except IntegrityError:
        raise BookingRefused("slot_taken") from None


def _served(session, actor, booking):
    """A booking serves its tenant when it takes place, which its check-in proves:
    a booking nobody claimed is not a service, however long it stays unreleased."""
    if booking.tenant_id:
        record_served(session, actor, booking.tenant_id,
                      booking.starts_at.astimezone(community_zone(session)).date(),
                      SERVED_SOURCE, booking.id, booking.room.zone.name)


def _not_served(session, actor, booking, reason, now):
    """The booking did not take place: its served record is voided, with why."""
    if booking.tenant_id:
        void_served(session, actor, SERVED_SOURCE, booking.id, reason, now)


# --- making and changing bookings ----------------------------------------------------------

def create_booking(session, actor, room, tenant_id, starts_at, ends_at, purpose, now, tz,
                   series_id=None, calendar=None):
    """Book a room; pending when the room needs approval and the booker is not staff.

    The caller's transaction must be a write one (community.dbsetup.begin_write);
    `calendar` (community.holidays) covers the day, or is loaded here.
    """
    staff = is_staff(actor)
    if not staff and (tenant_id is None or tenant_id != actor.tenant_id):
        raise BookingRefused("not_your_tenant")
    room = lock_row(session, Room, room.id)
    release_no_shows(session, room, now)
    check_request(session, room, tenant_id, starts_at, ends_at, now, tz, staff=staff,
                  calendar=calendar)
    booking = Booking(room=room, tenant_id=tenant_id, booked_by_id=getattr(actor, "id", None),
                      purpose=(purpose or "").strip()[:200] or "会议",
                      starts_at=starts_at, ends_at=ends_at, series_id=series_id,
                      status="pending" if room.needs_approval and not staff else "confirmed")
    _insert(session, booking)
    audit.record(session, actor, "booking.created", booking)
    return booking


@dataclass
class Clash:
    day: date
    code: str


class SeriesRefused(BookingRefused):
    """No occurrence of a weekly series was booked; `clashes` says which dates failed."""

    def __init__(self, clashes):
        super().__init__("series_clash",
                         dates="、".join(f"{c.day:%m-%d}" for c in clashes))
        self.clashes = clashes


def create_series(session, actor, room, tenant_id, starts_at, ends_at, weeks, purpose, now,
                  tz, calendar=None):
    """Book the same slot weekly `weeks` times: every occurrence or none. `calendar`
    covers every occurrence's day (loaded here, once, when not given)."""
    if not 1 <= weeks <= MAX_OCCURRENCES:
        raise BookingRefused("series_too_long", limit=MAX_OCCURRENCES)
    occurrences = [(starts_at + timedelta(weeks=n), ends_at + timedelta(weeks=n))
                   for n in range(weeks)]
    calendar = calendar or load_calendar(session, starts_at.astimezone(tz).date(),
                                         occurrences[-1][0].astimezone(tz).date())
    if weeks == 1:
        return [create_booking(session, actor, room, tenant_id, starts_at, ends_at, purpose,
                               now, tz, calendar=calendar)]
    series_id = uuid.uuid4().hex
    clashes, made = [], []
    for begin, end in occurrences:
        try:
            with session.begin_nested():
                made.append(create_booking(session, actor, room, tenant_id, begin, end,
                                           purpose, now, tz, series_id, calendar))
        except BookingRefused as exc:
            clashes.append(Clash(begin.astimezone(tz).date(), exc.code))
    if clashes:
        raise SeriesRefused(clashes)
    return made


def cancel_booking(session, actor, booking, now, force=False):
    """Cancel an active booking; members only before the room's deadline."""
    if not booking.active:
        raise BookingRefused("not_active")
    deadline = booking.starts_at - timedelta(minutes=booking.room.cancel_deadline_minutes)
    if not force and not is_staff(actor) and now > deadline:
        raise BookingRefused("past_deadline", minutes=booking.room.cancel_deadline_minutes)
    before = audit.snapshot(booking)
    booking.status, booking.cancelled_at = "cancelled", now
    audit.record(session, actor, "booking.cancelled", booking, before=before)
    _not_served(session, actor, booking, "预约已取消", now)
    return booking


def cancel_rest_of_series(session, actor, booking, now):
    """Cancel this occurrence and every later active one of its series."""
    rest = session.scalars(select(Booking).where(
        Booking.series_id == booking.series_id, Booking.starts_at >= booking.starts_at,
        Booking.status.in_(ACTIVE)).order_by(Booking.starts_at)).all() \
        if booking.series_id else [booking]
    return [cancel_booking(session, actor, b, now) for b in rest]


def decide(session, actor, booking, approve, reason, now, tz):
    """Staff approve or reject a pending request (a rejection needs a reason)."""
    booking = lock_row(session, Booking, booking.id)  # two staff deciding at once: one wins
    if booking.status != "pending":
        raise BookingRefused("not_pending")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise BookingRefused("reason_required")
    if approve and _blackout(session, booking.room_id, booking.starts_at, booking.ends_at):
        raise BookingRefused("blackout")  # closed since the request was made
    before = audit.snapshot(booking)
    booking.status = "confirmed" if approve else "rejected"
    booking.decided_by_id, booking.decided_at = getattr(actor, "id", None), now
    booking.decision_reason = reason[:300]
    audit.record(session, actor, "booking.approved" if approve else "booking.rejected",
                 booking, before=before)
    return booking


def check_in(session, actor, booking, now):
    """Claim a confirmed booking from 15 minutes before its start; idempotent."""
    if booking.status != "confirmed":
        raise BookingRefused("not_confirmed")
    if now < booking.starts_at - CHECKIN_EARLY or now >= booking.ends_at:
        raise BookingRefused("checkin_window")
    changed = session.execute(
        update(Booking).where(Booking.id == booking.id, Booking.checked_in_at.is_(None))
        .values(checked_in_at=now).execution_options(synchronize_session=False)).rowcount
    session.refresh(booking)
    if changed:
        audit.record(session, actor, "booking.checked_in", booking)
        _served(session, actor, booking)
    return booking


def has_no_shows(session, room, now):
    """Whether release_no_shows would release anything (a read, to skip the write)."""
    if not room.release_after_minutes:
        return False
    cutoff = now - timedelta(minutes=room.release_after_minutes)
    return session.scalar(select(Booking.id).where(
        Booking.room_id == room.id, Booking.status == "confirmed",
        Booking.source == "booking", Booking.checked_in_at.is_(None),
        Booking.starts_at <= cutoff).limit(1)) is not None


def release_no_shows(session, room, now):
    """Release confirmed bookings nobody claimed within the room's grace minutes."""
    if not room.release_after_minutes:
        return []
    cutoff = now - timedelta(minutes=room.release_after_minutes)
    unclaimed = session.scalars(select(Booking).where(
        Booking.room_id == room.id, Booking.status == "confirmed",
        Booking.source == "booking", Booking.checked_in_at.is_(None),
        Booking.starts_at <= cutoff)).all()
    for booking in unclaimed:
        before = audit.snapshot(booking)
        booking.status, booking.released_at = "released", now
        audit.record(session, None, "booking.released", booking, before=before)
        _not_served(session, None, booking, "未签到，已释放", now)
    return unclaimed


def reserve_for_event(session, actor, room, starts_at, ends_at, title, now, provisional=False):
    """Reserve a room for a community event, with the same no-overlap guarantee; a
    draft's reservation is provisional until the event is published (confirm_for_event)."""
    if ends_at <= starts_at:
        raise BookingRefused("ends_not_after_start")
    room = lock_row(session, Room, room.id)
    if not room.zone.bookable:
        raise BookingRefused("not_bookable")
    if _blackout(session, room.id, starts_at, ends_at):
        raise BookingRefused("blackout")
    if overlapping(session, room.id, starts_at, ends_at):
        raise BookingRefused("slot_taken")
    booking = Booking(room=room, tenant_id=None, booked_by_id=getattr(actor, "id", None),
                      purpose=(title or "社区活动")[:200], starts_at=starts_at,
                      ends_at=ends_at, status="provisional" if provisional else "confirmed",
                      source="event")
    _insert(session, booking)
    audit.record(session, actor, "booking.created", booking)
    return booking


def confirm_for_event(session, actor, booking):
    """The event was published: its provisional hold becomes a confirmed booking."""
    if booking is None or booking.status != "provisional":
        return booking
    before = audit.snapshot(booking)
    booking.status = "confirmed"
    audit.record(session, actor, "booking.confirmed", booking, before=before)
    return booking


def pending_count(session):
    return session.scalar(select(func.count()).select_from(Booking).where(
        Booking.status == "pending"))


def visible_bookings(query, user):
    """Scope a booking query to what the user may see."""
    if can(user, "view"):
        return query
    return query.where(Booking.tenant_id == user.tenant_id, Booking.tenant_id.is_not(None))


