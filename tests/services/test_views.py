"""The services pages as staff, founders and assessors use them."""
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from community.extensions import db
from community.models import ServedRecord
from community.web import today
from services import catalogue, rules, subsidies
from services.models import Grant, Provider, ServiceRequest


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_founder_requests_a_service_for_its_own_firm_only(client, login, make_tenant):
    other = make_tenant(name="别家科技有限公司")
    member = login("member")
    patent = catalogue.category(db.session, "patent")
    page = client.get("/services/request").get_data(as_text=True)
    assert member.tenant.name in page and "别家科技有限公司" not in page
    response = client.post("/services/request", data={
        "tenant_id": other.id, "category_id": patent.id, "description": "想申请专利"})
    assert response.status_code == 403 and count(ServiceRequest) == 0
    response = client.post("/services/request", data={
        "tenant_id": member.tenant_id, "category_id": patent.id, "description": "发明专利"},
        follow_redirects=True)
    assert "服务申请已提交" in response.get_data(as_text=True)
    made = db.session.scalar(select(ServiceRequest))
    assert (made.tenant_id, made.requested_by_id) == (member.tenant_id, member.id)
    assert "专利申报" in client.get("/services/mine").get_data(as_text=True)


def test_a_member_cannot_open_or_rate_another_firms_service(client, login, make_request):
    request = make_request()
    rules.complete(db.session, None, request, {"outcome": "已提交", "quantity": Decimal(1)},
                   request.requested_at, today())
    db.session.commit()
    login("member")
    assert client.get(f"/services/requests/{request.id}").status_code == 403
    response = client.post(f"/services/requests/{request.id}/confirm", data={"rating": 5})
    assert response.status_code == 403
    db.session.refresh(request)
    assert request.rating is None


def test_staff_complete_and_the_founder_rates_through_the_pages(client, login, make_request,
                                                               make_provider, make_user):
    request = make_request()
    agency = make_provider("patent")
    login("staff")
    url = f"/services/requests/{request.id}"
    client.post(f"{url}/assign", data={"provider_id": agency.id})
    client.post(f"{url}/start")
    page = client.post(f"{url}/complete", data={"outcome": "", "completed_on": today(),
                                                "quantity": "1"}, follow_redirects=True)
    assert "请填写办理结果" in page.get_data(as_text=True)
    client.post(f"{url}/complete", data={"outcome": "申请号 2026112345678",
                                         "completed_on": today(), "quantity": "1",
                                         "value": "3000"})
    db.session.refresh(request)
    assert request.status == "completed" and request.provider_id == agency.id
    login("member", tenant=request.tenant)
    page = client.get(url).get_data(as_text=True)
    assert "确认服务已完成" in page and "2026112345678" in page
    client.post(f"{url}/confirm", data={"rating": 4, "comment": "及时"})
    again = client.post(f"{url}/confirm", data={"rating": 1}, follow_redirects=True)
    assert "已评价过" in again.get_data(as_text=True)
    db.session.refresh(request)
    assert request.rating == 4


def test_the_tenant_page_logs_a_service_given_and_refuses_a_future_one(client, login,
                                                                      make_tenant):
    tenant = make_tenant()
    consulting = catalogue.category(db.session, "consulting")
    login("staff")
    page = client.get(f"/tenants/{tenant.id}").get_data(as_text=True)
    assert "登记服务" in page and "综合咨询指导" in page
    response = client.post(f"/services/tenants/{tenant.id}/log", data={
        "category_id": consulting.id, "completed_on": "2099-01-01", "outcome": "咨询"},
        follow_redirects=True)
    assert "服务日期不能晚于今天" in response.get_data(as_text=True)
    assert count(ServiceRequest) == 0 and count(ServedRecord) == 0
    client.post(f"/services/tenants/{tenant.id}/log", data={
        "category_id": consulting.id, "completed_on": today().isoformat(),
        "outcome": "政策咨询：创业补贴申报"})
    page = client.get(f"/tenants/{tenant.id}").get_data(as_text=True)
    assert "综合咨询指导：政策咨询：创业补贴申报" in page  # the 服务记录 row, S4's evidence


