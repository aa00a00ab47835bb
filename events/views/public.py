"""The public pages, for attendees without an account: an event's page and
registration, the ticket (opened only with its secret), and self check-in."""
from flask import (Response, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from sqlalchemy import select

from community.extensions import db, limiter
from community.messages import message
from community.refusals import Refused
from community.settings import current_settings
from community.web import attempt, commit, community_tz, form_errors, public
from events import checkin, rules
from community.forms import ActionForm
from events.forms import RegistrationForm, SelfCheckinForm
from events.ical import event_ics
from events.ledger import venue_of
from events.models import Registration
from events.tickets import qr_png
from events.views import (now, public_bp, published_event_or_404,
                          tenant_names, venue_key)


def _ticket_or_404(secret):
    """Only the exact secret opens a ticket: a forged or truncated one is a 404."""
    if not checkin.SECRET_RE.fullmatch(secret or ""):
        abort(404)
    registration = db.session.scalar(select(Registration).where(Registration.secret == secret))
    if registration is None:
        abort(404)
    return registration


def _retention_days():
    return current_app.config.get("EVENTS_RETENTION_DAYS", 365)


@public_bp.route("/e/<int:event_id>", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def event_page(event_id):
    """The phone-friendly page of a published event, with its registration form."""
    event = published_event_or_404(event_id)
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            registration, created = rules.register(db.session, event, form.data, now())
        except Refused as exc:
            form_errors(form, exc)
        else:
            commit()
            if not created:
                flash(_("该手机号已报名本活动，这是您的票券。"), "success")
            elif registration.status == "waitlisted":
                flash(_("名额已满，您已进入候补名单。有人取消时将按顺序递补。"), "success")
            else:
                flash(_("报名成功！请保存本页或截图二维码，入场时出示。"), "success")
            return redirect(url_for("events_public.ticket", secret=registration.secret))
    seats = event.capacity - rules.registered_count(db.session, event.id)
    return render_template(
        "events/public_event.html", event=event, form=form, seats=seats,
        venue=venue_of(event), tenants=tenant_names(), at=now(),
        settings=current_settings(db.session), retention_days=_retention_days())


@public_bp.route("/e/<int:event_id>/event.ics")
@public
def event_ics_file(event_id):
    event = published_event_or_404(event_id)
    url = url_for("events_public.event_page", event_id=event.id, _external=True)
    body = event_ics(event, url, venue_of(event), community_tz(), request.host.split(":")[0])
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f"attachment; filename=event-{event.id}.ics"})


@public_bp.route("/t/<secret>")
@public
def ticket(secret):
    registration = _ticket_or_404(secret)
    event = registration.event
    position = rules.waitlist_position(db.session, registration) \
        if registration.status == "waitlisted" else None
    return render_template("events/ticket.html", r=registration, event=event,
                           venue=venue_of(event), position=position, action=ActionForm())


@public_bp.route("/t/<secret>/qr.png")
@public
def ticket_qr(secret):
    registration = _ticket_or_404(secret)
    if registration.status != "registered":
        abort(404)
    url = url_for("events_public.ticket", secret=registration.secret, _external=True)
    return Response(qr_png(url), mimetype="image/png",
                    headers={"Cache-Control": "private, max-age=86400"})


@public_bp.route("/t/<secret>/cancel", methods=["POST"])
@public
def ticket_cancel(secret):
    """The attendee cancels (and so withdraws consent); the waitlist moves up."""
    registration = _ticket_or_404(secret)
    if not ActionForm().validate_on_submit():
        abort(400)
    attempt(lambda: rules.cancel_registration(db.session, None, registration, now()),
            _("报名已取消。"))
    return redirect(url_for("events_public.ticket", secret=secret))


@public_bp.route("/t/<secret>/withdraw-consent", methods=["POST"])
@public
def ticket_withdraw(secret):
    registration = _ticket_or_404(secret)
    if not ActionForm().validate_on_submit():
        abort(400)
    rules.withdraw_assessor_consent(db.session, registration)
    commit()
    flash(_("已撤回向考核评估方提供信息的同意。"), "success")
    return redirect(url_for("events_public.ticket", secret=secret))


@public_bp.route("/e/<int:event_id>/here/<code>")
@public
def here(event_id, code):
    """Opened by an attendee's phone camera from the venue screen's QR."""
    event = published_event_or_404(event_id)
    try:
        checkin.check_venue_code(venue_key(), event.id, code, now())
    except checkin.CheckinRefused:
        return render_template("events/here.html", event=event, expired=True), 410
    form = SelfCheckinForm(door_pass=checkin.door_pass(venue_key(), event.id, now()))
    return render_template("events/here.html", event=event, form=form)


@public_bp.route("/e/<int:event_id>/here", methods=["POST"])
@public
@limiter.limit("10 per minute")  # a venue code must not become a phone-number directory
def here_submit(event_id):
    """The attendee confirms their mobile and is checked in."""
    event = published_event_or_404(event_id)
    form = SelfCheckinForm()
    try:
        checkin.check_door_pass(venue_key(), event.id, form.door_pass.data, now())
    except checkin.CheckinRefused:
        return render_template("events/here.html", event=event, expired=True), 410
    if not form.validate_on_submit():
        return render_template("events/here.html", event=event, form=form), 422
    try:
        registration = checkin.self_check_in(db.session, event, form.mobile.data, now())
    except checkin.CheckinRefused as exc:
        if exc.code == "already_checked_in":
            return render_template("events/here.html", event=event, done=exc.scan,
                                   again=True)
        form.mobile.errors = [message(exc.code, **exc.params)]
        return render_template("events/here.html", event=event, form=form), 422
    except Refused as exc:  # not a mobile number
        form.mobile.errors = [message(exc.code)]
        return render_template("events/here.html", event=event, form=form), 422
    commit()
    return render_template("events/here.html", event=event, done=registration)
