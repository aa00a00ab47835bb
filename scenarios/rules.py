"""The scenario pipeline: 挖掘 discovered → 发布 published → 对接 matched → 试点/方案
piloting → 落地 landed, or 终止 dropped with a reason.

Every move is a dated ScenarioStage row that is never changed; moving back or
dropping says why; a stage is never dated before the one it follows, nor after
today. Landing needs a matched firm, an evidence file and the contract value.
A firm staff confirm for a scenario is served (S4) on the day it was matched.
"""
import unicodedata
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher

from sqlalchemy import select

from community import audit
from community.files import active_attachments
from community.models import SECTORS
from community.permissions import member_of
from community.refusals import Invalid, Refused
from community.served import record_served, void_served
from community.validators import clean_phone, clean_text, clean_uscc
from scenarios import SERVED_SOURCE
from scenarios.models import (ACTIVITY_KINDS, OWNER_TYPES, SOURCES, STAGES, Scenario,
                              ScenarioInterest, ScenarioMatch, ScenarioStage, SourcingActivity)

EVIDENCE = "scenario_evidence"  # attachment owner: contracts, acceptance records, orders
SIMILAR = 0.6  # titles this alike, of one owner, are pointed out as a likely duplicate
OPEN_TO_FOUNDERS = ("published", "matched", "piloting")
MATCHING = ("discovered", "published", "matched", "piloting")


def _plain(text):
    return "".join(unicodedata.normalize("NFKC", text or "").split()).lower()


def likely_duplicates(session, owner_name, title, exclude_id=None):
    """Scenarios of the same demand owner with a similar title."""
    owner, wanted = _plain(owner_name), _plain(title)
    same_owner = session.scalars(select(Scenario).where(Scenario.id != (exclude_id or 0)))
    return [s for s in same_owner if _plain(s.owner_name) == owner
            and SequenceMatcher(None, _plain(s.title), wanted).ratio() >= SIMILAR]


def _money_fen(value, field, errors, required=False):
    if value in (None, ""):
        if required:
            errors[field] = "landing_value_required"
        return None
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = "scenario_amount_invalid"
        return None
    if not value.is_finite() or value < 0 or value >= 10**11:
        errors[field] = "scenario_amount_invalid"
        return None
    return int(value * 100)


def check_scenario(session, data, today):
    """The scenario's fields, cleaned, or Invalid with every problem."""
    errors, clean = {}, {}

    def take(key, fn):
        try:
            clean[key] = fn(data.get(key))
        except Refused as exc:
            errors[key] = exc.code

    take("title", lambda v: clean_text(v, 200, required=True))
    take("owner_name", lambda v: clean_text(v, 200, required=True))
    take("district", lambda v: clean_text(v, 50))
    take("description", lambda v: clean_text(v, 4000))
    take("contact_name", lambda v: clean_text(v, 100))
    take("contact_phone", lambda v: clean_phone(v) if (v or "").strip() else "")
    take("owner_uscc", lambda v: clean_uscc(v) if (v or "").strip() else None)
    for key, options in (("owner_type", OWNER_TYPES), ("source", SOURCES)):
        if data.get(key) not in options:
            errors[key] = "choice_invalid"
        clean[key] = data.get(key)
    sectors = list(data.get("sectors") or [])
    if any(s not in SECTORS for s in sectors):
        errors["sectors"] = "choice_invalid"
    clean["sectors"] = sectors
    tags = [t.strip() for t in data.get("tags") or [] if t and t.strip()]
    if len(tags) > 10 or any(len(t) > 20 for t in tags):
        errors["tags"] = "scenario_tags_invalid"
    clean["tags"] = list(dict.fromkeys(tags))
    clean["budget_fen"] = _money_fen(data.get("budget"), "budget", errors)
    discovered_on = data.get("discovered_on")
    if discovered_on is None:
        errors["discovered_on"] = "required"
    elif discovered_on > today:
        errors["discovered_on"] = "scenario_in_future"
    clean["discovered_on"] = discovered_on
    clean["joint_with_district"] = bool(data.get("joint_with_district"))
    activity_id = data.get("activity_id") or None
    if activity_id and session.get(SourcingActivity, activity_id) is None:
        errors["activity_id"] = "scenario_activity_unknown"
    clean["activity_id"] = activity_id
    if errors:
        raise Invalid(errors)
    return clean


