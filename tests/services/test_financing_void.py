"""A matchmaking meeting recorded in error is voided with a reason, never deleted:
F1, its ledger, S4 and the to-do list stop counting it; the page shows it struck
through with why."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import ServedRecord
from community.periods import Period
from services.financing import rules
from services.models import MatchMeeting
from tests.services.test_financing import actions, institution, need_data, refused, written
from tests.services.test_financing_ledger import meet, result, sheet

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
H1 = Period.make(date(2026, 1, 1), date(2026, 6, 30), TODAY)
LONG_AGO = datetime(2025, 1, 1, tzinfo=timezone.utc)


def text(response):
    return response.get_data(as_text=True)


def served(meeting):
    return db.session.scalar(select(ServedRecord).where(
        ServedRecord.ref == f"meeting:{meeting.id}"))


@pytest.mark.parametrize("reason, code", [
    ("", "finance_void_reason_required"),
    ("   ", "finance_void_reason_required"),
    (None, "finance_void_reason_required"),
    ("因" * 201, "finance_void_reason_too_long"),
])
def test_voiding_wants_a_reason(app, make_tenant, reason, code):
    held = meet(make_tenant(), institution(), date(2026, 5, 10))
    assert refused(rules.void_meeting, db.session, None, held, reason, NOW).code == code
    assert held.voided_at is None and served(held).voided_at is None


def test_a_voided_meeting_is_kept_audited_and_serves_no_one(app, make_tenant):
    held = meet(make_tenant(), institution(), date(2026, 5, 10))
    rules.void_meeting(db.session, None, held, "  企业选错了  ", NOW)
    assert (held.voided_at, held.void_reason) == (NOW, "企业选错了")
    record = served(held)
    assert (record.voided_at, record.void_reason) == (NOW, "企业选错了")
    assert actions("match_meeting", held.id) == ["match_meeting.created",
                                                 "match_meeting.voided"]
    assert actions("served_record", record.id)[-1] == "served_record.voided"
    assert db.session.get(MatchMeeting, held.id) is not None


def test_a_meeting_is_voided_once_and_then_stays_as_it_was(app, make_tenant):
    held = meet(make_tenant(), institution(), date(2026, 5, 10))
    rules.void_meeting(db.session, None, held, "重复登记", NOW)
    assert refused(rules.void_meeting, db.session, None, held, "再次作废",
                   NOW).code == "finance_meeting_voided"
    assert held.void_reason == "重复登记"
    assert refused(rules.record_outcome, db.session, None, held, {
        "outcome": "declined", "outcome_on": date(2026, 5, 20)},
        TODAY).code == "finance_meeting_voided"
    assert held.outcome == "pending"


def test_f1_and_its_sheets_leave_a_voided_meeting_out(app, make_tenant):
    tenant = make_tenant(name="重庆云启科技有限公司")
    investor = institution(created_at=LONG_AGO)
    meet(tenant, investor, date(2026, 2, 10), outcome="invested", amount_wan="100",
         outcome_on=date(2026, 3, 1))
    wrong = meet(tenant, investor, date(2026, 5, 5), outcome="invested", amount_wan="900",
                 outcome_on=date(2026, 5, 6))
    assert result("F1", H1).actual == 2
    assert "达成 2 笔 1,000 万元" in result("F1", H1).detail
    rules.void_meeting(db.session, None, wrong, "金额与机构均登记错误", NOW)
    first_half = result("F1", H1)
    assert first_half.actual == 1
    assert first_half.detail.endswith("入驻金融机构 1 家；达成 1 笔 100 万元")
    assert [row["date"] for row in sheet("投融资对接台账", H1)] == [date(2026, 2, 10)]
    assert sheet("入驻金融机构", H1)[0]["meetings"] == 1


def test_s4_no_longer_counts_a_firm_served_only_by_a_voided_meeting(app, make_tenant):
    tenant = make_tenant(relationship_kind="served", moved_in_on=None)
    held = meet(tenant, institution(), date(2026, 5, 10))
    assert result("S4", H1).actual == 1
    rules.void_meeting(db.session, None, held, "对接并未发生", NOW)
    assert result("S4", H1).actual == 0


def test_the_to_do_list_forgets_a_voided_meeting_and_its_need_waits_again(app, make_tenant):
    tenant = make_tenant()
    need = rules.save_need(db.session, None, tenant, need_data(), TODAY)
    held = meet(tenant, institution(), date(2026, 5, 10), need=need)
    assert rules.meetings_unanswered(db.session, TODAY) == [held]
    assert rules.needs_waiting(db.session) == []
    rules.void_meeting(db.session, None, held, "机构选错", NOW)
    assert rules.meetings_unanswered(db.session, TODAY) == []
    assert rules.needs_waiting(db.session) == [need]


# --- through the meeting page ------------------------------------------------------------

@pytest.fixture
def held(app, make_tenant):
    meeting = meet(make_tenant(name="甲方科技有限公司"), institution(), date(2026, 3, 2))
    db.session.commit()
    return meeting


def test_staff_void_a_meeting_on_its_page(client, login, held):
    login("staff")
    path = f"/services/financing/meetings/{held.id}"
    assert "作废这条对接记录" in text(client.get(path))
    before = written()
    response = client.post(f"{path}/void", data={"reason": " "}, follow_redirects=True)
    assert "请填写作废原因" in text(response)
    assert written() == before
    response = client.post(f"{path}/void", data={"reason": "对接并未发生"})
    assert response.status_code == 302 and response.location.endswith(path)
    page = text(client.get(path))
    assert "已作废" in page and "对接并未发生" in page and "作废了投融资对接" in page
    assert "记录对接结果" not in page and "作废这条对接记录" not in page
    before = written()
    response = client.post(f"{path}/void", data={"reason": "再次"}, follow_redirects=True)
    assert "该对接记录已作废" in text(response)
    assert written() == before
    listing = text(client.get("/services/financing"))
    assert 'class="voided"' in listing and "对接并未发生" in listing


@pytest.mark.parametrize("role", ["member", "assessor"])
def test_only_staff_void(client, login, held, role):
    login(role)
    before = written()
    response = client.post(f"/services/financing/meetings/{held.id}/void",
                           data={"reason": "不对"})
    assert response.status_code == 403 and written() == before


def test_a_founder_no_longer_sees_its_voided_meeting(client, login, held):
    rules.void_meeting(db.session, None, held, "登记错误", NOW)
    db.session.commit()
    login("member", tenant=held.tenant)
    assert "两江天使投资基金" not in text(client.get("/services/financing/mine"))
