"""Rooms, a room's day and week, booking, my bookings, approvals and check-in."""
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask import session as web_session
from flask_babel import get_locale, gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload
from wtforms import SelectChoice

from community.extensions import db
from booking import hours, rules
from booking.slots import bookable_starts, closed_refusal, day_slots
from booking.rooms import ensure_rooms
from booking.forms import BookForm, DecideForm
from community.forms import ActionForm
from booking.messages import SLOT_STATES
from booking.models import ACTIVE, Blackout, Booking, Room
from community.dbsetup import begin_write, utcnow
from community.holidays import load_calendar
from community.messages import message
from community.models import Tenant
from community.periods import FIRST_DAY, LAST_DAY
from community.web import community_tz, locks_late, paginate, requires, submit, today

bp = Blueprint("booking", __name__, url_prefix="/booking")


@contextmanager
def side_write():
    """A short write transaction of its own, for the housekeeping a page view does
    (releasing no-shows, giving new bookable zones their rules); the page then reads
    afresh so it sees the result."""
    with Session(db.engine) as session:
        begin_write(session)
        yield session
        try:
            session.commit()
        except IntegrityError:  # another request did the same housekeeping first
            session.rollback()
    db.session.commit()


def release(room):
    """Release the room's no-shows, writing only when there are some."""
    if rules.has_no_shows(db.session, room, utcnow()):
        with side_write() as session:
            rules.release_no_shows(session, session.get(Room, room.id), utcnow())


def load_room(room_id):
    room = db.session.get(Room, room_id, options=[joinedload(Room.zone)])  # one query
    if room is None or not room.zone.bookable:
        abort(404)
    return room


def parse_day(text, default):
    """A day from the query string; the default when it is malformed or absurd."""
    try:
        day = date.fromisoformat(text) if text else default
    except ValueError:
        return default
    return day if FIRST_DAY <= day <= LAST_DAY else default


def calendar_for(first, last=None):
    """The holiday calendar of the days a page shows, names in the reader's language
    (one query per request)."""
    return load_calendar(db.session, first, last, lang=get_locale().language)


def attention(session, user):
    """For the dashboard: room requests waiting for a decision."""
    waiting = rules.pending_count(session) if rules.is_staff(user) else 0
    return [(_("%(n)s 条场地预约待审批", n=waiting), "booking.my_bookings",
             {"status": "pending"})] if waiting else []


def holiday_attention(session, user):
    """For the dashboard: a year rooms can be booked in that the holiday table lacks."""
    if not rules.is_staff(user):
        return []
    return [(_("%(year)s 年节假日安排尚未录入：预约日历按普通工作日处理", year=year),
             "community.holidays", {"year": year})
            for year in hours.years_without_holidays(session, today())]


def staff_user():
    return rules.is_staff(current_user)


@bp.route("/rooms")
@requires("book")
def rooms():
    with side_write() as session:
        ensure_rooms(session)
    rows = [r for r in db.session.scalars(select(Room).options(selectinload(Room.zone)))
            if r.zone.bookable]
    day, now, tz = today(), utcnow(), community_tz()
    calendar = calendar_for(day)
    free = {r.id: len(bookable_starts(r, day_slots(
        db.session, r, day, now, tz, calendar, staff=staff_user()))) for r in rows}
    return render_template("booking/rooms.html", rooms=rows, free=free, day=day,
                           pending=rules.pending_count(db.session)
                           if staff_user() else 0)


def book_form(room, day, calendar, start=None):
    """The booking form; its start choices are every start of the day's grid, so a
    post is judged by the rules (the page narrows them to the bookable ones)."""
    form = BookForm()
    form.start.choices = [SelectChoice(f"{t:%H:%M}", f"{t:%H:%M}")
                          for t in hours.slot_starts(room, day, calendar)]
    steps = range(room.min_minutes, room.max_minutes + 1, room.slot_minutes)
    form.duration.choices = [SelectChoice(m, _("%(h)s 小时", h=f"{m / 60:g}")) for m in steps]
    if staff_user():
        form.tenant_id.choices = [SelectChoice(0, _("社区自用"))] + [
            SelectChoice(tid, name) for tid, name in db.session.execute(
                select(Tenant.id, Tenant.name).where(Tenant.moved_out_on.is_(None))
                .order_by(Tenant.name))]
    else:  # a member always books for its own tenant; the field is not shown
        form.tenant_id.choices = [SelectChoice(0, "")]
    if request.method == "GET":
        form.day.data, form.start.data = day, start
        form.duration.data = max(room.min_minutes, min(60, room.max_minutes))
    return form


def why_not(room, day, slots, tz, calendar):
    """Why a day offers no start to book, each distinct reason once, in the rules' words."""
    if not slots:
        refusal = closed_refusal(room, day, tz, calendar)
        return [message(refusal.code, **refusal.params)] if refusal and refusal.code != "closed" \
            else [message("closed")]
    reasons = []
    for slot in slots:
        text = message(slot.refusal.code, **slot.refusal.params) if slot.refusal else None
        if text and text not in reasons:
            reasons.append(text)
    return reasons or [message("day_full")]


