"""Financing (/services/financing) on the services blueprint: staff keep products,
needs, meetings (voiding one recorded in error) and when institutions were resident;
a founder sees its own firm's needs and meetings and records a need for it. The
tenant page's 融资对接 panel comes from here too."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from community import audit
from community.extensions import db
from community.labels import label
from community.models import Tenant
from community.periods import Period
from community.dbsetup import utcnow
from community.permissions import can, member_of
from community.refusals import Invalid
from community.web import paginate, requires, submit, today
from services.financing import residency, rules
from services.financing.forms import (CloseNeedForm, MeetingForm, NeedForm, OutcomeForm,
                                      ProductForm, ResidencyForm, VoidForm)
from services.financing.ledger import resident_institutions
from services.models import (FINANCIAL_KINDS, FinanceProduct, FinancingNeed, MatchMeeting,
                             Provider)
from services.views import bp


def _tenant_choices():
    tenants = db.session.scalars(select(Tenant).order_by(
        Tenant.moved_out_on.is_not(None), Tenant.name)).all()
    return [SelectChoice(0, _("— 请选择企业 —"))] + [SelectChoice(t.id, t.name) for t in tenants]


def _institutions():
    return db.session.scalars(select(Provider).where(
        Provider.kind.in_(FINANCIAL_KINDS), Provider.active.is_(True))
        .order_by(Provider.resident.desc(), Provider.name)).all()


def _provider_choices(blank):
    return [SelectChoice(0, blank)] + [
        SelectChoice(p.id, f"{p.name}（{_(label('provider_kind', p.kind))}）")
        for p in _institutions()]


def _residency_form():
    """Move-in and move-out days of any bank or investor, active or not."""
    form = ResidencyForm()
    form.provider_id.choices = [SelectChoice(0, _("— 请选择金融机构 —"))] + [
        SelectChoice(p.id, p.name) for p in db.session.scalars(select(Provider).where(
            Provider.kind.in_(FINANCIAL_KINDS)).order_by(Provider.name))]
    return form


def _open_needs():
    return db.session.scalars(select(FinancingNeed).options(
        selectinload(FinancingNeed.tenant)).where(FinancingNeed.status == "open")
        .order_by(FinancingNeed.raised_on.desc(), FinancingNeed.id.desc())).all()


def _meeting_form(needs):
    form = MeetingForm()
    form.tenant_id.choices = _tenant_choices()
    form.provider_id.choices = _provider_choices(_("— 请选择金融机构 —"))
    form.need_id.choices = [SelectChoice(0, _("（不对应具体需求）"))] + [
        SelectChoice(n.id, f"{n.tenant.name} · {n.amount_wan:,.2f}万元 · "
                           f"{_(label('need_stage', n.stage))}") for n in needs]
    return form


def _need_form(staff=True):
    """The need form: staff choose the firm; a founder's is its own (a hidden field)."""
    form = NeedForm()
    if staff:
        form.tenant_id.choices = _tenant_choices()
    else:
        del form.tenant_id
    if request.method == "GET":
        form.raised_on.data = today()
    return form


def attention(session, user):
    """For the dashboard: needs nobody has met yet, meetings still without an answer."""
    if not can(user, "edit"):
        return []
    items = []
    waiting = len(rules.needs_waiting(session))
    if waiting:
        items.append((_("%(n)s 项融资需求尚未安排对接", n=waiting), "services.financing", {}))
    unanswered = len(rules.meetings_unanswered(session, today()))
    if unanswered:
        items.append((_("%(n)s 次投融资对接超过30天未记录结果", n=unanswered),
                      "services.financing", {}))
    return items


@bp.route("/financing")
@requires("view")
def financing():
    day = today()
    needs = _open_needs()
    meetings = paginate(select(MatchMeeting).options(
        selectinload(MatchMeeting.tenant), selectinload(MatchMeeting.provider))
        .order_by(MatchMeeting.met_on.desc(), MatchMeeting.id.desc()))
    meeting_form = _meeting_form(needs)
    meeting_form.met_on.data = day
    residency_form = _residency_form()
    residency_form.resident_since.data = day
    return render_template(
        "services/financing/index.html", needs=needs, meetings=meetings,
        products=db.session.scalars(select(FinanceProduct).options(
            selectinload(FinanceProduct.provider)).order_by(FinanceProduct.name)).all(),
        institutions=resident_institutions(db.session, Period.make(day, day, day)),
        moved_out=db.session.scalars(select(Provider).where(
            Provider.kind.in_(FINANCIAL_KINDS), Provider.resident_until < day)
            .order_by(Provider.resident_until.desc())).all(),
        residency_form=residency_form,
        need_form=_need_form(), meeting_form=meeting_form, today=day,
        waiting=rules.needs_waiting(db.session),
        unanswered=rules.meetings_unanswered(db.session, day))


