"""At the door: the staff scanner page (camera, manual search, walk-ins), the venue
screen with its changing QR, the paper sign-in sheet and the scanner devices."""
from flask import (Response, abort, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from pypinyin import lazy_pinyin
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from community.extensions import db
from community.forms import ActionForm
from community.web import attempt, commit, public_url, requires, submit
from events import checkin
from events.forms import DeviceForm, PaperForm, PaperWalkInForm, WalkInForm
from events.models import Event, Registration, ScannerDevice
from events.tickets import qr_png
from events.views import aware, bp, local, now, scan_answer, venue_key


def search(event, q, limit=20):
    """Registrations by name or organisation, or by the last digits of the mobile."""
    q = (q or "").strip()
    if not q:
        return []
    query = select(Registration).options(
        selectinload(Registration.tenant), selectinload(Registration.checked_in_by),
        selectinload(Registration.checkin_device)).where(Registration.event_id == event.id)
    if q.isdigit():
        query = query.where(Registration.mobile.endswith(q, autoescape=True))
    else:
        query = query.where(or_(Registration.name.contains(q, autoescape=True),
                                Registration.organisation.contains(q, autoescape=True)))
    return db.session.scalars(query.order_by(Registration.name).limit(limit)).all()


def _wants_json():
    return request.accept_mimetypes.best == "application/json" or request.is_json


def _door_page(event, walk_in_form=None, status=200):
    q = request.args.get("q", "")
    return render_template(
        "events/door.html", event=event, q=q, matches=search(event, q),
        stats=checkin.attendance(db.session, event.id), action=ActionForm(),
        walk_in=walk_in_form or WalkInForm()), status


@bp.route("/<int:event_id>/door")
@requires("edit")
def door(event_id):
    return _door_page(db.get_or_404(Event, event_id))


@bp.route("/<int:event_id>/door/scan", methods=["POST"])
@requires("edit")
def door_scan(event_id):
    """A ticket QR read by the page's camera (JSON), or typed by a USB scanner (form)."""
    event = db.get_or_404(Event, event_id)
    data = request.get_json(silent=True) if request.is_json else request.form
    if request.is_json and not (isinstance(data, dict) and data.get("code")):
        # as the device API answers (events/views/api.py): no ticket to look for
        return jsonify({"status": "error", "reason": "bad_request"}), 400
    data = data if hasattr(data, "get") else {}
    secret = checkin.secret_from_code(str(data.get("code") or ""))
    nonce = str(data.get("nonce") or "")[:64] or None
    try:
        scan = checkin.check_in(db.session, event.id, secret=secret, method="scanner",
                                now=now(), user=current_user, nonce=nonce)
        answer = scan_answer(scan)
        commit()
    except checkin.CheckinRefused as exc:
        answer = scan_answer(refused=exc)
    return _answer(event, answer)


def _answer(event, answer):
    """JSON for the page's script; without it, the door page again with the answer."""
    if _wants_json():
        return jsonify(answer)
    flash(answer["message"], "scan-" + answer["colour"])
    return redirect(url_for("events.door", event_id=event.id, q=request.form.get("q", "")))


@bp.route("/<int:event_id>/door/checkin/<int:registration_id>", methods=["POST"])
@requires("edit")
def door_checkin(event_id, registration_id):
    """Check in someone found by the manual search."""
    event = db.get_or_404(Event, event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        scan = checkin.check_in(db.session, event.id, registration_id=registration_id,
                                method="manual", now=now(), user=current_user)
        answer = scan_answer(scan)
        commit()
    except checkin.CheckinRefused as exc:
        answer = scan_answer(refused=exc)
    return _answer(event, answer)


@bp.route("/<int:event_id>/door/walk-in", methods=["POST"])
@requires("edit")
def door_walk_in(event_id):
    """Register someone at the door and check them in at once."""
    event = db.get_or_404(Event, event_id)
    form = WalkInForm()
    ok, scan = submit(form, lambda: checkin.walk_in(db.session, current_user, event,
                                                    form.data, now()))
    if ok:  # told in the door's answer box, like a scan
        flash(_("现场登记并签到：%(name)s", name=scan.name), "scan-ok")
        return redirect(url_for("events.door", event_id=event.id))
    return _door_page(event, form, 422)


@bp.route("/<int:event_id>/stats.json")
@requires("view")
def stats(event_id):
    event = db.get_or_404(Event, event_id)
    return jsonify(checkin.attendance(db.session, event.id) | {"capacity": event.capacity})


@bp.route("/<int:event_id>/screen")
@requires("edit")
def screen(event_id):
    """Shown on the venue's screen: a QR that changes every minute, for self check-in."""
    event = db.get_or_404(Event, event_id)
    return render_template("events/screen.html", event=event,
                           stats=checkin.attendance(db.session, event.id))


@bp.route("/<int:event_id>/venue.png")
@requires("edit")
def venue_png(event_id):
    event = db.get_or_404(Event, event_id)
    code = checkin.venue_code(venue_key(), event.id, now())
    url = public_url("events_public.here", event_id=event.id, code=code)
    return Response(qr_png(url, box_size=12), mimetype="image/png",
                    headers={"Cache-Control": "no-store"})


@bp.route("/<int:event_id>/sheet")
@requires("edit")
def sheet(event_id):
    """The printable 签到表, made before the event in case the network fails."""
    event = db.get_or_404(Event, event_id)
    return render_template("events/sheet.html", event=event, rows=_confirmed(event),
                           blanks=range(12))


def _confirmed(event):
    """Confirmed registrations in pinyin order, as people look for their name on paper."""
    rows = db.session.scalars(select(Registration).options(selectinload(Registration.tenant))
                              .where(Registration.event_id == event.id,
                                     Registration.status == "registered")).all()
    return sorted(rows, key=lambda r: (lazy_pinyin(r.name), r.id))


@bp.route("/<int:event_id>/paper", methods=["GET", "POST"])
@requires("edit")
def paper(event_id):
    """After the event: tick who signed the paper sheet; those are paper check-ins."""
    event = db.get_or_404(Event, event_id)
    form = PaperForm()
    if request.method == "GET":
        form.checked_at.data = local(event.starts_at).replace(tzinfo=None)
    ids = [int(i) for i in request.form.getlist("registration_id") if i.isdigit()]
    ok, _outcome = submit(form, lambda: checkin.record_paper(
        db.session, current_user, event, ids, aware(form.checked_at.data)),
        lambda outcome: _("已记录 %(n)s 人纸质签到（%(s)s 人此前已签到，未重复记录）。",
                          n=len(outcome[0]), s=len(outcome[1])))
    if ok:
        return redirect(url_for("events.paper", event_id=event.id))
    rows = sorted(_confirmed(event), key=lambda r: r.checked_in_at is not None)
    walk_in = PaperWalkInForm(formdata=None, checked_at=form.checked_at.data)
    return render_template("events/paper.html", event=event, form=form, rows=rows,
                           walk_in=walk_in)


@bp.route("/<int:event_id>/paper/walk-in", methods=["POST"])
@requires("edit")
def paper_walk_in(event_id):
    """Someone who signed the paper sheet without having registered."""
    event = db.get_or_404(Event, event_id)
    form = PaperWalkInForm()
    submit(form, lambda: checkin.walk_in(db.session, current_user, event, form.data,
                                         aware(form.checked_at.data), method="paper"),
           lambda scan: _("已补录纸质签到：%(name)s", name=scan.name), errors="flash")
    return redirect(url_for("events.paper", event_id=event.id))


@bp.route("/devices", methods=["GET", "POST"])
@requires("edit")
def devices():
    """Scanner devices of the JSON API: a token each, shown once, revocable."""
    form, token = DeviceForm(), None
    ok, made = submit(form, lambda: checkin.create_device(db.session, current_user,
                                                          form.name.data, now()))
    if ok:  # the token is shown once, on this page
        token, form = made[1], DeviceForm(formdata=None)
    rows = db.session.scalars(select(ScannerDevice).order_by(
        ScannerDevice.revoked_at.is_not(None), ScannerDevice.created_at.desc())).all()
    return render_template("events/devices.html", form=form, token=token, devices=rows,
                           action=ActionForm())


@bp.route("/devices/<int:device_id>/revoke", methods=["POST"])
@requires("edit")
def device_revoke(device_id):
    device = db.get_or_404(ScannerDevice, device_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    attempt(lambda: checkin.revoke_device(db.session, current_user, device, now()),
            _("设备已停用，其令牌立即失效。"))
    return redirect(url_for("events.devices"))
