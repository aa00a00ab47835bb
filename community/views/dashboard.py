"""The indicator dashboard and the ledger workbook download."""
import io

from flask import abort, flash, redirect, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from community.extensions import db
from community import audit
from community.export import write_workbook
from community.forms import PeriodForm
from community.periods import period_for
from community.registry import evaluate, registry
from community.permissions import can
from community.settings import current_settings, targets
from community.views import bp
from community.views.auth import home_for
from community.web import commit, requires, today


def chosen_period(form):
    """The period the dashboard form names (this year by default)."""
    settings = current_settings(db.session)
    choice = form.period.data if form.period.data else "year"
    try:
        return period_for(choice, today(), year=form.year.data, start=form.start.data,
                          end=form.end.data,
                          implementation=(settings.period_start_on, settings.period_end_on))
    except ValueError:
        flash(_("统计期间不正确：请填写2000至2100年间的开始和结束日期，且结束不早于开始。"), "error")
        return period_for("year", today())


@bp.route("/")
def dashboard():
    if not can(current_user, "view"):
        if current_user.role == "member" and current_user.tenant_id:
            return redirect(home_for(current_user))  # a founder's home is its firm
        abort(403)
    form = PeriodForm(request.args)
    form.validate()
    period = chosen_period(form)
    results = evaluate(db.session, registry(), targets(db.session), period)
    todo = [item for check in registry().attention for item in check(db.session, current_user)]
    behind = [r for r in results if r.status(period) in ("ongoing", "missed")]
    return render_template("community/dashboard.html", form=form, period=period,
                           results=results, behind=behind,
                           settings=current_settings(db.session), todo=todo)


@bp.route("/ledger.xlsx")
@requires("export")
def export():
    form = PeriodForm(request.args)
    form.validate()
    period = chosen_period(form)
    full = request.args.get("full") == "1"
    if full and not can(current_user, "export_full"):
        abort(403)
    settings = current_settings(db.session)
    out = io.BytesIO()
    write_workbook(db.session, registry(), targets(db.session), period, out,
                   community_name=settings.name, full=full, tz_name=settings.timezone)
    audit.record(db.session, current_user,
                 "ledger.exported_full" if full else "ledger.exported",
                 object_type="ledger", note=f"{period.start}~{period.end}")
    commit()
    out.seek(0)
    name = f"台账_{period.start:%Y%m%d}-{period.end:%Y%m%d}{'_完整' if full else ''}.xlsx"
    return send_file(out, as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument"
                              ".spreadsheetml.sheet")