@bp.route("/financing/products/new", methods=["GET", "POST"])
@bp.route("/financing/products/<int:product_id>", methods=["GET", "POST"])
@requires("edit")
def finance_product(product_id=None):
    product = db.get_or_404(FinanceProduct, product_id) if product_id else None
    form = ProductForm(obj=product)
    form.provider_id.choices = _provider_choices(_("（无）"))
    if request.method == "GET" and product is not None:
        form.provider_id.data = product.provider_id or 0

    def save():
        data = {key: form[key].data for key in ("name", "scale_wan", "formation", "partners",
                                                "description", "starts_on", "ends_on")}
        data["provider"] = db.session.get(Provider, form.provider_id.data or 0)
        return rules.save_product(db.session, current_user, data, product)

    ok, _saved = submit(form, save, _("金融服务产品已保存。"))
    if ok:
        return redirect(url_for("services.financing") + "#products")
    history = audit.history(db.session, "finance_product", product.id) if product else []
    return render_template("services/financing/product_form.html", form=form,
                           product=product, history=history)


@bp.route("/financing/needs", methods=["POST"])
def financing_need_add():
    """Staff record a need for any firm; a founder only for its own (else 403)."""
    if not (can(current_user, "edit") or can(current_user, "request_service")):
        abort(403)
    staff = can(current_user, "edit")
    tenant_id = request.form.get("tenant_id", type=int)
    if not staff:
        tenant_id = current_user.tenant_id if tenant_id is None else tenant_id
        if not rules.can_record_need(current_user, tenant_id):
            abort(403)
    tenant = db.session.get(Tenant, tenant_id or 0)
    form = _need_form(staff)

    def save():
        data = {key: form[key].data for key in ("amount_wan", "stage", "purpose", "raised_on")}
        if tenant is None:
            raise Invalid({"tenant_id": "required"})
        return rules.save_need(db.session, current_user, tenant, data, today())

    submit(form, save, _("融资需求已登记。"), errors="flash")
    if staff:
        return redirect(url_for("services.financing") + "#needs")
    return redirect(url_for("services.financing_mine"))


@bp.route("/financing/needs/<int:need_id>", methods=["GET", "POST"])
@requires("edit")
def financing_need(need_id):
    need = db.get_or_404(FinancingNeed, need_id)
    form = NeedForm(obj=need)
    form.tenant_id.choices = [SelectChoice(need.tenant_id, need.tenant.name)]
    form.tenant_id.data = need.tenant_id
    ok, _saved = submit(form, lambda: rules.save_need(
        db.session, current_user, need.tenant,
        {key: form[key].data for key in ("amount_wan", "stage", "purpose", "raised_on")},
        today(), need), _("融资需求已保存。"))
    if ok:
        return redirect(url_for("services.financing_need", need_id=need.id))
    close_form = CloseNeedForm()
    close_form.closed_on.data = today()
    meetings = db.session.scalars(select(MatchMeeting).options(
        selectinload(MatchMeeting.provider)).where(MatchMeeting.need_id == need.id)
        .order_by(MatchMeeting.met_on.desc())).all()
    return render_template("services/financing/need.html", need=need, form=form,
                           close_form=close_form, meetings=meetings,
                           history=audit.history(db.session, "financing_need", need.id))


@bp.route("/financing/needs/<int:need_id>/close", methods=["POST"])
@requires("edit")
def financing_need_close(need_id):
    need = db.get_or_404(FinancingNeed, need_id)
    form = CloseNeedForm()
    submit(form, lambda: rules.close_need(db.session, current_user, need, form.status.data,
                                          form.closed_on.data, today()),
           _("融资需求已关闭。"), errors="flash")
    return redirect(url_for("services.financing_need", need_id=need.id))


