"""The service catalogue and the provider directory (服务资源清单).

The built-in entries always exist (`ensure_catalogue` restores any missing
one); the six of the public-service package (G1) can be neither renamed nor
withdrawn, since the bang names them. Admin edits units, target times and
whether an entry is free, and adds entries of their own.
"""
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from community import audit
from community.labels import N_
from community.refusals import Invalid, Refused
from community.validators import clean_email, clean_phone, clean_text, clean_uscc
from services.models import (FINANCIAL_KINDS, PROVIDER_KINDS, SECTIONS, UNITS, Agreement,
                             Provider, ServiceCategory)

EXPIRY_WARNING_DAYS = 60  # an agreement ending sooner is flagged for renewal

# code, section, name (the bang's words; shown translated), unit, target days, position
BUILTIN = (
    ("registration", "package", N_("经营主体登记注册"), "times", 10, 1),
    ("bookkeeping", "package", N_("财务代账"), "times", 5, 2),
    ("tax", "package", N_("税务申报"), "times", 5, 3),
    ("legal", "package", N_("法律咨询"), "times", 3, 4),
    ("adaptation", "package", N_("适配验证"), "times", 20, 5),
    ("patent", "package", N_("专利申报"), "times", 30, 6),
    ("pilot", "referral", N_("中试平台对接"), "times", 15, 10),
    ("poc", "referral", N_("概念验证中心对接"), "times", 15, 11),
    ("compute", "professional", N_("算力补贴"), "gpu_hours", 3, 20),
    ("tokens", "professional", N_("词元补贴"), "wan_tokens", 3, 21),
    ("data", "professional", N_("数据资源"), "times", 5, 22),
    ("model", "professional", N_("模型服务"), "times", 5, 23),
    ("devtools", "professional", N_("开发工具"), "times", 5, 24),
    ("consulting", "other", N_("综合咨询指导"), "times", 3, 30),
)
PACKAGE = tuple(code for code, section, *_ in BUILTIN if section == "package")


def ensure_catalogue(session):
    """Add any built-in entry that is missing (migration 0006 seeds them all)."""
    have = set(session.scalars(select(ServiceCategory.code).where(
        ServiceCategory.code.is_not(None))))
    for code, section, name, unit, days, position in BUILTIN:
        if code not in have:
            session.add(ServiceCategory(code=code, section=section, name=name, unit=unit,
                                        free=True, target_days=days, position=position))
    session.flush()


def category(session, code):
    """A built-in catalogue entry by its code."""
    return session.scalar(select(ServiceCategory).where(ServiceCategory.code == code))


def _audited(session, actor, obj, action, before):
    session.add(obj)
    session.flush()
    audit.record(session, actor, action, obj, before=before)
    return obj


def save_category(session, actor, data, category=None):
    """Add or edit a catalogue entry; the six of the package keep their names and
    no built-in entry is withdrawn."""
    errors = {}
    builtin = category is not None and category.code is not None
    fields = {}
    try:
        fields["name"] = clean_text(data.get("name"), 60, required=True)
    except Refused as exc:
        errors["name"] = exc.code
    else:
        if builtin and category.code in PACKAGE and fields["name"] != category.name:
            errors["name"] = "category_builtin_name"
        elif session.scalar(select(ServiceCategory.id).where(
                ServiceCategory.name == fields["name"],
                ServiceCategory.id != (category.id if category else None))):
            errors["name"] = "category_name_taken"
    if not builtin:
        if data.get("section") not in SECTIONS:
            errors["section"] = "choice_invalid"
        fields["section"] = data.get("section")
    if data.get("unit") not in UNITS:
        errors["unit"] = "choice_invalid"
    days = data.get("target_days")
    if not isinstance(days, int) or not 1 <= days <= 365:
        errors["target_days"] = "target_days_invalid"
    active = bool(data.get("active", True))
    if builtin and not active:
        errors["active"] = "category_builtin_active"
    try:
        fields["description"] = clean_text(data.get("description"), 2000)
    except Refused as exc:
        errors["description"] = exc.code
    if errors:
        raise Invalid(errors)
    before = audit.snapshot(category) if category is not None else None
    category = category or ServiceCategory()
    for key, value in fields.items():
        setattr(category, key, value)
    category.unit, category.target_days = data["unit"], days
    category.free, category.active = bool(data.get("free")), active
    if category.id is None:
        category.position = 100 + (session.scalar(select(func.count()).select_from(
            ServiceCategory)) or 0)
    return _audited(session, actor, category,
                    "service_category.updated" if before else "service_category.created", before)


def catalogue(session, active_only=False):
    """The catalogue in its order: the package first, then referrals, support, others."""
    query = select(ServiceCategory).order_by(ServiceCategory.position, ServiceCategory.id)
    if active_only:
        query = query.where(ServiceCategory.active.is_(True))
    return session.scalars(query).all()