def test_a_grant_over_quota_shows_what_remains_and_writes_nothing(client, login, make_tenant):
    tenant = make_tenant()
    compute = catalogue.category(db.session, "compute")
    subsidies.set_quota(db.session, None, tenant, today().year, compute, "quantity", 50)
    db.session.commit()
    login("staff")
    response = client.post("/services/grants", data={
        "tenant_id": tenant.id, "category_id": compute.id, "provider_id": 0,
        "quantity": "80", "value": "0", "granted_on": today().isoformat()})
    assert "剩余 50 GPU卡时" in response.get_data(as_text=True)
    assert count(Grant) == 0
    client.post("/services/grants", data={
        "tenant_id": tenant.id, "category_id": compute.id, "provider_id": 0,
        "quantity": "20", "value": "240", "granted_on": today().isoformat()})
    assert count(Grant) == 1
    login("member", tenant=tenant)
    page = client.get("/services/mine").get_data(as_text=True)
    used_left = page[page.index("算力补贴"):page.index("</tr>", page.index("算力补贴"))]
    assert ">20<" in used_left and "<b>30</b>" in used_left


def test_assessors_neither_open_nor_write(client, login, make_tenant):
    tenant = make_tenant()
    compute = catalogue.category(db.session, "compute")
    login("assessor")  # it reads the ledgers of its granted periods, not the console
    for path in ("/services", "/services/providers", "/services/catalogue",
                 "/services/grants", "/services/quotas"):
        assert client.get(path).status_code == 403, path
    response = client.post("/services/quotas", data={
        "tenant_id": tenant.id, "year": 2026, "category_id": compute.id,
        "measure": "quantity", "amount": "10"})
    assert response.status_code == 403
    assert client.post("/services/providers/new", data={"name": "x"}).status_code == 403


def test_staff_register_a_provider_and_its_agreement(client, login):
    from tests.conftest import valid_uscc
    login("staff")
    patent = catalogue.category(db.session, "patent")
    response = client.post("/services/providers/new", data={
        "name": "重庆某专利事务所", "kind": "patent_agency", "uscc": "123",
        "categories": [patent.id]})
    assert "统一社会信用代码应为18位" in response.get_data(as_text=True)
    assert count(Provider) == 0
    response = client.post("/services/providers/new", data={
        "name": "重庆某专利事务所", "kind": "patent_agency", "uscc": valid_uscc(),
        "categories": [patent.id], "active": "y"})
    provider = db.session.scalar(select(Provider))
    assert response.status_code == 302 and provider.categories == [patent]
    page = client.post(f"/services/providers/{provider.id}", data={
        "title": "合作协议", "starts_on": "2026-06-01", "ends_on": "2026-05-01"})
    assert "协议到期日不能早于生效日" in page.get_data(as_text=True)
    client.post(f"/services/providers/{provider.id}", data={
        "title": "合作协议", "starts_on": "2026-01-01", "ends_on": str(date(2030, 12, 31))})
    page = client.get("/services/providers").get_data(as_text=True)
    assert "有效" in page and "2030-12-31" in page


def test_the_queue_puts_late_requests_first_in_view(client, login, make_request, make_tenant):
    from datetime import timedelta

    from community.dbsetup import utcnow
    late = make_request("legal", tenant=make_tenant(name="迟办科技有限公司"),
                        at=utcnow() - timedelta(days=5))  # three days allowed
    make_request("patent", tenant=make_tenant(name="按时科技有限公司"), at=utcnow())
    login("staff")
    page = client.get("/services").get_data(as_text=True)
    assert "1 项申请已超过办结时限" in page and "按时科技有限公司" in page
    page = client.get("/services?show=overdue").get_data(as_text=True)
    assert "迟办科技有限公司" in page and "按时科技有限公司" not in page
    assert f'/services/requests/{late.id}' in page and "已超时" in page
    assert "1 项服务申请已超过办结时限" in client.get("/").get_data(as_text=True)
