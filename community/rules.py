"""The community core's decisions on tenants, zones and desks, as plain functions:
no request, no template. The kernel they stand on is apart: refusals
(`community.refusals`), permissions (`community.permissions`) and validators
(`community.validators`).

A refusal raises ``Refused(code)`` (or ``Invalid`` with one code per field);
views turn codes into messages, tests assert the codes.
"""
import re
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from community import audit, locks
from community.dbsetup import lock_history, lock_row
from community.models import (DESK_STATUSES, RELATIONSHIPS, SECTORS, ZONE_KINDS, Desk,
                              DeskAssignment, DeskState, Licence, Member, PeriodLock, Tenant,
                              Zone, ZoneArea)
from community.opc import check_licence, founded_check, record_licence
from community.periods import supersede
from community.refusals import Invalid, Refused
from community.validators import (clean_area, clean_email, clean_phone, clean_text,
                                  clean_uscc, initials)


# --- tenants ----------------------------------------------------------------

TENANT_FIELDS = ("name", "uscc", "legal_rep", "phone", "email", "sector",
                 "relationship_kind", "founded_on", "moved_in_on", "moved_out_on",
                 "closed_on")


def check_tenant(session, data, today, tenant_id=None):
    """Validate tenant fields and its licence facts; return (tenant values, licence
    facts) or raise Invalid with every problem."""
    errors, clean = {}, {}

    def field(name, fn):
        try:
            clean[name] = fn(data.get(name))
        except Refused as exc:
            errors[name] = exc.code

    def choice(options):
        def check(value):
            if value not in options:
                raise Refused("choice_invalid")
            return value
        return check

    def a_date(required):
        def check(value):
            if value is None or value == "":
                if required:
                    raise Refused("required")
                return None
            if not isinstance(value, date):
                raise Refused("date_invalid")
            return value
        return check

    field("name", lambda value: clean_text(value, 200, required=True))
    field("uscc", clean_uscc)
    field("legal_rep", lambda value: clean_text(value, 100, required=True))
    field("phone", clean_phone)
    field("email", clean_email)
    field("sector", choice(SECTORS))
    if "profile" in data:  # kept as it is by an import that does not carry it
        field("profile", lambda value: clean_text(value, 4000))
    field("relationship_kind", choice(RELATIONSHIPS))
    field("founded_on", a_date(True))
    field("moved_in_on", a_date(False))
    field("moved_out_on", a_date(False))
    field("closed_on", a_date(False))
    if "founded_on" in clean:
        code = founded_check(clean["founded_on"], clean.get("moved_in_on"), today)
        if code:
            errors["founded_on"] = code
    first = tenant_id is None or session.scalar(
        select(Licence.id).where(Licence.tenant_id == tenant_id).limit(1)) is None
    founded_on = clean.get("founded_on") if "founded_on" not in errors else None
    licence_errors, licence = check_licence(data, founded_on, today, first)
    errors.update(licence_errors)

    if clean.get("relationship_kind") == "resident" and not clean.get("moved_in_on") \
            and "moved_in_on" not in errors:
        errors["moved_in_on"] = "required_for_resident"
    if clean.get("moved_in_on") and clean.get("moved_out_on") \
            and clean["moved_out_on"] < clean["moved_in_on"]:
        errors["moved_out_on"] = "before_move_in"
    if clean.get("founded_on") and clean.get("closed_on") \
            and clean["closed_on"] < clean["founded_on"]:
        errors["closed_on"] = "before_founding"
    if "uscc" in clean:
        other = session.scalar(select(Tenant.id).where(Tenant.uscc == clean["uscc"]))
        if other is not None and other != tenant_id:
            errors["uscc"] = "uscc_duplicate"
    if errors:
        raise Invalid(errors)
    return clean, licence


def save_tenant(session, actor, data, today, tenant=None):
    """Create a tenant or update one, with its licence facts from their date on;
    every change goes to the audit trail."""
    clean, licence = check_tenant(session, data, today, tenant.id if tenant else None)
    if tenant is not None:
        lock_history(session, tenant, "licences")
    before = audit.snapshot(tenant) if tenant else None
    if tenant is None:
        tenant = Tenant()
        session.add(tenant)
    for key, value in clean.items():
        setattr(tenant, key, value)
    tenant.name_initials = initials(tenant.name)
    audit.record(session, actor, "tenant.updated" if before else "tenant.created",
                 tenant, before=before)
    record_licence(session, actor, tenant, licence)
    return tenant


