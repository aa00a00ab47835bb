"""Twenty-four founders press "book" on the same slot at the same moment, through a
real server: exactly one booking is made, the others are told the slot is taken."""
from functools import partial
from urllib.error import HTTPError

import pytest
from sqlalchemy import func, select

from community.extensions import db
from booking.models import Booking, Room
from community.models import User
from tests.booking.test_views import next_workday
from tests.conftest import PASSWORD, make_tenant_row, zone_data
from tests.http import Client

CLIENTS = 24


def post(client, path, form):
    """A refused booking is an answer (the day again, 422, with what was typed)."""
    try:
        return client.post(path, form)
    except HTTPError as error:
        return error.code, error.read().decode("utf-8")


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}  # 24 logins from one address in a second


def test_simultaneous_requests_for_one_slot_make_one_booking(live_app, live_server, race):
    from community import rules
    with live_app.app_context():
        zone = rules.save_zone(db.session, None, zone_data(kind="meeting_room", bookable=True))
        room = Room(zone=zone, quota_hours_per_week=0)
        db.session.add(room)
        for n in range(CLIENTS):
            tenant = make_tenant_row()
            user = User(username=f"founder{n}", name=f"创始人{n}", role="member",
                        tenant_id=tenant.id)
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
        room_id = room.id
        db.session.remove()
    day = next_workday()
    clients = [Client(live_server).login(f"founder{n}", PASSWORD) for n in range(CLIENTS)]
    forms = [{"csrf_token": c.token(f"/booking/rooms/{room_id}"), "day": day.isoformat(),
              "start": "10:00", "duration": 60, "purpose": "路演彩排", "weeks": 1}
             for c in clients]

    answers = race(*[partial(post, c, f"/booking/rooms/{room_id}/book", form)
                     for c, form in zip(clients, forms)])
    pages = [page for _status, page in answers]
    made = [p for p in pages if "预约成功" in p]
    taken = [p for status, p in answers if status == 422 and "该时段已被预约" in p
             and "路演彩排" in p]
    assert (len(made), len(taken)) == (1, CLIENTS - 1)
    with live_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking).where(
            Booking.room_id == room_id, Booking.status == "confirmed")) == 1
        db.session.remove()
