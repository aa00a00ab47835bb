"""S3 on the cover: the bookable spaces by kind, met when each kind is there, and
hours used counting only what took place by the reference moment."""
from datetime import date, timedelta

from booking.ledger import booked_hours_detail, spaces_complete, utilisation_rows
from booking.models import Booking
from community.extensions import db
from community.periods import period_for
from community.registry import evaluate, registry
from tests.booking.conftest import at

NOVEMBER = period_for("custom", date(2026, 11, 20), start=date(2026, 11, 1),
                      end=date(2026, 11, 30))  # read on 20 November


def s3(period):
    return next(r for r in evaluate(db.session, registry(), {}, period) if r.code == "S3")


def test_spaces_by_kind_and_met(app, make_room, make_zone):
    make_room(kind="roadshow_hall")
    make_room(kind="meeting_room")
    make_room(kind="meeting_room")
    make_zone(kind="meeting_room", bookable=False, area_m2="20")  # not bookable: not counted
    result = s3(NOVEMBER)
    assert not result.met and result.status(NOVEMBER) == "ongoing"  # November not over
    assert result.detail.startswith("路演厅 1 · 会议室 2 · 休闲空间 0；")
    make_zone(kind="leisure", bookable=False, area_m2="80")  # open to all: counted
    result = s3(NOVEMBER)
    assert result.met and result.status(NOVEMBER) == "met" and result.actual == 4
    assert result.target is None and result.indicator.target_text == "路演厅、会议室、休闲空间齐备"
    assert result.detail.startswith("路演厅 1 · 会议室 2 · 休闲空间 1；")


def test_spaces_are_read_on_the_reference_day(app, make_room, make_zone):
    make_room(kind="meeting_room")
    make_zone(kind="leisure", area_m2="80")
    hall = make_room(kind="roadshow_hall").zone
    hall.out_of_service_on = date(2026, 11, 10)  # retired before the reference day
    db.session.commit()
    assert not spaces_complete(db.session, NOVEMBER)
    october = period_for("custom", date(2026, 11, 20), start=date(2026, 10, 1),
                         end=date(2026, 10, 31))
    assert spaces_complete(db.session, october)


def add(room, start, hours, status="confirmed", checked_in=False, source="booking"):
    booking = Booking(room=room, tenant_id=None, purpose="洽谈", status=status, source=source,
                      starts_at=start, ends_at=start + timedelta(hours=hours),
                      checked_in_at=start if checked_in else None)
    db.session.add(booking)
    db.session.commit()
    return booking


def test_used_hours_count_only_what_took_place(app, make_room):
    room = make_room()
    add(room, at("11-17", "10:00"), 2, checked_in=True)       # took place
    add(room, at("11-18", "10:00"), 1)                         # no check-in: not used
    add(room, at("11-19", "10:00"), 1, status="released")      # a no-show
    add(room, at("11-16", "14:00"), 3, source="event")         # an event, over
    add(room, at("11-19", "10:00") + timedelta(days=7), 4, checked_in=True)  # after the day
    add(room, at("11-27", "14:00"), 2, source="event")         # an event still to come
    add(room, at("11-20", "09:00"), 1, status="cancelled")     # never held the room
    assert booked_hours_detail(db.session, NOVEMBER).endswith(
        "预约 13.0 小时，实际使用 5.0 小时")
    rows = list(utilisation_rows(db.session, NOVEMBER))
    assert [(r["month"], str(r["booked_hours"]), str(r["used_hours"])) for r in rows] == [
        ("2026-11", "7.0", "5.0")]  # up to the reference day only
    # Read at the end of the month everything in it has happened.
    end = period_for("custom", date(2026, 12, 1), start=date(2026, 11, 1),
                     end=date(2026, 11, 30))
    assert booked_hours_detail(db.session, end).endswith("预约 13.0 小时，实际使用 11.0 小时")


def test_a_booking_checked_in_but_not_over_is_not_yet_used(app, make_room):
    room = make_room()
    add(room, at("11-20", "23:00"), 2, checked_in=True)  # runs past midnight of the 20th
    assert booked_hours_detail(db.session, NOVEMBER).endswith("实际使用 0.0 小时")


def test_the_cover_shows_the_target_in_words(client, login, make_room, make_zone):
    make_room(kind="roadshow_hall")
    make_room(kind="meeting_room")
    make_zone(kind="leisure", area_m2="80")
    login("staff")
    page = client.get("/").get_data(as_text=True)
    assert "路演厅、会议室、休闲空间齐备" in page and "路演厅 1 · 会议室 1 · 休闲空间 1" in page