def render_day(room, day, form=None, refusal=None, status=200):
    """A room's day: its slots, each free or saying why not, and the form offering only
    the starts the rules would take (or, when there are none, why)."""
    tz, now = community_tz(), utcnow()
    monday = day - timedelta(days=day.weekday())
    week = [monday + timedelta(days=n) for n in range(7)]
    calendar = calendar_for(week[0], week[-1])
    slots = day_slots(db.session, room, day, now, tz, calendar,
                            tenant_id=getattr(current_user, "tenant_id", None),
                            staff=staff_user())
    form = form or book_form(room, day, calendar, request.args.get("start"))
    starts = [f"{t.astimezone(tz):%H:%M}" for t in bookable_starts(room, slots)]
    form.start.choices = [SelectChoice(t, t) for t in starts]
    return render_template(
        "booking/room_day.html", room=room, day=day, slots=slots, tz=tz, week=week,
        today=today(), calendar=calendar, opening=hours.opening_for(room, day, calendar),
        form=form, refusal=refusal, why=[] if starts else why_not(room, day, slots, tz,
                                                                     calendar),
        states=SLOT_STATES, reason=lambda slot: slot_reason(slot, staff_user())), status


def slot_reason(slot, staff):
    """The full why of a slot that may not be booked (a title, beside its short word)."""
    if slot.refusal is not None:
        return message(slot.refusal.code, **slot.refusal.params)
    return booked_label(slot, staff)[1] or ""


@bp.route("/rooms/<int:room_id>")
@requires("book")
def room_day(room_id):
    room = load_room(room_id)
    release(room)
    return render_day(room, parse_day(request.args.get("day"), today()))


def booked_label(slot, staff):
    """(short label, full text) of a held slot: staff read the firm and the purpose, a
    member only whether the slot is its own."""
    booking = slot.booking
    if booking is None:
        return None, None
    if staff:
        who = short_name(booking.tenant.name) if booking.tenant else _("社区")
        full = " · ".join([booking.tenant.name if booking.tenant else _("社区活动"),
                           booking.purpose])
        return who, full
    word = _(SLOT_STATES[slot.state])
    return word, booking.purpose if slot.state == "mine" else word


COMPANY_WORDS = ("股份有限公司", "有限责任公司", "有限公司", "科技", "重庆市", "重庆")


def short_name(name):
    """A firm's name short enough for a calendar cell: without the city and the company
    form (重庆两江医疗科技有限公司 → 两江医疗)."""
    short = name
    for word in COMPANY_WORDS:
        if short.startswith(word) and len(short) > len(word):
            short = short[len(word):]
        if short.endswith(word) and len(short) > len(word):
            short = short[:-len(word)]
    return short[:8]


@bp.route("/rooms/<int:room_id>/week")
@requires("book")
def room_week(room_id):
    room = load_room(room_id)
    release(room)
    start = parse_day(request.args.get("start"), today())
    start -= timedelta(days=start.weekday())
    tz, now, staff = community_tz(), utcnow(), staff_user()
    days = [start + timedelta(days=n) for n in range(7)]
    calendar = calendar_for(days[0], days[-1])
    columns = {d: {s.starts_at.astimezone(tz).time(): s for s in day_slots(
        db.session, room, d, now, tz, calendar,
        tenant_id=getattr(current_user, "tenant_id", None), staff=staff)} for d in days}
    times = sorted({t for col in columns.values() for t in col})
    return render_template("booking/room_week.html", room=room, days=days, times=times,
                           columns=columns, start=start, calendar=calendar, tz=tz,
                           shown={s.state for col in columns.values() for s in col.values()},
                           label=lambda slot: booked_label(slot, staff),
                           reason=lambda slot: slot_reason(slot, staff), states=SLOT_STATES)


@bp.route("/rooms/<int:room_id>/book", methods=["POST"])
@requires("book")
@locks_late  # the rule checks the slot again under the lock: create_booking
def book(room_id):
    """Book, or show the day again with what was typed and why it was refused (422)."""
    room = load_room(room_id)
    day = parse_day(request.form.get("day"), today())
    weeks = request.form.get("weeks", 1, type=int) or 1
    calendar = calendar_for(day, day + timedelta(weeks=max(0, min(weeks, 12) - 1)))
    form = book_form(room, day, calendar)

    def book_it():
        tz = community_tz()
        starts_at = datetime.combine(form.day.data, time.fromisoformat(form.start.data), tz)
        tenant_id = (form.tenant_id.data or None) if staff_user() \
            else current_user.tenant_id
        made = rules.create_series(
            db.session, current_user, room, tenant_id, starts_at,
            starts_at + timedelta(minutes=form.duration.data), form.weeks.data or 1,
            form.purpose.data, utcnow(), tz,
            calendar if form.day.data == day else None)  # an absurd day: the rule loads its own
        return [booking.status for booking in made]  # read now: the commit expires them

    ok, result = submit(form, book_it, booked)
    if ok:
        return redirect(url_for("booking.my_bookings"))
    refusal = message(result.code, **result.params) if result is not None else None
    if refusal:  # shown beside the form, where the eye is, rather than atop the page
        web_session["_flashes"] = [f for f in web_session.get("_flashes", []) if f[1] != refusal]
    return render_day(room, day, form, refusal, 422)


