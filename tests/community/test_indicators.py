"""Indicators an assessor cannot knock down: S4 is the twelve months to the
reference day, only services that took place count, level indicators read the
reference day's dated history, the cover hides no indicator of the bang."""
import io
from datetime import date, datetime, timezone
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import func, select

from community import rules
from community.export import write_workbook
from community.extensions import db
from community.ledger import (firms_served, space_area, tenant_rows_for, zero_rent_desks,
                              zero_rent_occupancy, zone_rows)
from community.models import AuditEntry, DeskState, ServedRecord
from community.periods import Period
from community.refusals import Invalid
from community.registry import BANG, evaluate, registry
from community.served import record_served, void_served
from community.settings import targets

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)


def period(start, end, as_of=None):
    return Period(start, end, as_of or end)


# --- S4: 近12个月 -----------------------------------------------------------------

def test_s4_counts_the_twelve_months_to_the_reference_day(app, make_tenant):
    old = make_tenant(relationship_kind="served", moved_in_on=None)
    recent = make_tenant(relationship_kind="served", moved_in_on=None)
    record_served(db.session, None, old.id, date(2025, 11, 30), "community", "a")
    record_served(db.session, None, recent.id, date(2025, 12, 1), "community", "b")
    db.session.commit()
    november = period(date(2026, 11, 1), date(2026, 11, 30))
    # A one-month period still shows 近12个月: 2025-12-01 … 2026-11-30.
    assert firms_served(db.session, november) == 1
    assert november.last_twelve_months() == period(date(2025, 12, 1), date(2026, 11, 30))
    whole_2026 = period(date(2026, 1, 1), date(2026, 12, 31))
    assert firms_served(db.session, whole_2026) == 0  # neither in 2026-01-01 … 12-31


def test_s4_names_its_window_on_the_dashboard_and_the_cover(app, make_tenant):
    november = Period(date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 20))
    result = next(r for r in evaluate(db.session, registry(), {}, november) if r.code == "S4")
    assert result.detail == "近12个月：2025-11-21 至 2026-11-20"
    out = io.BytesIO()
    write_workbook(db.session, registry(), {}, november, out)
    ws = pd.read_excel(io.BytesIO(out.getvalue()), sheet_name="考核指标完成情况", header=None)
    assert "S4 近12个月为 2025年11月21日 至 2026年11月20日" in ws.iloc[1, 0]


def test_nothing_is_served_in_the_future_and_a_void_does_not_count(app, make_tenant):
    later = make_tenant(relationship_kind="served", moved_in_on=None)
    cancelled = make_tenant(relationship_kind="served", moved_in_on=None)
    record_served(db.session, None, later.id, date(2026, 12, 3), "booking", 1)
    record_served(db.session, None, cancelled.id, date(2026, 11, 10), "booking", 2)
    void_served(db.session, None, "booking", 2, "预约已取消", NOW)
    db.session.commit()
    today = Period.make(date(2026, 1, 1), date(2026, 12, 31), date(2026, 11, 20))
    assert firms_served(db.session, today) == 0
    rows = list(tenant_rows_for({})(db.session, today))
    assert rows == []
    # The void is kept, with why, and audited; served again, it counts again.
    record = db.session.scalar(select(ServedRecord).where(ServedRecord.ref == "2"))
    assert record.void_reason == "预约已取消" and record.voided_at is not None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "served_record.voided")) == 1
    record_served(db.session, None, cancelled.id, date(2026, 11, 10), "booking", 2)
    assert firms_served(db.session, today) == 1


def test_the_tenant_page_shows_what_took_place(client, login, make_tenant):
    tenant = make_tenant(relationship_kind="served", moved_in_on=None)
    record_served(db.session, None, tenant.id, date(2099, 1, 1), "community", "future",
                  "未来的服务")
    record_served(db.session, None, tenant.id, date(2026, 1, 5), "community", "void", "作废的服务")
    void_served(db.session, None, "community", "void", "重复登记", NOW)
    record_served(db.session, None, tenant.id, date(2026, 1, 6), "community", "real", "真实的服务")
    db.session.commit()
    login("member", tenant=tenant)
    page = client.get(f"/tenants/{tenant.id}").get_data(as_text=True)
    assert "真实的服务" in page and "未来的服务" not in page and "作废的服务" not in page
    login("staff")
    page = client.get(f"/tenants/{tenant.id}").get_data(as_text=True)
    assert "作废的服务" in page and "重复登记" in page and "未来的服务" not in page


# --- S1 and S2 read the reference day ---------------------------------------------------

def test_a_zone_retired_in_february_does_not_count_for_the_year(app, make_zone):
    make_zone(area_m2="1000", in_service_on=date(2025, 1, 1))
    make_zone(area_m2="400", in_service_on=date(2025, 1, 1), out_of_service_on=date(2026, 2, 15))
    assert space_area(db.session, period(date(2026, 1, 1), date(2026, 12, 31))) == 1000
    assert space_area(db.session, period(date(2026, 1, 1), date(2026, 1, 31))) == 1400


