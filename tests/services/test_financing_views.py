"""Financing and amenities through HTTP: a founder sees and records only its own
firm's needs; staff keep products, needs, meetings and amenities; assessors read."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from community.dbsetup import utcnow
from community.extensions import db
from community.models import ServedRecord
from services.financing import rules
from services.models import Amenity, FinanceProduct, FinancingNeed, MatchMeeting
from tests.services.test_financing import (amenity_data, institution, need_data,
                                           product_data, written)

DAY = date(2026, 3, 2)  # in the past, whatever the clock says


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def two_firms(app, make_tenant):
    """Firm A and firm B, each with a need and a meeting."""
    firms = []
    investor = institution()
    for name, purpose in (("甲方科技有限公司", "甲方的秘密用途"), ("乙方科技有限公司", "乙方的秘密用途")):
        tenant = make_tenant(name=name)
        need = rules.save_need(db.session, None, tenant, need_data(purpose=purpose,
                                                                    raised_on=DAY), DAY)
        rules.record_meeting(db.session, None, {"tenant": tenant, "provider": investor,
                                                "need": need, "met_on": DAY, "note": ""}, DAY)
        firms.append(tenant)
    db.session.commit()
    return firms


def test_a_founder_sees_only_its_own_firms_needs_and_meetings(client, login, two_firms):
    mine, theirs = two_firms
    login("member", tenant=mine)
    page = text(client.get("/services/financing/mine"))
    assert "甲方的秘密用途" in page and "两江天使投资基金" in page
    assert "乙方的秘密用途" not in page and "乙方科技有限公司" not in page


def test_a_founder_records_a_need_for_its_own_firm(client, login, make_tenant):
    mine = make_tenant(name="甲方科技有限公司")
    founder = login("member", tenant=mine)
    response = client.post("/services/financing/needs", data={
        "amount_wan": "120", "stage": "angel", "purpose": "招聘", "raised_on": DAY.isoformat()})
    assert response.status_code == 302 and response.location.endswith("/services/financing/mine")
    need = db.session.scalar(select(FinancingNeed))
    assert (need.tenant_id, need.amount_wan, need.created_by_id) == (
        mine.id, Decimal("120.00"), founder.id)
    assert "招聘" in text(client.get("/services/financing/mine"))


def test_a_founder_cannot_record_a_need_for_another_firm(client, login, make_tenant):
    mine, theirs = make_tenant(), make_tenant(name="乙方科技有限公司")
    login("member", tenant=mine)
    before = written()
    response = client.post("/services/financing/needs", data={
        "tenant_id": theirs.id, "amount_wan": "120", "stage": "angel",
        "raised_on": DAY.isoformat()})
    assert response.status_code == 403
    assert written() == before


def test_a_founders_bad_need_comes_back_with_the_reason(client, login, make_tenant):
    login("member", tenant=make_tenant())
    before = written()
    future = (date.today() + timedelta(days=5)).isoformat()
    response = client.post("/services/financing/needs", data={
        "amount_wan": "120", "stage": "angel", "raised_on": future}, follow_redirects=True)
    assert "日期不能晚于今天" in text(response)
    assert written() == before


@pytest.mark.parametrize("path", ["/services/financing", "/services/financing/products/new",
                                  "/services/amenities/new"])
def test_founders_do_not_open_the_staff_pages(client, login, path):
    login("member")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/services/financing/meetings",
                                  "/services/financing/products/new",
                                  "/services/amenities/new"])
@pytest.mark.parametrize("role", ["member", "assessor"])
def test_only_staff_write(client, login, role, path):
    login(role)
    before = written()
    assert client.post(path, data={"name": "x"}).status_code == 403
    assert written() == before


def test_an_assessor_records_no_need(client, login, two_firms):
    login("assessor")  # it reads the ledgers of its granted periods, not the console
    assert client.get("/services/financing").status_code == 403
    meeting = db.session.scalar(select(MatchMeeting))
    assert client.get(f"/services/financing/meetings/{meeting.id}").status_code == 403
    before = written()
    response = client.post("/services/financing/needs", data={
        "tenant_id": two_firms[0].id, "amount_wan": "1", "stage": "seed",
        "raised_on": DAY.isoformat()})
    assert response.status_code == 403 and written() == before


def test_staff_keep_products(client, login):
    login("staff")
    bank = institution("重庆银行两江科技支行", kind="bank")
    db.session.commit()
    data = {"name": "OPC科创贷", "scale_wan": "5000", "formation": "joint", "partners": "",
            "provider_id": bank.id, "starts_on": "2026-01-01"}
    before = written()
    response = client.post("/services/financing/products/new", data=data)
    assert response.status_code == 200 and "合建的金融服务产品须填写合建机构" in text(response)
    assert written() == before
    response = client.post("/services/financing/products/new",
                           data=data | {"partners": "两江担保"})
    assert response.status_code == 302
    product = db.session.scalar(select(FinanceProduct))
    assert (product.partners, product.provider_id) == ("两江担保", bank.id)
    assert "OPC科创贷" in text(client.get("/services/financing"))
    page = text(client.get(f"/services/financing/products/{product.id}"))
    assert "新建了金融服务产品" in page


def test_staff_record_a_need_a_meeting_and_its_outcome(client, login, make_tenant):
    tenant = make_tenant(name="甲方科技有限公司")
    investor = institution()
    db.session.commit()
    login("staff")
    response = client.post("/services/financing/needs", data={
        "tenant_id": tenant.id, "amount_wan": "300", "stage": "pre_a",
        "raised_on": DAY.isoformat()})
    assert response.status_code == 302
    need = db.session.scalar(select(FinancingNeed))
    response = client.post("/services/financing/meetings", data={
        "tenant_id": tenant.id, "provider_id": investor.id, "need_id": need.id,
        "met_on": DAY.isoformat(), "note": "路演后约谈"})
    meeting = db.session.scalar(select(MatchMeeting))
    assert response.location.endswith(f"/services/financing/meetings/{meeting.id}")
    served = db.session.scalar(select(ServedRecord).where(
        ServedRecord.ref == f"meeting:{meeting.id}"))
    assert (served.tenant_id, served.served_on) == (tenant.id, DAY)
    response = client.post(f"/services/financing/meetings/{meeting.id}/outcome", data={
        "outcome": "invested", "amount_wan": "", "outcome_on": DAY.isoformat()},
        follow_redirects=True)
    assert "须填写金额" in text(response)
    client.post(f"/services/financing/meetings/{meeting.id}/outcome", data={
        "outcome": "invested", "amount_wan": "250", "outcome_on": DAY.isoformat()})
    db.session.refresh(meeting)
    assert (meeting.outcome, meeting.amount_wan) == ("invested", Decimal("250.00"))
    response = client.post(f"/services/financing/needs/{need.id}/close", data={
        "status": "met", "closed_on": DAY.isoformat()})
    db.session.refresh(need)
    assert (need.status, need.closed_on) == ("met", DAY)
    assert "关闭了融资需求" in text(client.get(f"/services/financing/needs/{need.id}"))


def test_a_meeting_with_a_lawyer_is_refused_and_serves_no_one(client, login, make_tenant):
    tenant = make_tenant()
    lawyer = institution("渝律律师事务所", kind="law_firm")
    db.session.commit()
    login("staff")
    before = written()
    response = client.post("/services/financing/meetings", data={
        "tenant_id": tenant.id, "provider_id": lawyer.id, "met_on": DAY.isoformat()})
    assert response.status_code == 302  # the lawyer is not even offered: not a valid choice
    assert written() == before


def test_staff_list_edit_and_withdraw_amenities(client, login):
    login("staff")
    response = client.post("/services/amenities/new", data={
        "name": "金开人才公寓", "kind": "apartment", "address": "金开大道88号",
        "distance_m": "800", "listed_on": "2026-01-01"})
    assert response.status_code == 302
    amenity = db.session.scalar(select(Amenity))
    response = client.post(f"/services/amenities/{amenity.id}", data={
        "name": "金开人才公寓", "kind": "apartment", "distance_m": "-3",
        "listed_on": "2026-01-01"})
    assert "距离应为0到100000之间的整数" in text(response)
    client.post(f"/services/amenities/{amenity.id}/withdraw",
                data={"withdrawn_on": "2026-02-01"})
    db.session.refresh(amenity)
    assert (amenity.distance_m, amenity.withdrawn_on) == (800, date(2026, 2, 1))
    page = text(client.get("/services/amenities"))
    assert "金开人才公寓" in page and "2026-02-01" in page


def test_a_founder_sees_the_amenities_listed_now(client, login):
    rules.save_amenity(db.session, None, amenity_data())
    gone = rules.save_amenity(db.session, None, amenity_data(name="已关闭的便利店", kind="shop"))
    rules.withdraw_amenity(db.session, None, gone, date(2026, 2, 1), date(2026, 2, 1))
    db.session.commit()
    login("member")
    page = text(client.get("/services/amenities"))
    assert "金开人才公寓" in page and "已关闭的便利店" not in page


def test_the_staff_page_shows_products_institutions_needs_and_meetings(client, login,
                                                                       two_firms):
    rules.save_product(db.session, None, product_data())
    institution("重庆银行两江科技支行", kind="bank")
    db.session.commit()
    login("staff")
    page = text(client.get("/services/financing"))
    for shown in ("OPC科创贷", "重庆银行两江科技支行", "甲方科技有限公司", "乙方科技有限公司",
                  "记录一次对接", "登记融资需求"):
        assert shown in page, shown


def test_staff_are_told_of_needs_nobody_met_and_meetings_without_an_answer(
        client, login, make_tenant, make_user):
    from services.financing.views import attention
    tenant = make_tenant(name="甲方科技有限公司")
    rules.save_need(db.session, None, tenant, need_data(raised_on=DAY), DAY)
    rules.record_meeting(db.session, None, {"tenant": tenant, "provider": institution(),
                                            "need": None, "met_on": DAY, "note": ""}, DAY)
    db.session.commit()
    login("staff")
    page = text(client.get("/services/financing"))
    assert "尚未安排对接的融资需求（1 项）" in page
    assert "超过30天未记录结果的对接（1 次）" in page
    with client.application.test_request_context():
        assert [item[0] for item in attention(db.session, make_user("staff"))] == [
            "1 项融资需求尚未安排对接", "1 次投融资对接超过30天未记录结果"]
        assert attention(db.session, make_user("assessor")) == []


# --- the tenant page's 融资对接 panel -------------------------------------------------------

def test_the_tenant_page_shows_a_firms_needs_and_meetings_to_its_member(client, login,
                                                                       two_firms):
    mine, theirs = two_firms
    login("member", tenant=mine)
    page = text(client.get(f"/tenants/{mine.id}"))
    assert 'id="financing"' in page and "两江天使投资基金" in page and "种子轮" in page
    assert "/services/financing/needs/" not in page  # the need page is staff's
    assert "/services/financing/mine" in page
    assert client.get(f"/tenants/{theirs.id}").status_code == 403


def test_staff_see_the_panel_with_links_and_a_voided_meeting_struck(client, login,
                                                                     two_firms):
    mine = two_firms[0]
    meeting = db.session.scalar(select(MatchMeeting).where(MatchMeeting.tenant_id == mine.id))
    rules.void_meeting(db.session, None, meeting, "机构登记错误", utcnow())
    db.session.commit()
    login("staff")
    page = text(client.get(f"/tenants/{mine.id}"))
    need = db.session.scalar(select(FinancingNeed).where(FinancingNeed.tenant_id == mine.id))
    assert f"/services/financing/needs/{need.id}" in page
    assert f"/services/financing/meetings/{meeting.id}" in page
    assert "已作废" in page and "机构登记错误" in page
    login("member", tenant=mine)
    page = text(client.get(f"/tenants/{mine.id}"))
    assert 'id="financing"' in page and "机构登记错误" not in page


def test_the_panel_is_for_staff_and_the_firms_own_members_only(app, two_firms, make_user):
    from services.financing.views import tenant_section
    mine, theirs = two_firms
    with app.test_request_context():
        assert tenant_section(db.session, make_user("member", tenant=theirs), mine) is None
        assert tenant_section(db.session, None, mine) is None
        own = tenant_section(db.session, make_user("member", tenant=mine), mine)
        assert [n.tenant_id for n in own["needs"]] == [mine.id]
        assert [m.tenant_id for m in own["meetings"]] == [mine.id]
        assert tenant_section(db.session, make_user("staff"), mine) is not None
