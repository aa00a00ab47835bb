"""C1's evidence gaps: scenarios landed in the period without their landing evidence
(a contract, an acceptance record, an order: a file not withdrawn). Landing needs the
file (scenarios.rules.move), so a gap is a file withdrawn since. C1's `lacking`
counts the same list. (A landed scenario always keeps a matched firm: its last match
cannot be withdrawn.)"""
from community.gaps import filed_owners
from community.labels import N_
from community.registry import Gap
from scenarios.ledger import landed_in
from scenarios.rules import EVIDENCE

CONTRACT = N_("落地证明材料（合同等）")


def landed_lacking(session, period):
    """The scenarios C1 counts for the period without their evidence file (one query
    beyond the C1 figure's own, which the dashboard has already read)."""
    landed = [scenario for scenario, _ in landed_in(session, period)]
    if not landed:
        return []
    filed = filed_owners(session, EVIDENCE, [s.id for s in landed])
    return [s for s in landed if s.id not in filed]


def scenario_gaps(session, period):
    """C1: each landed scenario lacking its landing evidence, filed on its page."""
    return [Gap("场景台账", f"{s.title}（{s.owner_name}）", CONTRACT, "scenarios.detail",
                {"scenario_id": s.id}) for s in landed_lacking(session, period)]


def register(reg):
    """Hand the registry C1's gaps."""
    reg.add_gaps("C1", scenario_gaps, count=lambda session, period: len(
        landed_lacking(session, period)))
