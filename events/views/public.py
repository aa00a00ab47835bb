"""The public pages, for attendees without an account: an event's page and
registration, the ticket (opened only with its secret), and self check-in."""
from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from community.extensions import db, limiter
from community.forms import ActionForm
from community.settings import current_settings, personal_data_kept_until
from community.web import attempt, community_tz, public, submit
from events import checkin, rules
from events.forms import RegistrationForm, SelfCheckinForm
from events.ical import event_ics
from events.ledger import venue_of
from events.models import Registration
from events.tickets import qr_png
from events.views import now, public_bp, published_event_or_404, venue_key


def _ticket_or_404(secret):
    """Only the exact secret opens a ticket: a forged or truncated one is a 404."""
    if not checkin.SECRET_RE.fullmatch(secret or ""):
        abort(404)
    registration = db.session.scalar(select(Registration).where(Registration.secret == secret))
    if registration is None:
        abort(404)
    return registration


def _registered(outcome):
    """What a person who registered is told (the rule returns (registration, created))."""
    registration, created = outcome
    if not created:
        return _("该手机号已报名本活动，这是您的票券。")
    if registration.status == "waitlisted":
        return _("名额已满，您已进入候补名单。有人取消时将按顺序递补。")
    return _("报名成功！请保存本页或截图二维码，入场时出示。")


@public_bp.route("/e/<int:event_id>", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def event_page(event_id):
    """The phone-friendly page of a published event, with its registration form. It
    never lists the community's tenants: the organisation is typed, free text."""
    event = published_event_or_404(event_id)
    form = RegistrationForm()
    ok, outcome = submit(form, lambda: rules.register(db.session, event, form.data, now()),
                         _registered)
    if ok:
        return redirect(url_for("events_public.ticket", secret=outcome[0].secret))
    seats = event.capacity - rules.registered_count(db.session, event.id)
    settings = current_settings(db.session)
    return render_template(
        "events/public_event.html", event=event, form=form, seats=seats,
        venue=venue_of(event), at=now(), settings=settings,
        kept_until=personal_data_kept_until(settings),
        retention_days=current_app.config["EVENTS_RETENTION_DAYS"])


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
    attempt(lambda: rules.withdraw_assessor_consent(db.session, registration),
            _("已撤回向考核评估方提供信息的同意。"))
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
    ok, outcome = submit(form, lambda: checkin.self_check_in(
        db.session, event, form.mobile.data, now()))
    if not ok:
        return render_template("events/here.html", event=event, form=form), 422
    scan, again = outcome
    return render_template("events/here.html", event=event, done=scan, again=again)
