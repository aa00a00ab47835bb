"""The dashboard's 今日待办 comes before the figures and lists what staff act on
today, each leading to the page where it is done."""
from datetime import timedelta

from community import rules as community_rules
from community.dbsetup import utcnow
from community.extensions import db
from community.web import today
from events import rules as event_rules
from services import catalogue
from services import rules as service_rules
from tests.events.conftest import event_data


def todo(client):
    page = client.get("/").get_data(as_text=True)
    assert page.index("今日待办") < page.index("考核指标完成情况")  # before the figures
    return page


def test_a_quiet_day_says_so(client, login):
    login("staff")
    assert "今天没有需要处理的事项" in todo(client)


def test_events_this_week_still_draft_or_without_a_notice(client, login):
    staff = login("staff")
    soon = utcnow() + timedelta(days=3)
    event_rules.save_event(db.session, staff, event_data(starts_at=soon), utcnow())
    bare = event_rules.save_event(db.session, staff, event_data(
        starts_at=soon, title="无通知的沙龙", notice_text=""), utcnow())
    event_rules.save_event(db.session, staff, event_data(
        starts_at=utcnow() + timedelta(days=20)), utcnow())  # not this week
    db.session.commit()
    page = todo(client)
    assert "2 场7天内的活动仍是草稿，尚未发布报名" in page
    assert "1 场7天内的活动还没有活动通知" in page
    assert f'href="/events/{bare.id}"' in page


def test_desks_ending_within_two_weeks_lead_to_those_desks(client, login, make_desks,
                                                           make_member):
    staff = login("staff")
    ending, lasting, free = make_desks(count=3)
    day = today()
    community_rules.assign_desk(db.session, staff, ending, make_member(), day - timedelta(days=30),
                                day + timedelta(days=5))
    community_rules.assign_desk(db.session, staff, lasting, make_member(),
                                day - timedelta(days=30))
    db.session.commit()
    assert "1 个工位的使用将在14天内到期" in todo(client)
    listed = client.get("/desks", query_string={"ending": "1"}).get_data(as_text=True)
    assert ending.code in listed and lasting.code not in listed and free.code not in listed
    assert "只显示14天内到期的工位" in listed


def test_requests_waiting_to_be_taken_on(client, login, make_tenant):
    staff = login("staff")
    service_rules.request_service(db.session, staff, make_tenant(),
                                  catalogue.category(db.session, "patent"), "发明专利申请",
                                  utcnow())
    db.session.commit()
    page = todo(client)
    assert "1 项服务申请待受理" in page and 'href="/services?show=requested"' in page


def test_founders_and_assessors_see_no_todo_list(client, login):
    login("assessor")
    assert "今日待办" not in client.get("/").get_data(as_text=True)


def test_in_english_the_units_and_notes_are_english_and_the_ledger_stays_chinese(
        client, login):
    login("staff")
    client.post("/lang/en", data={"next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert "To do today" in page
    assert '<span class="unit">firms</span>' in page and '<span class="unit">家</span>' not in page
    assert "Last 12 months:" in page and "近12个月" not in page
    import io
    from openpyxl import load_workbook
    cover = load_workbook(io.BytesIO(client.get("/ledger.xlsx").data)).worksheets[0]
    notes = " ".join(str(c.value) for row in cover.iter_rows() for c in row if c.value)
    assert "近12个月" in notes and "Last 12 months" not in notes
