"""Report packs: the list and request form, a pack's page (its progress) and download.

Staff and admin request and download any pack; an assessor only packs of a period
an admin granted (may_read_period). Every download is in the audit trail."""
import os

from flask import abort, current_app, redirect, render_template, send_file, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField
from wtforms.validators import Optional

from community import packs, tasks
from community.extensions import db
from community.forms import DATE_MSG
from community.models import AssessorGrant, ReportPack
from community.permissions import can, may_read_period
from community.refusals import Invalid
from community.settings import current_settings
from community.views import bp
from community.web import commit, form_errors, submit, today


class PackForm(FlaskForm):
    kind = SelectField(_l("报告包类型"), choices=[
        SelectChoice(kind, _l(text)) for kind, text in packs.KIND_LABELS.items()])
    year = IntegerField(_l("年份"), validators=[Optional()],
                        description=_l("半年度考核与年度报告按此年份。"))
    half = SelectField(_l("半年"), choices=[SelectChoice("1", _l("上半年（1—6月）")),
                                          SelectChoice("2", _l("下半年（7—12月）"))])
    start = DateField(_l("开始日期"), validators=[Optional()], invalid_value_message=DATE_MSG,
                      description=_l("自定义期间填写开始和结束日期。"))
    end = DateField(_l("结束日期"), validators=[Optional()], invalid_value_message=DATE_MSG)


def _form():
    form = PackForm()
    if form.year.data is None and not form.is_submitted():
        form.year.data = today().year
    return form


def _may_use():
    if not packs.may_use_packs(current_user):
        abort(403)


def _may_request():
    """Staff and admin; an assessor holding at least one grant (its period is checked)."""
    if not packs.may_use_packs(current_user):
        return False
    if current_user.role != "assessor" and not can(current_user, "assess"):
        return True
    return db.session.scalar(db.select(AssessorGrant.id).where(
        AssessorGrant.user_id == current_user.id, AssessorGrant.revoked_at.is_(None))
        .limit(1)) is not None


def _pack_or_404(pack_id):
    _may_use()
    pack = db.get_or_404(ReportPack, pack_id)
    if not packs.may_have(db.session, current_user, pack, today()):
        abort(403)
    return pack


@bp.route("/packs", endpoint="packs")
def packs_page(form=None):
    _may_use()
    shown = packs.visible_packs(db.session, current_user, today())
    if any(p.status in ("queued", "running") for p in shown):
        tasks.ensure_consumer(current_app._get_current_object())
    return render_template("community/packs.html", form=form or _form(), packs=shown,
                           may_request=_may_request())


@bp.route("/packs/request", methods=["POST"])
def pack_request():
    if not _may_request():
        abort(403)
    form = PackForm()
    if not form.validate_on_submit():
        return packs_page(form), 422
    settings = current_settings(db.session)
    try:
        period = packs.pack_period(
            form.kind.data, today(), (settings.period_start_on, settings.period_end_on),
            year=form.year.data, half=int(form.half.data or 0),
            start=form.start.data, end=form.end.data)
    except Invalid as exc:
        form_errors(form, exc)
        return packs_page(form), 422
    if not may_read_period(db.session, current_user, period):
        abort(403)
    ok, pack = submit(form, lambda: packs.request_pack(db.session, current_user,
                                                       form.kind.data, period))
    if not ok:
        return packs_page(form), 422
    try:
        tasks.enqueue(current_app._get_current_object(), tasks.BUILD_PACK, pack.id)
    except Exception as exc:  # noqa: BLE001 - the queue is down: the pack says so
        current_app.logger.exception("could not queue report pack %s", pack.id)
        db.session.execute(db.update(ReportPack).where(ReportPack.id == pack.id).values(
            status="failed", error=f"{type(exc).__name__}: {exc}"[:2000]))
        commit()
    return redirect(url_for("community.pack", pack_id=pack.id))


@bp.route("/packs/<int:pack_id>")
def pack(pack_id):
    pack = _pack_or_404(pack_id)
    if pack.status in ("queued", "running"):
        tasks.ensure_consumer(current_app._get_current_object())
    return render_template("community/pack.html", pack=pack,
                           percent=int(pack.done * 100 / pack.total) if pack.total else 0)


@bp.route("/packs/<int:pack_id>/download")
def pack_download(pack_id):
    pack = _pack_or_404(pack_id)
    path = packs.pack_path(current_app.config["PACK_FOLDER"], pack)
    if pack.status != "done" or path is None or not os.path.exists(path):
        abort(404)
    packs.record_download(db.session, current_user, pack)
    commit()
    name = (f"报告包_{_(packs.KIND_LABELS[pack.kind])}_"
            f"{pack.start_on:%Y%m%d}-{pack.end_on:%Y%m%d}.zip")
    return send_file(path, as_attachment=True, download_name=name, mimetype="application/zip")
