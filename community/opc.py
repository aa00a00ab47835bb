"""Whether a firm counts as an OPC (一人公司 / 初创企业) on a day, and why.

The bang counts 近12个月实际服务或入驻的初创企业（OPC企业）. A firm counts on a
day when its business licence facts in effect that day show a one-person
company of a type the community's rule lists, founded less than the rule's
startup age before that day — or when staff decided otherwise in writing.
Without the facts it is "not yet determined" and does not count. The rule is
in settings (which company types count, the startup age) so an admin can read
it; `status()` says the same thing in words that `opc_tenants()` says in SQL
(tests hold the two together).
"""
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from community import audit
from community.models import Licence, Tenant
from community.periods import add_months, supersede
from community.refusals import Refused
from community.validators import clean_text

# 企业类型 a one-person company's licence shows (市场主体登记 wording).
DEFAULT_COMPANY_TYPES = ("有限责任公司（自然人独资）", "一人有限责任公司", "个人独资企业")
DEFAULT_STARTUP_YEARS = 5  # 初创: as 财税〔2018〕55号 counts a startup, founded ≤ 5 years

OPC, NOT_OPC, UNDETERMINED = "opc", "not_opc", "undetermined"
LICENCE_FILE = "tenant_licence"  # attachment owner type of the licence scan (owner: tenant)


def normalise_type(text):
    """企业类型 as compared: full-width brackets, no spaces (licences differ in both)."""
    text = unicodedata.normalize("NFKC", text or "").replace(" ", "").strip()
    return text.replace("(", "（").replace(")", "）")


@dataclass(frozen=True)
class Rule:
    """The community's OPC rule, as an admin reads it in settings."""

    company_types: tuple
    startup_years: int

    @classmethod
    def of(cls, settings):
        typed = [normalise_type(line) for line in (settings.opc_company_types or "").splitlines()]
        types = tuple(t for t in typed if t) or DEFAULT_COMPANY_TYPES
        return cls(types, settings.startup_years or DEFAULT_STARTUP_YEARS)

    def founded_after(self, day):
        """A firm founded after this day is still a startup on `day`."""
        return add_months(day, -12 * self.startup_years)

    def words(self):
        return (f"企业类型为{'、'.join(self.company_types)}之一，股东（投资人）1名，"
                f"且成立未满{self.startup_years}年")


@dataclass(frozen=True)
class Status:
    code: str  # opc, not_opc, undetermined
    basis: str  # why, in words the ledger prints

    @property
    def counts(self):
        return self.code == OPC


def licence_on(licences, day):
    """The licence facts in effect on a day (None before the first)."""
    current = None
    for licence in sorted(licences, key=lambda row: row.effective_on):
        if licence.effective_on <= day:
            current = licence
    return current


def status(tenant, licence, rule, day):
    """The firm's OPC status on a day from the facts in effect then."""
    if licence is None or not licence.company_type or licence.investors is None:
        return Status(UNDETERMINED, "未录入营业执照信息（企业类型、股东人数）")
    if licence.opc_override is not None:
        decided = "OPC" if licence.opc_override else "非OPC"
        return Status(OPC if licence.opc_override else NOT_OPC,
                      f"人工认定为{decided}：{licence.override_reason}")
    facts = (f"{licence.company_type}，股东（投资人）{licence.investors}名，"
             f"成立于{tenant.founded_on:%Y-%m-%d}")
    if licence.investors != 1:
        return Status(NOT_OPC, f"{facts}：非一人公司")
    if normalise_type(licence.company_type) not in rule.company_types:
        return Status(NOT_OPC, f"{facts}：企业类型不在认定范围")
    if tenant.founded_on <= rule.founded_after(day):
        return Status(NOT_OPC, f"{facts}：成立已满{rule.startup_years}年，不属初创")
    return Status(OPC, f"{facts}（规则认定）")


def tenant_status(tenant, rule, day):
    return status(tenant, licence_on(tenant.licences, day), rule, day)


def in_effect(facts, day):
    """SQL condition on licence facts (Licence or an alias): in effect on a day, having
    taken effect by then and not yet superseded. A firm has at most one such row."""
    return and_(facts.effective_on <= day,
                or_(facts.superseded_on.is_(None), facts.superseded_on > day))


def facts_of(tenant_id, facts, day):
    """SQL join condition: a tenant's licence facts (`facts`, an alias) in effect on a
    day; outer-join it to keep the tenants with none."""
    return and_(facts.tenant_id == tenant_id, in_effect(facts, day))


def counts_as_opc(facts, rule, day):
    """SQL condition: status() says OPC, from the facts in effect (`facts`: a Licence
    alias joined by facts_of) and the tenant's founding day."""
    by_rule = and_(facts.opc_override.is_(None), facts.investors == 1,
                   facts.company_type.in_(rule.company_types),
                   Tenant.founded_on > rule.founded_after(day))
    return and_(facts.company_type != "", facts.investors.is_not(None),
                or_(facts.opc_override.is_(True), by_rule))


def undetermined(facts):
    """SQL condition: no facts in effect (outer-joined `facts`), or facts left blank."""
    return or_(facts.tenant_id.is_(None), facts.company_type == "",
               facts.investors.is_(None))


