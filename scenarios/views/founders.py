"""What founders see: the published scenarios, filtered, and their firm's interest
(never drafts, dropped ones, contact phones or other firms' interest)."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from community.extensions import db
from community.web import paginate, requires, submit
from scenarios import rules
from scenarios.forms import InterestForm
from scenarios.models import Scenario, ScenarioInterest
from scenarios.views import bp
from scenarios.views.board import filter_form, filtered

OPEN = Scenario.stage.in_(rules.OPEN_TO_FOUNDERS)


@bp.route("/published")
@requires("see_scenarios")
def published():
    form = filter_form(request.args, OPEN)
    query = filtered(select(Scenario).where(OPEN), form).order_by(
        Scenario.discovered_on.desc(), Scenario.id.desc())
    tenant_id = current_user.tenant_id
    mine = {} if tenant_id is None else {i.scenario_id: i for i in db.session.scalars(
        select(ScenarioInterest).where(ScenarioInterest.tenant_id == tenant_id))}
    return render_template("scenarios/published.html", form=form, page=paginate(query),
                           mine=mine, interest=InterestForm(), tenant=current_user.tenant)


@bp.route("/<int:scenario_id>/interest", methods=["POST"])
@requires("see_scenarios")
def interest(scenario_id):
    """A founder says its firm is interested (staff see it on the scenario's page)."""
    if current_user.tenant is None:
        abort(403)
    scenario = db.get_or_404(Scenario, scenario_id)
    form = InterestForm()
    submit(form, lambda: rules.register_interest(
        db.session, current_user, scenario, current_user.tenant, form.note.data),
        _("已登记意向，社区工作人员会与您联系。"), errors="flash")
    return redirect(url_for("scenarios.published", **request.args) + f"#s{scenario_id}")
