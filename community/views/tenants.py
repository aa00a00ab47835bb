"""Tenants (OPC firms): list and search, edit, members, service records, import."""
from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from community.extensions import db
from community import audit, rules
from community.files import attachments_of
from community.forms import MemberForm, ServedForm, TenantForm, TenantImportForm, UploadForm
from community.messages import message
from community.models import DeskAssignment, ServedRecord, Tenant
from community.permissions import can, can_view_tenant
from community.registry import registry
from community.served import log_service
from community.tenant_import import ImportRefused, import_tenants, template_bytes
from community.views import bp
from community.web import paginate, requires, submit, today


def tenant_search(q):
    """Tenants whose name, USCC or pinyin initials contain q."""
    query = select(Tenant).order_by(Tenant.name)
    q = (q or "").strip()
    if q:
        query = query.where(or_(Tenant.name.contains(q), Tenant.uscc.contains(q.upper()),
                                Tenant.name_initials.contains(q.lower())))
    return query


@bp.route("/tenants")
@requires("view")
def tenants():
    q = request.args.get("q", "")
    query = tenant_search(q)
    relation = request.args.get("relationship")
    if relation in ("resident", "served"):
        query = query.where(Tenant.relationship_kind == relation)
    return render_template("community/tenants.html", page=paginate(query), q=q,
                           relation=relation)


@bp.route("/tenants/new", methods=["GET", "POST"])
@bp.route("/tenants/<int:tenant_id>/edit", methods=["GET", "POST"])
@requires("edit")
def tenant_edit(tenant_id=None):
    tenant = db.get_or_404(Tenant, tenant_id) if tenant_id else None
    form = TenantForm(obj=tenant)
    ok, saved = submit(form, lambda: rules.save_tenant(db.session, current_user, form.data,
                                                       tenant), _("企业信息已保存。"))
    if ok:
        return redirect(url_for("community.tenant_detail", tenant_id=saved.id))
    return render_template("community/tenant_form.html", form=form, tenant=tenant)


@bp.route("/tenants/<int:tenant_id>")
def tenant_detail(tenant_id):
    if not can_view_tenant(current_user, tenant_id):
        abort(403)
    tenant = db.get_or_404(Tenant, tenant_id)
    desks = db.session.scalars(
        select(DeskAssignment).options(selectinload(DeskAssignment.desk),
                                       selectinload(DeskAssignment.member))
        .where(DeskAssignment.tenant_id == tenant.id)
        .order_by(DeskAssignment.starts_on.desc())).all()
    # What took place: nothing dated after today; voided ones only for staff, marked.
    served = select(ServedRecord).where(ServedRecord.tenant_id == tenant.id,
                                        ServedRecord.served_on <= today())
    if not can(current_user, "view"):
        served = served.where(ServedRecord.voided_at.is_(None))
    served = db.session.scalars(served.order_by(ServedRecord.served_on.desc())
                                .limit(100)).all()
    return render_template(
        "community/tenant_detail.html", tenant=tenant, desks=desks, served=served,
        sources=registry().served_sources, member_form=MemberForm(),
        served_form=ServedForm(served_on=today()), upload=UploadForm(),
        files=attachments_of(db.session, "tenant", tenant.id),
        history=audit.history(db.session, "tenant", tenant.id) if can(
            current_user, "view") else [])


@bp.route("/tenants/<int:tenant_id>/members", methods=["POST"])
@requires("edit")
def member_add(tenant_id):
    tenant = db.get_or_404(Tenant, tenant_id)
    form = MemberForm()
    submit(form, lambda: rules.add_member(db.session, current_user, tenant, form.name.data,
                                          form.phone.data, form.is_founder.data),
           _("成员已添加。"), errors="flash")
    return redirect(url_for("community.tenant_detail", tenant_id=tenant.id))


@bp.route("/tenants/<int:tenant_id>/served", methods=["POST"])
@requires("edit")
def served_add(tenant_id):
    tenant = db.get_or_404(Tenant, tenant_id)
    form = ServedForm()
    submit(form, lambda: log_service(db.session, current_user, tenant,
                                           form.served_on.data, form.note.data, today()),
           _("服务记录已保存。"), errors="flash")
    return redirect(url_for("community.tenant_detail", tenant_id=tenant.id))


@bp.route("/tenants/import", methods=["GET", "POST"])
@requires("edit")
def tenant_import():
    form = TenantImportForm()
    ok, outcome = submit(form, lambda: import_tenants(
        db.session, current_user, form.file.data.filename or "", form.file.data.read()),
        lambda created: _("已导入 %(n)s 家企业。", n=len(created)))
    if ok:
        return redirect(url_for("community.tenants"))
    problems = [(row, column, message(code)) for row, column, code in outcome.problems] \
        if isinstance(outcome, ImportRefused) else []
    return render_template("community/tenant_import.html", form=form, problems=problems)


@bp.route("/tenants/import/template.xlsx")
@requires("edit")
def tenant_import_template():
    import io
    return send_file(io.BytesIO(template_bytes()), as_attachment=True,
                     download_name="入驻企业导入模板.xlsx")
