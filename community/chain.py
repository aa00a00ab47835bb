"""The audit trail's hash chain: each entry carries the hash of the one before it.

Entries are chained in commit order, not id order: just before a transaction
commits, it locks the chain's head row (PostgreSQL: SELECT … FOR UPDATE; SQLite's
write transaction is already alone), numbers its new entries on from the head
(`seq`), hashes each over its canonical JSON together with the previous hash,
and moves the head. The lock is held only from that moment to the commit.

`verify` walks the chain and names the first entry that was edited, deleted
or inserted out of order; the export's cover prints the head (`head_of`) so a
later export can be checked against an earlier one.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import timezone

from sqlalchemy import bindparam, event, func, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from community.dbsetup import utcnow
from community.models import AuditChain, AuditEntry

UNSEALED = "opc_unsealed_audit"
CHAIN_ID = 1


def _json(value):
    """The value as it reads back from a JSON column (tuples are lists, keys strings)."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def digest(entry, prev_hash):
    """SHA-256 over the entry's canonical JSON and the hash before it."""
    at = entry.at.astimezone(timezone.utc).isoformat(timespec="microseconds")
    payload = {"seq": entry.seq, "prev": prev_hash, "at": at, "actor": entry.actor_id,
               "action": entry.action, "type": entry.object_type, "id": entry.object_id,
               "before": _json(entry.before), "after": _json(entry.after),
               "note": entry.note or "", "lock": entry.lock_id}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _head(session, lock):
    query = select(AuditChain).where(AuditChain.id == CHAIN_ID)
    if lock and session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    head = session.scalar(query)
    if head is None:  # a fresh (or emptied) database
        head = AuditChain(id=CHAIN_ID, seq=0, head="")
        session.add(head)
    return head


# Built once: every write request runs them, and building a statement costs more
# Python than running it on SQLite.
_READ_HEAD = select(AuditChain.seq, AuditChain.head).where(AuditChain.id == CHAIN_ID)
_LOCK_HEAD = _READ_HEAD.with_for_update()
_MOVE_HEAD = AuditChain.__table__.update().where(AuditChain.__table__.c.id == CHAIN_ID).values(
    seq=bindparam("seq"), head=bindparam("head"))
_NUMBER_ENTRY = AuditEntry.__table__.update().where(
    AuditEntry.__table__.c.id == bindparam("entry_id")).values(
    seq=bindparam("seq"), prev_hash=bindparam("prev"), hash=bindparam("hash"))


def seal(session, entries, pending=()):
    """Chain `entries` (written, in id order), then `pending` (not yet written, in the
    order they were added) on from the head; the head is locked.

    Every write request pays for this just before its commit, so it is plain statements
    past the ORM: read the head, move it, and number and hash the entries already
    written. An entry not yet written is numbered and hashed before its INSERT, which
    then carries its place in the chain (a check-in's entry is: the commit's own flush
    writes it; a booking's is written earlier, when the served record is looked up)."""
    locked = session.get_bind().dialect.name != "sqlite"
    row = session.execute(_LOCK_HEAD if locked else _READ_HEAD).one_or_none()
    seq, head = row if row is not None else (0, "")
    sealed = []
    for entry in sorted(entries, key=lambda e: e.id):
        seq += 1
        set_committed_value(entry, "seq", seq)
        set_committed_value(entry, "prev_hash", head)
        head = digest(entry, head)
        set_committed_value(entry, "hash", head)
        sealed.append({"entry_id": entry.id, "seq": seq, "prev": entry.prev_hash,
                       "hash": head})
    for entry in pending:
        seq += 1
        entry.at = entry.at or utcnow()  # as the column's default would have made it
        entry.seq, entry.prev_hash = seq, head
        head = entry.hash = digest(entry, head)
    if sealed:
        session.execute(_NUMBER_ENTRY, sealed)
    chain = AuditChain.__table__
    if row is None:  # a fresh (or emptied) database
        session.execute(chain.insert().values(id=CHAIN_ID, seq=seq, head=head))
    else:
        session.execute(_MOVE_HEAD, {"seq": seq, "head": head})
    loaded = session.identity_map.get(identity_key(AuditChain, CHAIN_ID))
    if loaded is not None:  # a head row this session holds reads as written
        set_committed_value(loaded, "seq", seq)
        set_committed_value(loaded, "head", head)