def save_scenario(session, actor, data, today, scenario=None):
    """Record a scenario (or correct one). A likely duplicate is refused until a
    reason says why it is another scenario; the reason is kept with it."""
    clean = check_scenario(session, data, today)
    renamed = scenario is None or (_plain(clean["title"]), _plain(clean["owner_name"])) != (
        _plain(scenario.title), _plain(scenario.owner_name))
    if renamed:
        duplicates = likely_duplicates(session, clean["owner_name"], clean["title"],
                                       scenario.id if scenario else None)
        if duplicates:
            reason = (data.get("duplicate_reason") or "").strip()
            if not reason:
                raise Refused("scenario_duplicate", title=duplicates[0].title,
                              id=duplicates[0].id)
            clean["duplicate_of_id"], clean["duplicate_reason"] = duplicates[0].id, reason[:300]
    later = [s.entered_on for s in scenario.stages[1:]] if scenario is not None else []
    if later and clean["discovered_on"] > min(later):
        raise Invalid({"discovered_on": "stage_before_discovery"})
    before = audit.snapshot(scenario) if scenario is not None else None
    if scenario is None:
        scenario = Scenario(stage="discovered", created_by_id=getattr(actor, "id", None))
        session.add(scenario)
    for key, value in clean.items():
        setattr(scenario, key, value)
    session.flush()
    if before is None:
        scenario.stages.append(ScenarioStage(stage="discovered",
                                             entered_on=scenario.discovered_on,
                                             actor_id=getattr(actor, "id", None)))
    elif scenario.stages:
        scenario.stages[0].entered_on = scenario.discovered_on  # the discovery, corrected
    audit.record(session, actor, "scenario.updated" if before else "scenario.created",
                 scenario, before=before)
    return scenario


def active_matches(scenario):
    return [m for m in scenario.matches if m.withdrawn_on is None]


def _rank(stage):
    return STAGES.index(stage) if stage in STAGES else -1


def move(session, actor, scenario, stage, on, reason, today, contract_value=None):
    """Move a scenario to a stage on a day (back, or to 终止, with a reason)."""
    reason = (reason or "").strip()[:300]
    if stage not in STAGES + ("dropped",):
        raise Invalid({"stage": "choice_invalid"})
    if stage == scenario.stage:
        raise Refused("stage_same")
    last = scenario.stages[-1].entered_on if scenario.stages else scenario.discovered_on
    errors = {}
    if on is None:
        errors["on"] = "required"
    elif on > today:
        errors["on"] = "stage_in_future"
    elif on < scenario.discovered_on:
        errors["on"] = "stage_before_discovery"
    elif on < last:
        raise Refused("stage_before_previous", day=f"{last:%Y-%m-%d}")
    back = scenario.stage in ("landed", "dropped") or _rank(stage) < _rank(scenario.stage)
    if stage == "dropped" and not reason:
        errors["reason"] = "stage_drop_reason"
    elif stage != "dropped" and back and not reason:
        errors["reason"] = "stage_back_reason"
    value_fen = None
    if stage == "landed":
        value_fen = _money_fen(contract_value, "contract_value", errors, required=True)
    if errors:
        raise Invalid(errors)
    if _rank(stage) >= _rank("matched") and not active_matches(scenario):
        raise Refused("stage_needs_match")
    if stage == "landed" and not active_attachments(session, EVIDENCE, [scenario.id]):
        raise Refused("landing_needs_evidence")
    before = audit.snapshot(scenario)
    scenario.stage = stage
    if stage == "landed":
        scenario.landed_on, scenario.contract_value_fen = on, value_fen
    elif scenario.landed_on is not None:
        scenario.landed_on = None  # no longer landed; the landing stays in the stages
    scenario.stages.append(ScenarioStage(stage=stage, entered_on=on, reason=reason,
                                         actor_id=getattr(actor, "id", None)))
    session.flush()
    audit.record(session, actor, f"scenario.{stage}", scenario, before=before, note=reason)
    return scenario


