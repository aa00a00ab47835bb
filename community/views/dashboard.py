"""The indicator dashboard and the ledger workbook download."""
import tempfile
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from community.extensions import db
from community import assessors, audit, pace
from community.charts import pace_chart
from community.export import write_workbook
from community.forms import PeriodForm
from community.periods import Period, period_for
from community.registry import evaluate, registry, sharing
from community.permissions import can, may_read_period
from community.settings import current_settings, targets
from community.views import bp
from community.views.auth import home_for
from community.web import commit, today


def chosen_period(form):
    """The period the dashboard form names (this year by default; an assessor's
    latest granted period when it names none)."""
    settings = current_settings(db.session)
    if not form.period.raw_data and can(current_user, "assess"):
        granted = assessors.granted_period(db.session, current_user, today())
        if granted is not None:  # shown in the form as the custom range it is
            form.period.data = "custom"
            form.start.data, form.end.data = granted.start, granted.end
            return granted
    choice = form.period.data if form.period.data else "year"
    try:
        return period_for(choice, today(), year=form.year.data, start=form.start.data,
                          end=form.end.data,
                          implementation=(settings.period_start_on, settings.period_end_on))
    except ValueError:
        flash(_("统计期间不正确：请填写2000至2100年间的开始和结束日期，且结束不早于开始。"), "error")
        return period_for("year", today())


def _readable_period():
    """The form, and the period it names when the user may read it (403 otherwise);
    None for an assessor holding no grant yet."""
    if not (can(current_user, "view") or can(current_user, "assess")):
        abort(403)
    if can(current_user, "assess") and not assessors.active_grants(db.session, current_user):
        return None, None
    form = PeriodForm(request.args)
    form.validate()
    period = chosen_period(form)
    if not may_read_period(db.session, current_user, period):
        abort(403)
    return form, period


def year_paces(period):
    """The pace of the count indicators through the year the period is read in, when the
    user may read that year so far (an assessor granted part of it sees none)."""
    year = period.as_of.year
    day = today()
    so_far = Period.make(date(year, 1, 1), min(max(day, date(year, 1, 1)), date(year, 12, 31)),
                         day)
    if not may_read_period(db.session, current_user, so_far):
        return year, []
    # Twelve readings of each indicator cost more than the rest of the page (S4's windows
    # above all). The months already over are kept for the day (a record backdated into
    # one shows in its chart tomorrow; the figures above always read live); the month
    # holding today is read on every load.
    key = (year, day)
    memo = current_app.extensions.setdefault("opc_pace_memo", {})
    if key not in memo:
        memo.clear()
        memo[key] = {}
    return year, pace.paces(db.session, registry(), targets(db.session), year, day,
                            memo[key])


@bp.route("/")
def dashboard():
    if not (can(current_user, "view") or can(current_user, "assess")):
        if current_user.role == "member" and current_user.tenant_id:
            return redirect(home_for(current_user))  # a founder's home is its firm
        abort(403)
    form, period = _readable_period()
    if period is None:
        return render_template("community/no_grant.html")
    with sharing(db.session):  # the pace's month holding today reads S4's window again
        results = evaluate(db.session, registry(), targets(db.session), period)
        year, paces = year_paces(period)
    todo = [item for check in registry().attention for item in check(db.session, current_user)
            ] if can(current_user, "view") else []
    behind = [r for r in results if r.status(period) in ("ongoing", "missed")]
    return render_template("community/dashboard.html", form=form, period=period,
                           results=results, behind=behind,
                           settings=current_settings(db.session), todo=todo,
                           pace_year=year, paces=paces, sentence=pace.sentence,
                           chart=pace_chart,
                           may_export=can(current_user, "export") or can(current_user,
                                                                         "assess"))


@bp.route("/ledger.xlsx")
def export():
    if not (can(current_user, "export") or can(current_user, "assess")):
        abort(403)
    form, period = _readable_period()
    if period is None:
        abort(403)
    full = request.args.get("full") == "1"
    if full and not can(current_user, "export_full"):
        abort(403)
    settings = current_settings(db.session)
    out = tempfile.TemporaryFile()  # on disk, sent in chunks: no workbook held in memory
    try:
        write_workbook(db.session, registry(), targets(db.session), period, out,
                       community_name=settings.name, full=full, tz_name=settings.timezone,
                       people=can(current_user, "export"))  # an assessor reads no names
        audit.record(db.session, current_user,
                     "ledger.exported_full" if full else "ledger.exported",
                     object_type="ledger", note=f"{period.start}~{period.end}")
        commit()
    except BaseException:
        out.close()
        raise
    size = out.tell()
    out.seek(0)
    name = f"台账_{period.start:%Y%m%d}-{period.end:%Y%m%d}{'_完整' if full else ''}.xlsx"
    response = send_file(out, as_attachment=True, download_name=name,
                         mimetype="application/vnd.openxmlformats-officedocument"
                                  ".spreadsheetml.sheet")
    response.response, response.content_length = _to_the_end(out), size
    response.call_on_close(out.close)  # a HEAD request never starts the generator
    return response


def _to_the_end(out):
    """The file in chunks, closed once read to its end (or when the server closes the
    response of a client that went away)."""
    with out:
        while chunk := out.read(64 * 1024):
            yield chunk
