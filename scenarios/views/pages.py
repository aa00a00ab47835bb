"""A scenario's page (facts, dated stages, matches, suggestions, founders' interest,
evidence, history), the scenario form with its duplicate warning, and the steps
staff post from the page: move, confirm a firm, withdraw a match."""
from decimal import Decimal

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community import audit
from community.dbsetup import utcnow
from community.extensions import db
from community.files import attachments_of
from community.forms import UploadForm
from community.labels import label
from community.models import Tenant
from community.permissions import can
from community.web import commit, requires, submit, today, writes
from scenarios import rules
from scenarios.forms import (MatchForm, MoveForm, PickMatchForm, ReasonForm, ScenarioForm,
                             options)
from scenarios.models import STAGES, Scenario, ScenarioInterest, ScenarioMatch, SourcingActivity
from scenarios.views import bp

try:
    from scenarios import matching
except ImportError:  # the matcher is optional: the page shows no suggestions without it
    matching = None

RECENT_ACTIVITIES = 50


def _activity_choices(current_id=None):
    """The recent sourcing work (and the scenario's own) as the form's select."""
    recent = db.session.scalars(select(SourcingActivity).order_by(
        SourcingActivity.held_on.desc(), SourcingActivity.id.desc())
        .limit(RECENT_ACTIVITIES)).all()
    if current_id and current_id not in {a.id for a in recent}:
        own = db.session.get(SourcingActivity, current_id)
        recent += [own] if own else []
    return options([(0, "—")] + [
        (a.id, f"{a.held_on:%Y-%m-%d} {_(label('activity_kind', a.kind))} · {a.counterpart}")
        for a in recent])


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:scenario_id>/edit", methods=["GET", "POST"])
@requires("edit")
def edit(scenario_id=None):
    scenario = db.get_or_404(Scenario, scenario_id) if scenario_id else None
    form = ScenarioForm(obj=scenario)
    form.activity_id.choices = _activity_choices(scenario.activity_id if scenario else None)
    if request.method == "GET":
        _prefill(form, scenario)
    ok, outcome = submit(form, lambda: rules.save_scenario(
        db.session, current_user, form.rule_data(), today(), scenario), _("场景已保存。"))
    if ok:
        return redirect(url_for("scenarios.detail", scenario_id=outcome.id))
    similar = None
    if getattr(outcome, "code", None) == "scenario_duplicate":
        similar = db.session.get(Scenario, outcome.params["id"])
    return render_template("scenarios/form.html", form=form, scenario=scenario,
                           similar=similar)


def _prefill(form, scenario):
    """A new scenario starts today (from the sourcing work named in the address);
    a saved one shows its budget in yuan."""
    if scenario is None:
        form.discovered_on.data = today()
        activity = db.session.get(SourcingActivity, request.args.get("activity", 0, type=int))
        if activity is not None:
            form.activity_id.data, form.district.data = activity.id, activity.district
            form.discovered_on.data = activity.held_on
            form.joint_with_district.data = activity.kind == "district_meeting"
    else:
        form.activity_id.data = scenario.activity_id or 0
        if scenario.budget_fen is not None:
            form.budget.data = f"{Decimal(scenario.budget_fen) / 100:.2f}"


def _next_stage(scenario):
    """The stage the move form offers first: the next one the scenario can take. 对接
    comes with the first confirmed firm (below), so a published scenario without one
    is offered no move: staff choose."""
    if scenario.stage in STAGES[:-1]:
        following = STAGES[STAGES.index(scenario.stage) + 1]
        if following == "matched" and not rules.active_matches(scenario):
            return scenario.stage
        return following
    return "published" if scenario.stage == "dropped" else "piloting"


@bp.route("/<int:scenario_id>")
@requires("view")
@writes  # the matcher keeps the firms' words it segmented: see community.web.writes
def detail(scenario_id):
    scenario = db.get_or_404(Scenario, scenario_id)
    editing = can(current_user, "edit")
    active = {m.tenant_id for m in rules.active_matches(scenario)}
    suggestions = []
    if editing and matching is not None and scenario.stage in rules.MATCHING:
        suggestions = matching.suggest(db.session, scenario, limit=10, today=today())
        commit()  # keep the firms' words the matcher segmented for the next page
    interests = db.session.scalars(select(ScenarioInterest).options(
        selectinload(ScenarioInterest.tenant)).where(ScenarioInterest.scenario_id == scenario.id)
        .order_by(ScenarioInterest.created_at)).all()
    pick = None
    if editing and scenario.stage in rules.MATCHING:
        pick = PickMatchForm()
        pick.tenant_id.choices = options([(t_id, name) for t_id, name in db.session.execute(
            select(Tenant.id, Tenant.name).where(Tenant.closed_on.is_(None))
            .order_by(Tenant.name)) if t_id not in active])
    return render_template(
        "scenarios/detail.html", s=scenario, editing=editing, suggestions=suggestions,
        matcher=matching is not None, interests=interests, active=active, pick=pick,
        move=MoveForm(stage=_next_stage(scenario), on=today()), confirm=MatchForm(),
        withdraw=ReasonForm(), upload=UploadForm(), evidence=rules.EVIDENCE,
        files=attachments_of(db.session, rules.EVIDENCE, scenario.id),
        duplicate_of=db.session.get(Scenario, scenario.duplicate_of_id)
        if scenario.duplicate_of_id else None,
        history=audit.history(db.session, "scenario", scenario.id,
                              ("scenario_match", [m.id for m in scenario.matches])))


def _back(scenario_id, anchor=""):
    return redirect(url_for("scenarios.detail", scenario_id=scenario_id) + anchor)


@bp.route("/<int:scenario_id>/move", methods=["POST"])
@requires("edit")
def move(scenario_id):
    scenario = db.get_or_404(Scenario, scenario_id)
    form = MoveForm()
    submit(form, lambda: rules.move(
        db.session, current_user, scenario, form.stage.data, form.on.data, form.reason.data,
        today(), form.contract_value.data),
        lambda moved: _("场景已移至“%(stage)s”。",
                        stage=_(label("scenario_stage", moved.stage))), errors="flash")
    return _back(scenario_id, "#stages")


@bp.route("/<int:scenario_id>/match", methods=["POST"])
@requires("edit")
def match(scenario_id):
    """Confirm a firm: a suggestion's button, an interested firm's, or one picked."""
    scenario = db.get_or_404(Scenario, scenario_id)
    form = MatchForm()
    submit(form, lambda: rules.confirm_match(
        db.session, current_user, scenario, db.get_or_404(Tenant, form.tenant_id.data or 0),
        form.reason.data, today()),
        lambda made: _("已确认对接企业：%(name)s。", name=made.tenant.name), errors="flash")
    return _back(scenario_id, "#matches")


@bp.route("/matches/<int:match_id>/withdraw", methods=["POST"])
@requires("edit")
def withdraw(match_id):
    found = db.get_or_404(ScenarioMatch, match_id)
    form = ReasonForm()
    submit(form, lambda: rules.withdraw_match(
        db.session, current_user, found, form.reason.data, utcnow(), today()),
        _("已撤回对接。"), errors="flash")
    return _back(found.scenario_id, "#matches")
