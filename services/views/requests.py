"""Service requests: the staff queue (overdue first), a request's page with its
steps, asking for a service, and a firm's own services."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from community.dbsetup import utcnow
from community.extensions import db
from community.files import attachments_of
from community.forms import ActionForm, UploadForm
from community.models import Tenant
from community.permissions import can, member_of
from community.web import attempt, paginate, requires, submit, today
from services import catalogue, rules
from services.forms import (AssignForm, CompleteForm, LogForm, RateForm, ReasonForm,
                            RequestForm, options)
from services.ledger import REQUEST
from services.models import OPEN_STATUSES, REQUEST_STATUSES, Provider, ServiceCategory, \
    ServiceRequest
from services.views import bp


def can_view_files(user, request_id):
    found = db.session.get(ServiceRequest, request_id)
    return found is not None and rules.can_see(user, found)


def attention(session, user):
    """What staff act on first: requests past their target time, agreements to renew."""
    if not can(user, "edit"):
        return []
    items = []
    waiting = session.scalar(select(func.count()).select_from(ServiceRequest).where(
        ServiceRequest.status == "requested"))
    if waiting:
        items.append((_("%(n)s 项服务申请待受理（指派服务机构）", n=waiting), "services.queue",
                      {"show": "requested"}))
    late = rules.overdue_count(session, utcnow())
    if late:
        items.append((_("%(n)s 项服务申请已超过办结时限", n=late), "services.queue",
                      {"show": "overdue"}))
    renew = catalogue.agreements_to_renew(session, today())
    if renew:
        items.append((_("%(n)s 家服务机构的合作协议即将到期或已过期", n=len(renew)),
                      "services.providers", {}))
    return items


def _categories():
    return [(c.id, _(c.name)) for c in catalogue.catalogue(db.session, active_only=True)]


@bp.route("")
@requires("view")
def queue():
    show = request.args.get("show", "open")
    category_id = request.args.get("category", 0, type=int)
    query = select(ServiceRequest).options(
        selectinload(ServiceRequest.tenant), selectinload(ServiceRequest.category),
        selectinload(ServiceRequest.provider)).order_by(ServiceRequest.requested_at.desc())
    at = utcnow()
    if show == "overdue":
        query = query.where(rules.late(db.session, at))
    elif show in REQUEST_STATUSES:
        query = query.where(ServiceRequest.status == show)
    elif show == "open":
        query = query.where(ServiceRequest.status.in_(OPEN_STATUSES))
    if category_id:
        query = query.where(ServiceRequest.category_id == category_id)
    page = paginate(query)
    return render_template(
        "services/queue.html", page=page, overdue_count=rules.overdue_count(db.session, at),
        late={r.id for r in page.items
              if r.status in OPEN_STATUSES and rules.due_at(r) < at},
        show=show, category_id=category_id,
        categories=catalogue.catalogue(db.session), due_at=rules.due_at,
        statuses=REQUEST_STATUSES)


def _request_or_404(request_id):
    found = db.get_or_404(ServiceRequest, request_id)
    if not rules.can_see(current_user, found):
        abort(403)
    return found


@bp.route("/requests/<int:request_id>")
def request_detail(request_id):
    found = _request_or_404(request_id)
    providers = db.session.scalars(
        select(Provider).join(Provider.categories)
        .where(ServiceCategory.id == found.category_id, Provider.active.is_(True))
        .order_by(Provider.name)).all()
    assign = AssignForm(provider_id=found.provider_id or 0)
    assign.provider_id.choices = options([(p.id, p.name) for p in providers])
    complete = CompleteForm(completed_on=today(), quantity=1)
    return render_template(
        "services/request.html", r=found, assign=assign, complete=complete,
        reason=ReasonForm(), rate=RateForm(), action=ActionForm(), upload=UploadForm(),
        files=attachments_of(db.session, REQUEST, found.id), due_at=rules.due_at(found),
        can_cancel=rules.can_cancel(current_user, found),
        can_rate=member_of(current_user, found.tenant_id) and found.status == "completed"
        and found.confirmed_at is None)


def _act(request_id, run, done, form=None):
    """A step posted from the request's page: back to it, with what happened."""
    found = db.get_or_404(ServiceRequest, request_id)
    if form is None:
        if ActionForm().validate_on_submit():
            attempt(lambda: run(found), done)
        else:
            abort(400)
    else:
        submit(form, lambda: run(found), done, errors="flash")
    return redirect(url_for("services.request_detail", request_id=found.id))


@bp.route("/requests/<int:request_id>/assign", methods=["POST"])
@requires("edit")
def request_assign(request_id):
    form = AssignForm()
    return _act(request_id, lambda r: rules.assign(
        db.session, current_user, r, db.session.get(Provider, form.provider_id.data or 0),
        utcnow()), _("已派单。"), form)


