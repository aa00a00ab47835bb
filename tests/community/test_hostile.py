"""What a stranger may send is refused clearly and writes nothing (issue 8): ids past
the database's integer, JSON that is not one shallow object, NUL and lone surrogates
in any text, search wildcards, consent not given, an oversize form field."""
import json

import pytest
from sqlalchemy import func, select

from community.dbsetup import utcnow
from community.extensions import db
from community.models import Tenant
from events import checkin
from events.models import Registration
from tests.events.conftest import make_event, make_registration, next_mobile  # noqa: F401

DEEP = "[" * 5000 + "]" * 5000


def fingerprint():
    counts = {t.name: db.session.scalar(select(func.count()).select_from(t))
              for t in db.metadata.sorted_tables}
    db.session.rollback()
    return counts


@pytest.fixture
def device_token(app):
    _, token = checkin.create_device(db.session, None, "门口扫码枪", utcnow())
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_an_id_past_the_database_integer_is_no_row(client, login, number):
    login("staff")
    for path in (f"/tenants/{number}", f"/events/{number}", f"/zones/{number}",
                 f"/services/requests/{number}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "页面不存在" in response.get_data(as_text=True)


def test_the_largest_id_the_database_holds_is_still_looked_up(client, login):
    login("staff")
    assert client.get(f"/tenants/{2**31 - 1}").status_code == 404  # looked up: no such row


@pytest.mark.parametrize("body", [DEEP, "[1, 2]", "\"code\"", "42", "null", "{", "nul"])
def test_the_device_api_refuses_json_that_is_not_one_shallow_object(client, make_event,
                                                                     device_token, body):
    event = make_event(live=True)
    before = fingerprint()
    response = client.post(f"/api/v1/events/{event.id}/checkins", data=body,
                           content_type="application/json", headers=device_token)
    assert response.status_code == 400
    assert response.get_json() == {"status": "error", "reason": "json_invalid"}
    assert fingerprint() == before


def test_a_form_page_posted_deep_json_is_refused(client, login):
    login("staff")
    before = fingerprint()
    response = client.post("/tenants/new", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {"status": "error", "reason": "json_invalid"}
    assert fingerprint() == before


@pytest.mark.parametrize("body", ["{\"code\": ", "[]", "{\"nonce\": \"n1\"}"])
def test_the_staff_scanner_answers_malformed_json_with_400(client, login, make_event, body):
    login("staff")
    event = make_event(live=True)
    before = fingerprint()
    response = client.post(f"/events/{event.id}/door/scan", data=body,
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["status"] == "error"
    assert fingerprint() == before


@pytest.mark.parametrize("bad", ["\ud800", "甲\x00乙"])
def test_unstorable_text_in_a_form_field_is_refused_with_a_page(client, login, bad):
    login("staff")
    before = fingerprint()
    body = "name=" + "".join(f"%{b:02X}" for b in bad.encode("utf-8", "surrogatepass"))
    response = client.post("/tenants/new", data=body,
                           content_type="application/x-www-form-urlencoded")
    page = response.get_data(as_text=True)
    if "\x00" in bad:  # a lone surrogate's bytes are no UTF-8: the parser reads U+FFFD
        assert response.status_code == 400
        assert "无法保存的字符" in page
    else:
        assert response.status_code < 500
    assert fingerprint() == before


@pytest.mark.parametrize("bad", ["\ud800", "\x00"])
def test_unstorable_text_in_json_a_nonce_or_a_query_is_refused(client, make_event,
                                                               device_token, bad):
    event = make_event(live=True)
    before = fingerprint()
    answer = client.post(f"/api/v1/events/{event.id}/checkins",
                         data=json.dumps({"code": "x" * 32, "nonce": bad}),
                         content_type="application/json", headers=device_token)
    assert answer.status_code == 400
    assert answer.get_json() == {"status": "error", "reason": "text_invalid"}
    found = client.get(f"/api/v1/events/{event.id}/registrations",
                       query_string={"q": "张\x00"}, headers=device_token)
    assert found.status_code == 400
    assert found.get_json() == {"status": "error", "reason": "text_invalid"}
    assert fingerprint() == before


def test_nul_in_a_search_is_refused_with_a_page(client, login):
    login("staff")
    response = client.get("/tenants", query_string={"q": "甲\x00"})
    assert response.status_code == 400
    assert "无法保存的字符" in response.get_data(as_text=True)


@pytest.mark.parametrize("q", ["%", "_", "%科技%", "重庆_"])
def test_search_text_is_matched_literally(client, login, make_tenant, q):
    login("staff")
    make_tenant(name="重庆测试科技有限公司")
    page = client.get("/tenants", query_string={"q": q}).get_data(as_text=True)
    assert "重庆测试科技有限公司" not in page


def test_search_still_finds_a_literal_percent(client, login, make_tenant):
    login("staff")
    make_tenant(name="百分之百%科技有限公司")
    make_tenant(name="重庆另一科技有限公司")
    page = client.get("/tenants", query_string={"q": "百%"}).get_data(as_text=True)
    assert "百分之百%科技有限公司" in page and "重庆另一科技有限公司" not in page


def test_the_door_search_is_literal_too(client, login, make_event, make_registration):
    login("staff")
    event = make_event(live=True)
    make_registration(event, now=utcnow(), name="王五", organisation="重庆大学")
    page = client.get(f"/events/{event.id}/door", query_string={"q": "_"}).get_data(as_text=True)
    assert "王五" not in page


@pytest.mark.parametrize("value", ["0", "no", "false", "off", "n", " "])
def test_consent_is_given_only_by_an_accepted_value(client, make_event, value):
    event = make_event(live=True)
    before = fingerprint()
    response = client.post(f"/e/{event.id}", data={
        "name": "张三", "mobile": next_mobile(), "organisation": "重庆大学", "consent": value})
    assert response.status_code in (200, 422)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    assert fingerprint() == before


def test_a_ticked_consent_box_registers(client, make_event):
    event = make_event(live=True)
    client.post(f"/e/{event.id}", data={"name": "张三", "mobile": next_mobile(),
                                        "organisation": "重庆大学", "consent": "y"})
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_an_oversize_form_field_is_refused_without_echoing_it(client, login):
    login("staff")
    before = fingerprint()
    marker = "巨" * (1024 * 1024)  # 3 MB of UTF-8, past MAX_FORM_MEMORY_SIZE
    response = client.post("/tenants/new", data={"name": marker, "uscc": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "巨巨巨" not in page and "表单内容过长" in page
    assert db.session.scalar(select(func.count()).select_from(Tenant)) == 0
    assert fingerprint() == before


def test_a_long_field_under_the_limit_is_a_field_error_not_echoed_whole(client, login):
    login("staff")
    before = fingerprint()
    response = client.post("/tenants/new", data={"name": "长" * 50000, "uscc": "x"})
    assert response.status_code < 500
    assert fingerprint() == before