def confirm_match(session, actor, scenario, tenant, reason, today):
    """Staff confirm a firm for the scenario: it is served today; a scenario not yet
    in 对接 moves there."""
    if scenario.stage not in MATCHING:
        raise Refused("scenario_closed")
    match = session.scalar(select(ScenarioMatch).where(
        ScenarioMatch.scenario_id == scenario.id, ScenarioMatch.tenant_id == tenant.id))
    if match is not None and match.withdrawn_on is None:
        raise Refused("already_matched")
    if match is None:
        match = ScenarioMatch(scenario=scenario, tenant_id=tenant.id)
        session.add(match)
    match.matched_on, match.withdrawn_on, match.withdraw_reason = today, None, ""
    match.reason, match.confirmed_by_id = (reason or "")[:500], getattr(actor, "id", None)
    session.flush()
    audit.record(session, actor, "scenario_match.confirmed", match)
    record_served(session, actor, tenant.id, today, SERVED_SOURCE, f"match:{match.id}",
                  f"应用场景对接：{scenario.title}"[:300])
    if _rank(scenario.stage) < _rank("matched"):
        on = max(today, scenario.stages[-1].entered_on if scenario.stages else today)
        move(session, actor, scenario, "matched", on, "", today)
    return match


def withdraw_match(session, actor, match, reason, now, today):
    """A match made in error or given up: kept, withdrawn with why; no longer served."""
    reason = clean_text(reason, 300, required=True)
    scenario = match.scenario
    if scenario.stage == "landed" and len(active_matches(scenario)) == 1:
        raise Refused("match_last_landed")
    before = audit.snapshot(match)
    match.withdrawn_on, match.withdraw_reason = today, reason
    audit.record(session, actor, "scenario_match.withdrawn", match, before=before)
    void_served(session, actor, SERVED_SOURCE, f"match:{match.id}", reason, now)
    return match


def register_interest(session, actor, scenario, tenant, note):
    """A founder says its firm is interested in a published scenario."""
    if not member_of(actor, tenant.id):
        raise Refused("scenario_not_your_tenant")
    if scenario.stage not in OPEN_TO_FOUNDERS:
        raise Refused("scenario_not_published")
    if session.scalar(select(ScenarioInterest.id).where(
            ScenarioInterest.scenario_id == scenario.id,
            ScenarioInterest.tenant_id == tenant.id)) is not None:
        raise Refused("already_interested")
    interest = ScenarioInterest(scenario_id=scenario.id, tenant_id=tenant.id,
                                user_id=actor.id, note=clean_text(note, 500))
    session.add(interest)
    session.flush()
    audit.record(session, actor, "scenario_interest.created", interest)
    return interest


def save_activity(session, actor, data, today, activity=None):
    """Log sourcing work: a visit, a district meeting, a demand collection."""
    errors, clean = {}, {}
    for key, limit, required in (("staff", 200, True), ("counterpart", 300, True),
                                 ("district", 50, False), ("notes", 4000, False)):
        try:
            clean[key] = clean_text(data.get(key), limit, required)
        except Refused as exc:
            errors[key] = exc.code
    if data.get("kind") not in ACTIVITY_KINDS:
        errors["kind"] = "choice_invalid"
    held_on = data.get("held_on")
    if held_on is None:
        errors["held_on"] = "required"
    elif held_on > today:
        errors["held_on"] = "activity_in_future"
    if errors:
        raise Invalid(errors)
    before = audit.snapshot(activity) if activity is not None else None
    activity = activity or SourcingActivity(created_by_id=getattr(actor, "id", None))
    for key, value in clean.items():
        setattr(activity, key, value)
    activity.kind, activity.held_on = data["kind"], held_on
    session.add(activity)
    session.flush()
    audit.record(session, actor, "sourcing_activity.updated" if before
                 else "sourcing_activity.created", activity, before=before)
    return activity
