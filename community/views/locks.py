"""Period locks (admin) and correction mode: the reason a person gives before changing
records of a locked period, carried by every change they make until they end it."""
from datetime import date

from flask import flash, redirect, render_template, request, session as http_session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from community import locks, rules
from community.extensions import db
from community.forms import ActionForm, CorrectionForm, LockForm
from community.models import AuditEntry, PeriodLock
from community.views import bp
from community.web import requires, safe_next, submit, today

SESSION_KEY = "correction_reason"


def apply_correction_reason():
    """before_request: the person's correction reason goes with this request's writes."""
    reason = http_session.get(SESSION_KEY) if current_user.is_authenticated else None
    if reason:
        db.session.info[locks.REASON] = reason
    else:
        db.session.info.pop(locks.REASON, None)


@bp.route("/locks", methods=["GET", "POST"])
@requires("admin")
def period_locks():
    # The presets are links: their dates arrive in the query string.
    form = LockForm() if request.method == "POST" else LockForm(formdata=request.args or None)
    if submit(form, lambda: rules.lock_period(
            db.session, current_user, form.start_on.data, form.end_on.data, today(),
            form.label.data, form.note.data), _("统计期间已锁定。"))[0]:
        return redirect(url_for("community.period_locks"))
    rows = db.session.scalars(select(PeriodLock).order_by(PeriodLock.start_on.desc())).all()
    corrections = dict(db.session.execute(
        select(AuditEntry.lock_id, func.count()).where(AuditEntry.lock_id.is_not(None))
        .group_by(AuditEntry.lock_id)).all())
    presets = _finished_halves(today())
    return render_template("community/locks.html", form=form, locks=rows,
                           corrections=corrections, presets=presets)


def _finished_halves(day, count=3):
    """The last half years that are over, newest first: what an admin locks."""
    halves = [(f"{y}年{name}", first, last)
              for y in range(day.year, day.year - 3, -1)
              for name, first, last in (("下半年", date(y, 7, 1), date(y, 12, 31)),
                                        ("上半年", date(y, 1, 1), date(y, 6, 30)))
              if last < day]
    return [(label, f"{first}", f"{last}") for label, first, last in halves[:count]]


@bp.route("/corrections", methods=["GET", "POST"])
@requires("correct")
def corrections():
    form = CorrectionForm(next=request.args.get("next", ""))

    def start():
        http_session[SESSION_KEY] = locks.clean_reason(form.reason.data)

    if submit(form, start, _("已进入更正模式：此后的修改都将记下这一原因，完成后请结束更正。"))[0]:
        return redirect(safe_next(form.next.data))
    return render_template("community/corrections.html", form=form,
                           reason=http_session.get(SESSION_KEY))


@bp.route("/corrections/end", methods=["POST"])
@requires("correct")
def corrections_end():
    if ActionForm().validate_on_submit():
        http_session.pop(SESSION_KEY, None)
        flash(_("已结束更正模式。"), "success")
    return redirect(safe_next(request.form.get("next")))
