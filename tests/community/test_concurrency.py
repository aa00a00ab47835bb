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


def test_simultaneous_dated_changes_of_one_desk_keep_one_state_a_day(app, make_desks, race):
    """Eight staff date a change to one desk at once, each from another day: every state
    ends where the next begins, one is open-ended (S2 counts one state a desk a day)."""
    from community.models import DeskState
    desk_id = make_desks(1)[0].id
    db.session.commit()
    days = [date(2026, month, 1) for month in range(2, 10)]

    def change(day):
        session = db.session
        begin_write(session)
        desk = session.get(Desk, desk_id)
        assert desk.states  # the history as this request read it before deciding
        rules.set_desk_status(session, None, desk, "available", day.month % 2 == 0, day,
                              date(2026, 12, 1))
        session.commit()
        return "ok"

    assert race(*[partial(change, day) for day in days], app=app).codes() == ["ok"] * 8
    db.session.expire_all()
    states = db.session.execute(select(DeskState.effective_on, DeskState.superseded_on)
                                .where(DeskState.desk_id == desk_id)
                                .order_by(DeskState.effective_on)).all()
    assert [s.superseded_on for s in states] == [s.effective_on for s in states[1:]] + [None]
    assert len(states) == len(days) + 1


def test_simultaneous_dated_facts_of_one_firm_keep_one_row_a_day(app, make_tenant, race):
    """The same for a firm's licence facts (S4, O1/O2 and the undetermined count read one
    row in effect a day)."""
    from community.models import Licence, Tenant
    from tests.conftest import tenant_data
    tenant = make_tenant(founded_on=date(2025, 3, 1), moved_in_on=date(2025, 9, 1))
    tenant_id, uscc = tenant.id, tenant.uscc
    db.session.commit()
    days = [date(2026, month, 1) for month in range(2, 10)]

    def record(day):
        session = db.session
        begin_write(session)
        firm = session.get(Tenant, tenant_id)
        assert firm.licences
        rules.save_tenant(session, None, tenant_data(
            uscc=uscc, company_type="个人独资企业", investors=day.month, facts_from=day),
            date(2026, 12, 1), firm)
        session.commit()
        return "ok"

    assert race(*[partial(record, day) for day in days], app=app).codes() == ["ok"] * 8
    db.session.expire_all()
    rows = db.session.execute(select(Licence.effective_on, Licence.superseded_on)
                              .where(Licence.tenant_id == tenant_id)
                              .order_by(Licence.effective_on)).all()
    assert [r.superseded_on for r in rows] == [r.effective_on for r in rows[1:]] + [None]
    assert len(rows) == len(days) + 1
