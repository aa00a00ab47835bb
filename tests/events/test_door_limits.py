"""The door's limits fit a real crowd and still stop someone guessing: three hundred
attendees behind the venue's one Wi-Fi address check themselves in through a real
server (gunicorn, several workers, the limits kept in a real Redis); one attendee
retrying, or one address trying mobiles that are not on the list, is stopped; and
behind a reverse proxy the limits see the client's address while QR codes and
calendar files carry the public https address."""
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from community.dbsetup import utcnow
from community.extensions import db
from events import checkin, rules
from events.models import Registration
from events.views import venue_key
from tests.events.conftest import event_data, next_mobile, person
from tests.events.test_qr import decode
from tests.servers import Phone, gunicorn

CROWD = 300


def _door_pass(page):
    return re.search(r'name="door_pass" type="hidden" value="([^"]+)"', page).group(1)


def _csrf(page):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def crowd_event(live_app):
    """A published event under way on the real clock, with CROWD registrations."""
    with live_app.app_context():
        start = utcnow() - timedelta(minutes=10)
        event = rules.save_event(db.session, None, event_data(
            starts_at=start, capacity=CROWD + 10), start - timedelta(days=3))
        rules.publish_event(db.session, None, event, start - timedelta(days=3))
        mobiles = []
        for _ in range(CROWD):
            registration, _ = rules.register(db.session, event, person(mobile=next_mobile()),
                                             start - timedelta(days=1))
            mobiles.append(registration.mobile)
        db.session.commit()
        yield event.id, mobiles
        db.session.remove()


def test_three_hundred_attendees_behind_one_address_all_check_in(
        live_app, crowd_event, redis_url, tmp_path):
    """The crowd arrives within minutes, every phone on the venue's Wi-Fi (one
    address, 127.0.0.1 here), each opening the screen's code and typing its mobile."""
    event_id, mobiles = crowd_event
    with live_app.app_context():
        code = checkin.venue_code(venue_key(), event_id, utcnow())
    env = {"DATABASE_URL": live_app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": live_app.config["SECRET_KEY"], "RATELIMIT_STORAGE_URI": redis_url,
           "HUEY_EMBEDDED_CONSUMER": "0"}
    with open(tmp_path / "gunicorn.log", "wb") as log, \
            gunicorn(env, workers=3, log=log) as base:

        def attendee(mobile):
            phone = Phone()  # each attendee's own phone and cookie
            page = phone.get(f"{base}/e/{event_id}/here/{code}")
            status, text = phone.post(f"{base}/e/{event_id}/here", {
                "mobile": mobile, "door_pass": _door_pass(page), "csrf_token": _csrf(page)})
            return status, "签到成功" in text

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(attendee, mobiles))
        assert answers == [(200, True)] * CROWD

        # Someone at the venue guessing mobiles is stopped after 60 misses, the
        # count shared by every worker (the store is Redis, not each process).
        phone = Phone()
        page = phone.get(f"{base}/e/{event_id}/here/{code}")
        form = {"door_pass": _door_pass(page), "csrf_token": _csrf(page)}
        statuses = [phone.post(f"{base}/e/{event_id}/here",
                               form | {"mobile": f"1370000{n:04d}"})[0] for n in range(61)]
        assert statuses == [422] * 60 + [429]
        # Failed logins too: the eleventh, on whichever worker, is refused.
        login = Phone()
        csrf = _csrf(login.get(f"{base}/login"))
        statuses = [login.post(f"{base}/login", {
            "username": "nobody", "password": "wrong", "csrf_token": csrf})[0]
            for _ in range(11)]
        assert statuses == [200] * 10 + [429]

    with live_app.app_context():
        assert db.session.scalar(select(func.count(Registration.id)).where(
            Registration.event_id == event_id, Registration.checkin_method == "self")) == CROWD


@pytest.fixture
def door(client, make_event, make_registration):
    """An event under way with one registration; posts to its self check-in form."""
    event = make_event(live=True)
    registration = make_registration(event, mobile="13900005555")
    door_pass = checkin.door_pass(venue_key(), event.id, utcnow())

    def post(mobile, **environ):
        return client.post(f"/e/{event.id}/here", data={"mobile": mobile,
                                                        "door_pass": door_pass},
                           environ_base=environ)
    post.event, post.registration = event, registration
    return post


def test_one_attendee_retrying_is_slowed_not_the_crowd(door):
    for _ in range(5):
        assert door("13900009999").status_code == 422  # not on the list
    refused = door("13900009999")
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "请现场工作人员帮您签到" in text and "登录" not in text
    assert door("139 0000 5555").status_code == 200  # the next attendee goes in


