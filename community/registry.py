"""The registry: the one door through which a package plugs into the app.

The contract
------------
`app.create_app()` makes one `Registry` per app and calls each package's
`init_app(app)` in the order app.py names them (community first). A package's
`init_app` registers its blueprints and CLI on the app and hands the app's
registry (`registry(app)`) everything else it adds:

    reg.grant(role, *permissions)           what a role may do ("book", …)
    reg.add_messages({code: text})          what its refusal codes say (a code is
                                            owned once: a clash raises)
    reg.add_labels({group: {code: 中文}})    Chinese labels of its stored codes
    reg.add_attachment_owner(type, can_view)
                                            which records carry evidence files and
                                            who may read them: (user, owner_id) -> bool
    reg.add_served_source(code, 中文)        how it names the service that makes a
                                            tenant "served" (S4)
    reg.add_indicator(Indicator(...))       its indicators (codes of the bang)
    reg.add_sheet(Sheet(...))               its ledger sheets, each under the
                                            indicator it evidences
    reg.add_nav(NavItem(...))               its menu entries
    reg.add_demo(loader)                    (session, tenants, rng) -> None
    reg.add_attention(check)                (session, user) -> [(text, endpoint, args)]
    reg.add_audit_words(objects={type: 中文}, actions={action: 中文}, fields={key: 中文})
                                            how the audit trail names its records,
                                            actions that read better whole, and the
                                            fields no ledger column titles
    reg.add_tenant_section(TenantSection(template, context))
                                            a panel on a tenant's page: context
                                            (session, user, tenant) -> dict, or None
                                            to show nothing to that user
    reg.add_dated(object_type, *fields, ranged=False)
                                            the date columns that place a record in a
                                            period: a change to it inside a locked
                                            period needs a reason (community.locks)
    reg.add_gaps(code, gaps, count=None)    (session, period) -> [Gap(...)]: the rows
                                            behind an indicator that still lack
                                            evidence (the completeness page, the pack);
                                            `count` gives the cover's 缺证据记录 (an
                                            Indicator's own `lacking` wins)

Nothing a package adds is kept in a module-level table: two apps made in one
process do not see each other's grants, messages or sheets. The dashboard,
the export and the evidence pack read only the registry, so they never name a
domain package and can never disagree.
"""
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from flask import current_app


# 榜单一's indicators in the bang's order.
# Every one is listed on the cover even when no package evidences it yet.
BANG = (
    ("P1", "专业服务", "Professional services"),
    ("S1", "实体运营空间", "Operating space"),
    ("S2", "创业者零租工位", "Zero-rent founder desks"),
    ("S3", "可预约功能空间", "Bookable rooms"),
    ("S4", "近12个月服务或入驻OPC企业", "OPC firms served or resident (12 months)"),
    ("G1", "公共服务包", "Public-service package"),
    ("E1", "生态活动", "Ecosystem events"),
    ("C1", "场景支持", "Application scenarios"),
)
# After them the application form's (附件2) own items: the OPC counts (O1, O2), the
# scenarios discovered (C2), its 金融服务 (F1: financing matchmaking) and 生活配套 (L1).
INDICATOR_ORDER = [code for code, _, _ in BANG] + ["O1", "O2", "C2", "F1", "L1"]


def _rank(code):
    return INDICATOR_ORDER.index(code) if code in INDICATOR_ORDER else len(INDICATOR_ORDER)


@dataclass(frozen=True)
class Indicator:
    """An indicator: `value(session, period)` returns a number.

    `per_year` targets (24 events a year) are scaled to the period's length;
    level targets (3000 m²) apply as they are. `detail` explains the figure in
    a line; `lacking` counts the rows behind it that lack evidence; `met`
    decides a target that is not a number (S3: a hall and a meeting room).
    """

    code: str
    title_zh: str
    title_en: str
    unit: str
    value: Callable
    default_target: Decimal | None = None
    per_year: bool = False
    detail: Callable | None = None  # (session, period) -> short text
    lacking: Callable | None = None  # (session, period) -> rows lacking evidence
    met: Callable | None = None  # (session, period) -> bool, for a target in words
    target_text: str = ""  # the target in words, when it is not a number

    def target_for(self, targets, period):
        """The target for a period from per-year targets {(code, year): value}."""
        base = targets.get((self.code, period.end.year), self.default_target)
        if base is None or not self.per_year:
            return base
        return period.scaled(Decimal(base))


