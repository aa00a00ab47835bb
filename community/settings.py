"""Community settings and per-year targets (defaults from the bang)."""
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from community import audit
from community.opc import DEFAULT_COMPANY_TYPES, DEFAULT_STARTUP_YEARS, normalise_type
from community.periods import add_months
from community.models import SECTORS, Community, Milestone, Target
from community.refusals import Invalid, Refused
from community.validators import clean_phone, clean_text, clean_uscc

DEFAULTS = dict(name="重庆软信OPC创新创业社区", operator_name="", operator_uscc="",
                address="", district="", timezone="Asia/Shanghai",
                period_start_on=date(2026, 8, 1), period_end_on=date(2027, 12, 31),
                personal_data_until=None,
                opc_company_types="\n".join(DEFAULT_COMPANY_TYPES),
                startup_years=DEFAULT_STARTUP_YEARS,
                # 附件2 一、基本情况: the operator's own record
                founded_on=None, registered_capital=None, leader="", leader_phone="",
                contact="", contact_phone="", operator_nature="", operator_nature_other="",
                focus=[], intro="", tenure_kind="", tenure_starts_on=None,
                tenure_ends_on=None, report_texts={})
OPERATOR_NATURES = ("public_institution", "state_owned", "private", "other")
TENURE_KINDS = ("owned", "leased", "agreement")  # 自有 / 租赁 / 协议
# A leased or agreed site must be the community's for at least this long.
TENURE_MIN_YEARS = 3
# The report's descriptive parts (附件2 二、三), each in the operator's own words.
REPORT_SECTIONS = (
    ("professional", "专业服务"), ("facilities", "场地设施"), ("finance", "金融服务"),
    ("living", "生活配套"), ("public", "公共服务"), ("development", "社区发展"),
    ("ecosystem", "生态活动"), ("scenarios", "场景支持"))
TEXT_LIMIT = 5000
# 附件2 四、任务计划: the three dates the form asks progress by, and the indicators
# a milestone promises figures of (建设目标: 社区发展, 生态活动, 场景支持).
MILESTONE_DAYS = (date(2026, 12, 31), date(2027, 6, 30), date(2027, 12, 31))
MILESTONE_CODES = ("O1", "O2", "S4", "E1", "C2", "C1")
# The third-party acceptance review follows the implementation period; the sign-in
# names it may ask for are kept until this long after the period ends.
ACCEPTANCE_REVIEW_MONTHS = 6
TARGET_YEARS = (2026, 2027)


_SETTINGS = "opc_settings"


def current_settings(session):
    """The settings row; an unsaved default one before the community is set up.

    Read once per session: every local day, the OPC rule and the page frame ask for it
    (a dozen times on the dashboard). The row stays in the session, so a commit
    expires it as it does every row and the next read after one sees the change."""
    row = session.info.get(_SETTINGS)
    if row is not None and row in session:
        return row
    row = session.scalar(select(Community).limit(1))
    if row is None:
        return Community(**fresh_defaults())
    session.info[_SETTINGS] = row
    return row


def fresh_defaults():
    """DEFAULTS with their own list and dict (a row must not share them)."""
    return {key: (value.copy() if isinstance(value, (list, dict)) else value)
            for key, value in DEFAULTS.items()}


def personal_data_kept_until(settings):
    """The last day attendees' personal data is kept: the admin's date, else the end
    of the implementation period plus the acceptance review."""
    return settings.personal_data_until or add_months(settings.period_end_on,
                                                      ACCEPTANCE_REVIEW_MONTHS)


def community_zone(session):
    """The community's time zone: what every local day, window and ledger time uses."""
    try:
        return ZoneInfo(current_settings(session).timezone)
    except (ZoneInfoNotFoundError, ValueError):  # a bad name must not break every page
        return ZoneInfo(DEFAULTS["timezone"])


def targets(session):
    """Per-year targets set by the community: {(code, year): Decimal}."""
    return {(t.code, t.year): t.value for t in session.scalars(select(Target))}


