"""The scanner devices' JSON API (events/API.md): token auth, answers, nonces."""
import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.dbsetup import utcnow
from community.models import AuditEntry
from events import checkin


def auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}  # the API must work with CSRF protection on


def test_without_a_valid_token_nothing_answers(client, make_event):
    event = make_event(live=True)
    for headers in ({}, auth("opc_wrong"), {"Authorization": "Basic abc"}):
        response = client.post(f"/api/v1/events/{event.id}/checkins", json={"code": "x"},
                               headers=headers)
        assert response.status_code == 401
        assert response.get_json() == {"status": "error", "reason": "unauthorized"}


def test_a_revoked_device_is_refused_at_once(client, make_event, make_registration,
                                             make_device):
    event = make_event(live=True)
    r = make_registration(event)
    device, token = make_device()
    checkin.revoke_device(db.session, None, device, utcnow())
    db.session.commit()
    response = client.post(f"/api/v1/events/{event.id}/checkins", json={"code": r.secret},
                           headers=auth(token))
    assert response.status_code == 401
    assert response.get_json()["reason"] == "device_revoked"
    db.session.refresh(r)
    assert r.checked_in_at is None


def test_check_in_then_already_then_retry_with_the_nonce(client, make_event,
                                                         make_registration, make_device):
    event = make_event(live=True)
    r = make_registration(event, name="王敏", mobile="13900001234")
    device, token = make_device("签到台平板1")
    url = f"/api/v1/events/{event.id}/checkins"
    ok = client.post(url, json={"code": f"https://opc.example/t/{r.secret}", "nonce": "a1"},
                     headers=auth(token)).get_json()
    assert (ok["status"], ok["reason"], ok["replayed"]) == ("ok", None, False)
    assert ok["attendee"] == {"id": r.id, "name": "王敏", "organisation": "重庆大学",
                              "mobile": "139****1234", "tenant": False,
                              "status": "registered"}
    assert ok["checked_in_by"] == "签到台平板1" and ok["checked_in_at"]
    retried = client.post(url, json={"code": r.secret, "nonce": "a1"},
                          headers=auth(token)).get_json()
    assert (retried["status"], retried["replayed"]) == ("ok", True)
    assert retried["checked_in_at"] == ok["checked_in_at"]
    again = client.post(url, json={"secret": r.secret, "nonce": "a2"},
                        headers=auth(token)).get_json()
    assert (again["status"], again["reason"]) == ("error", "already_checked_in")
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "registration.checked_in")) == 1


def test_bad_requests(client, make_event, make_device):
    event = make_event(live=True)
    _device, token = make_device()
    url = f"/api/v1/events/{event.id}/checkins"
    assert client.post(url, data="not json", headers=auth(token)).status_code == 400
    assert client.post(url, json=["x"], headers=auth(token)).status_code == 400
    missing = client.post("/api/v1/events/999/checkins", json={"code": "x" * 32},
                          headers=auth(token))
    assert missing.status_code == 404 and missing.get_json()["reason"] == "unknown_event"
    unknown = client.post(url, json={"code": "y" * 32}, headers=auth(token)).get_json()
    assert (unknown["status"], unknown["reason"]) == ("error", "unknown_ticket")


def test_events_search_and_check_in_by_id(client, make_event, make_registration, make_device):
    event = make_event(live=True)
    r = make_registration(event, name="欧阳娜娜", mobile="13900004567")
    _device, token = make_device()
    listed = client.get("/api/v1/events", headers=auth(token)).get_json()
    assert [e["id"] for e in listed["events"]] == [event.id]
    found = client.get(f"/api/v1/events/{event.id}/registrations?q=4567",
                       headers=auth(token)).get_json()["registrations"]
    assert [(f["id"], f["checked_in_at"]) for f in found] == [(r.id, None)]
    answer = client.post(f"/api/v1/events/{event.id}/registrations/{r.id}/checkin",
                         json={"nonce": "m1"}, headers=auth(token)).get_json()
    assert answer["status"] == "ok"
    detail = client.get(f"/api/v1/events/{event.id}", headers=auth(token)).get_json()
    assert detail["attendance"]["checked_in"] == 1


def test_a_body_that_is_not_a_json_object_is_refused_with_a_code(client, make_event,
                                                                 make_registration, make_device):
    event = make_event(live=True)
    r = make_registration(event, now=utcnow())
    _, token = make_device()
    answer = client.post(f"/api/v1/events/{event.id}/registrations/{r.id}/checkin",
                         json=[1], headers=auth(token))
    assert answer.status_code == 400
    assert answer.get_json() == {"status": "error", "reason": "json_invalid"}
    db.session.refresh(r)
    assert r.checked_in_at is None
