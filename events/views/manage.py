"""The staff console: the events list (with what lacks evidence), the event form,
an event's page with its attendance, its notice, photos and summary, and the
links staff confirm between attendees and tenants (S4)."""
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, or_, select
from sqlalchemy.orm import selectinload

from community.extensions import db
from booking.models import Room
from community import audit
from community.files import attachments_of
from community.forms import ActionForm, UploadForm
from community.messages import message
from community.models import Tenant, Zone
from community.refusals import Invalid
from community.settings import current_settings
from community.web import attempt, paginate, requires, submit
from events import attendees, rules
from events.checkin import attendance
from events.forms import EventForm, SummaryForm, room_choices
from events.ledger import NOTICE, PHOTO, evidence_lacking, registration_counts, venue_of
from events.models import KINDS, STATUSES, Event, Registration
from events.views import aware, bp, local, now


def evidence_flags(events, at):
    """What each event still lacks (events.ledger.evidence_lacking, the E1 test)."""
    return evidence_lacking(db.session, events, at)


def attention(session, user):
    """For the dashboard: this week's events (the next seven days) still a draft, or
    without their notice (活动通知), which E1 asks of every event."""
    if not rules.can_edit(user):
        return []
    at = now()
    soon = session.scalars(select(Event).where(
        Event.status.in_(("draft", "published")), Event.starts_at >= at,
        Event.starts_at < at + timedelta(days=7))).all()
    items = []
    drafts = [e for e in soon if e.status == "draft"]
    if drafts:
        items.append((_("%(n)s 场7天内的活动仍是草稿，尚未发布报名", n=len(drafts)),
                      "events.index", {"status": "draft"}))
    lacking = evidence_lacking(session, soon, at)
    no_notice = [e for e in soon if "notice" in lacking[e.id]]
    if no_notice:
        items.append((_("%(n)s 场7天内的活动还没有活动通知", n=len(no_notice)),
                      "events.detail", {"event_id": no_notice[0].id}))
    return items


@bp.route("")
@requires("view")
def index():
    at = now()
    status, kind = request.args.get("status", ""), request.args.get("kind", "")
    q = request.args.get("q", "").strip()
    query = select(Event).options(selectinload(Event.room).selectinload(Room.zone)) \
        .order_by(Event.starts_at.desc())
    if status in STATUSES:
        query = query.where(Event.status == status)
    if kind in KINDS:
        query = query.where(Event.kind == kind)
    if q:
        query = query.where(or_(Event.title.contains(q, autoescape=True),
                                Event.organiser.contains(q, autoescape=True)))
    page = paginate(query)
    # What the operator must act on first: past events lacking evidence, anywhere in the list.
    past = db.session.scalars(select(Event).where(
        Event.status.in_(("published", "held")), Event.starts_at <= at)
        .order_by(Event.starts_at.desc())).all()
    past_flags = evidence_flags(past, at)
    attention = [(e, past_flags[e.id]) for e in past if past_flags[e.id]]
    return render_template(
        "events/index.html", page=page, flags=evidence_flags(page.items, at),
        counts=registration_counts(db.session, [e.id for e in page.items]),
        attention=attention, status=status, kind=kind, q=q, kinds=KINDS, statuses=STATUSES,
        upcoming=db.session.scalars(select(Event).where(
            Event.status == "published", Event.ends_at >= at)
            .order_by(Event.starts_at).limit(5)).all(), venue_of=venue_of)


def _rooms():
    return db.session.scalars(select(Room).join(Zone).options(selectinload(Room.zone))
                              .order_by(Zone.floor, Zone.name)).all()


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@requires("edit")
def edit(event_id=None):
    event = db.get_or_404(Event, event_id) if event_id else None
    if event is not None and event.status not in rules.EDITABLE:
        flash(message("event_not_editable"), "error")
        return redirect(url_for("events.detail", event_id=event.id))
    form = EventForm(obj=event)
    form.room_id.choices = room_choices(_rooms())
    if request.method == "GET" and event is None:
        settings = current_settings(db.session)
        form.organiser.data = settings.operator_name or settings.name
    if request.method == "GET" and event is not None:
        form.room_id.data = event.room_id or 0
        for key in ("starts_at", "ends_at", "registration_closes_at"):
            value = getattr(event, key)
            getattr(form, key).data = local(value).replace(tzinfo=None) if value else None
    ok, saved = submit(form, lambda: rules.save_event(
        db.session, current_user, _event_data(form), now(), event), _("活动已保存。"))
    if ok:
        return redirect(url_for("events.detail", event_id=saved.id))
    return render_template("events/form.html", form=form, event=event)


def _event_data(form):
    """The event form's fields as the rule takes them (times in the community's zone)."""
    data = {key: form[key].data for key in (
        "kind", "title", "organiser", "co_organisers", "venue_address", "description",
        "notice_text", "capacity")}
    data |= {key: aware(form[key].data)
             for key in ("starts_at", "ends_at", "registration_closes_at")}
    data["room"] = db.session.get(Room, form.room_id.data) if form.room_id.data else None
    return data


