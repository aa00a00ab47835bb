"""Evidence completeness: the ledger rows that still lack evidence, per indicator.

Each package hands the registry its gap functions (`reg.add_gaps(code, fn)`,
fn(session, period) -> [Gap]); `collect` reads them all for a period, in the
bang's order, for the completeness page (and the report pack). An indicator's
`lacking` (the cover's 缺证据记录) is the number of its gaps: each package counts
with the same function its gaps are made from, so the two cannot disagree.

A Gap is one record; when it lacks several things its `lacks` names them joined
by "、" (each a msgid): `lacks_words` translates them one by one.

The core's own: S4's firms without their business licence file.
"""
from dataclasses import dataclass

from sqlalchemy import select

from community import opc
from community.labels import N_
from community.models import Attachment, Tenant
from community.registry import BANG, INDICATOR_ORDER, Gap

SEP = "、"
LICENCE = N_("营业执照扫描件")


def lacks_words(lacks, translate, joiner=SEP):
    """The things a gap lacks, each translated (`translate`: gettext), joined."""
    return joiner.join(translate(part) for part in lacks.split(SEP) if part)


def filed_owners(session, owner_type, owner_ids=None):
    """The ids of the records of `owner_type` that carry a file not withdrawn (one query;
    `owner_ids` narrows it: pass a subquery or a list, not thousands of literals)."""
    query = select(Attachment.owner_id).where(Attachment.owner_type == owner_type,
                                              Attachment.withdrawn_at.is_(None))
    if owner_ids is not None:
        query = query.where(Attachment.owner_id.in_(owner_ids))
    return set(session.scalars(query.distinct()))


# --- S4 ---------------------------------------------------------------------------

def unlicensed(session, period):
    """The ids of S4's firms for the period without their licence file (withdrawn
    files do not count): what the cover's 缺证据记录 counts."""
    from community.ledger import _s4_ids
    firms = _s4_ids(session, period)
    if not firms:
        return set()
    return firms - filed_owners(session, opc.LICENCE_FILE)


def licence_gaps(session, period):
    """S4: each firm served or resident without its business licence file."""
    missing = unlicensed(session, period)
    if not missing:
        return []
    from community.ledger import _firms
    firms = _firms(period.last_twelve_months())
    rows = session.execute(select(Tenant.id, Tenant.name, Tenant.uscc)
                           .where(Tenant.id.in_(select(firms.c.tenant_id)))
                           .order_by(Tenant.name, Tenant.id))
    return [Gap("入驻/服务企业台账", f"{name}（{uscc}）", LICENCE, "community.tenant_detail",
                {"tenant_id": tenant_id})
            for tenant_id, name, uscc in rows if tenant_id in missing]


# --- all of them --------------------------------------------------------------------

@dataclass(frozen=True)
class IndicatorGaps:
    """An indicator's gaps for a period (empty when all its rows are evidenced)."""

    code: str
    title_zh: str
    title_en: str
    gaps: tuple


def collect(session, reg, period):
    """Every indicator that declares gaps, in the bang's order, with its gaps."""
    titles = {code: (zh, en) for code, zh, en in BANG}
    titles.update({i.code: (i.title_zh, i.title_en) for i in reg.indicators})
    found = []
    for code in sorted(reg.gaps, key=INDICATOR_ORDER.index):
        gaps = tuple(gap for fn in reg.gaps[code] for gap in fn(session, period))
        found.append(IndicatorGaps(code, *titles.get(code, (code, code)), gaps))
    return found


def register(reg):
    """Hand the registry S4's gaps and put the completeness page in the staff's menu."""
    from community.permissions import can
    from community.registry import NavItem
    from community.ledger import firms_unlicensed  # the same firms, counted in SQL
    reg.add_gaps("S4", licence_gaps, count=firms_unlicensed)
    reg.add_nav(NavItem("community.evidence_gaps", N_("证据缺口"), lambda user: can(user, "edit")))