def save_settings(session, actor, data):
    """Change the settings (the keys given); the operator's USCC is checked like a
    tenant's, the OPC rule must name a company type and a startup age of 1–50 years."""
    errors = {}
    if not (data.get("name") or "").strip():
        errors["name"] = "required"
    uscc = (data.get("operator_uscc") or "").strip()
    if uscc:
        try:
            data["operator_uscc"] = clean_uscc(uscc)
        except Refused as exc:
            errors["operator_uscc"] = exc.code
    try:
        ZoneInfo(data.get("timezone") or "")
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = "choice_invalid"
    start, end = data.get("period_start_on"), data.get("period_end_on")
    if not start:
        errors["period_start_on"] = "required"
    if not end:
        errors["period_end_on"] = "required"
    elif start and end < start:
        errors["period_end_on"] = "end_before_start"
    if "opc_company_types" in data:  # the OPC rule: each part kept unless given
        types = [normalise_type(line)
                 for line in (data["opc_company_types"] or "").splitlines()]
        if not any(types) or any(len(t) > 60 for t in types):
            errors["opc_company_types"] = "company_types_invalid"
        else:
            data["opc_company_types"] = "\n".join(t for t in types if t)
    if "startup_years" in data:
        years = data["startup_years"]
        if not isinstance(years, int) or not 1 <= years <= 50:
            errors["startup_years"] = "startup_years_invalid"
    keep = data.get("personal_data_until")
    if keep and end and keep < end:
        errors["personal_data_until"] = "keep_before_period_end"
    errors |= _operator_errors(data)
    if errors:
        raise Invalid(errors)
    row = session.scalar(select(Community).limit(1))
    before = audit.snapshot(row) if row else None
    if row is None:
        row = Community(**fresh_defaults())
        session.add(row)
    for key in DEFAULTS:
        if key in data:
            value = data[key]
            setattr(row, key, value.strip() if isinstance(value, str) else value)
    audit.record(session, actor, "community.updated" if before else "community.created",
                 row, before=before)
    return row


def _operator_errors(data):
    """Check (and clean, in place) the operator's record of 附件2 一、基本情况: phone
    numbers, the capital, the nature, the focus, the site's tenure and its term."""
    errors = {}
    for key, mobile_only in (("leader_phone", False), ("contact_phone", True)):
        if (data.get(key) or "").strip():
            try:
                data[key] = clean_phone(data[key], mobile_only=mobile_only)
            except Refused as exc:
                errors[key] = exc.code
    for key, limit in (("leader", 100), ("contact", 100), ("operator_nature_other", 100),
                       ("intro", TEXT_LIMIT)):
        if key in data:
            try:
                data[key] = clean_text(data[key], limit)
            except Refused as exc:
                errors[key] = exc.code
    if data.get("registered_capital") not in (None, ""):
        try:
            capital = Decimal(str(data["registered_capital"]).strip())
        except InvalidOperation:
            capital = None
        if capital is None or not capital.is_finite() or capital < 0 \
                or capital >= Decimal("1e12") or capital != capital.quantize(Decimal("0.01")):
            errors["registered_capital"] = "capital_invalid"
        else:
            data["registered_capital"] = capital
    elif "registered_capital" in data:
        data["registered_capital"] = None
    founded = data.get("founded_on")
    if founded and founded > date.today():
        errors["founded_on"] = "founded_in_future"
    if "operator_nature" in data:
        nature = data.get("operator_nature") or ""
        if nature and nature not in OPERATOR_NATURES:
            errors["operator_nature"] = "choice_invalid"
        elif nature == "other" and not (data.get("operator_nature_other") or "").strip():
            errors["operator_nature_other"] = "nature_other_required"
        elif nature != "other":
            data["operator_nature_other"] = ""
    if "focus" in data:
        focus = [str(f).strip() for f in (data.get("focus") or [])]
        focus = list(dict.fromkeys(f for f in focus if f))
        if len(focus) > 12 or any(len(f) > 30 for f in focus):
            errors["focus"] = "focus_invalid"
        data["focus"] = focus
    if "tenure_kind" in data:
        errors |= _tenure_errors(data)
    if "report_texts" in data:
        texts = {key: (data["report_texts"].get(key) or "").strip()
                 for key, _ in REPORT_SECTIONS}
        if any(len(t) > TEXT_LIMIT for t in texts.values()):
            errors["report_texts"] = "too_long"
        data["report_texts"] = {k: t for k, t in texts.items() if t}
    return errors


