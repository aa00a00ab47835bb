"""The holiday table: filled from chinese-calendar for the years it knows without
overwriting what staff entered, completed by hand with a source, every change
audited, every bad input refused with a code and nothing saved."""
from datetime import date

import pytest
from flask import g
from sqlalchemy import func, select

from community import holidays
from community.extensions import db
from community.models import AuditEntry, Holiday
from community.refusals import Invalid, Refused

NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"


def data(**overrides):
    return {"day": date(2027, 1, 1), "kind": "off", "name_zh": "元旦",
            "name_en": "New Year's Day", "source": NOTICE} | overrides


def rows():
    return db.session.scalar(select(func.count()).select_from(Holiday))


def audits(action="holiday.created"):
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == action))


def test_import_fills_a_year_from_the_library_and_audits_each_day(app):
    added, kept = holidays.import_year(db.session, None, 2026)
    db.session.commit()
    assert kept == 0 and len(added) == rows() == audits() > 30
    calendar = holidays.load_calendar(db.session, date(2025, 1, 1), date(2026, 12, 31))
    assert calendar.knows(2026) and not calendar.knows(2025)
    assert calendar.holiday(date(2026, 10, 1)) == "国庆节"
    assert calendar.holiday(date(2026, 10, 12)) is None
    assert calendar.is_adjusted_workday(date(2026, 10, 10))  # a Saturday worked
    assert calendar.workday_for(date(2026, 10, 10)) == "国庆节"
    row = db.session.scalar(select(Holiday).where(Holiday.day == date(2026, 2, 17)))
    assert (row.kind, row.name_zh, row.name_en, row.source) == (
        "off", "春节", "Spring Festival", holidays.LIBRARY_SOURCE)


def test_import_never_overwrites_what_staff_entered(app):
    staff_row = holidays.add_day(db.session, None, data(
        day=date(2026, 10, 1), name_zh="国庆节（按区政府通知）", name_en="", source="渝北区通知"))
    db.session.commit()
    added, kept = holidays.import_year(db.session, None, 2026)
    db.session.commit()
    assert kept == 1 and date(2026, 10, 1) not in {r.day for r in added}
    db.session.refresh(staff_row)
    assert (staff_row.name_zh, staff_row.source) == ("国庆节（按区政府通知）", "渝北区通知")
    again, kept = holidays.import_year(db.session, None, 2026)  # idempotent
    assert again == [] and kept == len(added) + 1


def test_import_refuses_a_year_the_library_does_not_know(app):
    assert 2027 not in holidays.library_years()
    with pytest.raises(Refused) as exc:
        holidays.import_year(db.session, None, 2027)
    assert (exc.value.code, exc.value.params) == ("holiday_year_unknown", {"year": 2027})
    db.session.rollback()
    assert rows() == 0


def test_staff_enter_a_day_the_library_lacks(app, make_user):
    staff = make_user("staff")
    row = holidays.add_day(db.session, staff, data())
    workday = holidays.add_day(db.session, staff, data(
        day=date(2027, 2, 20), kind="workday", name_zh="春节", name_en="Spring Festival"))
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_id == row.id,
                                                       AuditEntry.object_type == "holiday"))
    assert (entry.action, entry.actor_id, entry.after["source"]) == (
        "holiday.created", staff.id, NOTICE)
    calendar = holidays.load_calendar(db.session, date(2027, 1, 1))
    assert calendar.knows(2027) and calendar.holiday(date(2027, 1, 1)) == "元旦"
    assert calendar.is_adjusted_workday(workday.day)


@pytest.mark.parametrize("overrides, field, code", [
    ({"day": date(2027, 1, 4), "kind": "workday"}, "kind", "holiday_workday_on_weekday"),
    ({"day": date(2026, 10, 1)}, "day", "holiday_duplicate"),
    ({"source": "  "}, "source", "required"),
    ({"source": "通" * 201}, "source", "too_long"),
    ({"name_zh": ""}, "name_zh", "required"),
    ({"name_en": "x" * 51}, "name_en", "too_long"),
    ({"kind": "half"}, "kind", "choice_invalid"),
    ({"day": None}, "day", "required"),
    ({"day": date(1999, 10, 1)}, "day", "date_invalid"),
])
def test_bad_input_is_refused_and_nothing_saved(app, overrides, field, code):
    holidays.add_day(db.session, None, data(day=date(2026, 10, 1), name_zh="国庆节"))
    db.session.commit()
    before = (rows(), audits())
    with pytest.raises(Invalid) as exc:
        holidays.add_day(db.session, None, data(**overrides))
    db.session.rollback()
    assert exc.value.errors[field] == code
    assert (rows(), audits()) == before


