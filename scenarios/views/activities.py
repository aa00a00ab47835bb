"""Sourcing work (场景挖掘工作): visits, district meetings, demand collections, each
with the scenarios it produced: the evidence of a working mechanism."""
from collections import defaultdict

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from community import audit
from community.extensions import db
from community.web import paginate, requires, submit, today
from scenarios import rules
from scenarios.forms import ActivityForm
from scenarios.models import Scenario, SourcingActivity
from scenarios.views import bp


@bp.route("/activities")
@requires("view")
def activities():
    page = paginate(select(SourcingActivity).order_by(SourcingActivity.held_on.desc(),
                                                      SourcingActivity.id.desc()))
    produced = defaultdict(list)
    ids = [a.id for a in page.items]
    if ids:
        for s in db.session.scalars(select(Scenario).where(Scenario.activity_id.in_(ids))
                                    .order_by(Scenario.discovered_on, Scenario.id)):
            produced[s.activity_id].append(s)
    return render_template("scenarios/activities.html", page=page, produced=produced)


@bp.route("/activities/new", methods=["GET", "POST"])
@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@requires("edit")
def activity_edit(activity_id=None):
    activity = db.get_or_404(SourcingActivity, activity_id) if activity_id else None
    form = ActivityForm(obj=activity)
    if activity is None and not form.is_submitted():
        form.held_on.data = today()
    ok, saved = submit(form, lambda: rules.save_activity(
        db.session, current_user, form.data, today(), activity), _("挖掘工作已保存。"))
    if ok:
        return redirect(url_for("scenarios.activities") + f"#a{saved.id}")
    return render_template(
        "scenarios/activity_form.html", form=form, activity=activity,
        history=audit.history(db.session, "sourcing_activity", activity.id)
        if activity else [])
