"""Booking rules with a fixed clock, no request."""

import pytest
from sqlalchemy import func, select

from community.extensions import db
from booking import rooms, rules
from booking.slots import day_slots
from booking.models import Booking
from community.holidays import import_year, load_calendar
from community.models import ServedRecord
from tests.booking.conftest import NOW, TZ, at


def book(actor, room, start, end, now=NOW, tenant_id="own", purpose="洽谈"):
    tenant_id = actor.tenant_id if tenant_id == "own" else tenant_id
    booking = rules.create_booking(db.session, actor, room, tenant_id, start, end, purpose,
                                   now, TZ)
    db.session.commit()
    return booking


def refused(code, actor, room, start, end, now=NOW, tenant_id="own"):
    with pytest.raises(rules.BookingRefused) as exc:
        book(actor, room, start, end, now, tenant_id)
    assert exc.value.code == code
    db.session.rollback()
    return exc.value


def bookings():
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_member_books_a_free_slot_and_the_firm_counts_as_served_once_there(app, make_room,
                                                                          member):
    room = make_room()
    booking = book(member, room, at("11-17", "10:00"), at("11-17", "11:00"))
    assert booking.status == "confirmed"
    assert db.session.scalars(select(ServedRecord)).all() == []  # not until it happens
    rules.check_in(db.session, member, booking, at("11-17", "09:50"))
    rules.check_in(db.session, member, booking, at("11-17", "10:05"))  # twice: one record
    served = db.session.scalars(select(ServedRecord)).one()
    assert (served.tenant_id, served.source, str(served.served_on)) == (
        member.tenant_id, "booking", "2026-11-17")


@pytest.mark.parametrize("start, end, code", [
    (("11-17", "11:00"), ("11-17", "10:00"), "ends_not_after_start"),
    (("11-17", "07:00"), ("11-17", "08:00"), "outside_hours"),
    (("11-17", "20:30"), ("11-17", "21:30"), "outside_hours"),
    (("11-17", "10:00"), ("11-17", "15:00"), "duration_too_long"),
    (("11-17", "10:15"), ("11-17", "11:15"), "off_slot"),
    (("11-15", "10:00"), ("11-15", "11:00"), "in_past"),
    (("12-31", "10:00"), ("12-31", "11:00"), "beyond_window"),
])
def test_bad_requests_are_refused_and_nothing_saved(app, make_room, member, start, end, code):
    room = make_room()
    refused(code, member, room, at(*start), at(*end))
    assert bookings() == 0


def test_closed_on_public_holidays_unless_the_room_says_otherwise(app, make_room, member):
    import_year(db.session, None, 2026)  # the holiday table, filled from the library
    db.session.commit()
    national_day = at("10-01", "10:00"), at("10-01", "11:00")
    before = at("09-25", "09:00")
    error = refused("holiday", member, make_room(), *national_day, now=before)
    assert error.params["name"] == "国庆节"
    book(member, make_room(open_on_holidays=True), *national_day, now=before)
    assert bookings() == 1


def test_adjusted_working_day_opens_with_weekday_hours(app, make_room, member):
    # Saturday 10 October 2026 is a working day (调休): weekday hours, to 21:00 -- once
    # the table says so; before, it is an ordinary Saturday closing at 18:00.
    room, evening = make_room(), (at("10-10", "19:00"), at("10-10", "20:00"))
    refused("outside_hours", member, room, *evening, now=at("10-01", "09:00"))
    import_year(db.session, None, 2026)
    db.session.commit()
    book(member, room, *evening, now=at("10-01", "09:00"))
    assert bookings() == 1


def test_weekly_quota(app, make_room, member):
    room = make_room(quota_hours_per_week=3, max_minutes=180)
    book(member, room, at("11-17", "10:00"), at("11-17", "12:00"))
    error = refused("over_quota", member, room, at("11-18", "10:00"), at("11-18", "12:00"))
    assert error.params == {"quota": 3, "held": "2"}
    book(member, room, at("11-23", "10:00"), at("11-23", "12:00"))  # next week is fresh


def test_not_bookable_room(app, make_room, member):
    refused("not_bookable", member, make_room(bookable=False),
            at("11-17", "10:00"), at("11-17", "11:00"))


def test_slot_taken_but_back_to_back_is_fine(app, make_room, member, make_user, make_tenant):
    room = make_room()
    other = make_user("member", tenant=make_tenant())
    book(member, room, at("11-17", "10:00"), at("11-17", "11:00"))
    refused("slot_taken", other, room, at("11-17", "10:30"), at("11-17", "11:30"))
    book(other, room, at("11-17", "11:00"), at("11-17", "12:00"))
    assert bookings() == 2


