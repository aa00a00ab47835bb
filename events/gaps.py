"""E1's evidence gaps: events held in the period without a notice, a sign-in record
or photos (the test of events.ledger.evidence_lacking, which the events page and
活动台账's 缺少材料 column use too). E1's `lacking` counts the same list."""
from sqlalchemy import select

from community.labels import label
from community.registry import Gap
from community.settings import community_zone
from events.ledger import EVIDENCE, _period_end, _starting_in, evidence_lacking
from events.models import Event


def held_lacking(session, period):
    """[(event, [what it lacks])] of the events held in the period (four queries)."""
    held = session.scalars(select(Event).where(
        Event.status == "held", _starting_in(session, period))
        .order_by(Event.starts_at, Event.id)).all()
    flags = evidence_lacking(session, held, _period_end(session, period))
    found = []
    for event in held:
        lacks = [flag for flag in flags[event.id] if flag in EVIDENCE]
        if lacks:
            found.append((event, lacks))
    return found


def lacking_evidence(session, period):
    """E1's 缺证据记录: events held in the period without a notice, a sign-in record
    or photos (the cover's count of the gaps below)."""
    return len(held_lacking(session, period))


def event_gaps(session, period):
    """E1: one gap per held event lacking evidence, fixed on the event's page."""
    zone = community_zone(session)
    return [Gap("活动台账", f"{event.title}（{event.starts_at.astimezone(zone):%Y-%m-%d}）",
                "、".join(label("event_evidence", flag) for flag in lacks),
                "events.detail", {"event_id": event.id})
            for event, lacks in held_lacking(session, period)]


def register(reg):
    """Hand the registry E1's gaps."""
    reg.add_gaps("E1", event_gaps, count=lacking_evidence)