def opc_tenants(rule, day):
    """SQL: the ids of the tenants that count as OPCs on a day (status() in SQL)."""
    facts = aliased(Licence)
    return (select(Tenant.id).join(facts, facts_of(Tenant.id, facts, day))
            .where(counts_as_opc(facts, rule, day)))


def undetermined_tenants(day):
    """SQL: ids of tenants whose OPC status cannot be decided on a day (no facts)."""
    facts = aliased(Licence)
    return (select(Tenant.id).outerjoin(facts, facts_of(Tenant.id, facts, day))
            .where(undetermined(facts)))


def undetermined_count(session, day):
    """How many tenants undetermined_tenants(day) holds, counted from the facts alone:
    every tenant but those whose facts in effect that day are complete (one row each)."""
    decided = select(func.count()).select_from(Licence).where(
        in_effect(Licence, day), Licence.company_type != "", Licence.investors.is_not(None))
    return session.scalar(select(select(func.count()).select_from(Tenant).scalar_subquery()
                                 - decided.scalar_subquery()))


def founded_check(founded_on, moved_in_on, today):
    """The field code wrong with a date of establishment, or None."""
    if isinstance(founded_on, date) and founded_on > today:
        return "founded_in_future"
    if isinstance(founded_on, date) and isinstance(moved_in_on, date) and founded_on > moved_in_on:
        return "founded_after_move_in"
    return None


# --- recording the licence facts ---------------------------------------------------

LICENCE_FIELDS = ("company_type", "registered_capital", "investors", "opc_override",
                  "override_reason")
OVERRIDES = {"": None, "yes": True, "no": False}


def check_licence(data, founded_on, today, first=True):
    """Clean licence facts from a form or an import row; ({field: code} errors, clean).

    Facts entered for the first time hold from the founding day; a change holds from
    the day given, today unless said (so earlier periods keep the facts they had)."""
    errors, clean = {}, {}
    try:
        # Normalised first: NFKC can lengthen text (㍿ becomes 株式会社).
        clean["company_type"] = clean_text(normalise_type(data.get("company_type")), 60)
    except Refused as exc:
        errors["company_type"] = exc.code
    capital = data.get("registered_capital")
    if capital in (None, ""):
        clean["registered_capital"] = None
    else:
        try:
            clean["registered_capital"] = Decimal(str(capital).strip().replace(",", ""))
            if not clean["registered_capital"].is_finite() or clean["registered_capital"] < 0 \
                    or clean["registered_capital"] >= Decimal("1e12"):
                raise InvalidOperation
            clean["registered_capital"] = clean["registered_capital"].quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["registered_capital"] = "capital_invalid"
    investors = data.get("investors")
    if investors in (None, ""):
        clean["investors"] = None
    else:
        try:
            clean["investors"] = int(str(investors).strip())
            if not 1 <= clean["investors"] <= 10000:
                raise ValueError
        except ValueError:
            errors["investors"] = "investors_invalid"
    override = data.get("opc_override") or ""
    if override not in OVERRIDES:
        errors["opc_override"] = "choice_invalid"
    clean["opc_override"] = OVERRIDES.get(override)
    try:
        clean["override_reason"] = clean_text(data.get("override_reason"), 300)
    except Refused as exc:
        errors["override_reason"] = exc.code
    if clean["opc_override"] is not None and not clean.get("override_reason") \
            and "override_reason" not in errors:
        errors["override_reason"] = "override_reason_required"
    if clean["opc_override"] is not None and (not clean.get("company_type")
                                             or clean.get("investors") is None):
        errors.setdefault("company_type", "override_needs_facts")
    since = data.get("facts_from") or (founded_on if first else None) or today
    if not isinstance(since, date):
        errors["facts_from"] = "required"
    elif isinstance(founded_on, date) and since < founded_on:
        errors["facts_from"] = "facts_before_founding"
    elif since > today:
        errors["facts_from"] = "facts_in_future"
    clean["effective_on"] = since
    return errors, clean


def record_licence(session, actor, tenant, clean):
    """Keep the facts from their date on, when they differ from those in effect then;
    nothing is written for a tenant without any facts yet."""
    given = {key: clean[key] for key in LICENCE_FIELDS}
    current = licence_on(tenant.licences, clean["effective_on"])
    if current is None and not any(v not in (None, "") for v in given.values()):
        return None
    if current is not None and all(getattr(current, k) == v for k, v in given.items()):
        return current
    row = next((r for r in tenant.licences if r.effective_on == clean["effective_on"]), None)
    before = audit.snapshot(row) if row is not None else None
    if row is None:
        row = Licence(effective_on=clean["effective_on"])
        tenant.licences.append(row)
    for key, value in given.items():
        setattr(row, key, value)
    supersede(tenant.licences)
    decided = "" if row.opc_override is None else (
        f"；人工认定为{'OPC' if row.opc_override else '非OPC'}：{row.override_reason}")
    investors = row.investors if row.investors is not None else "未填"
    note = (f"{tenant.name}，自 {row.effective_on:%Y-%m-%d} 起：{row.company_type}，"
            f"股东（投资人）{investors}名{decided}")
    audit.record(session, actor, "licence.updated" if before else "licence.recorded", row,
                 before=before, note=note)
    return row
