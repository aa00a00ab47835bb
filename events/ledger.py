"""The events package's indicator (E1) and ledger sheets (活动台账, 活动签到明细).

E1 counts events held in the period; its detail shows the kinds the bang names
(赛事, 资源对接, 培训) apart from the others, and `lacking` counts held events
without a notice, a sign-in record or photos: the same test (evidence_lacking)
as the 需补充材料 list of the events page and the 缺少材料 column of 活动台账.
"""
from collections import Counter
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from community.labels import N_, label, label_said, said
from community.models import Attachment
from community.registry import Column, Indicator, Sheet
from community.settings import community_zone
from events.models import KINDS, Event, Registration
from events.rules import NOTICE, PHOTO

# The kinds 榜单一 names for E1, in its words; the others are shown together.
NAMED_KINDS = (("competition", N_("赛事")), ("matching", N_("资源对接")), ("training", N_("培训")))
# What E1 asks of every event held: a notice, a sign-in record, photos.
EVIDENCE = ("notice", "signin", "photos")


def _starting_in(session, period):
    """SQL condition: the event starts on a day of the period (the community's days)."""
    start, end = period.window(community_zone(session))
    return (Event.starts_at >= start) & (Event.starts_at < end)


def events_held(session, period):
    """E1: events held in the period (startup competitions, resource matching, training…)."""
    return session.scalar(select(func.count()).select_from(Event).where(
        Event.status == "held", _starting_in(session, period)))


def events_held_by_kind(session, period):
    """赛事 N · 资源对接 N · 培训 N · 其他 N（路演 N、沙龙 N、其他 N）."""
    counts = Counter(dict(session.execute(
        select(Event.kind, func.count()).where(Event.status == "held",
                                               _starting_in(session, period))
        .group_by(Event.kind)).all()))
    named = [kind for kind, _ in NAMED_KINDS]
    others = [kind for kind in KINDS if kind not in named]
    text = " · ".join(f"{said(name)} {counts[kind]}" for kind, name in NAMED_KINDS)
    text += f" · {said('其他')} {sum(counts[kind] for kind in others)}"
    inside = "、".join(f"{label_said('event_kind', kind)} {counts[kind]}"
                      for kind in others if counts[kind])
    return text + (f"（{inside}）" if inside else "")


def evidence_lacking(session, events, at):
    """What each event still lacks at `at`: {event id: [flag, …]}. Flags: "notice"
    (no notice text or file), "signin" (started, nobody checked in), "photos"
    (started, none uploaded): the E1 evidence; and "to_close" (ended, not yet
    marked held). Cancelled events lack nothing."""
    found = _evidence_of(session, [e.id for e in events])
    return {e.id: _lacks(e, at, *found) for e in events}


def _evidence_of(session, ids):
    """(registration counts, notice files, photos) of some events: three queries."""
    return (registration_counts(session, ids), attachment_counts(session, NOTICE, ids),
            attachment_counts(session, PHOTO, ids))


def _lacks(e, at, counts, notices, photos):
    lacking = []
    if e.status in ("draft", "published", "held"):
        if not e.notice_text and not notices.get(e.id):
            lacking.append("notice")
        if e.status == "held" or (e.status == "published" and e.starts_at <= at):
            if not counts.get(e.id, (0, 0))[1]:
                lacking.append("signin")
            if not photos.get(e.id):
                lacking.append("photos")
        if e.status == "published" and e.ends_at <= at:
            lacking.append("to_close")
    return lacking


def _period_end(session, period):
    """The moment the period's reference day ends: what "has started" is judged at."""
    zone = community_zone(session)
    return datetime.combine(period.as_of + timedelta(days=1), time(0), zone)


def attachment_counts(session, owner_type, event_ids):
    """{event id: number of files} for one kind of attachment."""
    if not event_ids:
        return {}
    return dict(session.execute(
        select(Attachment.owner_id, func.count()).where(
            Attachment.owner_type == owner_type, Attachment.owner_id.in_(event_ids),
            Attachment.withdrawn_at.is_(None))  # a withdrawn file evidences nothing
        .group_by(Attachment.owner_id)).all())


