"""The operator's record in settings (site-tenure files, 任务计划 milestones) and the
report of 附件2: /report (a printable page) and /report.pdf (its download)."""
import io

from flask import abort, make_response, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community import audit
from community.extensions import db
from community.files import attachments_of
from community.forms import MilestoneForm, PeriodForm, UploadForm
from community.models import Milestone
from community.permissions import can, may_read_period
from community.registry import registry
from community.report import render_html, write_pdf
from community.settings import (MILESTONE_CODES, MILESTONE_DAYS, REPORT_SECTIONS, focus_split,
                                milestones, save_milestone)
from community.views import bp
from community.views.dashboard import chosen_period
from community.web import commit, requires, submit, writes

SITE_FILES = "community"  # attachment owner: the site's tenure (lease, agreement, deed)
# The report page holds its own style and drawings: nothing else may load into it.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
              "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def prefill_operator_record(form, row):
    """Fill the settings form's derived fields from the record (on a GET)."""
    form.focus.data, form.focus_other.data = focus_split(row.focus)
    texts = row.report_texts or {}
    for key, _title in REPORT_SECTIONS:
        getattr(form, f"text_{key}").data = texts.get(key, "")


def operator_record_context(session, row):
    """What settings shows beside the form: the site's files and the milestones (each
    saved one, then a blank one for each of the form's three dates not yet set)."""
    saved = milestones(session)
    taken = {m.due_on for m in saved}
    rows = [(m, MilestoneForm(formdata=None, milestone_id=str(m.id), due_on=m.due_on,
                              promise=m.promise)) for m in saved]
    rows += [(None, MilestoneForm(formdata=None, milestone_id="0", due_on=day))
             for day in MILESTONE_DAYS if day not in taken]
    rows.sort(key=lambda pair: pair[1].due_on.data)
    by_code = {i.code: i for i in registry().indicators}
    return dict(site_files=attachments_of(session, SITE_FILES, row.id) if row.id else [],
                site_id=row.id, upload=UploadForm(), milestone_rows=rows,
                new_milestone=MilestoneForm(formdata=None, milestone_id="0"),
                milestone_codes=[by_code[c] for c in MILESTONE_CODES if c in by_code])


@bp.route("/settings/milestones", methods=["POST"])
@requires("admin")
def milestone_save():
    form = MilestoneForm()
    try:
        milestone_id = int(form.milestone_id.data or 0)
    except ValueError:
        abort(400)
    milestone = db.get_or_404(Milestone, milestone_id) if milestone_id else None
    typed = {code: request.form.get(f"figure-{code}", "") for code in MILESTONE_CODES}
    submit(form, lambda: save_milestone(db.session, current_user, milestone,
                                        form.due_on.data, form.promise.data, typed),
           _("任务计划已保存。"), errors="flash")
    return redirect(url_for("community.settings", _anchor="milestones"))


def _readable_period():
    form = PeriodForm(request.args)
    form.validate()
    period = chosen_period(form)
    if not may_read_period(db.session, current_user, period):
        abort(403)
    return form, period


@bp.route("/report")
def report():
    form, period = _readable_period()
    html = render_html(db.session, registry(), period, chooser=form,
                       people=can(current_user, "view"))  # an assessor reads no names
    response = make_response(html)
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


@bp.route("/report.pdf")
@writes
def report_pdf():
    _form, period = _readable_period()
    out = io.BytesIO()
    write_pdf(render_html(db.session, registry(), period,
                          people=can(current_user, "view")), out)
    audit.record(db.session, current_user, "report.downloaded", object_type="report",
                 note=f"{period.start}~{period.end}")
    commit()
    out.seek(0)
    return send_file(out, as_attachment=True, mimetype="application/pdf",
                     download_name=f"运营报告_{period.start:%Y%m%d}-{period.end:%Y%m%d}.pdf")


