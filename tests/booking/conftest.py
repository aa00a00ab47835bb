"""Booking fixtures: a room with known rules, a fixed clock, actors."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from community.extensions import db
from booking.models import Room

TZ = ZoneInfo("Asia/Shanghai")
# Monday 16 November 2026, 08:00 in Chongqing: the clock the rules are given.
NOW = datetime(2026, 11, 16, 8, 0, tzinfo=TZ)


def at(day, hhmm):
    """A local time on a 2026 day given as "MM-DD"."""
    month, dom = map(int, day.split("-"))
    hour, minute = map(int, hhmm.split(":"))
    return datetime(2026, month, dom, hour, minute, tzinfo=TZ)


@pytest.fixture
def make_room(app, make_zone):
    def make(kind="meeting_room", bookable=True, **rules):
        zone = make_zone(kind=kind, bookable=bookable, area_m2="60")
        room = Room(zone=zone, **rules)
        db.session.add(room)
        db.session.commit()
        return room
    return make


@pytest.fixture
def member(make_user, make_tenant):
    """A founder of a resident tenant."""
    return make_user("member", tenant=make_tenant())


@pytest.fixture
def staff(make_user):
    return make_user("staff")
