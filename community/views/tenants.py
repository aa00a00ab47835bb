"""Tenants (OPC firms): list and search, edit, members, service records, import."""
from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from community.extensions import db
from community import audit, opc, rules
from community.files import attachments_of
from community.forms import MemberForm, TenantForm, TenantImportForm, UploadForm
from community.messages import message
from community.models import DeskAssignment, ServedRecord, Tenant
from community.settings import current_settings
from community.permissions import can, can_view_tenant
from community.registry import registry
from community.tenant_import import ImportRefused, import_tenants, template_bytes
from community.views import bp
from community.web import paginate, requires, submit, today


def tenant_search(q):
    """Tenants whose name, USCC or pinyin initials contain q (literally: % and _ are
    characters, not wildcards)."""
    query = select(Tenant).order_by(Tenant.name)
    q = (q or "").strip()
    if q:
        query = query.where(or_(Tenant.name.contains(q, autoescape=True),
                                Tenant.uscc.contains(q.upper(), autoescape=True),
                                Tenant.name_initials.contains(q.lower(), autoescape=True)))
    return query


def undetermined_firms(session, user):
    """For the dashboard: firms whose OPC status waits for their licence facts."""
    if not can(user, "edit"):
        return []
    waiting = opc.undetermined_count(session, today())
    return [(_("%(n)s 家企业OPC身份待确定：请录入营业执照信息", n=waiting),
             "community.tenants", {"opc": opc.UNDETERMINED})] if waiting else []


@bp.route("/tenants")
@requires("view")
def tenants():
    q = request.args.get("q", "")
    query = tenant_search(q).options(selectinload(Tenant.licences))
    relation = request.args.get("relationship")
    if relation in ("resident", "served"):
        query = query.where(Tenant.relationship_kind == relation)
    rule, day = opc.Rule.of(current_settings(db.session)), today()
    status = request.args.get("opc")
    if status == opc.OPC:
        query = query.where(Tenant.id.in_(opc.opc_tenants(rule, day)))
    elif status == opc.UNDETERMINED:
        query = query.where(Tenant.id.in_(opc.undetermined_tenants(day)))
    elif status == opc.NOT_OPC:
        query = query.where(Tenant.id.not_in(opc.opc_tenants(rule, day)),
                            Tenant.id.not_in(opc.undetermined_tenants(day)))
    page = paginate(query)
    statuses = {t.id: opc.tenant_status(t, rule, day) for t in page.items}
    return render_template("community/tenants.html", page=page, q=q, relation=relation,
                           status=status, statuses=statuses)


def _licence_fields(form, tenant):
    """Prefill the licence facts in effect today (the form edits them from a date)."""
    licence = opc.licence_on(tenant.licences, today()) if tenant else None
    if licence is not None:
        form.company_type.data = licence.company_type
        form.registered_capital.data = licence.registered_capital
        form.investors.data = licence.investors
        form.opc_override.data = {None: "", True: "yes", False: "no"}[licence.opc_override]
        form.override_reason.data = licence.override_reason


@bp.route("/tenants/new", methods=["GET", "POST"])
@bp.route("/tenants/<int:tenant_id>/edit", methods=["GET", "POST"])
@requires("edit")
def tenant_edit(tenant_id=None):
    tenant = db.get_or_404(Tenant, tenant_id) if tenant_id else None
    form = TenantForm(obj=tenant)
    if request.method == "GET":
        _licence_fields(form, tenant)
    ok, saved = submit(form, lambda: rules.save_tenant(db.session, current_user, form.data,
                                                       today(), tenant), _("企业信息已保存。"))
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
        upload=UploadForm(), sections=_sections(tenant),
        files=attachments_of(db.session, "tenant", tenant.id),
        licence_files=attachments_of(db.session, opc.LICENCE_FILE, tenant.id),
        opc_status=opc.tenant_status(tenant, opc.Rule.of(current_settings(db.session)),
                                     today()),
        history=audit.history(db.session, "tenant", tenant.id,
                              ("licence", [row.id for row in tenant.licences]))
        if can(current_user, "view") else [])


def _sections(tenant):
    """The packages' panels on this tenant's page, for this user."""
    shown = []
    for section in registry().tenant_sections:
        context = section.context(db.session, current_user, tenant)
        if context is not None:
            shown.append((section.template, context))
    return shown


@bp.route("/tenants/<int:tenant_id>/members", methods=["POST"])
@requires("edit")
def member_add(tenant_id):
    tenant = db.get_or_404(Tenant, tenant_id)
    form = MemberForm()
    submit(form, lambda: rules.add_member(db.session, current_user, tenant, form.name.data,
                                          form.phone.data, form.is_founder.data),
           _("成员已添加。"), errors="flash")
    return redirect(url_for("community.tenant_detail", tenant_id=tenant.id))


def imported_message(imported):
    text = _("已导入 %(n)s 家企业。", n=len(imported.tenants))
    if imported.undetermined_rows:
        text += _("其中第 %(rows)s 行缺少企业类型或股东人数，OPC身份待确定，请补录营业执照信息。",
                  rows="、".join(map(str, imported.undetermined_rows)))
    return text


@bp.route("/tenants/import", methods=["GET", "POST"])
@requires("edit")
def tenant_import():
    form = TenantImportForm()
    ok, outcome = submit(form, lambda: import_tenants(
        db.session, current_user, form.file.data.filename or "", form.file.data.read(),
        today()), imported_message)
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