@event.listens_for(Session, "before_flush")
def _collect(session, flush_context, instances):
    new = [obj for obj in session.new if isinstance(obj, AuditEntry) and obj.seq is None]
    if new:
        session.info.setdefault(UNSEALED, []).extend(new)


@event.listens_for(Session, "before_commit")
def _seal_before_commit(session):
    pending = sorted((obj for obj in session.new if isinstance(obj, AuditEntry)
                      and obj.seq is None), key=lambda e: inspect(e).insert_order)
    if not session.info.get(UNSEALED) and not pending:
        return
    entries = [e for e in session.info.pop(UNSEALED, [])
               if e.seq is None and inspect(e).persistent]  # not rolled back to a savepoint
    if entries or pending:
        with session.no_autoflush:  # the pending entries wait for their numbers
            seal(session, entries, pending)
        session.flush()  # the pending entries go in numbered and hashed


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction):
    if transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(UNSEALED, None)


def head_of(session):
    """(entries in the chain, the last one's hash) — printed on the export's cover."""
    head = session.scalar(select(AuditChain).where(AuditChain.id == CHAIN_ID))
    return (head.seq, head.head) if head else (0, "")


@dataclass(frozen=True)
class Problem:
    entry_id: int | None
    seq: int | None
    kind: str  # edited, deleted, inserted, truncated
    text: str


def verify(session):
    """The first break in the chain, or None when every entry is as it was sealed."""
    stray = session.scalar(select(func.min(AuditEntry.id)).where(AuditEntry.seq.is_(None)))
    if stray is not None:
        return Problem(stray, None, "inserted",
                       f"entry #{stray} is not in the chain: inserted outside the application")
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)
                           .execution_options(yield_per=2000))
    try:  # streamed (a server-side cursor on PostgreSQL): closed however the walk ends
        problem, expected, prev = _walk(rows)
    finally:
        rows.close()
    if problem is not None:
        return problem
    count, head = head_of(session)
    if (count, head) != (expected - 1, prev):
        return Problem(None, expected, "truncated",
                       f"the chain head records {count} entries but {expected - 1} remain: "
                       "the last entries were deleted")
    return None


def _walk(rows):
    """(the first break, the next seq expected, the last hash) along the chain."""
    prev, expected = "", 1
    for entry in rows:
        if entry.seq != expected:
            return Problem(entry.id, entry.seq, "deleted",
                           f"entries {expected}–{entry.seq - 1} of the chain are missing "
                           f"before entry #{entry.id} (seq {entry.seq}): deleted"), 0, ""
        if entry.prev_hash != prev:
            return Problem(entry.id, entry.seq, "inserted",
                           f"entry #{entry.id} (seq {entry.seq}) does not follow the one "
                           "before it: inserted out of order"), 0, ""
        if digest(entry, prev) != entry.hash:
            return Problem(entry.id, entry.seq, "edited",
                           f"entry #{entry.id} (seq {entry.seq}) was edited after it was "
                           "written"), 0, ""
        prev, expected = entry.hash, expected + 1
    return None, expected, prev


def backfill(session):
    """Chain every entry not yet chained, in id order (the migration that brought the
    chain seals the trail written before it)."""
    pending = session.scalars(select(AuditEntry).where(AuditEntry.seq.is_(None))
                              .order_by(AuditEntry.id)).all()
    if pending:
        seal(session, pending)
    else:
        _head(session, lock=False)
    session.flush()

