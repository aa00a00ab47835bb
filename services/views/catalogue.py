"""The service catalogue (admin edits it) and the provider directory with its
agreements (服务资源清单): expiring agreements are flagged first."""
from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community import audit
from community.extensions import db
from community.files import attachments_of
from community.permissions import can
from community.forms import UploadForm
from community.web import requires, submit, today
from services import catalogue
from services.forms import AgreementForm, CategoryForm, ProviderForm, options
from services.ledger import AGREEMENT
from services.models import Provider, ServiceCategory
from services.views import bp


@bp.route("/catalogue")
@requires("view")
def catalogue_index():
    return render_template("services/catalogue.html",
                           categories=catalogue.catalogue(db.session))


@bp.route("/catalogue/new", methods=["GET", "POST"])
@bp.route("/catalogue/<int:category_id>/edit", methods=["GET", "POST"])
@requires("admin")
def category_edit(category_id=None):
    category = db.get_or_404(ServiceCategory, category_id) if category_id else None
    form = CategoryForm(obj=category)
    if category is not None and category.code:
        del form.section  # a built-in entry keeps its place in the package
    ok, _saved = submit(form, lambda: catalogue.save_category(
        db.session, current_user, form.data, category), _("服务项目已保存。"))
    if ok:
        return redirect(url_for("services.catalogue_index"))
    return render_template("services/category_form.html", form=form, category=category)


@bp.route("/providers")
@requires("view")
def providers():
    found = db.session.scalars(select(Provider).options(
        selectinload(Provider.categories), selectinload(Provider.agreements))
        .order_by(Provider.active.desc(), Provider.kind, Provider.name)).all()
    day = today()
    agreements = {p.id: catalogue.current_agreement(p, day) for p in found}
    return render_template(
        "services/providers.html", providers=found, agreements=agreements,
        states={p.id: catalogue.agreement_state(agreements[p.id], day) for p in found},
        renew=catalogue.agreements_to_renew(db.session, day))


@bp.route("/providers/new", methods=["GET", "POST"])
@bp.route("/providers/<int:provider_id>/edit", methods=["GET", "POST"])
@requires("edit")
def provider_edit(provider_id=None):
    provider = db.get_or_404(Provider, provider_id) if provider_id else None
    form = ProviderForm(obj=provider)
    form.categories.choices = options([(c.id, _(c.name)) for c in catalogue.catalogue(db.session)])
    if provider is not None and not form.is_submitted():
        form.categories.data = [c.id for c in provider.categories]
        form.no_uscc.data = provider.uscc is None
    ok, saved = submit(form, lambda: catalogue.save_provider(
        db.session, current_user, form.data, provider, today()), _("服务机构已保存。"))
    if ok:
        return redirect(url_for("services.provider_detail", provider_id=saved.id))
    return render_template("services/provider_form.html", form=form, provider=provider)


@bp.route("/providers/<int:provider_id>", methods=["GET", "POST"])
@requires("view")
def provider_detail(provider_id):
    provider = db.get_or_404(Provider, provider_id)
    form = AgreementForm()
    if form.is_submitted():
        if not can(current_user, "edit"):
            abort(403)
        ok, _agreement = submit(form, lambda: catalogue.add_agreement(
            db.session, current_user, provider, form.data), _("合作协议已登记，请上传协议文件。"))
        if ok:
            return redirect(url_for("services.provider_detail", provider_id=provider.id))
    day = today()
    return render_template(
        "services/provider.html", provider=provider, form=form, upload=UploadForm(),
        states={a.id: catalogue.agreement_state(a, day) for a in provider.agreements},
        files={a.id: attachments_of(db.session, AGREEMENT, a.id) for a in provider.agreements},
        history=audit.history(db.session, "provider", provider.id,
                              ("agreement", [a.id for a in provider.agreements])))