def test_an_address_guessing_mobiles_is_stopped_and_nothing_is_checked_in(door):
    for n in range(60):
        assert door(f"1370000{n:04d}").status_code == 422
    refused = door("13900005555")
    assert refused.status_code == 429
    db.session.refresh(door.registration)
    assert door.registration.checked_in_at is None
    # Another address (another venue's Wi-Fi) is not affected.
    assert door("13900005555", REMOTE_ADDR="198.51.100.20").status_code == 200


def test_registrations_from_one_address_are_limited_per_attendee(client, make_event):
    event = make_event(live=True, capacity=100)
    for _ in range(40):  # forty colleagues register from the office's one address
        response = client.post(f"/e/{event.id}", data=person() | {"consent": "y"})
        assert response.status_code == 302
    mobile = next_mobile()
    answers = [client.post(f"/e/{event.id}", data=person(mobile=mobile, name="")).status_code
               for _ in range(6)]
    assert answers == [200] * 5 + [429]  # one person resubmitting a form again and again
    refused = client.post(f"/e/{event.id}", data=person(mobile=mobile)).get_data(as_text=True)
    assert "操作过于频繁，请稍后再试" in refused and "签到" not in refused
    assert db.session.scalar(select(func.count(Registration.id)).where(
        Registration.mobile == mobile)) == 0


# --- behind a reverse proxy ---------------------------------------------------

PUBLIC = "https://opc.example.cn"


@pytest.fixture
def app_config(request):
    if request.node.get_closest_marker("no_proxy"):
        return {}
    return {"TRUSTED_PROXIES": 1, "PUBLIC_BASE_URL": PUBLIC}


FORWARDED = {"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "opc.example.cn"}


def test_qr_codes_and_calendars_carry_the_public_address(client, login, make_event,
                                                         make_registration):
    event = make_event(live=True)
    registration = make_registration(event)
    # The proxy reaches the app on its backend address; the codes must not carry it.
    backend = {"base_url": "http://10.0.0.8:8000"}
    ticket = decode(client.get(f"/t/{registration.secret}/qr.png", **backend).data)
    assert ticket == f"{PUBLIC}/t/{registration.secret}"
    ics = client.get(f"/e/{event.id}/event.ics", **backend).get_data(as_text=True)
    assert f"URL:{PUBLIC}/e/{event.id}" in ics.replace("\r\n ", "")
    assert "10.0.0.8" not in ics
    login("staff")  # staff pages, on the test client's own address (localhost)
    venue = decode(client.get(f"/events/{event.id}/venue.png").data)
    assert venue.startswith(f"{PUBLIC}/e/{event.id}/here/")
    detail = client.get(f"/events/{event.id}").get_data(as_text=True)  # the link staff copy
    assert f">{PUBLIC}/e/{event.id}</a>" in detail and "localhost" not in detail


def test_the_limits_see_the_clients_address_through_the_proxy(client, make_event,
                                                              make_registration):
    event = make_event(live=True)
    make_registration(event, mobile="13900005555")
    door_pass = checkin.door_pass(venue_key(), event.id, utcnow())

    def post(mobile, forwarded_for):
        return client.post(f"/e/{event.id}/here", headers=FORWARDED | {
            "X-Forwarded-For": forwarded_for}, data={"mobile": mobile, "door_pass": door_pass})
    for n in range(60):
        post(f"1370000{n:04d}", "203.0.113.5")
    assert post("13900005555", "203.0.113.5").status_code == 429
    # Another client behind the same proxy is its own address.
    assert post("13900005555", "203.0.113.6").status_code == 200


@pytest.mark.no_proxy
def test_without_a_trusted_proxy_a_forged_header_changes_nothing(client, make_event):
    event = make_event(live=True)
    door_pass = checkin.door_pass(venue_key(), event.id, utcnow())
    for n in range(60):
        client.post(f"/e/{event.id}/here", headers={"X-Forwarded-For": f"198.51.100.{n}"},
                    data={"mobile": f"1370000{n:04d}", "door_pass": door_pass})
    forged = client.post(f"/e/{event.id}/here", headers={"X-Forwarded-For": "192.0.2.1"},
                         data={"mobile": "13700009999", "door_pass": door_pass})
    assert forged.status_code == 429
    page = client.get(f"/e/{event.id}", headers={"X-Forwarded-Host": "evil.example"})
    assert "evil.example" not in page.get_data(as_text=True)


def test_a_public_address_that_is_not_one_stops_the_start(tmp_path):
    from app import create_app
    for bad in ("opc.example.cn", "ftp://opc.example.cn", "https://opc.example.cn/app",
                "https://"):
        with pytest.raises(ValueError, match="OPC_PUBLIC_URL"):
            create_app({"TESTING": True, "PUBLIC_BASE_URL": bad, "SECRET_KEY": "x",
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
