"""Two staff assigning one desk at the same moment: the database lets only one win."""
import threading
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
import pytest

from community.extensions import db
from community import rules
from community.dbsetup import begin_write
from community.models import Desk, DeskAssignment, Member
from community.refusals import Refused
from tests.conftest import PG_URL


def test_simultaneous_assignments_of_one_desk_make_one(app, make_desks, make_tenant):
    desk_id = make_desks(1)[0].id
    tenant = make_tenant()
    member_ids = []
    for n in range(12):
        member_ids.append(rules.add_member(db.session, None, tenant, f"成员{n}").id)
    db.session.commit()
    barrier = threading.Barrier(len(member_ids))
    outcomes = []

    def attempt(member_id):
        with app.app_context():
            session = db.session
            try:
                barrier.wait()
                begin_write(session)
                rules.assign_desk(session, None, session.get(Desk, desk_id),
                                  session.get(Member, member_id), date(2026, 3, 1))
                session.commit()
                outcomes.append("ok")
            except Refused as exc:
                session.rollback()
                outcomes.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(m,)) for m in member_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["desk_taken"] * (len(member_ids) - 1) + ["ok"]
    assert db.session.scalar(select(func.count()).select_from(DeskAssignment)) == 1


@pytest.mark.skipif(not PG_URL, reason="the exclusion constraint exists on PostgreSQL")
def test_postgres_refuses_overlaps_even_past_the_rules(app, make_desks, make_member):
    desk = make_desks(1)[0]
    member = make_member()
    row = {"desk_id": desk.id, "member_id": member.id, "tenant_id": member.tenant_id,
           "starts_on": date(2026, 1, 1), "ends_on": None}
    db.session.execute(insert(DeskAssignment), [row])
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(insert(DeskAssignment), [row | {"starts_on": date(2026, 6, 1)}])
        db.session.commit()
    db.session.rollback()