def booked(statuses):
    """What a founder is told once the booking (or the request) is made."""
    if statuses[0] == "pending":
        return _("已提交预约申请，等待运营人员审批。")
    return _("预约成功：%(n)s 次。", n=len(statuses))


@bp.route("/bookings")
@requires("book")
def my_bookings():
    status = request.args.get("status")
    query = rules.visible_bookings(  # one query for the page's rows, their rooms and firms
        select(Booking).options(joinedload(Booking.room).joinedload(Room.zone),
                                joinedload(Booking.tenant)), current_user)
    blackout = blackout_asked()
    if blackout is not None:  # the bookings a blackout falls on, for staff to call
        query = query.where(Booking.room_id == blackout.room_id,
                            Booking.status.in_(ACTIVE), Booking.starts_at < blackout.ends_at,
                            Booking.ends_at > blackout.starts_at).order_by(Booking.starts_at)
    elif status in ("pending", "confirmed", "cancelled", "rejected", "released"):
        query = query.where(Booking.status == status).order_by(Booking.starts_at.desc())
    else:  # what is coming up, soonest first
        query = query.where(Booking.ends_at >= utcnow()).order_by(Booking.starts_at)
    return render_template("booking/bookings.html", page=paginate(query), status=status,
                           blackout=blackout,
                           now=utcnow(), early=rules.CHECKIN_EARLY, action=ActionForm(),
                           staff=rules.is_staff(current_user))


def blackout_asked():
    """The blackout named by ?blackout= (staff only), or None for no such row."""
    blackout_id = request.args.get("blackout", type=int)
    if not staff_user() or blackout_id is None or not 0 < blackout_id < 2 ** 31:
        return None
    return db.session.get(Blackout, blackout_id)


def load_booking(booking_id, check):
    booking = db.get_or_404(Booking, booking_id)
    if not check(current_user, booking):
        abort(403)
    return booking


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@requires("book")
def cancel(booking_id):
    booking = load_booking(booking_id, rules.can_cancel)
    rest = request.form.get("scope") == "rest"
    submit(ActionForm(), lambda: rules.cancel_rest_of_series(
        db.session, current_user, booking, utcnow()) if rest else [rules.cancel_booking(
            db.session, current_user, booking, utcnow())],
        lambda done: _("已取消 %(n)s 次预约。", n=len(done)), errors="flash")
    return redirect(url_for("booking.my_bookings"))


@bp.route("/bookings/<int:booking_id>/decide", methods=["POST"])
@requires("edit")
def decide(booking_id):
    booking = db.get_or_404(Booking, booking_id)
    form = DecideForm()
    submit(form, lambda: rules.decide(db.session, current_user, booking,
                                      "approve" in request.form, form.reason.data, utcnow(),
                                      community_tz()), _("已处理预约申请。"), errors="flash")
    return redirect(url_for("booking.my_bookings", status="pending"))


@bp.route("/bookings/<int:booking_id>/checkin", methods=["POST"])
@requires("book")
def checkin(booking_id):
    booking = load_booking(booking_id, rules.can_cancel)
    submit(ActionForm(), lambda: rules.check_in(db.session, current_user, booking, utcnow()),
           _("签到成功。"), errors="flash")
    return redirect(request.form.get("back") == "door" and url_for(
        "booking.door", room_id=booking.room_id, token=booking.room.door_token)
        or url_for("booking.my_bookings"))


@bp.route("/calendar")
@requires("view")
def calendar():
    day = parse_day(request.args.get("day"), today())
    tz, now = community_tz(), utcnow()
    rooms_ = [r for r in db.session.scalars(select(Room).options(selectinload(Room.zone)))
              if r.zone.bookable]
    calendar = calendar_for(day)
    columns = {r.id: {s.starts_at.astimezone(tz).time(): s for s in day_slots(
        db.session, r, day, now, tz, calendar, staff=True)} for r in rooms_}
    times = sorted({t for col in columns.values() for t in col})
    return render_template("booking/calendar.html", rooms=rooms_, columns=columns,
                           times=times, day=day, tz=tz, calendar=calendar, today=today(),
                           shown={s.state for col in columns.values() for s in col.values()},
                           label=lambda slot: booked_label(slot, True),
                           reason=lambda slot: slot_reason(slot, True), states=SLOT_STATES)
