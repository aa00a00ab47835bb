"""iCal feeds, the door QR and check-in, and the rooms' rules (staff)."""
import hmac
import io
from datetime import timedelta

import qrcode
import qrcode.image.svg
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.extensions import db
from booking import ical, rooms, rules
from booking.forms import WEEKDAYS, BlackoutForm, RoomForm
from community.forms import ActionForm
from community.labels import label
from booking.models import Blackout, Booking, Room, TenantFeed
from booking.views import bp, load_booking, load_room, release, side_write
from community.dbsetup import utcnow
from community.settings import current_settings
from community.web import community_tz, public, public_host, public_url, requires, submit

FEED_PAST = timedelta(days=90)


def _ics(body, filename):
    return Response(body, mimetype="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def _feed_bookings(query):
    """Active and recently cancelled bookings (so subscribers drop cancelled ones)."""
    return db.session.scalars(
        query.options(selectinload(Booking.room).selectinload(Room.zone),
                      selectinload(Booking.tenant))
        .where(Booking.ends_at >= utcnow() - FEED_PAST).order_by(Booking.starts_at)).all()


def _calendar(name, bookings, detailed):
    return ical.feed(name, bookings, current_settings(db.session).timezone, detailed,
                     public_host())


@bp.route("/bookings/<int:booking_id>.ics")
@requires("book")
def booking_ics(booking_id):
    booking = load_booking(booking_id, rules.can_see_booking)
    return _ics(_calendar(booking.room.zone.name, [booking], True), f"booking-{booking.id}.ics")


@bp.route("/feeds/rooms/<int:room_id>.ics")
@public
def room_feed(room_id):
    """Busy times only: anyone may subscribe."""
    room = load_room(room_id)
    return _ics(_calendar(room.zone.name, _feed_bookings(
        select(Booking).where(Booking.room_id == room.id)), False), f"room-{room.id}.ics")


@bp.route("/feeds/rooms/<int:room_id>/<token>.ics")
@public
def room_feed_private(room_id, token):
    room = load_room(room_id)
    if not hmac.compare_digest(room.feed_token, token):
        abort(404)
    return _ics(_calendar(room.zone.name, _feed_bookings(
        select(Booking).where(Booking.room_id == room.id)), True), f"room-{room.id}.ics")


@bp.route("/feeds/tenants/<token>.ics")
@public
def tenant_feed(token):
    feed = db.session.scalar(select(TenantFeed).where(TenantFeed.token == token))
    if feed is None:
        abort(404)
    return _ics(_calendar(_("我的预约"), _feed_bookings(
        select(Booking).where(Booking.tenant_id == feed.tenant_id)), True), "bookings.ics")


@bp.route("/feeds")
@requires("book")
def feeds():
    """The calendar addresses a user may subscribe to."""
    tenant_token = None
    if current_user.tenant_id:
        with side_write() as session:
            if session.get(TenantFeed, current_user.tenant_id) is None:
                session.add(TenantFeed(tenant_id=current_user.tenant_id))
        tenant_token = db.session.get(TenantFeed, current_user.tenant_id).token
    rooms = [r for r in db.session.scalars(select(Room)) if r.zone.bookable]
    return render_template("booking/feeds.html", rooms=rooms, tenant_token=tenant_token,
                           staff=rules.is_staff(current_user))


@bp.route("/rooms/<int:room_id>/door.svg")
@requires("edit")
def door_qr(room_id):
    room = load_room(room_id)
    url = public_url("booking.door", room_id=room.id, token=room.door_token)
    out = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12).save(out)
    return Response(out.getvalue(), mimetype="image/svg+xml")


@bp.route("/rooms/<int:room_id>/door/<token>")
@requires("book")
def door(room_id, token):
    """Scanned at the door: the booker's booking of this room now, with a check-in button."""
    room = load_room(room_id)
    if not hmac.compare_digest(room.door_token, token):
        abort(404)
    release(room)
    now = utcnow()
    mine = None
    if current_user.tenant_id or rules.is_staff(current_user):
        query = select(Booking).where(
            Booking.room_id == room.id, Booking.status == "confirmed",
            Booking.starts_at <= now + rules.CHECKIN_EARLY, Booking.ends_at > now)
        if not rules.is_staff(current_user):
            query = query.where(Booking.tenant_id == current_user.tenant_id)
        mine = db.session.scalars(query.limit(1)).first()
    return render_template("booking/door.html", room=room, booking=mine,
                           action=ActionForm(), tz=community_tz())


@bp.route("/rooms/<int:room_id>/settings", methods=["GET", "POST"])
@requires("edit")
def room_settings(room_id):
    room = load_room(room_id)
    form = RoomForm(obj=room)
    if request.method == "GET":
        for day in range(7):
            hours = (room.opening_hours or {}).get(str(day)) or ["", ""]
            form[f"open_{day}"].data, form[f"close_{day}"].data = hours
    hours = {d: (form[f"open_{d}"].data, form[f"close_{d}"].data)
             if (form[f"open_{d}"].data or form[f"close_{d}"].data) else None
             for d in range(7)}
    if submit(form, lambda: rooms.save_room(db.session, current_user, room, form.data, hours),
              _("预约规则已保存。"))[0]:
        return redirect(url_for("booking.room_settings", room_id=room.id))
    blackouts = db.session.scalars(select(Blackout).where(
        Blackout.room_id == room.id, Blackout.ends_at >= utcnow())
        .order_by(Blackout.starts_at)).all()
    return render_template("booking/room_settings.html", room=room, form=form,
                           weekdays=WEEKDAYS, blackouts=blackouts, blackout_form=BlackoutForm(),
                           hits={b.id: rules.bookings_hit(db.session, b) for b in blackouts},
                           tz=community_tz())


@bp.route("/rooms/<int:room_id>/blackouts", methods=["POST"])
@requires("edit")
def blackout_add(room_id):
    room = load_room(room_id)
    form = BlackoutForm()
    ok, blackout = submit(form, lambda: rooms.add_blackout(
        db.session, current_user, room, form.starts_at.data.replace(tzinfo=community_tz()),
        form.ends_at.data.replace(tzinfo=community_tz()), form.reason.data),
        _("已添加停用时段。"), errors="flash")
    if ok:
        warn_of_bookings_hit(blackout)
    return redirect(url_for("booking.room_settings", room_id=room.id))


def warn_of_bookings_hit(blackout):
    """A blackout does not cancel the bookings inside it: staff are told which, to call
    their firms (the settings page and the bookings list keep them findable)."""
    hit = rules.bookings_hit(db.session, blackout)
    if hit:
        tz = community_tz()
        flash(_("注意：该停用时段与 %(n)s 个已有预约重叠，预约未被取消，请联系相关企业改期或取消：",
                n=len(hit)) + "；".join(
            f"{b.room.name} {b.starts_at.astimezone(tz):%m-%d %H:%M}–"
            f"{b.ends_at.astimezone(tz):%H:%M} "
            f"{b.tenant.name if b.tenant else _('社区活动')} · {_(label('booking_status', b.status))}"
            for b in hit), "warning")