def registration_counts(session, event_ids):
    """{event id: (registered, checked in)}."""
    if not event_ids:
        return {}
    rows = session.execute(
        select(Registration.event_id,
               func.count(case((Registration.status == "registered", 1))),
               func.count(Registration.checked_in_at))
        .where(Registration.event_id.in_(event_ids)).group_by(Registration.event_id))
    return {event_id: (registered, attended) for event_id, registered, attended in rows}


def venue_of(event):
    if event.room is not None:
        return event.room.zone.name
    return event.venue_address


def event_rows(session, period):
    """活动台账: events held or published in the period, with their evidence."""
    events = session.scalars(
        select(Event).where(Event.status.in_(("held", "published")),
                            _starting_in(session, period))
        .order_by(Event.starts_at)).all()
    counts, notices, photos = found = _evidence_of(session, [e.id for e in events])
    zone, at = community_zone(session), _period_end(session, period)
    for e in events:
        registered, attended = counts.get(e.id, (0, 0))
        organisers = e.organiser + (f"；协办：{e.co_organisers}" if e.co_organisers else "")
        yield {"date": e.starts_at.astimezone(zone).date(), "kind": label("event_kind", e.kind),
               "title": e.title, "venue": venue_of(e), "organisers": organisers,
               "status": label("event_status", e.status), "registered": registered,
               "attended": attended,
               "has_notice": bool(e.notice_text) or notices.get(e.id, 0) > 0,
               "photos": photos.get(e.id, 0), "summary": e.summary,
               "lacking": "、".join(label("event_evidence", flag)
                                   for flag in _lacks(e, at, *found) if flag in EVIDENCE),
               "evidence_id": e.id}


def mask_name(name):
    """张** : an attendee who did not agree to be shown to assessors."""
    return (name[:1] + "*" * max(1, len(name) - 1)) if name else "（已清除）"


def checkin_rows(session, period):
    """活动签到明细: each check-in of the period's events. Only attendees who agreed
    (PIPL Art. 23) are named; the others are masked and keep no phone."""
    rows = session.scalars(
        select(Registration).join(Event)
        .options(selectinload(Registration.event), selectinload(Registration.tenant))
        .where(Registration.checked_in_at.is_not(None), Event.status.in_(("held", "published")),
               _starting_in(session, period))
        .order_by(Event.starts_at, Registration.checked_in_at, Registration.id))
    zone = community_zone(session)
    for r in rows:
        shown = r.assessor_consent and not r.purged
        yield {"date": r.event.starts_at.astimezone(zone).date(), "event": r.event.title,
               "attendee": r.name if shown else mask_name(r.name),
               "mobile": r.mobile if shown else None,
               "organisation": (r.tenant.name if r.tenant else r.organisation) if shown
               else ("社区企业" if r.tenant_id else "外部嘉宾"),
               "tenant": r.tenant_id is not None,
               "tenant_basis": label("tenant_basis", r.tenant_basis) if r.tenant_id else "",
               "checked_in_at": r.checked_in_at,
               "method": label("checkin_method", r.checkin_method)}


def register(reg):
    """Plug E1 and the events sheets into the registry."""
    reg.add_indicator(Indicator("E1", "生态活动", "Ecosystem events", "场", events_held,
                                Decimal(24), per_year=True, detail=events_held_by_kind))
    reg.add_sheet(Sheet("活动台账", "E1", (
        Column("date", "活动日期", "date"), Column("kind", "活动类型"),
        Column("title", "活动名称"), Column("venue", "活动地点"),
        Column("organisers", "主办/协办单位"), Column("status", "状态"),
        Column("registered", "报名人数", "number"), Column("attended", "签到人数", "number"),
        Column("has_notice", "有活动通知", "bool"), Column("photos", "照片数", "number"),
        Column("summary", "活动小结"), Column("lacking", "缺少材料")), event_rows,
        # The event's own evidence is its notices and photos (the sign-in is kept here).
        evidence=(NOTICE, PHOTO)))
    reg.add_sheet(Sheet("活动签到明细", "E1", (
        Column("date", "活动日期", "date"), Column("event", "活动名称"),
        Column("attendee", "参会人", "person"), Column("mobile", "手机号", "phone"),
        Column("organisation", "单位"), Column("tenant", "入驻/服务企业", "bool"),
        Column("tenant_basis", "企业关联依据"),
        Column("checked_in_at", "签到时间", "datetime"), Column("method", "签到方式")),
        checkin_rows))