def add_member(session, actor, tenant, name, phone="", is_founder=False):
    """Add a person to a tenant firm."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "required"
    if phone:
        try:
            phone = clean_phone(phone, mobile_only=True)
        except Refused as exc:
            errors["phone"] = exc.code
    if errors:
        raise Invalid(errors)
    member = Member(tenant=tenant, name=name, phone=phone or "", is_founder=is_founder)
    session.add(member)
    audit.record(session, actor, "member.created", member)
    return member


# --- zones ------------------------------------------------------------------

def check_zone(session, data, zone_id=None):
    errors, clean = {}, {}
    for key, limit in (("floor", 20), ("name", 100)):
        value = (data.get(key) or "").strip()
        if not value:
            errors[key] = "required"
        elif len(value) > limit:
            errors[key] = "too_long"
        clean[key] = value
    if data.get("kind") not in ZONE_KINDS:
        errors["kind"] = "choice_invalid"
    clean["kind"] = data.get("kind")
    try:
        clean["area_m2"] = clean_area(data.get("area_m2"))
    except Refused as exc:
        errors["area_m2"] = exc.code
    capacity = data.get("capacity") or 0
    if not isinstance(capacity, int) or capacity < 0:
        errors["capacity"] = "not_negative"
    clean["capacity"] = capacity
    clean["bookable"] = bool(data.get("bookable"))
    clean["in_service_on"] = data.get("in_service_on")
    clean["out_of_service_on"] = data.get("out_of_service_on")
    if not isinstance(clean["in_service_on"], date):
        errors["in_service_on"] = "required"
    elif clean["out_of_service_on"] and clean["out_of_service_on"] < clean["in_service_on"]:
        errors["out_of_service_on"] = "before_in_service"
    if clean["name"] and session.scalar(select(Zone.id).where(
            Zone.name == clean["name"], Zone.id != (zone_id or 0))):
        errors["name"] = "zone_name_duplicate"
    if errors:
        raise Invalid(errors)
    return clean


def save_zone(session, actor, data, zone=None, area_effective_on=None):
    """Create or change a zone; an area change is kept as history from its date on."""
    clean = check_zone(session, data, zone.id if zone else None)
    before = audit.snapshot(zone) if zone else None
    area_from = {}  # an area change: the day it counts from (what a period lock reads)
    if zone is None:
        zone = Zone(**clean)
        zone.areas.append(ZoneArea(area_m2=clean["area_m2"],
                                   effective_on=clean["in_service_on"]))
        session.add(zone)
    else:
        if clean["area_m2"] != zone.area_m2:
            effective_on = max(area_effective_on or clean["in_service_on"],
                               clean["in_service_on"])
            area_from["area_from"] = effective_on.isoformat()
            row = next((a for a in zone.areas if a.effective_on == effective_on), None)
            if row is None:
                zone.areas.append(ZoneArea(area_m2=clean["area_m2"],
                                           effective_on=effective_on))
            else:
                row.area_m2 = clean["area_m2"]
        for key, value in clean.items():
            setattr(zone, key, value)
    session.flush()
    audit.record(session, actor, "zone.updated" if before else "zone.created", zone,
                 before=before, after=dict(audit.snapshot(zone), **area_from))
    return zone


def zone_area_on(day):
    """SQL, a column of a query on Zone: the zone's area on a day (a date, or an
    expression of the zone's row) from its history: the area that took effect by then,
    the first recorded before any had, the zone's own figure when it has no history."""
    history = select(ZoneArea.area_m2).where(ZoneArea.zone_id == Zone.id).correlate(Zone)
    by_then = (history.where(ZoneArea.effective_on <= day)
               .order_by(ZoneArea.effective_on.desc()).limit(1).scalar_subquery())
    first = history.order_by(ZoneArea.effective_on).limit(1).scalar_subquery()
    return func.coalesce(by_then, first, Zone.area_m2, type_=ZoneArea.area_m2.type)


# --- desks ------------------------------------------------------------------

MAX_BULK_DESKS = 1000


def bulk_create_desks(session, actor, zone, prefix, first, count, zero_rent,
                      in_service_on, width=3):
    """Create `count` desks coded PREFIX-001…; all or none."""
    prefix = (prefix or "").strip().upper()
    errors = {}
    if not re.fullmatch(r"[A-Z0-9]{1,10}", prefix):
        errors["prefix"] = "desk_prefix_invalid"
    if not isinstance(count, int) or not 1 <= count <= MAX_BULK_DESKS:
        errors["count"] = "desk_count_invalid"
    if not isinstance(first, int) or first < 0:
        errors["first"] = "not_negative"
    if errors:
        raise Invalid(errors)
    codes = [f"{prefix}-{n:0{width}d}" for n in range(first, first + count)]
    taken = session.scalars(select(Desk.code).where(Desk.code.in_(codes))).all()
    if taken:
        raise Refused("desk_code_taken", codes="、".join(sorted(taken)[:5]),
                      count=len(taken))
    desks = [Desk(code=code, zone=zone, zero_rent=zero_rent, status="available",
                  in_service_on=in_service_on,
                  states=[DeskState(effective_on=in_service_on, status="available",
                                    zero_rent=zero_rent)]) for code in codes]
    session.add_all(desks)
    audit.record(session, actor, "desk.bulk_created", object_type="desk",
                 after={"zone": zone.name, "codes": [codes[0], codes[-1]],
                        "count": count, "zero_rent": zero_rent})
    return desks


