"""The console through HTTP: what staff, members and assessors see and may do."""
import gc
import io
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select

from community.extensions import db
from community import rules
from community.models import (AssessorGrant, Attachment, AuditEntry, Desk, DeskAssignment,
                               Tenant, Zone)
from tests.conftest import PASSWORD, valid_uscc

TODAY_YEAR = date.today().year


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def tenant_form(**overrides):
    return {"name": "重庆山城数据科技有限公司", "uscc": valid_uscc(), "legal_rep": "王五",
            "phone": "139 1234 5678", "email": "", "sector": "数字内容",
            "company_type": "有限责任公司（自然人独资）", "investors": "1",
            "relationship_kind": "resident", "founded_on": "2025-01-01",
            "moved_in_on": f"{TODAY_YEAR}-01-15"} | overrides


# --- signing in ----------------------------------------------------------------

def test_pages_need_a_login(client):
    response = client.get("/tenants")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_login_and_safe_next(client, make_user):
    make_user("staff", username="lina")
    response = client.post("/login?next=/tenants", data={"username": "lina",
                                                         "password": PASSWORD})
    assert response.headers["Location"] == "/tenants"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_login_refuses_open_redirects(client, make_user, target):
    make_user("staff", username="lina")
    response = client.post("/login", query_string={"next": target},
                           data={"username": "lina", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_wrong_password_says_so(client, make_user):
    make_user("staff", username="lina")
    response = client.post("/login", data={"username": "lina", "password": "nope"})
    assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_login_is_throttled_with_a_clear_message(client, make_user, app):
    make_user("staff", username="lina")
    for _ in range(10):
        client.post("/login", data={"username": "lina", "password": "wrong"})
    response = client.post("/login", data={"username": "lina", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录尝试过于频繁" in response.get_data(as_text=True)


def test_password_change(client, login):
    user = login("staff")
    response = client.post("/password", data={"current": "wrong", "new": "a-new-password-1"})
    assert "当前密码不正确" in response.get_data(as_text=True)
    client.post("/password", data={"current": PASSWORD, "new": "a-new-password-1"})
    db.session.refresh(user)
    assert user.check_password("a-new-password-1")


def test_language_choice_survives_logging_in(client, make_user):
    make_user("staff", username="lina")
    client.post("/lang/en", data={"next": "/login"})
    response = client.post("/login", data={"username": "lina", "password": PASSWORD},
                           follow_redirects=True)
    assert "Dashboard" in response.get_data(as_text=True)


def test_english_is_available(client, login):
    login("staff")
    client.post("/lang/en", data={"next": "/"})
    assert "Dashboard" in client.get("/").get_data(as_text=True)


# --- permissions -----------------------------------------------------------------

EDIT_POSTS = ["/tenants/new", "/zones/new", "/desks/bulk", "/tenants/import",
              "/settings", "/users/new"]


@pytest.mark.parametrize("path", EDIT_POSTS)
def test_assessor_cannot_change_anything(client, login, path):
    login("assessor")
    assert client.post(path, data={}).status_code == 403


@pytest.mark.parametrize("path, status", [("/", 200), ("/ledger.xlsx", 200), ("/tenants", 403),
                                          ("/zones", 403), ("/desks", 403)])
def test_assessor_reads_the_evidence_not_the_console(client, login, path, status):
    assessor = login("assessor")  # inside its granted period (tests/community/test_assessors)
    year = date.today().year
    db.session.add(AssessorGrant(user_id=assessor.id, start_on=date(year, 1, 1),
                                 end_on=date(year, 12, 31)))
    db.session.commit()
    assert client.get(path).status_code == status


@pytest.mark.parametrize("path", ["/tenants", "/zones", "/desks", "/ledger.xlsx",
                                  "/settings", "/users", "/audit", "/tenants/new"])
def test_member_sees_no_community_pages(client, login, path):  # "/" leads to its firm
    login("member")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/settings", "/users", "/audit"])
def test_staff_cannot_administer(client, login, path):
    login("staff")
    assert client.get(path).status_code == 403


def test_member_sees_only_its_own_tenant(client, login, make_tenant):
    own, other = make_tenant(name="重庆自己科技有限公司"), make_tenant(name="重庆别家科技有限公司")
    login("member", tenant=own)
    assert "重庆自己科技有限公司" in client.get(f"/tenants/{own.id}").get_data(as_text=True)
    assert client.get(f"/tenants/{other.id}").status_code == 403


def public_endpoints(app):
    return {endpoint for endpoint, view in app.view_functions.items()
            if getattr(view, "public", False)}


def test_public_pages_are_few_and_obvious(app):
    core = {e for e in public_endpoints(app) if e.split(".")[0] in ("community", "booking")}
    assert core == {"community.login", "community.set_language", "booking.room_feed",
                    "booking.room_feed_private", "booking.tenant_feed"}


def test_every_route_is_login_protected_or_marked_public(app, client):
    public = public_endpoints(app) | {"static"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in public:
            continue
        path = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(path, method=method)
        assert response.status_code == 302, rule.endpoint
        assert "/login" in response.headers["Location"]


def test_post_without_csrf_token_is_refused(app, login, client):
    app.config["WTF_CSRF_ENABLED"] = True
    login("staff")
    response = client.post("/tenants/new", data=tenant_form())
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert count(Tenant) == 0


def test_security_headers(client):
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- tenants --------------------------------------------------------------------

def test_staff_registers_a_tenant(client, login):
    login("staff")
    response = client.post("/tenants/new", data=tenant_form(uscc="11500000009276281J"),
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "企业信息已保存" in page and "11500000009276281J" in page
    tenant = db.session.scalars(select(Tenant)).one()
    assert tenant.phone == "13912345678" and tenant.name_initials == "cqscsjkjyxgs"
    assert db.session.scalar(select(AuditEntry.action)) == "tenant.created"


@pytest.mark.parametrize("field, value, text", [
    ("uscc", "11500000009276281K", "校验位不正确"),
    ("uscc", "91350100M000100Y4Z", "格式不正确"),
    ("phone", "12345", "不是有效的中国电话号码"),
    ("founded_on", "2025-13-01", "不是有效的日期值"),
])
def test_bad_tenant_input_is_shown_and_nothing_saved(client, login, field, value, text):
    login("staff")
    response = client.post("/tenants/new", data=tenant_form(**{field: value}))
    assert response.status_code == 200
    assert text in response.get_data(as_text=True)
    assert count(Tenant) == 0


def test_duplicate_uscc_is_refused(client, login, make_tenant):
    login("staff")
    existing = make_tenant()
    response = client.post("/tenants/new", data=tenant_form(uscc=existing.uscc.lower()))
    assert "该统一社会信用代码已登记" in response.get_data(as_text=True)
    assert count(Tenant) == 1


@pytest.mark.parametrize("q", ["山城", "cqsc", "09000001"])
def test_tenant_search_by_name_initials_or_uscc(client, login, make_tenant, q):
    login("staff")
    make_tenant(name="重庆山城数据科技有限公司", uscc=valid_uscc(9000001))
    make_tenant(name="重庆嘉陵文化有限公司", uscc=valid_uscc(9000222))
    page = client.get("/tenants", query_string={"q": q}).get_data(as_text=True)
    assert "重庆山城数据科技有限公司" in page and "重庆嘉陵文化有限公司" not in page


def test_tenant_list_masks_phones(client, login, make_tenant):
    login("staff")
    make_tenant(phone="13800138000")
    page = client.get("/tenants").get_data(as_text=True)
    assert "138****8000" in page and "13800138000" not in page


def import_file(rows, name="tenants.xlsx"):
    frame = pd.DataFrame(rows)
    out = io.BytesIO()
    if name.endswith(".csv"):
        out.write(frame.to_csv(index=False).encode("utf-8-sig"))
    else:
        frame.to_excel(out, index=False)
    out.seek(0)
    return out


def import_row(**overrides):
    return {"企业名称": "重庆导入科技有限公司", "统一社会信用代码": valid_uscc(),
            "法定代表人": "赵六", "联系电话": "13800138000", "行业领域": "智慧医疗",
            "企业类型": "个人独资企业", "股东（投资人）人数": "1",
            "关系": "入驻", "成立日期": "2025-02-01",
            "入驻日期": "2025-06-01"} | overrides


@pytest.mark.parametrize("name", ["tenants.xlsx", "tenants.csv"])
def test_import_saves_every_row(client, login, name):
    login("staff")
    rows = [import_row(企业名称=f"重庆导入{i}科技有限公司") for i in range(3)]
    response = client.post("/tenants/import", data={"file": (import_file(rows, name), name)},
                           follow_redirects=True)
    assert "已导入 3 家企业" in response.get_data(as_text=True)
    assert count(Tenant) == 3


def test_import_with_one_bad_row_saves_none_and_names_it(client, login):
    login("staff")
    rows = [import_row(), import_row(统一社会信用代码="11500000009276281K"), import_row()]
    response = client.post("/tenants/import",
                           data={"file": (import_file(rows), "tenants.xlsx")})
    page = response.get_data(as_text=True)
    assert "未导入任何企业" in page
    assert "<td>3</td><td>统一社会信用代码</td>" in page  # row 3 of the sheet (header is 1)
    assert count(Tenant) == 0


def test_import_of_a_non_spreadsheet_is_refused(client, login):
    login("staff")
    response = client.post("/tenants/import",
                           data={"file": (io.BytesIO(b"\x00\x01garbage"), "tenants.xlsx")})
    assert "无法读取该文件" in response.get_data(as_text=True)
    assert count(Tenant) == 0


# --- zones and desks --------------------------------------------------------------

def zone_form(**overrides):
    return {"floor": "3F", "name": "开放工位区C", "kind": "open_desk", "area_m2": "800",
            "capacity": "60", "in_service_on": "2025-09-01"} | overrides


def test_zone_is_created(client, login):
    login("staff")
    response = client.post("/zones/new", data=zone_form(), follow_redirects=True)
    assert "800.00" in response.get_data(as_text=True)
    assert count(Zone) == 1


@pytest.mark.parametrize("area, text", [("-20", "面积必须大于0"), ("0", "面积必须大于0"),
                                        ("abc", "面积")])
def test_bad_area_is_refused(client, login, area, text):
    login("staff")
    response = client.post("/zones/new", data=zone_form(area_m2=area))
    assert response.status_code == 200 and text in response.get_data(as_text=True)
    assert count(Zone) == 0


def test_bulk_desks_through_the_form(client, login, make_zone):
    login("staff")
    zone = make_zone()
    response = client.post("/desks/bulk", data={
        "zone_id": zone.id, "prefix": "a", "first": 1, "count": 150, "zero_rent": "y",
        "in_service_on": "2025-09-01"}, follow_redirects=True)
    assert "已创建 150 个工位：A-001 至 A-150" in response.get_data(as_text=True)
    assert count(Desk) == 150


def test_overlapping_desk_assignment_is_refused(client, login, make_desks, make_member):
    login("staff")
    desk = make_desks(1)[0]
    first, second = make_member(name="甲"), make_member(name="乙")
    client.post(f"/desks/{desk.id}", data={"member_id": first.id, "starts_on": "2026-01-01"})
    response = client.post(f"/desks/{desk.id}", data={"member_id": second.id,
                                                      "starts_on": "2026-03-01",
                                                      "ends_on": "2026-03-31"})
    assert f"工位 {desk.code} 在该时段已分配" in response.get_data(as_text=True)
    assert count(DeskAssignment) == 1


# --- evidence files -----------------------------------------------------------------

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_upload_checked_by_content_and_served_to_the_tenant_only(client, login, make_tenant,
                                                                 app):
    tenant, other = make_tenant(), make_tenant()
    login("staff")
    response = client.post(f"/files/tenant/{tenant.id}", data={
        "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "licence.pdf"),
        "next": f"/tenants/{tenant.id}"}, follow_redirects=True)
    assert "文件内容与扩展名不符" in response.get_data(as_text=True)
    assert count(Attachment) == 0
    client.post(f"/files/tenant/{tenant.id}", data={"file": (io.BytesIO(PNG), "营业执照.png"),
                                                    "next": f"/tenants/{tenant.id}"})
    attachment = db.session.scalars(select(Attachment)).one()
    assert len(attachment.sha256) == 64 and attachment.content_type == "image/png"
    download = client.get(f"/files/{attachment.id}")
    assert download.data == PNG and "attachment" in download.headers["Content-Disposition"]
    download.close()
    login("member", tenant=other)
    assert client.get(f"/files/{attachment.id}").status_code == 403
    login("member", tenant=tenant)
    response = client.get(f"/files/{attachment.id}")
    assert response.status_code == 200
    response.close()


# --- dashboard and export ---------------------------------------------------------------

@pytest.fixture
def small_community(make_zone, make_desks, make_member, make_tenant):
    zone = make_zone(area_m2="3200", in_service_on=date(2025, 1, 1))
    desks = make_desks(150, zone=zone, prefix="A", in_service_on=date(2025, 1, 1))
    tenant = make_tenant(name="重庆台账科技有限公司", phone="13800138000",
                         moved_in_on=date(TODAY_YEAR, 1, 10))
    rules.assign_desk(db.session, None, desks[0], make_member(tenant), date(TODAY_YEAR, 1, 10))
    db.session.commit()
    return tenant


def test_dashboard_shows_the_space_indicators(client, login, small_community):
    login("staff")
    page = client.get("/").get_data(as_text=True)
    for code, figure in (("S1", "3,200"), ("S2", "150"), ("S4", "1")):
        card = page.split(f'data-code="{code}"')[1].split("</section>")[0]
        assert f'<span class="actual">{figure}</span>' in card


def test_dashboard_refuses_a_reversed_custom_period(client, login):
    login("staff")
    page = client.get("/", query_string={"period": "custom", "start": "2026-05-01",
                                         "end": "2026-04-01"}).get_data(as_text=True)
    assert "统计期间不正确" in page


def read_workbook(data):
    return pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str)


def test_export_workbook_masks_phones(client, login, small_community):
    login("staff")
    response = client.get("/ledger.xlsx")
    assert response.content_length == len(response.data) > 0  # a browser shows progress
    assert "filename*=UTF-8''%E5%8F%B0%E8%B4%A6_" in response.headers["Content-Disposition"]
    sheets = read_workbook(response.data)
    # The bang's order (P1, S1, S2, S3, S4, G1, E1, C1), then the application form's F1, L1.
    assert list(sheets) == ["考核指标完成情况", "专业服务台账", "场地台账", "工位台账", "预约台账",
                            "功能空间利用率", "入驻、服务企业台账", "公共服务台账", "服务资源清单",
                            "活动台账", "活动签到明细", "场景台账", "场景挖掘工作记录",
                            "投融资对接台账", "金融服务产品", "入驻金融机构", "生活配套清单",
                            "锁定期后更正"]
    firms = sheets["入驻、服务企业台账"]
    row = firms[firms["企业名称"] == "重庆台账科技有限公司"].iloc[0]
    assert row["联系电话"] == "138****8000" and row["统一社会信用代码"] == small_community.uscc
    cover = pd.read_excel(io.BytesIO(response.data), sheet_name="考核指标完成情况", header=2)
    assert cover.set_index("指标编号").loc["S2", "完成值"] == 150


def test_asking_for_the_export_head_only_leaves_no_file_open(client, login, small_community):
    login("staff")
    with client.head("/ledger.xlsx") as response:  # closed as a server closes it
        assert response.status_code == 200 and response.content_length > 0
        assert response.data == b""
    gc.collect()  # an unclosed temporary file would warn here, and warnings fail tests


def test_full_export_needs_the_admin_and_is_logged(client, login, small_community):
    login("staff")
    assert client.get("/ledger.xlsx?full=1").status_code == 403
    login("admin")
    sheets = read_workbook(client.get("/ledger.xlsx?full=1").data)
    assert "13800138000" in set(sheets["入驻、服务企业台账"]["联系电话"])
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "ledger.exported_full")) == 1


def test_formula_like_cells_are_escaped(client, login, make_tenant):
    login("staff")
    make_tenant(name="=HYPERLINK(\"http://x\")", moved_in_on=date(TODAY_YEAR, 1, 1))
    sheets = read_workbook(client.get("/ledger.xlsx").data)
    assert sheets["入驻、服务企业台账"]["企业名称"].iloc[0].startswith("'=")


def settings_form(**overrides):
    return {"name": "测试社区", "operator_uscc": "11500000009276281J",
            "timezone": "Asia/Shanghai", "period_start_on": "2026-08-01",
            "period_end_on": "2027-12-31", "startup_years": "5",
            "opc_company_types": "有限责任公司（自然人独资）\n个人独资企业"} | overrides


def test_settings_and_targets(client, login):
    login("admin")
    response = client.post("/settings", data=settings_form(**{"target-S1-2026": "3500"}),
                           follow_redirects=True)
    assert "设置已保存" in response.get_data(as_text=True)
    page = client.get("/", query_string={"year": 2026}).get_data(as_text=True)
    assert "3,500" in page.split('data-code="S1"')[1].split("</section>")[0]
    bad = client.post("/settings", data=settings_form(operator_uscc="11500000009276281K"))
    assert "校验位不正确" in bad.get_data(as_text=True)


def test_admin_creates_a_member_account(client, login, make_tenant):
    login("admin")
    tenant = make_tenant()
    response = client.post("/users/new", data={"username": "chen", "name": "陈晨",
                                               "role": "member", "tenant_id": 0,
                                               "password": "long-enough-pw"})
    assert "入驻企业成员必须关联一家企业" in response.get_data(as_text=True)
    client.post("/users/new", data={"username": "chen", "name": "陈晨", "role": "member",
                                    "tenant_id": tenant.id, "password": "long-enough-pw"})
    from community.models import User
    assert db.session.scalar(select(User.tenant_id).where(User.username == "chen")) == tenant.id


@pytest.mark.parametrize("query", [
    {"period": "custom", "start": "2026-01-01", "end": "9999-12-31"},
    {"period": "custom", "start": "0001-01-01", "end": "2026-01-01"},
    {"year": "9999"}])
def test_absurd_periods_fall_back_with_a_message(client, login, query):
    login("staff")
    response = client.get("/", query_string=query)
    assert response.status_code == 200 and "统计期间不正确" in response.get_data(as_text=True)
    assert client.get("/ledger.xlsx", query_string=query).status_code == 200


def test_pager_ignores_query_keys_that_are_not_filters(client, login, make_desks):
    login("staff")
    make_desks(30)
    assert client.get("/desks", query_string={"_method": "x"}).status_code == 200


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-5", "abc", "1e20"])
def test_bad_targets_are_refused(client, login, value):
    login("admin")
    response = client.post("/settings", data=settings_form(**{"target-S1-2026": value}),
                           follow_redirects=True)
    assert "设置已保存" not in response.get_data(as_text=True)
    assert "目标值应为不小于0" in response.get_data(as_text=True)
    from community.models import Target
    assert count(Target) == 0


def test_audit_trail_keeps_phones_masked(client, login, make_tenant):
    from community.rules import save_tenant
    from tests.conftest import tenant_data
    tenant = make_tenant(phone="13800138000")
    save_tenant(db.session, None, tenant_data(uscc=tenant.uscc, phone="13912345678"),
                date.today(), tenant)
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "tenant")).all()
    stored = str([(e.before, e.after) for e in entries])
    assert "139****5678" in stored and "13912345678" not in stored and "13800138000" not in stored


def test_a_password_change_needs_the_current_password(client, login):
    user = login("staff")
    page = client.post("/password", data={"current": "wrong-password-1",
                                          "new": "another-long-pass"}).get_data(as_text=True)
    assert "当前密码不正确" in page
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
    client.post("/password", data={"current": PASSWORD, "new": "another-long-pass"})
    db.session.refresh(user)
    assert user.check_password("another-long-pass")
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "user.password_changed")) == 1