@dataclass(frozen=True)
class Column:
    """A ledger column; kind `phone` is masked unless an admin asks for the full export;
    kind `person` (a natural person's name: a legal representative, a desk's user, a
    booker, an attendee, a provider's contact, the people who went) reads 张* in an
    assessor's export and in every report pack (community.export.mask_person), in full
    for staff and admin. Firms, providers and rooms are `text`."""

    key: str
    title: str
    kind: str = "text"  # text, date, datetime, number, money, phone, person, bool


@dataclass(frozen=True)
class Sheet:
    """A ledger sheet: its Chinese title as the bang writes it, the indicator it
    evidences (which places it in the workbook), columns and rows."""

    title: str
    indicator: str
    columns: tuple[Column, ...]
    rows: Callable  # (session, period) -> iterable of dicts keyed by column
    # The attachment owner type of its rows' records: each row then carries the
    # owner's id under "evidence_id", and the sheet lists the row's files. A tuple names
    # several types sharing that id (an event's notices and photos);
    # community.files.active_attachments reads either.
    evidence: str | tuple[str, ...] | None = None


@dataclass(frozen=True)
class Gap:
    """One ledger row that lacks evidence: which sheet, which record (in words), what
    it lacks (Chinese msgid), and where it is fixed (an endpoint and its args)."""

    sheet: str
    record: str
    lacks: str
    endpoint: str | None = None
    args: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Dated:
    """The date columns placing a record of `object_type` in a period. A point record
    (a service on its day) belongs to each period one of its dates falls in: any change
    to it there is a correction. A ranged record (a desk assignment) is changed inside
    a period only when one of its dates moves from or to a day in it."""

    object_type: str
    fields: tuple[str, ...]
    ranged: bool = False


@dataclass(frozen=True)
class NavItem:
    """A menu entry: shown when `visible(user)` says so."""

    endpoint: str
    label: str  # Chinese msgid, translated when shown
    visible: Callable


@dataclass(frozen=True)
class TenantSection:
    """A package's panel on a tenant's page: `template` rendered with `context`'s dict."""

    template: str
    context: Callable


@dataclass
class Registry:
    grants: dict = field(default_factory=dict)  # role -> set of permissions
    messages: dict = field(default_factory=dict)  # refusal code -> lazy text
    labels: dict = field(default_factory=dict)  # group -> {code: Chinese label}
    attachment_owners: dict = field(default_factory=dict)  # owner type -> can_view
    served_sources: dict = field(default_factory=dict)  # source -> Chinese name
    indicators: list = field(default_factory=list)
    sheets: list = field(default_factory=list)
    nav: list = field(default_factory=list)
    demo_loaders: list = field(default_factory=list)
    attention: list = field(default_factory=list)
    tenant_sections: list = field(default_factory=list)
    dated: dict = field(default_factory=dict)  # object type -> Dated
    gaps: dict = field(default_factory=dict)  # indicator code -> [gaps function]
    gap_counts: dict = field(default_factory=dict)  # indicator code -> count function
    audit_words: dict = field(default_factory=lambda: {"objects": {}, "actions": {},
                                                       "verbs": {}, "fields": {}})

    def grant(self, role, *permissions):
        self.grants.setdefault(role, set()).update(permissions)

    def add_messages(self, messages):
        clashes = sorted(code for code, text in messages.items()
                         if code in self.messages and self.messages[code] is not text)
        if clashes:
            raise ValueError(f"refusal codes already taken: {clashes}")
        self.messages.update(messages)

    def add_labels(self, labels):
        taken = sorted(group for group in labels if group in self.labels)
        if taken:
            raise ValueError(f"label groups declared twice: {taken}")
        self.labels.update({group: dict(values) for group, values in labels.items()})

    def add_attachment_owner(self, owner_type, can_view):
        if owner_type in self.attachment_owners:
            raise ValueError(f"attachment owner {owner_type} declared twice")
        self.attachment_owners[owner_type] = can_view

    def add_served_source(self, source, title):
        if source in self.served_sources:
            raise ValueError(f"served source {source} declared twice")
        self.served_sources[source] = title

    def add_indicator(self, indicator):
        if any(i.code == indicator.code for i in self.indicators):
            raise ValueError(f"indicator {indicator.code} declared twice")
        self.indicators.append(indicator)
        self.indicators.sort(key=lambda i: (_rank(i.code), i.code))

    def add_sheet(self, sheet):
        if sheet.indicator not in INDICATOR_ORDER:
            raise ValueError(f"sheet {sheet.title} evidences an unknown indicator")
        self.sheets.append(sheet)
        self.sheets.sort(key=lambda s: _rank(s.indicator))  # stable: declaration order within

    def add_nav(self, item):
        self.nav.append(item)

    def add_demo(self, loader):
        self.demo_loaders.append(loader)

    def add_attention(self, check):
        self.attention.append(check)

    def add_audit_words(self, objects=None, actions=None, verbs=None, fields=None):
        for kind, given in (("objects", objects), ("actions", actions), ("verbs", verbs),
                            ("fields", fields)):
            taken = sorted(k for k, v in (given or {}).items()
                           if self.audit_words[kind].get(k, v) != v)
            if taken:
                raise ValueError(f"audit {kind} named twice: {taken}")
            self.audit_words[kind].update(given or {})

    def add_tenant_section(self, section):
        self.tenant_sections.append(section)

    def add_dated(self, object_type, *fields, ranged=False):
        if object_type in self.dated:
            raise ValueError(f"dates of {object_type} declared twice")
        if not fields:
            raise ValueError(f"{object_type}: name at least one date column")
        self.dated[object_type] = Dated(object_type, tuple(fields), ranged)

    def add_gaps(self, code, gaps, count=None):
        """`count` (session, period) -> int counts an indicator's gaps without listing
        them (the cover's 缺证据记录); given once per indicator."""
        if code not in INDICATOR_ORDER:
            raise ValueError(f"gaps of an unknown indicator {code}")
        self.gaps.setdefault(code, []).append(gaps)
        if count is not None:
            if code in self.gap_counts:
                raise ValueError(f"the gaps of {code} are counted twice")
            self.gap_counts[code] = count


