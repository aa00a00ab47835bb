"""Two staff assigning one desk at the same moment: the database lets only one win."""
from datetime import date
from functools import partial

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
import pytest

from community.extensions import db
from community import rules
from community.dbsetup import begin_write
from community.models import Desk, DeskAssignment, Member
from community.refusals import Refused
from tests.conftest import PG_URL


def test_simultaneous_assignments_of_one_desk_make_one(app, make_desks, make_tenant, race):
    desk_id = make_desks(1)[0].id
    tenant = make_tenant()
    member_ids = [rules.add_member(db.session, None, tenant, f"成员{n}").id for n in range(12)]
    db.session.commit()

    def assign(member_id):
        session = db.session
        begin_write(session)
        rules.assign_desk(session, None, session.get(Desk, desk_id),
                          session.get(Member, member_id), date(2026, 3, 1))
        session.commit()
        return "ok"

    outcomes = race(*[partial(assign, m) for m in member_ids], app=app, expect=Refused)
    assert sorted(outcomes.codes()) == ["desk_taken"] * (len(member_ids) - 1) + ["ok"]
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
