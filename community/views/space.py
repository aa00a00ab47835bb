"""Zones (area history) and desks (bulk creation, assignments)."""
from datetime import timedelta

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from community.extensions import db
from community import audit, rules
from community.files import attachments_of
from community.forms import (AssignForm, BulkDeskForm, DeskStatusForm, EndAssignmentForm,
                             UploadForm, ZoneForm)
from community.models import Desk, DeskAssignment, Member, Tenant, Zone
from community.permissions import can
from community.views import bp
from community.web import paginate, requires, submit, today


@bp.route("/zones")
@requires("view")
def zones():
    rows = db.session.scalars(select(Zone).order_by(Zone.floor, Zone.name)).all()
    return render_template("community/zones.html", zones=rows, today=today())


@bp.route("/zones/new", methods=["GET", "POST"])
@bp.route("/zones/<int:zone_id>/edit", methods=["GET", "POST"])
@requires("edit")
def zone_edit(zone_id=None):
    zone = db.get_or_404(Zone, zone_id) if zone_id else None
    form = ZoneForm(obj=zone)
    if request.method == "GET" and zone is None:
        form.in_service_on.data = today()
    ok, saved = submit(form, lambda: rules.save_zone(
        db.session, current_user, form.data, zone,
        area_effective_on=form.area_effective_on.data), _("区域已保存。"))
    if ok:
        return redirect(url_for("community.zone_detail", zone_id=saved.id))
    return render_template("community/zone_form.html", form=form, zone=zone)


@bp.route("/zones/<int:zone_id>")
@requires("view")
def zone_detail(zone_id):
    zone = db.get_or_404(Zone, zone_id)
    desks = db.session.scalars(select(Desk).where(Desk.zone_id == zone.id)
                               .order_by(Desk.code)).all()
    return render_template("community/zone_detail.html", zone=zone, desks=desks,
                           history=audit.history(db.session, "zone", zone.id),
                           files=attachments_of(db.session, "zone", zone.id),
                           upload=UploadForm())


@bp.route("/desks")
@requires("view")
def desks():
    q = request.args.get("q", "").strip()
    day = today()
    query = select(Desk).options(selectinload(Desk.zone)).join(Zone).order_by(Desk.code)
    if q:
        query = query.where(or_(Desk.code.contains(q.upper(), autoescape=True),
                                Zone.name.contains(q, autoescape=True)))
    ending = request.args.get("ending") == "1"
    if ending:
        query = query.where(Desk.id.in_(ending_assignments(day).with_only_columns(
            DeskAssignment.desk_id)))
    page = paginate(query)
    current = {a.desk_id: a for a in db.session.scalars(
        select(DeskAssignment).options(selectinload(DeskAssignment.tenant),
                                       selectinload(DeskAssignment.member))
        .where(DeskAssignment.desk_id.in_([d.id for d in page.items]),
               DeskAssignment.starts_on <= day,
               or_(DeskAssignment.ends_on.is_(None), DeskAssignment.ends_on >= day)))}
    return render_template("community/desks.html", page=page, current=current, q=q,
                           ending=ending, ending_days=ENDING_DAYS)


ENDING_DAYS = 14  # how far ahead the dashboard warns of desk assignments ending


def ending_assignments(day):
    """Assignments in force that end within ENDING_DAYS: the founder moves out, or
    staff renew them."""
    return select(DeskAssignment).where(
        DeskAssignment.starts_on <= day, DeskAssignment.ends_on >= day,
        DeskAssignment.ends_on <= day + timedelta(days=ENDING_DAYS))


def desks_ending(session, user):
    """For the dashboard: desk assignments ending within ENDING_DAYS."""
    if not can(user, "edit"):
        return []
    n = session.scalar(select(func.count()).select_from(ending_assignments(today()).subquery()))
    return [(_("%(n)s 个工位的使用将在%(d)s天内到期", n=n, d=ENDING_DAYS), "community.desks",
             {"ending": "1"})] if n else []


@bp.route("/desks/bulk", methods=["GET", "POST"])
@requires("edit")
def desks_bulk():
    form = BulkDeskForm()
    form.zone_id.choices = [SelectChoice(z.id, f"{z.floor} · {z.name}") for z in db.session.scalars(
        select(Zone).order_by(Zone.floor, Zone.name))]
    if request.method == "GET":
        form.in_service_on.data = today()
        form.zone_id.data = request.args.get("zone_id", type=int)
    ok, _created = submit(form, lambda: rules.bulk_create_desks(
        db.session, current_user, db.get_or_404(Zone, form.zone_id.data), form.prefix.data,
        form.first.data, form.count.data, form.zero_rent.data, form.in_service_on.data),
        lambda made: _("已创建 %(n)s 个工位：%(a)s 至 %(b)s。", n=len(made),
                       a=made[0].code, b=made[-1].code))
    if ok:
        return redirect(url_for("community.desks", q=form.prefix.data.strip().upper()))
    return render_template("community/desks_bulk.html", form=form)


def _assign_form(desk):
    form = AssignForm()
    members = db.session.execute(
        select(Member.id, Member.name, Tenant.name).join(Tenant)
        .where(Tenant.moved_out_on.is_(None)).order_by(Tenant.name, Member.name)).all()
    form.member_id.choices = [SelectChoice(mid, f"{tname} · {mname}") for mid, mname, tname in members]
    return form


@bp.route("/desks/<int:desk_id>", methods=["GET", "POST"])
@requires("view")
def desk_detail(desk_id):
    desk = db.get_or_404(Desk, desk_id)
    form = _assign_form(desk)
    if request.method == "GET":
        form.starts_on.data = today()
    if request.method == "POST" and not can(current_user, "edit"):
        abort(403)
    ok, _assignment = submit(form, lambda: rules.assign_desk(
        db.session, current_user, desk, db.get_or_404(Member, form.member_id.data),
        form.starts_on.data, form.ends_on.data), _("工位已分配。"))
    if ok:
        return redirect(url_for("community.desk_detail", desk_id=desk.id))
    assignments = db.session.scalars(
        select(DeskAssignment).where(DeskAssignment.desk_id == desk.id)
        .order_by(DeskAssignment.starts_on.desc())).all()
    return render_template("community/desk_detail.html", desk=desk, form=form,
                           assignments=assignments, end_form=EndAssignmentForm(),
                           status_form=DeskStatusForm(obj=desk, effective_on=today()),
                           today=today(),
                           history=audit.history(db.session, "desk", desk.id))


@bp.route("/desks/<int:desk_id>/status", methods=["POST"])
@requires("edit")
def desk_status(desk_id):
    desk = db.get_or_404(Desk, desk_id)
    form = DeskStatusForm()
    submit(form, lambda: rules.set_desk_status(db.session, current_user, desk,
                                               form.status.data, form.zero_rent.data,
                                               form.effective_on.data, today()),
           _("工位已更新。"), errors="flash")
    return redirect(url_for("community.desk_detail", desk_id=desk.id))


@bp.route("/assignments/<int:assignment_id>/end", methods=["POST"])
@requires("edit")
def assignment_end(assignment_id):
    assignment = db.get_or_404(DeskAssignment, assignment_id)
    form = EndAssignmentForm()
    submit(form, lambda: rules.end_assignment(db.session, current_user, assignment,
                                              form.ends_on.data),
           _("工位使用已结束。"), errors="flash")
    return redirect(url_for("community.desk_detail", desk_id=assignment.desk_id))
