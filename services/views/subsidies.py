"""Subsidy quotas and grants (P1): a year's quotas with what is used and left, the
grants, and the forms staff record them with."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.dbsetup import utcnow
from community.extensions import db
from community.models import Tenant
from community.permissions import can, can_view_tenant
from community.web import paginate, requires, submit, today
from services import subsidies
from services.forms import GrantForm, QuotaForm, ReasonForm, options
from services.models import Grant, Provider, Quota, ServiceCategory
from services.views import bp


def quotas_of(year, tenant_id=None):
    """The query of a year's quotas, of one firm or of all."""
    query = select(Quota).options(selectinload(Quota.category), selectinload(Quota.tenant)) \
        .where(Quota.year == year).order_by(Quota.tenant_id, Quota.category_id)
    return query if tenant_id is None else query.where(Quota.tenant_id == tenant_id)


def quota_rows(tenant_id, year, quotas=None):
    """[(quota, used, left)] of a firm's quotas for a year (or of the `quotas` given)."""
    if quotas is None:
        quotas = db.session.scalars(quotas_of(year, tenant_id)).all()
    granted = subsidies.used_in_year(db.session, year, tenant_id)
    rows = []
    for quota in quotas:
        quantity, yuan = granted.get((quota.tenant_id, quota.category_id), (0, 0))
        used = quantity if quota.measure == "quantity" else yuan
        rows.append((quota, used, quota.amount - used))
    return rows


def _choices(form):
    form.tenant_id.choices = options(db.session.execute(
        select(Tenant.id, Tenant.name).where(Tenant.closed_on.is_(None))
        .order_by(Tenant.name)).all())
    form.category_id.choices = options((c_id, _(name)) for c_id, name in db.session.execute(
        select(ServiceCategory.id, ServiceCategory.name)
        .where(ServiceCategory.section == "professional", ServiceCategory.active.is_(True))
        .order_by(ServiceCategory.position)))
    if hasattr(form, "provider_id"):
        form.provider_id.choices = options([(0, "—")] + db.session.execute(
            select(Provider.id, Provider.name).where(Provider.active.is_(True))
            .order_by(Provider.name)).all())


@bp.route("/grants", methods=["GET", "POST"])
@requires("view")
def grants():
    form = GrantForm(granted_on=today(), tenant_id=request.args.get("tenant", type=int))
    _choices(form)
    if form.is_submitted():
        if not can(current_user, "edit"):
            abort(403)
        ok, _grant = submit(form, lambda: subsidies.record_grant(
            db.session, current_user, _tenant(form.tenant_id.data),
            _category(form.category_id.data),
            form.data | {"provider_id": form.provider_id.data or None}, today()),
            _("补贴已发放并记入专业服务台账。"))
        if ok:
            return redirect(url_for("services.grants"))
    query = select(Grant).options(selectinload(Grant.tenant), selectinload(Grant.category),
                                  selectinload(Grant.provider)) \
        .order_by(Grant.granted_on.desc(), Grant.id.desc())
    return render_template("services/grants.html", form=form, page=paginate(query),
                           reason=ReasonForm())


def _tenant(tenant_id):
    tenant = db.session.get(Tenant, tenant_id or 0)
    if tenant is None:
        abort(404)
    return tenant


def _category(category_id):
    category = db.session.get(ServiceCategory, category_id or 0)
    if category is None:
        abort(404)
    return category


@bp.route("/grants/<int:grant_id>/void", methods=["POST"])
@requires("edit")
def grant_void(grant_id):
    grant = db.get_or_404(Grant, grant_id)
    form = ReasonForm()
    submit(form, lambda: subsidies.void_grant(db.session, current_user, grant,
                                              form.reason.data, utcnow()),
           _("该笔补贴已作废，额度已退回。"), errors="flash")
    return redirect(url_for("services.grants"))


@bp.route("/quotas", methods=["GET", "POST"])
@requires("view")
def quotas():
    year = request.args.get("year", today().year, type=int)
    if not 2000 <= year <= 2100:
        abort(404)
    form = QuotaForm(year=year)
    _choices(form)
    if form.is_submitted():
        if not can(current_user, "edit"):
            abort(403)
        ok, _quota = submit(form, lambda: subsidies.set_quota(
            db.session, current_user, _tenant(form.tenant_id.data), form.year.data,
            _category(form.category_id.data), form.measure.data, form.amount.data),
            _("额度已保存。"))
        if ok:
            return redirect(url_for("services.quotas", year=form.year.data))
    page = paginate(quotas_of(year))
    return render_template("services/quotas.html", form=form, year=year, page=page,
                           rows=quota_rows(None, year, page.items))


@bp.route("/tenants/<int:tenant_id>/quotas")
def tenant_quotas(tenant_id):
    """A firm's quotas and grants of a year: for staff and for the firm itself."""
    if not can_view_tenant(current_user, tenant_id):
        abort(403)
    tenant = db.get_or_404(Tenant, tenant_id)
    year = request.args.get("year", today().year, type=int)
    if not 2000 <= year <= 2100:
        abort(404)
    granted = db.session.scalars(
        select(Grant).options(selectinload(Grant.category), selectinload(Grant.provider))
        .where(Grant.tenant_id == tenant.id).order_by(Grant.granted_on.desc())).all()
    return render_template("services/tenant_quotas.html", tenant=tenant, year=year,
                           rows=quota_rows(tenant.id, year),
                           grants=[g for g in granted if g.granted_on.year == year])