def save_provider(session, actor, data, provider=None, today=None):
    """Add or edit a provider: a checked USCC unless it has none (abroad, a person),
    the catalogue entries it delivers, contacts; ticking a bank or investor resident
    dates its move-in (`today`), unticking it its move-out."""
    errors, fields = {}, {}
    for key, limit, required in (("name", 200, True), ("qualifications", 2000, False),
                                 ("contact_name", 100, False), ("address", 300, False),
                                 ("note", 2000, False)):
        try:
            fields[key] = clean_text(data.get(key), limit, required)
        except Refused as exc:
            errors[key] = exc.code
    if "name" in fields and session.scalar(select(Provider.id).where(
            Provider.name == fields["name"], Provider.id != (provider.id if provider else None))):
        errors["name"] = "provider_name_taken"
    if data.get("kind") not in PROVIDER_KINDS:
        errors["kind"] = "choice_invalid"
    fields["uscc"] = None
    if not data.get("no_uscc"):
        try:
            fields["uscc"] = clean_uscc(data.get("uscc"))
        except Refused as exc:
            errors["uscc"] = exc.code
        else:
            if session.scalar(select(Provider.id).where(
                    Provider.uscc == fields["uscc"],
                    Provider.id != (provider.id if provider else None))):
                errors["uscc"] = "uscc_duplicate"
    fields["contact_phone"] = ""
    if (data.get("contact_phone") or "").strip():
        try:
            fields["contact_phone"] = clean_phone(data["contact_phone"])
        except Refused as exc:
            errors["contact_phone"] = exc.code
    try:
        fields["contact_email"] = clean_email(data.get("contact_email"))
    except Refused as exc:
        errors["contact_email"] = exc.code
    ids = set(data.get("categories") or ())
    categories = session.scalars(select(ServiceCategory).where(
        ServiceCategory.id.in_(ids))).all() if ids else []
    if len(categories) != len(ids):
        errors["categories"] = "choice_invalid"
    if errors:
        raise Invalid(errors)
    before = audit.snapshot(provider) if provider is not None else None
    provider = provider or Provider()
    for key, value in fields.items():
        setattr(provider, key, value)
    provider.kind = data["kind"]
    _residency(provider, bool(data.get("resident")), today)
    provider.active = bool(data.get("active", True))
    provider.categories = sorted(categories, key=lambda c: (c.position, c.id))
    return _audited(session, actor, provider,
                    "provider.updated" if before else "provider.created", before)


def _residency(provider, resident, today):
    """Keep 入驻金融机构's dates with the box (the financing page corrects them)."""
    if provider.kind not in FINANCIAL_KINDS:
        provider.resident, provider.resident_since, provider.resident_until = False, None, None
        return
    if today is not None:
        moved_out = provider.resident_until is not None and provider.resident_until < today
        if resident and (provider.resident_since is None or moved_out):
            provider.resident_since, provider.resident_until = today, None
        elif not resident and provider.resident_since is not None \
                and provider.resident_until is None:
            provider.resident_until = today
    provider.resident = resident


def add_agreement(session, actor, provider, data):
    """Record a cooperation agreement (a renewal is a new one; the old stays)."""
    errors = {}
    try:
        title = clean_text(data.get("title"), 200, required=True)
    except Refused as exc:
        errors["title"] = exc.code
    try:
        note = clean_text(data.get("note"), 2000)
    except Refused as exc:
        errors["note"] = exc.code
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if starts_on is None:
        errors["starts_on"] = "required"
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "agreement_end_before_start"
    if errors:
        raise Invalid(errors)
    agreement = Agreement(provider=provider, title=title, signed_on=data.get("signed_on"),
                          starts_on=starts_on, ends_on=ends_on, note=note)
    return _audited(session, actor, agreement, "agreement.created", None)


def agreement_state(agreement, today, warn_days=EXPIRY_WARNING_DAYS):
    """future, valid, expiring (ends within `warn_days`) or expired, on `today`."""
    if agreement is None:
        return "none"
    if agreement.starts_on > today:
        return "future"
    if agreement.ends_on is None or agreement.ends_on >= today + timedelta(days=warn_days):
        return "valid"
    return "expiring" if agreement.ends_on >= today else "expired"


def current_agreement(provider, day):
    """The agreement in force on `day` (the latest started), else the latest one."""
    started = [a for a in provider.agreements if a.starts_on <= day]
    running = [a for a in started if a.ends_on is None or a.ends_on >= day]
    if running:
        return max(running, key=lambda a: (a.starts_on, a.id))
    return max(provider.agreements, key=lambda a: (a.starts_on, a.id), default=None)


def agreements_to_renew(session, today):
    """Active providers whose agreement ends within the warning time or has ended."""
    providers = session.scalars(select(Provider).options(selectinload(Provider.agreements))
                                .where(Provider.active.is_(True)).order_by(Provider.name)).all()
    due = []
    for provider in providers:
        state = agreement_state(current_agreement(provider, today), today)
        if state in ("expiring", "expired"):
            due.append((provider, state))
    return due
