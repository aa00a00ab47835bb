"""On SQLite a booking holds the write lock only for its decision and insert: the
form, the user and the page are read and rendered outside it, so founders booking
at once wait for each other only while a slot is decided."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from booking.models import Booking
from community.dbsetup import write_from_here
from community.extensions import db
from community.models import Tenant
from tests.booking.test_views import book_form, next_workday
from tests.conftest import PG_URL, make_tenant_row

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's write lock")

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def statements():
    seen = []

    def listen(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def test_a_booking_reads_the_user_and_room_before_taking_the_lock(client, login, make_room):
    room = make_room()
    login("member")
    with statements() as seen:
        response = client.post(f"/booking/rooms/{room.id}/book", data=book_form(next_workday()))
    assert response.status_code == 302
    assert seen.count("BEGIN IMMEDIATE") == 1
    lock = seen.index("BEGIN IMMEDIATE")
    before, under = seen[:lock], seen[lock:]
    assert before[0] == "BEGIN"  # a plain read transaction first
    assert any(s.startswith("SELECT user.") for s in before)
    assert any(s.startswith("SELECT room.") for s in before)
    assert not any(s.startswith(WRITES) for s in before)
    # under the lock: the slot decided, the booking and its audit row
    assert any(s.startswith("SELECT booking.") for s in under)
    assert any(s.startswith("INSERT INTO booking") for s in under)
    assert any(s.startswith("INSERT INTO audit_entry") for s in under)
    assert not any(s.startswith("SELECT user.") for s in under)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_a_refused_booking_renders_its_page_after_the_lock_is_let_go(client, login,
                                                                      make_room):
    room = make_room()
    login("member")
    day = next_workday()
    client.post(f"/booking/rooms/{room.id}/book", data=book_form(day))
    login("member")  # another firm wants the same hour
    with statements() as seen:
        response = client.post(f"/booking/rooms/{room.id}/book", data=book_form(day))
    assert response.status_code == 422
    assert "该时段已被预约" in response.get_data(as_text=True)
    lock = seen.index("BEGIN IMMEDIATE")
    # the refusal rolled the decision back; the day shown again is read afresh, unlocked
    assert "BEGIN" in seen[lock + 1:]
    assert not any(s.startswith(WRITES) for s in seen)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_other_posts_still_take_the_lock_before_anything_is_read(client, login, make_room):
    room = make_room()
    login("member")
    client.post(f"/booking/rooms/{room.id}/book", data=book_form(next_workday()))
    booking_id = db.session.scalars(select(Booking.id)).one()
    db.session.rollback()  # the test's own read ends, as a request's session does
    with statements() as seen:
        client.post(f"/booking/bookings/{booking_id}/cancel")
    assert seen[0] == "BEGIN IMMEDIATE"


def test_the_lock_cannot_be_taken_after_the_transaction_wrote(app):
    make_tenant_row()
    with pytest.raises(RuntimeError):
        write_from_here(db.session)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Tenant)) == 0
