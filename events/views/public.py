"""The public pages, for attendees without an account: an event's page and
registration, the ticket (opened only with its secret), and self check-in."""
from flask import Response, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from community.extensions import db, limiter
from community.forms import ActionForm
from community.settings import current_settings, personal_data_kept_until
from community.web import attempt, community_tz, public, public_host, public_url, submit
from events import checkin, rules
from events.forms import RegistrationForm, SelfCheckinForm
from events.ical import event_ics
from events.ledger import venue_of
from events.models import Registration
from events.tickets import qr_png
from events.views import now, public_bp, published_event_or_404, venue_key


# The door's limits key on who is sending, not on the address alone: a crowd of
# three hundred behind the venue's Wi-Fi shares one address. One attendee (the event
# and the mobile typed) gets a few tries a minute; an address gets a generous number
# of registrations and a few dozen mobiles that are not on the list (someone
# guessing numbers) per event. The store is RATELIMIT_STORAGE_URI (README).
ATTENDEE_LIMIT = "5 per minute"
ADDRESS_REGISTRATIONS = "600 per 10 minutes"
ADDRESS_MISSES = "60 per 10 minutes"


def _mobile():
    return "".join(ch for ch in request.form.get("mobile", "")[:40] if ch.isdigit())


def _attendee_key():
    return f"attendee:{request.view_args.get('event_id')}:{_mobile()}"


def _address_key():
    return f"address:{request.view_args.get('event_id')}:{request.remote_addr}"


def _missed(response):
    return g.get("door_miss", False)


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
@limiter.limit(ATTENDEE_LIMIT, methods=["POST"], key_func=_attendee_key)
@limiter.limit(ADDRESS_REGISTRATIONS, methods=["POST"], key_func=_address_key)
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
    url = public_url("events_public.event_page", event_id=event.id)
    body = event_ics(event, url, venue_of(event), community_tz(), public_host())
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
    url = public_url("events_public.ticket", secret=registration.secret)
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
@limiter.limit(ATTENDEE_LIMIT, key_func=_attendee_key, error_message="too_many_tries")
# A venue code must not become a phone-number directory: mobiles not on the list count.
@limiter.limit(ADDRESS_MISSES, key_func=_address_key, deduct_when=_missed,
               error_message="too_many_tries")
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
        g.door_miss = True
        return render_template("events/here.html", event=event, form=form), 422
    scan, again = outcome
    return render_template("events/here.html", event=event, done=scan, again=again)
