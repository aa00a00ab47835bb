"""Tenants (OPC firms): list and search, edit, members, service records, import."""
import uuid

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app import db
from community import audit, rules
from community.files import attachments_of
from community.forms import MemberForm, ServedForm, TenantForm, TenantImportForm, UploadForm
from community.messages import message
from community.models import DeskAssignment, ServedRecord, Tenant
from community.registry import registry
from community.tenant_import import ImportRefused, import_tenants, template_bytes
from community.views import bp
from community.web import commit, form_errors, paginate, requires, today


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
    if form.validate_on_submit():
        try:
            tenant = rules.save_tenant(db.session, current_user, form.data, tenant)
        except rules.Refused as exc:
            form_errors(form, exc)
        else:
            commit()
            flash(_("企业信息已保存。"), "success")
            return redirect(url_for("community.tenant_detail", tenant_id=tenant.id))
    return render_template("community/tenant_form.html", form=form, tenant=tenant)


@bp.route("/tenants/<int:tenant_id>")
def tenant_detail(tenant_id):
    if not rules.can_view_tenant(current_user, tenant_id):
        abort(403)
    tenant = db.get_or_404(Tenant, tenant_id)
    desks = db.session.scalars(
        select(DeskAssignment).options(selectinload(DeskAssignment.desk),
                                       selectinload(DeskAssignment.member))
        .where(DeskAssignment.tenant_id == tenant.id)
        .order_by(DeskAssignment.starts_on.desc())).all()
    served = db.session.scalars(select(ServedRecord).where(
        ServedRecord.tenant_id == tenant.id).order_by(ServedRecord.served_on.desc())
        .limit(100)).all()
    return render_template(
        "community/tenant_detail.html", tenant=tenant, desks=desks, served=served,
        sources=registry().served_sources, member_form=MemberForm(),
        served_form=ServedForm(served_on=today()), upload=UploadForm(),
        files=attachments_of(db.session, "tenant", tenant.id),
        history=audit.history(db.session, "tenant", tenant.id) if rules.can(
            current_user, "view") else [])


@bp.route("/tenants/<int:tenant_id>/members", methods=["POST"])
@requires("edit")
def member_add(tenant_id):
    tenant = db.get_or_404(Tenant, tenant_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            rules.add_member(db.session, current_user, tenant, form.name.data,
                             form.phone.data, form.is_founder.data)
        except rules.Invalid as exc:
            for field, code in exc.errors.items():
                flash(f"{form[field].label.text}：{message(code)}", "error")
        else:
            commit()
            flash(_("成员已添加。"), "success")
    else:
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}：{error}", "error")
    return redirect(url_for("community.tenant_detail", tenant_id=tenant.id))


@bp.route("/tenants/<int:tenant_id>/served", methods=["POST"])
@requires("edit")
def served_add(tenant_id):
    tenant = db.get_or_404(Tenant, tenant_id)
    form = ServedForm()
    if form.validate_on_submit():
        record = rules.record_served(db.session, tenant.id, form.served_on.data,
                                     "community", f"manual:{uuid.uuid4().hex}",
                                     form.note.data.strip())
        audit.record(db.session, current_user, "served_record.created", record)
        commit()
        flash(_("服务记录已保存。"), "success")
    else:
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}：{error}", "error")
    return redirect(url_for("community.tenant_detail", tenant_id=tenant.id))


@bp.route("/tenants/import", methods=["GET", "POST"])
@requires("edit")
def tenant_import():
    form = TenantImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            created = import_tenants(db.session, current_user, upload.filename or "",
                                     upload.read())
        except ImportRefused as exc:
            db.session.rollback()
            flash(message(exc.code, **exc.params), "error")
            problems = [(row, column, message(code)) for row, column, code in exc.problems]
        except rules.Refused as exc:
            db.session.rollback()
            flash(message(exc.code, **exc.params), "error")
        else:
            commit()
            flash(_("已导入 %(n)s 家企业。", n=len(created)), "success")
            return redirect(url_for("community.tenants"))
    return render_template("community/tenant_import.html", form=form, problems=problems)


@bp.route("/tenants/import/template.xlsx")
@requires("edit")
def tenant_import_template():
    import io
    return send_file(io.BytesIO(template_bytes()), as_attachment=True,
                     download_name="入驻企业导入模板.xlsx")