def test_retiring_desks_today_does_not_change_an_earlier_export(app, make_zone, make_desks,
                                                                 make_member):
    zone = make_zone()
    desks = make_desks(30, zone=zone, in_service_on=date(2026, 1, 1))
    rules.assign_desk(db.session, None, desks[0], make_member(), date(2026, 2, 1))
    db.session.commit()
    h1 = period(date(2026, 1, 1), date(2026, 6, 30))

    def export():
        out = io.BytesIO()
        write_workbook(db.session, registry(), targets(db.session), h1, out,
                       community_name="测试社区")
        return pd.read_excel(io.BytesIO(out.getvalue()), sheet_name=None)

    before = export()
    for desk in desks[1:21]:
        rules.set_desk_status(db.session, None, desk, "out_of_service", True,
                              date(2026, 11, 20), date(2026, 11, 20))
    rules.set_desk_status(db.session, None, desks[21], "available", False,
                          date(2026, 11, 20), date(2026, 11, 20))
    db.session.commit()
    after = export()
    assert list(before) == list(after)
    # The cover's last line is the audit trail's head: it moves with every change.
    chain_line = before["考核指标完成情况"].iloc[-1, 0]
    assert chain_line.startswith("审计记录") and chain_line != after["考核指标完成情况"].iloc[-1, 0]
    before["考核指标完成情况"] = before["考核指标完成情况"].iloc[:-1]
    after["考核指标完成情况"] = after["考核指标完成情况"].iloc[:-1]
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])
    assert zero_rent_desks(db.session, h1) == 30
    today = period(date(2026, 7, 1), date(2026, 12, 31), date(2026, 11, 20))
    assert zero_rent_desks(db.session, today) == 9
    assert "在用 1/9" in zero_rent_occupancy(db.session, today)
    assert desks[1].status == "out_of_service"  # today's state is what the desk page shows


def test_a_desk_change_needs_a_date_on_or_after_it_came_into_service(app, make_desks):
    desk = make_desks(1, in_service_on=date(2026, 1, 1))[0]
    with pytest.raises(Invalid) as exc:
        rules.set_desk_status(db.session, None, desk, "out_of_service", True,
                              date(2025, 12, 31), date(2026, 11, 20))
    assert exc.value.errors == {"effective_on": "before_in_service_day"}
    with pytest.raises(Invalid) as exc:
        rules.set_desk_status(db.session, None, desk, "broken", True, None, date(2026, 11, 20))
    assert exc.value.errors == {"status": "choice_invalid", "effective_on": "required"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(DeskState)) == 1
    assert db.session.get(type(desk), desk.id).status == "available"


def test_a_back_dated_desk_change_slots_into_its_history(app, make_desks):
    """A change dated between two earlier ones ends the state before it and runs until
    the one after it; S2 on each day reads the state of that day."""
    desk = make_desks(1, in_service_on=date(2026, 1, 1))[0]
    today = date(2026, 11, 20)
    rules.set_desk_status(db.session, None, desk, "out_of_service", True, date(2026, 6, 1), today)
    rules.set_desk_status(db.session, None, desk, "available", True, date(2026, 9, 1), today)
    rules.set_desk_status(db.session, None, desk, "available", False, date(2026, 3, 1), today)
    db.session.commit()
    states = db.session.scalars(select(DeskState).where(DeskState.desk_id == desk.id)
                                .order_by(DeskState.effective_on)).all()
    assert [(s.effective_on, s.superseded_on) for s in states] == [
        (date(2026, 1, 1), date(2026, 3, 1)), (date(2026, 3, 1), date(2026, 6, 1)),
        (date(2026, 6, 1), date(2026, 9, 1)), (date(2026, 9, 1), None)]
    counted = {day: zero_rent_desks(db.session, period(date(2026, 1, 1), day))
               for day in (date(2026, 2, 28), date(2026, 3, 1), date(2026, 5, 31),
                           date(2026, 6, 1), date(2026, 8, 31), date(2026, 9, 1))}
    assert counted == {date(2026, 2, 28): 1, date(2026, 3, 1): 0, date(2026, 5, 31): 0,
                       date(2026, 6, 1): 0, date(2026, 8, 31): 0, date(2026, 9, 1): 1}


def test_the_desk_page_changes_a_desk_from_a_date(client, login, make_desks):
    desk = make_desks(1, in_service_on=date(2026, 1, 1))[0]
    login("staff")
    client.post(f"/desks/{desk.id}/status", data={"status": "out_of_service",
                                                  "zero_rent": "y", "effective_on": "2026-03-01"})
    db.session.expire_all()
    states = db.session.scalars(select(DeskState).where(DeskState.desk_id == desk.id)
                                .order_by(DeskState.effective_on)).all()
    assert [(s.effective_on, s.status) for s in states] == [
        (date(2026, 1, 1), "available"), (date(2026, 3, 1), "out_of_service")]
    assert zero_rent_desks(db.session, period(date(2026, 1, 1), date(2026, 2, 28))) == 1
    assert zero_rent_desks(db.session, period(date(2026, 1, 1), date(2026, 3, 1))) == 0