def test_removing_a_day_is_audited_with_what_it_said(app):
    row = holidays.add_day(db.session, None, data())
    db.session.commit()
    row_id = row.id
    holidays.remove_day(db.session, None, row)
    db.session.commit()
    assert rows() == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "holiday.deleted"))
    assert (entry.object_id, entry.before["name_zh"], entry.before["source"]) == (
        row_id, "元旦", NOTICE)


def test_names_in_both_languages(app):
    holidays.add_day(db.session, None, data())
    holidays.add_day(db.session, None, data(day=date(2027, 1, 2), name_en=""))
    db.session.commit()
    zh = holidays.load_calendar(db.session, date(2027, 1, 1))
    en = holidays.load_calendar(db.session, date(2027, 1, 1), lang="en")
    assert zh.holiday(date(2027, 1, 1)) == "元旦"
    assert en.holiday(date(2027, 1, 1)) == "New Year's Day"
    assert en.holiday(date(2027, 1, 2)) == "元旦"  # no English name kept: the Chinese one


def test_a_calendar_answers_only_for_the_years_it_loaded(app):
    calendar = holidays.load_calendar(db.session, date(2026, 12, 30), date(2027, 1, 2))
    assert calendar.unknown_years() == [2026, 2027]
    with pytest.raises(ValueError):
        calendar.holiday(date(2028, 1, 1))


# --- the staff page --------------------------------------------------------------------

def test_staff_import_add_and_remove_on_the_page(client, login):
    login("staff")
    page = client.get("/holidays?year=2026").get_data(as_text=True)
    assert "2026 年节假日安排尚未录入" in page and "从 chinese-calendar 导入 2026" in page
    response = client.post("/holidays/import/2026", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "已从 chinese-calendar 导入 2026 年" in text and "国庆节" in text
    assert holidays.LIBRARY_SOURCE in text
    page = client.get("/holidays?year=2027").get_data(as_text=True)
    assert "从 chinese-calendar 导入 2027" not in page and "逐日录入" in page
    response = client.post("/holidays", data={
        "day": "2027-01-01", "kind": "off", "name_zh": "元旦", "name_en": "New Year's Day",
        "source": NOTICE}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "已录入 2027-01-01" in text and NOTICE in text
    row = db.session.scalar(select(Holiday).where(Holiday.day == date(2027, 1, 1)))
    response = client.post(f"/holidays/{row.id}/delete", follow_redirects=True)
    assert "已删除 2027-01-01" in response.get_data(as_text=True)
    assert db.session.get(Holiday, row.id) is None


@pytest.mark.parametrize("form, text", [
    ({"day": "2027-01-04", "kind": "workday"}, "调休上班日只能是周六或周日"),
    ({"source": ""}, "依据"),
    ({"day": "2027-13-01"}, "日期格式不正确"),
])
def test_bad_input_on_the_page_says_why(client, login, form, text):
    login("staff")
    response = client.post("/holidays", data={
        "day": "2027-01-01", "kind": "off", "name_zh": "元旦", "name_en": "",
        "source": NOTICE} | form)
    assert response.status_code == 200 and text in response.get_data(as_text=True)
    assert rows() == 0


def test_the_page_in_english_shows_english_names(client, login):
    holidays.add_day(db.session, None, data())
    db.session.commit()
    login("staff")
    client.post("/lang/en", data={"next": "/"})
    g.pop("_flask_babel", None)  # requests share the test's app context: forget the locale
    assert "New Year&#39;s Day" in client.get("/holidays?year=2027").get_data(as_text=True)


def test_who_may_read_and_change(client, login):
    holidays.add_day(db.session, None, data())
    db.session.commit()
    row_id = db.session.scalar(select(Holiday.id))
    login("assessor")  # reads evidence of its granted periods only, not the calendar
    assert client.get("/holidays?year=2027").status_code == 403
    assert client.post("/holidays/import/2026").status_code == 403
    assert client.post(f"/holidays/{row_id}/delete").status_code == 403
    login("member")
    assert client.get("/holidays").status_code == 403
    assert client.post("/holidays", data=data(day="2027-01-02")).status_code == 403
    assert rows() == 1
