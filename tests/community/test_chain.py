"""The audit trail's hash chain: `flask audit verify` finds a row edited, deleted or
inserted with plain SQL, and names it."""
from datetime import date

import pytest
from sqlalchemy import func, select, text

from community import audit, chain
from community.dbsetup import begin_write
from community.extensions import db
from community.models import AuditChain, AuditEntry
from community.served import record_served


@pytest.fixture
def trail(app, make_tenant):
    """Ten entries written through the application, in several transactions."""
    tenant = make_tenant()
    for n in range(4):
        record_served(db.session, None, tenant.id, date(2026, 9, 1 + n), "community", f"r{n}")
        db.session.commit()
    count = db.session.scalar(select(func.count()).select_from(AuditEntry))
    assert count >= 5
    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()


def verify(runner):
    db.session.remove()
    return runner.invoke(args=["audit", "verify"])


def test_an_untouched_trail_verifies(trail, runner):
    result = verify(runner)
    assert result.exit_code == 0, result.output
    count, head = db.session.scalar(select(AuditChain.seq)), db.session.scalar(
        select(AuditChain.head))
    assert f"audit trail intact: {count} entries, head {head}" in result.output
    assert [e.seq for e in trail] == list(range(1, len(trail) + 1))
    assert all(e.prev_hash == (trail[i - 1].hash if i else "") for i, e in enumerate(trail))


def sql(statement, **params):
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_an_entry_edited_with_sql_is_named(trail, runner):
    victim = trail[2]
    sql("UPDATE audit_entry SET note = 'nothing to see' WHERE id = :id", id=victim.id)
    result = verify(runner)
    assert result.exit_code == 1
    assert f"entry #{victim.id} (seq {victim.seq}) was edited" in result.output


def test_an_edited_snapshot_is_found_too(trail, runner):
    victim = trail[1]
    sql("UPDATE audit_entry SET actor_id = NULL, action = 'tenant.viewed' WHERE id = :id",
        id=victim.id)
    assert f"entry #{victim.id}" in verify(runner).output


def test_a_deleted_entry_is_found(trail, runner):
    victim = trail[3]
    sql("DELETE FROM audit_entry WHERE id = :id", id=victim.id)
    result = verify(runner)
    assert result.exit_code == 1
    assert f"entries {victim.seq}–{victim.seq} of the chain are missing before entry " \
           f"#{trail[4].id}" in result.output


def test_the_last_entries_deleted_are_found(trail, runner):
    sql("DELETE FROM audit_entry WHERE seq >= :seq", seq=trail[-2].seq)
    result = verify(runner)
    assert result.exit_code == 1 and "the last entries were deleted" in result.output


def test_a_row_inserted_with_sql_is_named(trail, runner):
    sql("INSERT INTO audit_entry (at, action, object_type, note, prev_hash) "
        "VALUES (:at, 'tenant.created', 'tenant', '', '')", at=trail[0].at)
    result = verify(runner)
    stray = db.session.scalar(select(func.max(AuditEntry.id)))
    assert result.exit_code == 1
    assert f"entry #{stray} is not in the chain" in result.output


def test_an_entry_moved_in_the_order_is_found(trail, runner):
    first, second = trail[1], trail[2]
    # Swap two entries' places (seq and prev) as a forger reordering history would.
    sql("UPDATE audit_entry SET seq = -1 WHERE id = :id", id=first.id)
    sql("UPDATE audit_entry SET seq = :seq, prev_hash = :prev WHERE id = :id",
        seq=first.seq, prev=first.prev_hash, id=second.id)
    sql("UPDATE audit_entry SET seq = :seq, prev_hash = :prev WHERE id = :id",
        seq=second.seq, prev=second.hash, id=first.id)
    result = verify(runner)
    assert result.exit_code == 1 and f"entry #{second.id}" in result.output


def test_concurrent_writers_keep_one_unbroken_chain(app, make_tenant, race, runner):
    tenants = [make_tenant().id for _ in range(8)]
    days = iter(range(1, 9))

    def write():
        begin_write(db.session)  # as every request that writes does
        day = next(days)
        record_served(db.session, None, tenants[day - 1], date(2026, 10, day), "community",
                      f"c{day}")
        audit.record(db.session, None, "tenant.updated", object_type="tenant",
                     object_id=tenants[day - 1], note="parallel")
        db.session.commit()

    race(write, times=8, app=app)
    result = verify(runner)
    assert result.exit_code == 0, result.output
    seqs = db.session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_rolled_back_savepoint_leaves_no_gap(app, make_tenant, runner):
    tenant = make_tenant()
    with db.session.begin_nested():
        record_served(db.session, None, tenant.id, date(2026, 9, 1), "community", "kept")
    savepoint = db.session.begin_nested()
    record_served(db.session, None, tenant.id, date(2026, 9, 2), "community", "dropped")
    savepoint.rollback()
    db.session.commit()
    assert verify(runner).exit_code == 0
    assert chain.head_of(db.session)[0] == db.session.scalar(
        select(func.count()).select_from(AuditEntry))