# --- the cover hides nothing ----------------------------------------------------------

def test_the_cover_lists_every_indicator_of_the_bang_in_order(app, make_zone):
    make_zone(area_m2="3200", in_service_on=date(2025, 1, 1))
    out = io.BytesIO()
    write_workbook(db.session, registry(), {}, period(date(2026, 1, 1), date(2026, 12, 31)), out)
    cover = pd.read_excel(io.BytesIO(out.getvalue()), sheet_name="考核指标完成情况", header=2)
    codes = list(cover["指标编号"].dropna())
    assert codes[-1].startswith("审计记录：共 ")  # below the table: the trail's head
    codes = codes[:-1]
    assert codes[:8] == [code for code, _, _ in BANG]
    assert codes[8:] == ["O1", "O2", "C2", "F1", "L1"]
    by_code = cover.set_index("指标编号")
    assert by_code.loc["G1", "状态"] == "未达标"  # none of the six delivered in the year
    assert by_code.loc["C1", "状态"] == "未达标" and by_code.loc["C1", "目标值"] == 50
    assert by_code.loc["S1", "状态"] == "已达标"
    assert Decimal(str(by_code.loc["S1", "完成值"])) == Decimal(3200)


def test_the_dashboard_says_which_indicators_have_no_ledger(app, client, login):
    reg = registry(app)  # as if no package kept C1's ledger
    reg.indicators[:] = [i for i in reg.indicators if i.code != "C1"]
    login("staff")
    page = client.get("/").get_data(as_text=True)
    assert 'data-code="C1"' in page and "未建立台账" in page


def test_zone_rows_say_which_zones_make_s1(app, make_zone):
    from community.ledger import zone_rows
    make_zone(name="在用区", area_m2="100", in_service_on=date(2025, 1, 1))
    make_zone(name="停用区", area_m2="50", in_service_on=date(2025, 1, 1),
              out_of_service_on=date(2026, 3, 1))
    rows = {r["name"]: r for r in zone_rows(db.session, period(date(2026, 1, 1),
                                                                 date(2026, 12, 31)))}
    assert rows["在用区"]["counted"] and not rows["停用区"]["counted"]
    assert rows["停用区"]["area_m2"] == Decimal(50)


def test_zone_rows_give_each_zone_its_area_of_the_day(app, make_zone):
    """A zone in service shows the area of the reference day (not a change dated
    later); a zone gone out of service shows the area of its last day."""
    from tests.conftest import zone_data
    growing = make_zone(name="扩建区", area_m2="100", in_service_on=date(2025, 1, 1))
    closed = make_zone(name="关闭区", area_m2="50", in_service_on=date(2025, 1, 1))
    rules.save_zone(db.session, None, zone_data(name="扩建区", area_m2="160",
                                                in_service_on=date(2025, 1, 1)),
                    growing, area_effective_on=date(2026, 9, 1))
    rules.save_zone(db.session, None, zone_data(name="关闭区", area_m2="70",
                                                in_service_on=date(2025, 1, 1)),
                    closed, area_effective_on=date(2026, 2, 1))
    rules.save_zone(db.session, None, zone_data(name="关闭区", area_m2="70",
                                                in_service_on=date(2025, 1, 1),
                                                out_of_service_on=date(2026, 4, 30)), closed)
    db.session.commit()
    h1 = period(date(2026, 1, 1), date(2026, 6, 30))
    rows = {r["name"]: r for r in zone_rows(db.session, h1)}
    assert rows["扩建区"]["area_m2"] == Decimal(100) and rows["扩建区"]["counted"]
    assert rows["关闭区"]["area_m2"] == Decimal(70) and not rows["关闭区"]["counted"]
    assert space_area(db.session, h1) == Decimal(100)
    year = period(date(2026, 1, 1), date(2026, 12, 31))
    assert {r["name"]: r["area_m2"] for r in zone_rows(db.session, year)} == {
        "扩建区": Decimal(160), "关闭区": Decimal(70)}
    assert space_area(db.session, year) == Decimal(160)


def test_a_period_ahead_counts_nothing_that_has_not_happened(app, make_tenant):
    make_tenant(moved_in_on=date(2026, 12, 10))  # moves in next week
    ahead = Period.make(date(2026, 12, 10), date(2026, 12, 31), date(2026, 12, 1))
    assert ahead.as_of == date(2026, 12, 10) and ahead.happened_by == date(2026, 12, 1)
    assert firms_served(db.session, ahead) == 0
    later = Period.make(date(2026, 12, 10), date(2026, 12, 31), date(2026, 12, 11))
    assert firms_served(db.session, later) == 1


def test_an_indicator_met_in_words_but_not_reached_needs_attention(client, login):
    login("staff")  # no bookable hall or meeting room at all: S3 is not met
    page = client.get("/").get_data(as_text=True)
    attention = page.split('class="attention"')[1].split("</div>")[0]
    assert "S3" in attention
