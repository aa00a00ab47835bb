"""The holiday table drives booking: a year the library does not know (2027) is
entered by staff and rooms follow it; the dashboard warns while a year inside
the booking window has no data; names are shown in the reader's language."""
from datetime import date, datetime, time, timedelta

import pytest
from flask import g
from sqlalchemy import event, func, select

from booking import hours, rules
from booking.models import Booking
from community.dbsetup import utcnow
from community.extensions import db
from community.holidays import add_day, import_year, load_calendar
from tests.booking.conftest import TZ

NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"
LATE_2026 = datetime(2026, 12, 10, 9, 0, tzinfo=TZ)


def enter(day, kind="off", name_zh="元旦", name_en="New Year's Day", source=NOTICE):
    row = add_day(db.session, None, {"day": day, "kind": kind, "name_zh": name_zh,
                                     "name_en": name_en, "source": source})
    db.session.commit()
    return row


def book(member, room, day, start, end, now=LATE_2026):
    booking = rules.create_booking(
        db.session, member, room, member.tenant_id, datetime.combine(day, start, TZ),
        datetime.combine(day, end, TZ), "洽谈", now, TZ)
    db.session.commit()
    return booking


def refused(code, *args, **kwargs):
    with pytest.raises(rules.BookingRefused) as exc:
        book(*args, **kwargs)
    db.session.rollback()
    assert exc.value.code == code
    return exc.value


def count():
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_a_2027_holiday_entered_by_staff_closes_the_room(app, make_room, member):
    closed, open_ = make_room(book_ahead_days=60), make_room(book_ahead_days=60,
                                                             open_on_holidays=True)
    new_year = date(2027, 1, 1)  # a Friday: without data, an ordinary working day
    assert not load_calendar(db.session, new_year).knows(2027)
    enter(new_year)
    error = refused("holiday", member, closed, new_year, time(10), time(11))
    assert error.params == {"name": "元旦"}
    assert count() == 0
    book(member, open_, new_year, time(10), time(11))
    assert count() == 1


def test_a_tiaoxiu_saturday_opens_with_weekday_hours(app, make_room, member):
    room = make_room(book_ahead_days=90)
    saturday = date(2027, 2, 20)
    assert saturday.weekday() == 5
    refused("outside_hours", member, room, saturday, time(19), time(20))  # Saturdays close at 18
    enter(saturday, kind="workday", name_zh="春节", name_en="Spring Festival")
    assert load_calendar(db.session, saturday).is_adjusted_workday(saturday)
    book(member, room, saturday, time(19), time(20))
    assert count() == 1


def test_days_of_a_year_the_table_does_not_know_are_ordinary(app, make_room):
    room = make_room()
    calendar = load_calendar(db.session, date(2027, 1, 1))
    assert not calendar.knows(2027)
    assert hours.opening_for(room, date(2027, 1, 1), calendar) is not None


def test_the_booking_window_names_the_years_without_data(app, make_room):
    make_room(book_ahead_days=30)
    today = date(2026, 12, 10)  # the window runs into January 2027
    assert hours.years_without_holidays(db.session, today) == [2026, 2027]
    import_year(db.session, None, 2026)
    db.session.commit()
    assert hours.years_without_holidays(db.session, today) == [2027]
    enter(date(2027, 1, 1))
    assert hours.years_without_holidays(db.session, today) == []
    assert hours.years_without_holidays(db.session, date(2027, 12, 20)) == [2028]


def test_no_bookable_room_no_window(app, make_room):
    make_room(bookable=False, book_ahead_days=400)
    assert hours.years_without_holidays(db.session, date(2026, 12, 10)) == []