def test_blackout(app, make_room, member, staff):
    room = make_room()
    rooms.add_blackout(db.session, staff, room, at("11-17", "09:00"), at("11-17", "12:00"), "保洁")
    db.session.commit()
    refused("blackout", member, room, at("11-17", "11:00"), at("11-17", "12:00"))


def test_member_cannot_book_for_another_tenant(app, make_room, member, make_tenant):
    refused("not_your_tenant", member, make_room(), at("11-17", "10:00"), at("11-17", "11:00"),
            tenant_id=make_tenant().id)


def test_weekly_series_all_or_none(app, make_room, member, make_user, make_tenant):
    room = make_room(quota_hours_per_week=0)
    other = make_user("member", tenant=make_tenant())
    book(other, room, at("12-01", "10:00"), at("12-01", "11:00"))
    with pytest.raises(rules.SeriesRefused) as exc:
        rules.create_series(db.session, member, room, member.tenant_id, at("11-17", "10:00"),
                            at("11-17", "11:00"), 4, "周会", NOW, TZ)
    assert [(str(c.day), c.code) for c in exc.value.clashes] == [("2026-12-01", "slot_taken")]
    db.session.rollback()
    assert bookings() == 1
    made = rules.create_series(db.session, member, room, member.tenant_id, at("11-18", "10:00"),
                               at("11-18", "11:00"), 4, "周会", NOW, TZ)
    db.session.commit()
    assert len({b.series_id for b in made}) == 1 and bookings() == 5
    cancelled = rules.cancel_rest_of_series(db.session, member, made[2], NOW)
    assert [b.starts_at for b in cancelled] == [made[2].starts_at, made[3].starts_at]


def test_cancel_before_the_deadline_only(app, make_room, member, staff):
    room = make_room(cancel_deadline_minutes=120)
    booking = book(member, room, at("11-17", "10:00"), at("11-17", "11:00"))
    with pytest.raises(rules.BookingRefused) as exc:
        rules.cancel_booking(db.session, member, booking, at("11-17", "08:30"))
    assert exc.value.code == "past_deadline"
    rules.cancel_booking(db.session, staff, booking, at("11-17", "08:30"))
    assert booking.status == "cancelled"


def test_only_own_tenant_may_cancel(app, make_room, member, make_user, make_tenant, staff):
    booking = book(member, make_room(), at("11-17", "10:00"), at("11-17", "11:00"))
    assert rules.can_cancel(member, booking) and rules.can_cancel(staff, booking)
    assert not rules.can_cancel(make_user("member", tenant=make_tenant()), booking)
    assert not rules.can_cancel(make_user("assessor"), booking)


def test_roadshow_hall_needs_approval(app, make_room, member, staff):
    hall = make_room(kind="roadshow_hall", needs_approval=True)
    booking = book(member, hall, at("11-17", "14:00"), at("11-17", "16:00"))
    assert booking.status == "pending"
    assert db.session.scalar(select(func.count()).select_from(ServedRecord)) == 0
    with pytest.raises(rules.BookingRefused) as exc:
        rules.decide(db.session, staff, booking, False, "", NOW, TZ)
    assert exc.value.code == "reason_required"
    rules.decide(db.session, staff, booking, True, "", NOW, TZ)
    db.session.commit()
    assert booking.status == "confirmed" and booking.decided_by_id == staff.id
    assert db.session.scalar(select(func.count()).select_from(ServedRecord)) == 0


def test_pending_request_also_blocks_the_slot(app, make_room, member, staff):
    hall = make_room(kind="roadshow_hall", needs_approval=True)
    book(member, hall, at("11-17", "14:00"), at("11-17", "16:00"))
    refused("slot_taken", staff, hall, at("11-17", "15:00"), at("11-17", "16:00"), tenant_id=None)


def test_check_in_window_and_idempotence(app, make_room, member):
    booking = book(member, make_room(), at("11-17", "10:00"), at("11-17", "11:00"))
    with pytest.raises(rules.BookingRefused) as exc:
        rules.check_in(db.session, member, booking, at("11-17", "09:30"))
    assert exc.value.code == "checkin_window"
    rules.check_in(db.session, member, booking, at("11-17", "09:50"))
    first = booking.checked_in_at
    rules.check_in(db.session, member, booking, at("11-17", "10:20"))
    assert booking.checked_in_at == first == at("11-17", "09:50")


