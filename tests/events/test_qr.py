"""Real QR codes: the ticket and venue images are decoded by an independent decoder
(zxing-cpp), and the URLs they carry check people in through the HTTP app."""
import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select

from community.extensions import db
from community.dbsetup import utcnow
from events import checkin
from events.models import Registration
from events.views import venue_key

zxingcpp = pytest.importorskip("zxingcpp")


def decode(png):
    """The text of the one QR code in a PNG."""
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0].text


def test_the_ticket_qr_carries_the_ticket_url_and_checks_in(client, make_event,
                                                            make_registration, make_device):
    event = make_event(live=True)
    r = make_registration(event)
    url = decode(client.get(f"/t/{r.secret}/qr.png").data)
    assert urlsplit(url).path == f"/t/{r.secret}"
    assert str(r.id) != r.secret and r.secret in url
    _device, token = make_device()
    answer = client.post(f"/api/v1/events/{event.id}/checkins", json={"code": url, "nonce": "q"},
                         headers={"Authorization": f"Bearer {token}"}).get_json()
    assert answer["status"] == "ok" and answer["attendee"]["id"] == r.id
    page = client.get(urlsplit(url).path).get_data(as_text=True)
    assert "签到，欢迎参加" in page


def test_the_venue_qr_checks_an_attendee_in(client, login, make_event, make_registration):
    event = make_event(live=True)
    r = make_registration(event, mobile="13900005555", name="张三丰")
    login("staff")
    url = decode(client.get(f"/events/{event.id}/venue.png").data)
    anonymous = client.application.test_client()
    form = anonymous.get(urlsplit(url).path)
    assert form.status_code == 200 and "确认签到" in form.get_data(as_text=True)
    door_pass = form.get_data(as_text=True).split('name="door_pass" type="hidden" value="')[1]
    door_pass = door_pass.split('"')[0]
    done = anonymous.post(f"/e/{event.id}/here", data={"mobile": "139 0000 5555",
                                                        "door_pass": door_pass})
    assert "签到成功" in done.get_data(as_text=True)
    # whoever holds the venue code must not learn whose number it was
    assert "张三丰" not in done.get_data(as_text=True)
    db.session.refresh(r)
    assert r.checkin_method == "self"
    again = anonymous.post(f"/e/{event.id}/here", data={"mobile": "13900005555",
                                                         "door_pass": door_pass})
    assert "您已签到过" in again.get_data(as_text=True)
    unknown = anonymous.post(f"/e/{event.id}/here", data={"mobile": "13900006666",
                                                           "door_pass": door_pass})
    assert unknown.status_code == 422 and "未找到该手机号的报名" in unknown.get_data(as_text=True)


def test_a_venue_code_photographed_earlier_no_longer_works(client, login, make_event,
                                                           monkeypatch):
    event = make_event(live=True)
    login("staff")
    path = urlsplit(decode(client.get(f"/events/{event.id}/venue.png").data)).path
    later = utcnow() + timedelta(minutes=2, seconds=1)
    monkeypatch.setattr("events.views.public.now", lambda: later)
    anonymous = client.application.test_client()
    response = anonymous.get(path)
    assert response.status_code == 410 and "签到码已过期" in response.get_data(as_text=True)


def test_expired_forged_or_foreign_venue_codes_and_passes(client, make_event,
                                                          make_registration):
    event, other = make_event(live=True), make_event(live=True)
    make_registration(event, mobile="13900005555")
    old = checkin.venue_code(venue_key(), event.id, utcnow() - timedelta(minutes=3))
    foreign = checkin.venue_code(venue_key(), other.id, utcnow())
    for code in (old, foreign, "1.abc", "nonsense"):
        assert client.get(f"/e/{event.id}/here/{code}").status_code == 410
    stale = checkin.door_pass(venue_key(), event.id, utcnow() - timedelta(minutes=7))
    response = client.post(f"/e/{event.id}/here", data={"mobile": "13900005555",
                                                         "door_pass": stale})
    assert response.status_code == 410
    assert client.post(f"/e/{event.id}/here", data={"mobile": "13900005555"}).status_code == 410
    assert db.session.scalar(select(Registration.checked_in_at)) is None
