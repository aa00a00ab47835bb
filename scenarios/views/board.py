"""The pipeline board: scenarios by stage under the filters, the period's funnel
(discovered → matched → landed) and C1's landed so far against its target."""
from datetime import date
from math import ceil

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from community.extensions import db
from community.forms import PeriodForm
from community.registry import registry
from community.settings import targets
from community.views.dashboard import chosen_period
from community.web import requires
from scenarios import ledger
from scenarios.forms import FilterForm, options
from scenarios.models import STAGES, Scenario, ScenarioInterest, ScenarioMatch, ScenarioStage
from scenarios.views import bp

CARDS = 60  # a column shows the newest this many; the filters narrow the rest
LANDED_CARDS = 12  # the landed lane shows the latest landings unless all are asked for
FILTERS = ("district", "sector", "source", "discovered")
PERIOD_ARGS = ("period", "year", "start", "end")


def filter_form(query_args, *where):
    """The filters with the districts and years the scenarios (those `where` says)
    hold as choices."""
    form = FilterForm(query_args)
    districts = db.session.scalars(select(Scenario.district).where(Scenario.district != "", *where)
                                   .distinct().order_by(Scenario.district)).all()
    form.district.choices = options([("", _("全部区县"))] + [(d, d) for d in districts])
    first, last = db.session.execute(select(func.min(Scenario.discovered_on),
                                            func.max(Scenario.discovered_on)).where(*where)).one()
    years = range(last.year, first.year - 1, -1) if first else ()
    form.discovered.choices = options([("", "—")] + [(str(y), str(y)) for y in years])
    return form


def filtered(query, form, model=Scenario):
    """A query of scenarios narrowed by the filters; the sector is one of a JSON list,
    so it is matched on the ids of a light query (the same on SQLite and PostgreSQL)."""
    if form.district.data:
        query = query.where(model.district == form.district.data)
    if form.source.data:
        query = query.where(model.source == form.source.data)
    year = form.discovered.data
    if year and str(year).isdigit():
        year = int(year)
        query = query.where(model.discovered_on.between(date(year, 1, 1), date(year, 12, 31)))
    if form.sector.data:
        ids = [i for i, sectors in db.session.execute(
            query.with_only_columns(model.id, model.sectors).order_by(None))
            if form.sector.data in (sectors or ())]
        query = query.where(model.id.in_(ids))
    return query


def _counts(column, where):
    return {key: n for key, n in db.session.execute(
        select(column, func.count()).where(where).group_by(column))}


def funnel(period):
    """Discovered, matched and landed in the period, and C1's target for it: the whole
    period's, and what is due by now at an even pace."""
    matched = db.session.scalar(select(func.count(ScenarioStage.scenario_id.distinct())).where(
        ScenarioStage.stage == "matched",
        ScenarioStage.entered_on.between(period.start, period.happened_by)))
    indicators = {i.code: i for i in registry().indicators}
    set_targets = targets(db.session)
    target = indicators["C1"].target_for(set_targets, period)
    found_target = indicators["C2"].target_for(set_targets, period)
    elapsed = max(0, (min(period.happened_by, period.end) - period.start).days + 1)
    due = ceil(target * elapsed / period.days) if target is not None else None
    landed = ledger.c1_value(db.session, period)
    return {"discovered": ledger.c2_value(db.session, period), "matched": matched,
            "landed": landed, "target": target, "due": due, "found_target": found_target,
            "percent": int(landed * 100 / target) if target else None}


@bp.route("/board")
@requires("view")
def board():
    form = filter_form(request.args)
    period_form = PeriodForm(request.args)
    period_form.validate()
    period = chosen_period(period_form)
    query = filtered(select(Scenario).options(load_only(
        Scenario.title, Scenario.owner_name, Scenario.district, Scenario.stage,
        Scenario.sectors, Scenario.discovered_on, Scenario.landed_on,
        Scenario.joint_with_district)), form)
    lanes = {stage: [] for stage in STAGES + ("dropped",)}
    for scenario in db.session.scalars(query.order_by(Scenario.discovered_on.desc(),
                                                      Scenario.id.desc())):
        lanes[scenario.stage].append(scenario)
    lanes["landed"].sort(key=lambda s: s.landed_on or s.discovered_on, reverse=True)
    totals = {stage: len(found) for stage, found in lanes.items()}
    # What is done (landed) stays short unless asked for: the work is in the other lanes.
    show_all = request.args.get("all") == "1"
    columns = {stage: found[:CARDS if show_all or stage != "landed" else LANDED_CARDS]
               for stage, found in lanes.items()}
    return render_template(
        "scenarios/board.html", form=form, period_form=period_form, period=period,
        columns=columns, totals=totals, cards=CARDS, show_all=show_all, funnel=funnel(period),
        filtering=any(request.args.get(k) for k in FILTERS),
        period_args={k: v for k, v in request.args.items() if k in PERIOD_ARGS and v},
        matched=_counts(ScenarioMatch.scenario_id, ScenarioMatch.withdrawn_on.is_(None)),
        interested=_counts(ScenarioInterest.scenario_id, ScenarioInterest.id.isnot(None)))
