"""A scanner device's request is the device's alone: whoever is logged in to the browser
it may come from changes nothing about it, and every device view checks the token."""
import pytest
from flask import g
from sqlalchemy import select

from community.extensions import db
from community.models import AuditEntry, User
from community.views.locks import SESSION_KEY
from events.views import api_bp


def auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_a_browser_session_changes_nothing_about_a_device_scan(
        client, login, make_event, make_registration, make_device):
    """A staff member whose password an admin reset (every page of theirs leads to the
    password form, every post of theirs is refused) and who is correcting a locked
    period: a device scan sent with their cookie is the device's check-in, not theirs."""
    event = make_event(live=True)
    r = make_registration(event)
    _, token = make_device("签到台平板1")
    staff = login("staff")
    db.session.get(User, staff.id).must_change_password = True
    db.session.commit()
    with client.session_transaction() as session:
        session[SESSION_KEY] = "补录纸质签到表"
    g.pop("_login_user", None)

    # The person's own door page still leads to the password form.
    page = client.get(f"/events/{event.id}/door")
    assert page.status_code == 302 and "/password" in page.headers["Location"]
    g.pop("_login_user", None)
    answer = client.post(f"/api/v1/events/{event.id}/checkins",
                         json={"code": r.secret, "nonce": "s1"}, headers=auth(token))
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["status"], body["checked_in_by"]) == ("ok", "签到台平板1")
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "registration.checked_in",
        AuditEntry.object_id == r.id)).one()
    assert entry.actor_id is None and entry.note == "" and entry.lock_id is None
    assert "Set-Cookie" not in answer.headers  # the browser's session is left as it was


def test_every_device_view_asks_for_the_token(app, client, make_event):
    """Each @bearer view is on the device blueprint (whose token check runs before any
    of them), and none answers a request without a valid token."""
    event = make_event(live=True)
    bearer_endpoints = {name for name, view in app.view_functions.items()
                        if getattr(view, "bearer", False)}
    assert bearer_endpoints and all(name.startswith(api_bp.name + ".")
                                    for name in bearer_endpoints)
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in bearer_endpoints:
            continue
        url = rule.build({"event_id": event.id, "registration_id": 1})[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for headers in ({}, auth("opc_not_a_device")):
                response = client.open(url, method=method, json={"code": "x"},
                                       headers=headers)
                assert response.status_code == 401, (method, url)
                assert response.get_json()["reason"] == "unauthorized"