def set_desk_status(session, actor, desk, status, zero_rent, effective_on, today):
    """Change a desk's status and zero-rent flag from a date on (kept as dated
    history: S2 for an earlier day still reads the state it had then)."""
    errors = {}
    if status not in DESK_STATUSES:
        errors["status"] = "choice_invalid"
    if not isinstance(effective_on, date):
        errors["effective_on"] = "required"
    elif effective_on < desk.in_service_on:
        errors["effective_on"] = "before_in_service_day"
    if errors:
        raise Invalid(errors)
    lock_history(session, desk, "states")
    before = audit.snapshot(desk)
    state = next((s for s in desk.states if s.effective_on == effective_on), None)
    if state is None:
        state = DeskState(effective_on=effective_on)
        desk.states.append(state)
    state.status, state.zero_rent = status, bool(zero_rent)
    supersede(desk.states)
    current = desk_state_on(desk, today)
    desk.status, desk.zero_rent = current.status, current.zero_rent
    audit.record(session, actor, "desk.updated", desk, before=before,
                 after=dict(audit.snapshot(desk), state_from=effective_on.isoformat()),
                 note=f"自 {effective_on:%Y-%m-%d} 起")
    return desk


def desk_state_on(desk, day):
    """The desk's state on a day (its first state before it was in service)."""
    states = sorted(desk.states, key=lambda s: s.effective_on)
    current = states[0] if states else DeskState(status=desk.status, zero_rent=desk.zero_rent)
    for state in states:
        if state.effective_on <= day:
            current = state
    return current


def overlapping_assignment(session, desk_id, starts_on, ends_on, exclude_id=None):
    """The first assignment of the desk that shares a day with [starts_on, ends_on]."""
    query = select(DeskAssignment).where(
        DeskAssignment.desk_id == desk_id,
        or_(DeskAssignment.ends_on.is_(None), DeskAssignment.ends_on >= starts_on))
    if ends_on is not None:
        query = query.where(DeskAssignment.starts_on <= ends_on)
    if exclude_id:
        query = query.where(DeskAssignment.id != exclude_id)
    return session.scalars(query.limit(1)).first()


def assign_desk(session, actor, desk, member, starts_on, ends_on=None):
    """Give a desk to a tenant member; refuse any overlap with another assignment.

    The caller's transaction must be a write one (begin_write): on SQLite that
    serialises writers, on PostgreSQL the desk row is locked here and an
    exclusion constraint backs the check.
    """
    if not isinstance(starts_on, date):
        raise Invalid({"starts_on": "required"})
    if ends_on is not None and ends_on < starts_on:
        raise Invalid({"ends_on": "end_before_start"})
    desk = lock_row(session, Desk, desk.id)
    if desk.status != "available":
        raise Refused("desk_out_of_service", desk=desk.code)
    clash = overlapping_assignment(session, desk.id, starts_on, ends_on)
    if clash is not None:
        raise Refused("desk_taken", desk=desk.code, tenant=clash.tenant.name,
                      starts_on=clash.starts_on, ends_on=clash.ends_on or "")
    assignment = DeskAssignment(desk=desk, member=member, tenant_id=member.tenant_id,
                                starts_on=starts_on, ends_on=ends_on)
    try:
        with session.begin_nested():
            session.add(assignment)
            session.flush()
    except IntegrityError:
        raise Refused("desk_taken", desk=desk.code, tenant="", starts_on=starts_on,
                      ends_on=ends_on or "") from None
    audit.record(session, actor, "desk_assignment.created", assignment)
    return assignment


def end_assignment(session, actor, assignment, ends_on):
    """Close an assignment on a date (the desk is free from the next day)."""
    if not isinstance(ends_on, date):
        raise Invalid({"ends_on": "required"})
    if ends_on < assignment.starts_on:
        raise Invalid({"ends_on": "end_before_start"})
    before = audit.snapshot(assignment)
    assignment.ends_on = ends_on
    audit.record(session, actor, "desk_assignment.ended", assignment, before=before)
    return assignment


def in_period(start_col, end_col, period):
    """SQL condition: [start_col, end_col] (end open when null) meets the period."""
    return and_(start_col <= period.end, or_(end_col.is_(None), end_col >= period.start))


def lock_period(session, actor, start, end, today, label="", note=""):
    """Close a reported period once it is over (2026 H2 after the district review): a
    later change inside it needs a reason (community.locks). Locks are history: never
    lifted, never edited. Today is never locked: the day's work goes on unasked."""
    errors = {}
    if not isinstance(start, date):
        errors["start_on"] = "required"
    if not isinstance(end, date):
        errors["end_on"] = "required"
    elif isinstance(start, date) and end < start:
        errors["end_on"] = "end_before_start"
    elif end >= today:
        errors["end_on"] = "lock_not_over"
    if errors:
        raise Invalid(errors)
    if any(lock.start_on == start and lock.end_on == end
           for lock in locks.period_locks(session)):
        raise Refused("period_already_locked")
    lock = PeriodLock(start_on=start, end_on=end, note=(note or "").strip(),
                      label=(label or "").strip()[:100] or f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}",
                      locked_by_id=getattr(actor, "id", None))
    session.add(lock)
    locks.forget(session)
    audit.record(session, actor, "period_lock.created", lock)
    return lock