@bp.route("/requests/<int:request_id>/start", methods=["POST"])
@requires("edit")
def request_start(request_id):
    return _act(request_id, lambda r: rules.start(db.session, current_user, r, utcnow()),
                _("已开始办理。"))


@bp.route("/requests/<int:request_id>/complete", methods=["POST"])
@requires("edit")
def request_complete(request_id):
    form = CompleteForm()
    return _act(request_id, lambda r: rules.complete(
        db.session, current_user, r, form.data, utcnow(), today()), _("服务已办结。"), form)


@bp.route("/requests/<int:request_id>/cancel", methods=["POST"])
def request_cancel(request_id):
    found = _request_or_404(request_id)
    if not rules.can_cancel(current_user, found):
        abort(403)
    form = ReasonForm()
    return _act(found.id, lambda r: rules.cancel(
        db.session, current_user, r, form.reason.data, utcnow()), _("申请已取消。"), form)


@bp.route("/requests/<int:request_id>/confirm", methods=["POST"])
def request_confirm(request_id):
    found = _request_or_404(request_id)
    if not member_of(current_user, found.tenant_id):
        abort(403)
    form = RateForm()
    return _act(found.id, lambda r: rules.confirm(
        db.session, current_user, r, form.rating.data, form.comment.data, utcnow()),
        _("感谢您的评价。"), form)


@bp.route("/request", methods=["GET", "POST"])
def request_new():
    """A founder asks for a service for its firm; staff log one for any firm."""
    if can(current_user, "edit"):
        tenants = db.session.execute(select(Tenant.id, Tenant.name).where(
            Tenant.closed_on.is_(None)).order_by(Tenant.name)).all()
    elif can(current_user, "request_service") and current_user.tenant_id:
        tenants = [(current_user.tenant_id, current_user.tenant.name)]
    else:
        abort(403)
    form = RequestForm(tenant_id=request.args.get("tenant", type=int),
                       category_id=request.args.get("category", type=int))
    form.tenant_id.choices = options([(t_id, name) for t_id, name in tenants])
    form.category_id.choices = options(_categories())
    if form.is_submitted() and form.tenant_id.data not in {t_id for t_id, _n in tenants}:
        abort(403)
    ok, made = submit(form, lambda: rules.request_service(
        db.session, current_user, db.session.get(Tenant, form.tenant_id.data),
        db.session.get(ServiceCategory, form.category_id.data or 0), form.description.data,
        utcnow()), _("服务申请已提交，工作人员会尽快受理。"))
    if ok:
        return redirect(url_for("services.request_detail", request_id=made.id))
    return render_template("services/request_form.html", form=form)


@bp.route("/tenants/<int:tenant_id>/log", methods=["POST"])
@requires("edit")
def log_delivered(tenant_id):
    """The tenant page's 登记服务: a service already given, recorded as delivered."""
    tenant = db.get_or_404(Tenant, tenant_id)
    form = LogForm()
    form.category_id.choices = options(_categories())
    submit(form, lambda: rules.log_delivered(
        db.session, current_user, tenant, db.session.get(ServiceCategory,
                                                         form.category_id.data or 0),
        {"outcome": form.outcome.data, "completed_on": form.completed_on.data},
        utcnow(), today()), _("服务记录已保存。"), errors="flash")
    return redirect(url_for("community.tenant_detail", tenant_id=tenant.id) + "#services")


@bp.route("/mine")
@requires("request_service")
def mine():
    """A founder's firm: its requests (to rate), its subsidy quotas and what remains."""
    from services.views.subsidies import quota_rows
    tenant = db.get_or_404(Tenant, current_user.tenant_id or 0)
    query = select(ServiceRequest).options(
        selectinload(ServiceRequest.category), selectinload(ServiceRequest.provider)) \
        .where(ServiceRequest.tenant_id == tenant.id).order_by(ServiceRequest.requested_at.desc())
    return render_template("services/mine.html", tenant=tenant, page=paginate(query),
                           quotas=quota_rows(tenant.id, today().year),
                           catalogue=catalogue.catalogue(db.session, active_only=True),
                           year=today().year)


def tenant_section(session, user, tenant):
    """The tenant page's 企业服务 panel: recent requests, this year's quotas, and for
    staff the form that records a service already given."""
    if not (can(user, "view") or member_of(user, tenant.id)):
        return None
    from services.views.subsidies import quota_rows
    recent = session.scalars(select(ServiceRequest).options(
        selectinload(ServiceRequest.category)).where(ServiceRequest.tenant_id == tenant.id)
        .order_by(ServiceRequest.requested_at.desc()).limit(10)).all()
    form = None
    if can(user, "edit"):
        form = LogForm(completed_on=today(),
                       category_id=getattr(catalogue.category(session, "consulting"), "id", 0))
        form.category_id.choices = options(_categories())
    return {"tenant": tenant, "requests": recent, "form": form,
            "quotas": quota_rows(tenant.id, today().year), "year": today().year}