@bp.route("/financing/meetings", methods=["POST"])
@requires("edit")
def financing_meeting_add():
    form = _meeting_form(_open_needs())

    def save():
        return rules.record_meeting(db.session, current_user, {
            "tenant": db.session.get(Tenant, form.tenant_id.data or 0),
            "provider": db.session.get(Provider, form.provider_id.data or 0),
            "need": db.session.get(FinancingNeed, form.need_id.data or 0),
            "met_on": form.met_on.data, "note": form.note.data}, today())

    ok, meeting = submit(form, save, _("对接记录已保存，该企业计为已服务。"), errors="flash")
    if ok:
        return redirect(url_for("services.financing_meeting", meeting_id=meeting.id))
    return redirect(url_for("services.financing") + "#meetings")


@bp.route("/financing/meetings/<int:meeting_id>")
@requires("view")
def financing_meeting(meeting_id):
    meeting = db.get_or_404(MatchMeeting, meeting_id)
    form = OutcomeForm(obj=meeting)
    if meeting.outcome_on is None:
        form.outcome_on.data = today()
    return render_template("services/financing/meeting.html", meeting=meeting, form=form,
                           void_form=VoidForm(formdata=None),
                           history=audit.history(db.session, "match_meeting", meeting.id))


@bp.route("/financing/meetings/<int:meeting_id>/outcome", methods=["POST"])
@requires("edit")
def financing_meeting_outcome(meeting_id):
    meeting = db.get_or_404(MatchMeeting, meeting_id)
    form = OutcomeForm()
    submit(form, lambda: rules.record_outcome(db.session, current_user, meeting, {
        key: form[key].data for key in ("outcome", "amount_wan", "outcome_on", "note")},
        today()), _("对接结果已保存。"), errors="flash")
    return redirect(url_for("services.financing_meeting", meeting_id=meeting.id))


@bp.route("/financing/meetings/<int:meeting_id>/void", methods=["POST"])
@requires("edit")
def financing_meeting_void(meeting_id):
    meeting = db.get_or_404(MatchMeeting, meeting_id)
    form = VoidForm()
    submit(form, lambda: rules.void_meeting(db.session, current_user, meeting,
                                            form.reason.data, utcnow()),
           _("对接记录已作废：不再计入 F1，该企业不再因此计为已服务。"), errors="flash")
    return redirect(url_for("services.financing_meeting", meeting_id=meeting.id))


@bp.route("/financing/residency", methods=["POST"])
@requires("edit")
def financing_residency():
    """Staff record when a bank or investor moved in and out (入驻金融机构 by period)."""
    form = _residency_form()

    def save():
        provider = db.session.get(Provider, form.provider_id.data or 0)
        if provider is None:
            raise Invalid({"provider_id": "required"})
        return residency.set_residency(db.session, current_user, provider,
                                       form.resident_since.data, form.resident_until.data,
                                       today())

    submit(form, save, lambda p: _("已保存 %(name)s 的入驻日期。", name=p.name), errors="flash")
    return redirect(url_for("services.financing") + "#institutions")


@bp.route("/financing/mine")
@requires("request_service")
def financing_mine():
    tenant = db.session.get(Tenant, current_user.tenant_id or 0) or abort(403)
    needs = db.session.scalars(select(FinancingNeed).where(FinancingNeed.tenant_id == tenant.id)
                               .order_by(FinancingNeed.raised_on.desc())).all()
    meetings = db.session.scalars(select(MatchMeeting).options(
        selectinload(MatchMeeting.provider), selectinload(MatchMeeting.need))
        .where(MatchMeeting.tenant_id == tenant.id, MatchMeeting.voided_at.is_(None))
        .order_by(MatchMeeting.met_on.desc())).all()
    return render_template("services/financing/mine.html", tenant=tenant, needs=needs,
                           meetings=meetings,
                           form=_need_form(staff=False))


def tenant_section(session, user, tenant):
    """The tenant page's 融资对接 panel: the firm's needs and meetings, for staff,
    assessors and the firm's own members (a voided meeting only for staff)."""
    staff = can(user, "view")
    if not (staff or member_of(user, tenant.id)):
        return None
    needs = session.scalars(select(FinancingNeed).where(FinancingNeed.tenant_id == tenant.id)
                            .order_by(FinancingNeed.raised_on.desc(), FinancingNeed.id.desc())
                            .limit(10)).all()
    meetings = select(MatchMeeting).options(selectinload(MatchMeeting.provider)).where(
        MatchMeeting.tenant_id == tenant.id)
    if not staff:
        meetings = meetings.where(MatchMeeting.voided_at.is_(None))
    return {"tenant": tenant, "needs": needs, "meetings": session.scalars(
        meetings.order_by(MatchMeeting.met_on.desc(), MatchMeeting.id.desc()).limit(10)).all()}