def registry(app=None):
    """The registry of the given app, or of the app handling this request/command."""
    return (app or current_app).extensions["opc_registry"]


@dataclass(frozen=True)
class Result:
    """One indicator's figure for a period; `indicator` is None where no package
    keeps its ledger yet (the cover says 未建立台账 instead of leaving it out)."""

    code: str
    title_zh: str
    title_en: str
    indicator: Indicator | None
    target: Decimal | None
    actual: Decimal | None
    detail: str = ""
    lacking: int | None = None
    met: bool | None = None

    @property
    def unit(self):
        return self.indicator.unit if self.indicator else ""

    @property
    def percent(self):
        if not self.target or self.actual is None:
            return None
        return int(Decimal(self.actual) * 100 / Decimal(self.target))

    def status(self, period):
        """met, ongoing (period not over yet), missed, none (no target) or absent."""
        if self.indicator is None:
            return "absent"
        if self.met is not None:
            reached = self.met
        elif self.target is None:
            return "none"
        else:
            reached = Decimal(self.actual) >= Decimal(self.target)
        if reached:
            return "met"
        return "ongoing" if period.as_of < period.end else "missed"


MEMO = "opc_evaluating"


def remembered(session, key, compute):
    """A figure several indicators share (S4's firms, the zero-rent desks) is computed
    once while `evaluate` reads a period; called on its own it is computed afresh."""
    memo = session.info.get(MEMO)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


@contextmanager
def sharing(session):
    """Within the block, figures several readings share are computed once (`remembered`):
    the dashboard reads its period and the pace's month holding today (the same S4
    window) in one block. Nested blocks share the outer one's figures."""
    if MEMO in session.info:
        yield
        return
    session.info[MEMO] = {}
    try:
        yield
    finally:
        session.info.pop(MEMO, None)


def evaluate(session, reg, targets, period):
    """Every indicator of the bang, then the package ones, for a period: what the
    dashboard and the export show."""
    with sharing(session):
        return _evaluate(session, reg, targets, period)


def _evaluate(session, reg, targets, period):
    by_code = {i.code: i for i in reg.indicators}
    results = []
    for code, title_zh, title_en in BANG:
        if code not in by_code:
            results.append(Result(code, title_zh, title_en, None, None, None))
    for indicator in reg.indicators:
        lacking = indicator.lacking or reg.gap_counts.get(indicator.code)
        results.append(Result(
            indicator.code, indicator.title_zh, indicator.title_en, indicator,
            indicator.target_for(targets, period), indicator.value(session, period),
            indicator.detail(session, period) if indicator.detail else "",
            lacking(session, period) if lacking else None,
            indicator.met(session, period) if indicator.met else None))
    results.sort(key=lambda r: (_rank(r.code), r.code))
    return results
