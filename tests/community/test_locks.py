"""Period locks: a change inside a locked period needs a reason, is marked in the
trail and is listed on the next export's 锁定期后更正."""
import io
from datetime import date, datetime, timezone

import pandas as pd
import pytest
from sqlalchemy import func, select

from community import locks, rules
from community.export import CORRECTIONS_TITLE, write_workbook
from community.extensions import db
from community.models import AuditEntry, DeskAssignment, PeriodLock, ServedRecord, Tenant
from community.periods import Period
from community.refusals import Invalid, Refused
from community.registry import registry
from community.served import record_served, void_served
from community.settings import targets
from tests.community.test_views import tenant_form

H1 = (date(2026, 1, 1), date(2026, 6, 30))
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 20)


def entries(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id)).all()


@pytest.fixture
def lock_h1(app, make_user):
    """Lock 2026 H1 (after the test has written what the review saw)."""
    def lock():
        made = rules.lock_period(db.session, make_user("admin"), *H1, TODAY, label="2026年上半年")
        db.session.commit()
        return made
    return lock


@pytest.fixture
def locked_h1(lock_h1):
    return lock_h1()


def test_a_period_ending_before_it_starts_is_refused_and_nothing_saved(app):
    with pytest.raises(Invalid) as refused:
        rules.lock_period(db.session, None, date(2026, 6, 30), date(2026, 1, 1), TODAY)
    assert refused.value.errors == {"end_on": "end_before_start"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PeriodLock)) == 0


def test_only_a_period_that_is_over_is_locked(app):
    with pytest.raises(Invalid) as refused:
        rules.lock_period(db.session, None, date(2026, 7, 1), TODAY, TODAY)
    assert refused.value.errors == {"end_on": "lock_not_over"}


def test_the_same_period_is_locked_once(locked_h1):
    with pytest.raises(Refused) as refused:
        rules.lock_period(db.session, None, *H1, TODAY)
    assert refused.value.code == "period_already_locked"


def test_voiding_a_service_of_a_locked_period_needs_a_reason(lock_h1, make_tenant):
    tenant = make_tenant()
    record_served(db.session, None, tenant.id, date(2026, 5, 10), "community", "s1")
    db.session.commit()
    locked_h1 = lock_h1()
    with pytest.raises(Refused) as refused:
        void_served(db.session, None, "community", "s1", "没有发生", NOW)
    assert refused.value.code == "period_locked"
    assert refused.value.params == {"period": "2026年上半年"}
    db.session.rollback()
    assert db.session.scalar(select(ServedRecord)).voided_at is None
    assert entries("served_record.voided") == []

    db.session.info[locks.REASON] = "区级审核指出该服务未实际发生"
    void_served(db.session, None, "community", "s1", "没有发生", NOW)
    db.session.commit()
    [entry] = entries("served_record.voided")
    assert entry.lock_id == locked_h1.id
    assert entry.note == "区级审核指出该服务未实际发生"
    assert db.session.scalar(select(ServedRecord)).voided_at is not None


def test_records_dated_outside_the_lock_change_freely(locked_h1, make_tenant):
    tenant = make_tenant(moved_in_on=date(2026, 7, 1))  # a firm new since the lock
    record_served(db.session, None, tenant.id, date(2026, 7, 1), "community", "s2")
    void_served(db.session, None, "community", "s2", "录错", NOW)
    db.session.commit()
    assert [e.lock_id for e in entries("served_record.voided")] == [None]


def test_backdating_a_new_service_into_a_locked_period_is_a_correction(locked_h1, make_tenant):
    tenant = make_tenant(moved_in_on=date(2026, 7, 1))  # a firm new since the lock
    with pytest.raises(Refused):
        record_served(db.session, None, tenant.id, date(2026, 6, 30), "community", "late")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ServedRecord)) == 0


def test_ending_an_assignment_that_began_in_a_locked_period_is_daily_work(
        make_desks, make_member, make_tenant, make_user):
    desk = make_desks(1, in_service_on=date(2026, 1, 1))[0]
    member = make_member(make_tenant(moved_in_on=date(2026, 7, 1)))
    assignment = rules.assign_desk(db.session, None, desk, member, date(2026, 3, 1))
    other = rules.assign_desk(db.session, None, make_desks(1, prefix="Z", in_service_on=date(2026, 1, 1))[0],
                              member, date(2026, 2, 1))
    db.session.commit()
    rules.lock_period(db.session, make_user("admin"), *H1, TODAY)
    db.session.commit()
    # Ending it today touches no day of the locked half-year…
    rules.end_assignment(db.session, None, assignment, date(2026, 11, 30))
    db.session.commit()
    # …ending one back inside the locked half-year rewrites it, so it needs a reason.
    with pytest.raises(Refused) as refused:
        rules.end_assignment(db.session, None, other, date(2026, 5, 31))
    assert refused.value.code == "period_locked"
    db.session.rollback()
    assert db.session.get(DeskAssignment, other.id).ends_on is None