def _tenure_errors(data):
    """自有 needs no term; 租赁 and 协议 need both dates and at least three years."""
    kind = data.get("tenure_kind") or ""
    starts, ends = data.get("tenure_starts_on"), data.get("tenure_ends_on")
    if kind and kind not in TENURE_KINDS:
        return {"tenure_kind": "choice_invalid"}
    if kind in ("leased", "agreement"):
        errors = {}
        if not starts:
            errors["tenure_starts_on"] = "required"
        if not ends:
            errors["tenure_ends_on"] = "required"
        if errors:
            return errors
        if ends < starts:
            return {"tenure_ends_on": "end_before_start"}
        if not tenure_long_enough(starts, ends):
            return {"tenure_ends_on": "tenure_too_short"}
    elif starts and ends and ends < starts:
        return {"tenure_ends_on": "end_before_start"}
    return {}


def tenure_long_enough(starts, ends):
    """Whether a term from `starts` to `ends` (both days included) lasts three years:
    2026-01-01 to 2028-12-31 does, to 2028-12-30 does not."""
    return ends >= add_months(starts, 12 * TENURE_MIN_YEARS) - timedelta(days=1)


def focus_split(focus):
    """The focus as (the sectors of the form ticked, the operator's own words)."""
    focus = focus or []
    return [f for f in focus if f in SECTORS and f != "其他"], \
        "、".join(f for f in focus if f not in SECTORS or f == "其他")


def settings_data(form_data):
    """What the settings form posts, as save_settings takes it: the ticked sectors and
    the own words joined into one focus list, the section texts into report_texts."""
    data = dict(form_data)
    own = data.pop("focus_other", None) or ""
    words = [w.strip() for w in own.replace(",", "、").replace("，", "、")
             .replace(";", "、").replace("；", "、").split("、")]
    data["focus"] = list(data.get("focus") or []) + [w for w in words if w]
    data["report_texts"] = {key: data.pop(f"text_{key}", "") or ""
                            for key, _ in REPORT_SECTIONS}
    return data


def milestones(session):
    """The milestones of 任务计划 by date."""
    return session.scalars(select(Milestone).order_by(Milestone.due_on)).all()


def save_milestone(session, actor, milestone, due_on, promise, typed):
    """Add (milestone None) or change a milestone: its date (one per date), its promise
    in words and its figures {code: text} (blank leaves a code out)."""
    errors = {}
    if not due_on:
        errors["due_on"] = "required"
    else:
        taken = session.scalar(select(Milestone.id).where(Milestone.due_on == due_on))
        if taken is not None and (milestone is None or taken != milestone.id):
            errors["due_on"] = "milestone_date_taken"
    try:
        promise = clean_text(promise, TEXT_LIMIT)
    except Refused as exc:
        errors["promise"] = exc.code
    figures = {}
    for code, raw in typed.items():
        raw = (raw or "").strip()
        if not raw:
            continue
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or value >= Decimal("1e10"):
            errors["figures"] = "target_invalid"
            continue
        figures[code] = int(value) if value == value.to_integral() else float(value)
    if errors:
        raise Invalid(errors)
    before = audit.snapshot(milestone) if milestone is not None else None
    if milestone is None:
        milestone = Milestone(due_on=due_on)
        session.add(milestone)
    milestone.due_on, milestone.promise, milestone.figures = due_on, promise, figures
    audit.record(session, actor, "milestone.updated" if before else "milestone.created",
                 milestone, before=before)
    return milestone


def save_targets(session, actor, typed):
    """Set the targets typed in settings: {(code, year): text}; blank clears one."""
    for (code, year), raw in typed.items():
        raw = (raw or "").strip()
        try:
            value = Decimal(raw) if raw else None
        except InvalidOperation:
            raise Invalid({"targets": "target_invalid"}) from None
        save_target(session, actor, code, year, value)


def save_target(session, actor, code, year, value):
    """Set one indicator's target for a year (None clears it back to the default)."""
    row = session.scalar(select(Target).where(Target.code == code, Target.year == year))
    before = audit.snapshot(row) if row else None
    if value is None:
        if row is not None:
            session.delete(row)
            audit.record(session, actor, "target.deleted", object_type="target",
                         object_id=row.id, before=before)
        return None
    value = Decimal(value)
    if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
        raise Invalid({"targets": "target_invalid"})
    if row is None:
        row = Target(code=code, year=year, value=value)
        session.add(row)
    row.value = Decimal(value)
    audit.record(session, actor, "target.updated" if before else "target.created", row,
                 before=before)
    return row