def test_no_shows_are_released_when_someone_next_books(app, make_room, member, make_user,
                                                       make_tenant):
    room = make_room(release_after_minutes=15)
    booking = book(member, room, at("11-17", "10:00"), at("11-17", "12:00"))
    other = make_user("member", tenant=make_tenant())
    later = at("11-17", "10:16")
    book(other, room, at("11-17", "10:30"), at("11-17", "11:30"), now=later)
    db.session.refresh(booking)
    assert booking.status == "released" and booking.released_at == later


def test_checked_in_booking_is_not_released(app, make_room, member):
    room = make_room(release_after_minutes=15)
    booking = book(member, room, at("11-17", "10:00"), at("11-17", "12:00"))
    rules.check_in(db.session, member, booking, at("11-17", "10:05"))
    assert rules.release_no_shows(db.session, room, at("11-17", "11:00")) == []


def test_event_reservation_has_the_same_guarantee(app, make_room, member, staff):
    room = make_room()
    book(member, room, at("11-17", "10:00"), at("11-17", "11:00"))
    with pytest.raises(rules.BookingRefused) as exc:
        rules.reserve_for_event(db.session, staff, room, at("11-17", "09:00"),
                                at("11-17", "12:00"), "创业培训", NOW)
    assert exc.value.code == "slot_taken"
    evening = rules.reserve_for_event(db.session, staff, room, at("11-17", "19:00"),
                                      at("11-17", "22:00"), "路演之夜", NOW)
    assert evening.status == "confirmed" and evening.tenant_id is None


def test_day_slots(app, make_room, member):
    room = make_room()
    book(member, room, at("11-17", "10:00"), at("11-17", "11:00"))
    day = at("11-17", "00:00").date()
    slots = day_slots(db.session, room, day, NOW, TZ, load_calendar(db.session, day),
                            tenant_id=member.tenant_id)
    states = {s.starts_at.astimezone(TZ).strftime("%H:%M"): s.state for s in slots}
    assert len(slots) == 24 and states["10:00"] == states["10:30"] == "mine"
    assert states["11:00"] == "free"


def test_utilisation_and_s3(app, make_room, member):
    from booking.ledger import rooms_in_service, utilisation_rows
    from community.periods import period_for
    room = make_room()
    booking = book(member, room, at("11-17", "10:00"), at("11-17", "12:00"))
    rules.check_in(db.session, member, booking, at("11-17", "10:00"))
    book(member, room, at("11-18", "10:00"), at("11-18", "11:00"))
    db.session.commit()
    period = period_for("year", at("11-20", "00:00").date())
    november = [r for r in utilisation_rows(db.session, period) if r["month"] == "2026-11"]
    assert [(str(r["booked_hours"]), str(r["used_hours"])) for r in november] == [("3.0", "2.0")]
    # Up to the reference day, 20 November: 15 weekdays of 12 h and 5 weekend days of 9 h.
    assert str(november[0]["open_hours"]) == "225.0"
    assert [r["month"] for r in utilisation_rows(db.session, period)][-1] == "2026-11"
    assert rooms_in_service(db.session, period) == 1


def test_approval_rechecks_blackouts_added_since_the_request(app, make_room, member, staff):
    hall = make_room(kind="roadshow_hall", needs_approval=True)
    booking = book(member, hall, at("11-17", "14:00"), at("11-17", "16:00"))
    rooms.add_blackout(db.session, staff, hall, at("11-17", "08:00"), at("11-17", "20:00"), "检修")
    db.session.commit()
    with pytest.raises(rules.BookingRefused) as exc:
        rules.decide(db.session, staff, booking, True, "", NOW, TZ)
    assert exc.value.code == "blackout"


def test_a_booking_nobody_came_to_serves_no_one(app, make_room, make_user, make_tenant):
    from community.ledger import firms_served
    from community.periods import Period
    outsider = make_user("member", tenant=make_tenant(relationship_kind="served",
                                                      moved_in_on=None))
    room = make_room(release_after_minutes=0)  # never released: only a check-in proves it
    book(outsider, room, at("11-17", "10:00"), at("11-17", "11:00"))
    later = Period(at("11-01", "00:00").date(), at("11-30", "00:00").date(),
                   at("11-20", "00:00").date())
    assert firms_served(db.session, later) == 0
    assert db.session.scalars(select(ServedRecord)).all() == []


def test_cancelling_a_booking_that_was_claimed_voids_its_service(app, make_room, member, staff):
    booking = book(member, make_room(), at("11-17", "10:00"), at("11-17", "11:00"))
    rules.check_in(db.session, member, booking, at("11-17", "10:00"))
    rules.cancel_booking(db.session, staff, booking, at("11-17", "10:30"))
    db.session.commit()
    served = db.session.scalars(select(ServedRecord)).one()
    assert served.voided_at is not None and served.void_reason == "预约已取消"