def test_dashboard_warns_until_the_year_is_entered(client, login, make_room):
    make_room(book_ahead_days=30)
    today = utcnow().astimezone(TZ).date()
    years = range(today.year, (today + timedelta(days=30)).year + 1)
    login("staff")
    page = client.get("/").get_data(as_text=True)
    for year in years:
        assert f"{year} 年节假日安排尚未录入：预约日历按普通工作日处理" in page
        assert f"/holidays?year={year}" in page
    login("assessor")  # reads the dashboard, cannot enter holidays: not told to
    assert "节假日安排尚未录入" not in client.get("/").get_data(as_text=True)
    for year in years:
        enter(date(year, 10, 1), name_zh="国庆节", name_en="National Day")
    login("staff")
    assert "节假日安排尚未录入" not in client.get("/").get_data(as_text=True)


def switch_language(client, code):
    client.post(f"/lang/{code}", data={"next": "/"})
    g.pop("_flask_babel", None)  # requests share the test's app context: forget the locale


def test_holiday_names_in_the_readers_language(client, login, make_room):
    room = make_room(book_ahead_days=90)
    day, saturday = date(2027, 2, 11), date(2027, 2, 20)
    enter(day, name_zh="春节", name_en="Spring Festival")
    enter(saturday, kind="workday", name_zh="春节", name_en="Spring Festival")
    login("member")
    page = client.get(f"/booking/rooms/{room.id}", query_string={"day": day.isoformat()})
    text = page.get_data(as_text=True)
    assert "法定节假日（春节）" in text and "Spring Festival" not in text
    assert "该空间当天不开放预约" in text
    text = client.get(f"/booking/rooms/{room.id}",
                      query_string={"day": saturday.isoformat()}).get_data(as_text=True)
    assert "调休上班日（春节），按工作日开放" in text and "开放 09:00–21:00" in text
    switch_language(client, "en")
    text = client.get(f"/booking/rooms/{room.id}",
                      query_string={"day": day.isoformat()}).get_data(as_text=True)
    assert "Spring Festival" in text and "（春节）" not in text
    text = client.get(f"/booking/rooms/{room.id}/week",
                      query_string={"start": day.isoformat()}).get_data(as_text=True)
    assert "Spring Festival" in text
    switch_language(client, "zh")


def test_a_refusal_names_the_holiday_in_the_readers_language(app, make_room, member):
    room = make_room(book_ahead_days=60)
    day = date(2027, 1, 1)
    enter(day)
    start = datetime.combine(day, time(10), TZ)
    with pytest.raises(rules.BookingRefused) as exc:  # a view passes the reader's calendar
        rules.create_booking(db.session, member, room, member.tenant_id, start,
                             start + timedelta(hours=1), "洽谈", LATE_2026, TZ,
                             calendar=load_calendar(db.session, day, lang="en"))
    db.session.rollback()
    assert (exc.value.code, exc.value.params) == ("holiday", {"name": "New Year's Day"})
    assert count() == 0


def test_the_day_view_says_when_the_year_is_unknown(client, login, make_room):
    room = make_room(book_ahead_days=400)
    login("member")
    text = client.get(f"/booking/rooms/{room.id}",
                      query_string={"day": "2027-03-03"}).get_data(as_text=True)
    assert "2027 年节假日安排尚未录入" in text
    enter(date(2027, 1, 1))
    text = client.get(f"/booking/rooms/{room.id}",
                      query_string={"day": "2027-03-03"}).get_data(as_text=True)
    assert "2027 年节假日安排尚未录入" not in text


@pytest.fixture
def holiday_queries(app):
    """Count the statements that read the holiday table."""
    seen = []

    def count_it(conn, cursor, statement, *args):
        if "FROM holiday" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_it)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count_it)


@pytest.mark.parametrize("path", ["/booking/rooms", "/booking/rooms/{id}",
                                  "/booking/rooms/{id}/week", "/booking/calendar"])
def test_one_calendar_query_per_page_not_per_slot(client, login, make_room, holiday_queries,
                                                  path):
    room = make_room()
    make_room()
    make_room()
    login("staff")
    holiday_queries.clear()
    assert client.get(path.format(id=room.id)).status_code == 200
    assert len(holiday_queries) == 1