@bp.route("/<int:event_id>")
@requires("view")
def detail(event_id):
    event = db.get_or_404(Event, event_id)
    # Only staff search by name: assessors see the names of those who agreed only.
    q = request.args.get("q", "").strip() if rules.can_edit(current_user) else ""
    query = select(Registration).options(
        selectinload(Registration.tenant), selectinload(Registration.checked_in_by),
        selectinload(Registration.checkin_device)).where(Registration.event_id == event.id) \
        .order_by(case({"registered": 0, "waitlisted": 1}, value=Registration.status, else_=2),
                  Registration.queued_at, Registration.id)
    if q:
        query = query.where(or_(Registration.name.contains(q, autoescape=True),
                                Registration.organisation.contains(q, autoescape=True),
                                Registration.mobile.endswith(q, autoescape=True)))
    return render_template(
        "events/detail.html", event=event, stats=attendance(db.session, event.id),
        page=paginate(query), q=q, at=now(), flags=evidence_flags([event], now())[event.id],
        notices=attachments_of(db.session, NOTICE, event.id),
        photos=attachments_of(db.session, PHOTO, event.id),
        upload=UploadForm(), action=ActionForm(), summary_form=SummaryForm(obj=event),
        venue=venue_of(event), history=audit.history(db.session, "event", event.id))


def _act(event_id, do, done):
    """Run a status change from a button: refusals come back as messages."""
    event = db.get_or_404(Event, event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    attempt(lambda: do(event), done)
    return redirect(url_for("events.detail", event_id=event.id))


@bp.route("/<int:event_id>/publish", methods=["POST"])
@requires("edit")
def publish(event_id):
    return _act(event_id, lambda e: rules.publish_event(db.session, current_user, e, now()),
                _("活动已发布，报名页已开放。"))


@bp.route("/<int:event_id>/cancel", methods=["POST"])
@requires("edit")
def cancel(event_id):
    return _act(event_id, lambda e: rules.cancel_event(db.session, current_user, e, now()),
                _("活动已取消，场地预约已释放。"))


@bp.route("/<int:event_id>/held", methods=["POST"])
@requires("edit")
def held(event_id):
    return _act(event_id, lambda e: rules.mark_held(
        db.session, current_user, e, now(), request.form.get("summary", "")),
        _("已标记为已举办，计入E1。"))


@bp.route("/<int:event_id>/summary", methods=["POST"])
@requires("edit")
def summary(event_id):
    event = db.get_or_404(Event, event_id)
    form = SummaryForm()
    submit(form, lambda: rules.save_summary(db.session, current_user, event, form.summary.data),
           _("活动小结已保存。"), errors="flash")
    return redirect(url_for("events.detail", event_id=event.id) + "#evidence")


@bp.route("/<int:event_id>/files/<kind>", methods=["POST"])
@requires("edit")
def upload(event_id, kind):
    event = db.get_or_404(Event, event_id)
    owner = {"notice": NOTICE, "photo": PHOTO}.get(kind) or abort(404)
    form = UploadForm()
    submit(form, lambda: rules.add_evidence(
        db.session, current_user, current_app.config["UPLOAD_FOLDER"], event, owner,
        [(upload.filename or "", upload.read()) for upload in request.files.getlist("file")]),
        lambda saved: _("已上传 %(n)s 个文件。", n=saved), errors="flash")
    return redirect(url_for("events.detail", event_id=event.id) + "#evidence")


@bp.route("/<int:event_id>/registrations/<int:registration_id>/cancel", methods=["POST"])
@requires("edit")
def registration_cancel(event_id, registration_id):
    registration = _registration_or_404(event_id, registration_id)
    return _act(event_id, lambda e: rules.cancel_registration(
        db.session, current_user, registration, now()), _("报名已取消，候补已顺延。"))


def _registration_or_404(event_id, registration_id):
    registration = db.get_or_404(Registration, registration_id)
    if registration.event_id != event_id:
        abort(404)
    return registration


# --- attendees and tenants (S4) --------------------------------------------------------

@bp.route("/<int:event_id>/registrations/<int:registration_id>/tenant")
@requires("edit")
def tenant_link(event_id, registration_id):
    """Staff confirm which tenant an attendee belongs to: the firms whose name
    resembles what they typed first, then every firm."""
    registration = _registration_or_404(event_id, registration_id)
    tenants = db.session.scalars(select(Tenant).order_by(
        Tenant.moved_out_on.is_not(None), Tenant.name)).all()
    typed = "".join(registration.organisation.split())
    suggested = [t for t in tenants if typed and (typed in t.name or t.name in typed)]
    return render_template("events/tenant_link.html", r=registration, event=registration.event,
                           tenants=tenants, suggested=suggested, action=ActionForm())


@bp.route("/<int:event_id>/registrations/<int:registration_id>/tenant", methods=["POST"])
@requires("edit")
def tenant_link_save(event_id, registration_id):
    registration = _registration_or_404(event_id, registration_id)
    tenant_id = request.form.get("tenant_id", 0, type=int)

    def link():
        if not tenant_id:
            raise Invalid({"tenant_id": "required"})
        return attendees.link_tenant(db.session, current_user, registration,
                                 db.get_or_404(Tenant, tenant_id), now())

    submit(ActionForm(), link, lambda r: _("已确认 %(name)s 属于 %(tenant)s。", name=r.name,
                                           tenant=r.tenant.name), errors="flash")
    return redirect(url_for("events.detail", event_id=event_id) + "#registrations")


@bp.route("/<int:event_id>/registrations/<int:registration_id>/tenant/unlink",
          methods=["POST"])
@requires("edit")
def tenant_unlink(event_id, registration_id):
    registration = _registration_or_404(event_id, registration_id)
    return _act(event_id, lambda e: attendees.unlink_tenant(
        db.session, current_user, registration, now()), _("已取消该参会人与企业的关联。"))