def test_the_export_lists_corrections_after_the_lock(lock_h1, make_tenant, make_user):
    tenant = make_tenant()
    record_served(db.session, None, tenant.id, date(2026, 5, 10), "community", "s3")
    db.session.commit()
    lock_h1()
    staff = make_user("staff")
    db.session.info[locks.REASON] = "服务日期录错"
    record_served(db.session, staff, tenant.id, date(2026, 5, 12), "community", "s3")
    db.session.commit()

    def corrections(start, end):
        out = io.BytesIO()
        write_workbook(db.session, registry(), targets(db.session),
                       Period.make(start, end, date(2026, 11, 20)), out)
        return pd.read_excel(io.BytesIO(out.getvalue()), sheet_name=CORRECTIONS_TITLE)

    sheet = corrections(*H1)
    assert len(sheet) == 1
    row = sheet.iloc[0]
    assert row["操作人"] == staff.name and row["更正原因"] == "服务日期录错"
    assert row["锁定期间"].startswith("2026年上半年")
    assert "2026-05-10 → 2026-05-12" in row["变更内容"]
    assert corrections(date(2026, 7, 1), date(2026, 12, 31)).empty  # no lock overlaps H2


# --- through the pages ---------------------------------------------------------

def test_only_an_admin_locks_periods(client, login):
    login("staff")
    assert client.get("/locks").status_code == 403
    login("admin")
    page = client.get("/locks?start_on=2026-01-01&end_on=2026-06-30&label=2026年上半年")
    assert page.status_code == 200 and 'value="2026-06-30"' in page.get_data(as_text=True)
    response = client.post("/locks", data={"start_on": "2026-07-01", "end_on": "2026-06-01",
                                           "label": "错"})
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PeriodLock)) == 0
    response = client.post("/locks", data={"start_on": "2026-01-01", "end_on": "2026-06-30",
                                           "label": "2026年上半年"}, follow_redirects=True)
    assert "统计期间已锁定" in response.get_data(as_text=True)
    assert "2026年上半年" in response.get_data(as_text=True)


def test_staff_correct_a_locked_record_after_giving_a_reason(client, login, lock_h1):
    login("staff")
    form = tenant_form(moved_in_on="2026-03-01")
    client.post("/tenants/new", data=form)
    tenant = db.session.scalar(select(Tenant))
    locked_h1 = lock_h1()
    # The phone is not a date: changing it touches no locked day.
    response = client.post(f"/tenants/{tenant.id}/edit",
                           data=form | {"phone": "139 1234 0000"}, follow_redirects=True)
    assert "企业信息已保存" in response.get_data(as_text=True)

    moved = form | {"phone": "139 1234 0000", "moved_in_on": "2026-04-01"}
    response = client.post(f"/tenants/{tenant.id}/edit", data=moved)
    page = response.get_data(as_text=True)
    assert "已锁定的统计期间（2026年上半年）" in page and 'name="reason"' in page
    db.session.expire_all()
    assert db.session.get(Tenant, tenant.id).moved_in_on == date(2026, 3, 1)

    response = client.post("/corrections", data={"reason": "入驻协议日期核对后更正",
                                                 "next": f"/tenants/{tenant.id}/edit"})
    assert response.headers["Location"].endswith(f"/tenants/{tenant.id}/edit")
    page = client.get(f"/tenants/{tenant.id}").get_data(as_text=True)
    assert "更正模式" in page and "入驻协议日期核对后更正" in page
    client.post(f"/tenants/{tenant.id}/edit", data=moved)
    db.session.expire_all()
    assert db.session.get(Tenant, tenant.id).moved_in_on == date(2026, 4, 1)
    entry = entries("tenant.updated")[-1]
    assert entry.lock_id == locked_h1.id and entry.note == "入驻协议日期核对后更正"

    client.post("/corrections/end", data={"next": "/"})
    page = client.get(f"/tenants/{tenant.id}").get_data(as_text=True)
    assert "已结束更正模式" in page and "入驻协议日期核对后更正" not in page


def test_a_correction_needs_a_reason_and_only_a_local_next(client, login):
    login("staff")
    response = client.post("/corrections", data={"reason": "  ", "next": "/"})
    assert response.status_code == 200 and "此项必填" in response.get_data(as_text=True)
    response = client.post("/corrections", data={"reason": "核对", "next": "//evil.example"})
    assert response.headers["Location"] == "/"
    login("assessor")
    assert client.post("/corrections", data={"reason": "核对"}).status_code == 403
