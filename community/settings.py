"""Community settings and per-year targets (defaults from the bang)."""
from datetime import date
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from community import audit
from community.opc import DEFAULT_COMPANY_TYPES, DEFAULT_STARTUP_YEARS, normalise_type
from community.periods import add_months
from community.models import Community, Target
from community.refusals import Invalid, Refused
from community.validators import clean_uscc

DEFAULTS = dict(name="重庆软信OPC创新创业社区", operator_name="", operator_uscc="",
                address="", district="", timezone="Asia/Shanghai",
                period_start_on=date(2026, 8, 1), period_end_on=date(2027, 12, 31),
                personal_data_until=None,
                opc_company_types="\n".join(DEFAULT_COMPANY_TYPES),
                startup_years=DEFAULT_STARTUP_YEARS)
# The third-party acceptance review follows the implementation period; the sign-in
# names it may ask for are kept until this long after the period ends.
ACCEPTANCE_REVIEW_MONTHS = 6
TARGET_YEARS = (2026, 2027)


def current_settings(session):
    """The settings row; an unsaved default one before the community is set up."""
    row = session.scalar(select(Community).limit(1))
    return row if row is not None else Community(**DEFAULTS)


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
    if errors:
        raise Invalid(errors)
    row = session.scalar(select(Community).limit(1))
    before = audit.snapshot(row) if row else None
    if row is None:
        row = Community(**DEFAULTS)
        session.add(row)
    for key in DEFAULTS:
        if key in data:
            value = data[key]
            setattr(row, key, value.strip() if isinstance(value, str) else value)
    audit.record(session, actor, "community.updated" if before else "community.created",
                 row, before=before)
    return row


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