def test_each_role_lands_on_its_home_at_the_root(client, login, make_tenant):
    tenant = make_tenant()
    login("member", tenant=tenant)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/tenants/{tenant.id}")
    login("assessor")
    assert client.get("/").status_code == 200


def test_a_file_too_large_leads_back_to_the_page_it_came_from(app, client, login, make_tenant):
    tenant = make_tenant()
    login("staff")
    app.config["MAX_CONTENT_LENGTH"] = 1024
    page = f"/tenants/{tenant.id}"
    response = client.post(f"/files/tenant/{tenant.id}", data={
        "file": (io.BytesIO(b"%PDF-1.4" + b"0" * 4096), "大文件.pdf")},
        headers={"Referer": f"http://localhost{page}"})
    body = response.get_data(as_text=True)
    assert response.status_code == 413 and "文件过大" in body
    assert f'href="{page}"' in body and "返回上一页" in body
    response = client.post(f"/files/tenant/{tenant.id}", data={
        "file": (io.BytesIO(b"0" * 4096), "x.pdf")}, headers={"Referer": "http://evil.example/x"})
    assert "返回上一页" not in response.get_data(as_text=True)  # never somewhere else


def test_the_audit_trail_reads_as_words_not_codes(app, client, login, make_tenant):
    """The trail names who did what to which record, in the reader's language."""
    from flask_babel import refresh
    tenant = make_tenant(name="重庆审计科技有限公司")
    login("admin")
    page = client.get(f"/tenants/{tenant.id}").get_data(as_text=True)
    history = page.split("变更记录")[1]
    assert "新建了企业" in history and "tenant.created" not in history
    trail = client.get("/audit").get_data(as_text=True)
    assert "新建了企业「重庆审计科技有限公司」" in trail  # who did what to which record
    with client.session_transaction() as session:
        session["lang"] = "en"
    refresh()  # requests share the test's app context: forget the locale it cached
    history = client.get(f"/tenants/{tenant.id}").get_data(as_text=True).split("<tbody>")[-1]
    assert "Created Company" in history and "tenant.created" not in history
