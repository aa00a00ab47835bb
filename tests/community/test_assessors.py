"""Assessors read the evidence of the periods an admin grants them, and nothing else:
the dashboard, the ledger export, evidence files (every download in the trail), the trail
of ledger records as sentences in local time; grants made and revoked by an admin."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from community import assessors
from community.extensions import db
from community.files import save_attachment
from community.models import AssessorGrant, AuditEntry
from community.periods import Period
from community.permissions import may_read_period
from community.refusals import Invalid, Refused
from community.rules import add_member
from community.web import today as local_today

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
NOW = datetime(2026, 7, 1, 2, tzinfo=timezone.utc)
H1 = (date(2026, 1, 1), date(2026, 6, 30))


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def granted(user, start, end, revoked=False):
    row = AssessorGrant(user_id=user.id, start_on=start, end_on=end,
                        revoked_at=NOW if revoked else None)
    db.session.add(row)
    db.session.commit()
    return row


def around_today(days=30):
    day = local_today()
    return day - timedelta(days=days), day + timedelta(days=days)


# --- rules ---------------------------------------------------------------------------

def test_a_grant_opens_exactly_its_period(app, make_user):
    admin, assessor = make_user("admin"), make_user("assessor")
    row = assessors.grant(db.session, admin, assessor, *H1, NOW)
    db.session.commit()
    inside = Period.make(date(2026, 2, 1), date(2026, 3, 31), date(2026, 7, 1))
    whole = Period.make(*H1, date(2026, 7, 1))
    spills = Period.make(date(2026, 6, 1), date(2026, 7, 31), date(2026, 7, 1))
    year = Period.make(date(2026, 1, 1), date(2026, 12, 31), date(2026, 7, 1))
    assert may_read_period(db.session, assessor, inside)
    assert may_read_period(db.session, assessor, whole)
    assert not may_read_period(db.session, assessor, spills)
    assert not may_read_period(db.session, assessor, year)
    assert may_read_period(db.session, make_user("staff"), year)
    assert not may_read_period(db.session, make_user("member"), inside)
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "assessor_grant.created"))
    assert entry.object_id == row.id and "2026-01-01 ~ 2026-06-30" in entry.note


def test_a_revoked_grant_or_none_opens_nothing(app, make_user):
    admin, assessor = make_user("admin"), make_user("assessor")
    row = assessors.grant(db.session, admin, assessor, *H1, NOW)
    assessors.revoke(db.session, admin, row, "评估结束", NOW)
    db.session.commit()
    inside = Period.make(date(2026, 2, 1), date(2026, 3, 31), date(2026, 7, 1))
    assert not may_read_period(db.session, assessor, inside)
    assert not may_read_period(db.session, make_user("assessor"), inside)
    assert assessors.granted_period(db.session, assessor, date(2026, 7, 1)) is None
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "assessor_grant.revoked"))
    assert entry.note == "评估结束" and entry.before["revoked_at"] is None


def test_end_before_start_is_refused_and_nothing_saved(app, make_user):
    admin, assessor = make_user("admin"), make_user("assessor")
    with pytest.raises(Invalid) as refused:
        assessors.grant(db.session, admin, assessor, date(2026, 6, 30), date(2026, 1, 1), NOW)
    assert refused.value.errors == {"end_on": "end_before_start"}
    with pytest.raises(Invalid) as refused:
        assessors.grant(db.session, admin, assessor, "", "2026-13-01", NOW)
    assert refused.value.errors == {"start_on": "required", "end_on": "date_invalid"}
    with pytest.raises(Refused) as refused:
        assessors.grant(db.session, admin, make_user("staff"), *H1, NOW)
    assert refused.value.code == "grant_not_assessor"
    db.session.rollback()
    assert count(AssessorGrant) == 0 and count(AuditEntry) == 0


def test_a_revoke_needs_a_note_and_happens_once(app, make_user):
    admin, assessor = make_user("admin"), make_user("assessor")
    row = assessors.grant(db.session, admin, assessor, *H1, NOW)
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        assessors.revoke(db.session, admin, row, "  ", NOW)
    assert refused.value.errors == {"note": "required"}
    assessors.revoke(db.session, admin, row, "换人", NOW)
    with pytest.raises(Refused) as refused:
        assessors.revoke(db.session, admin, row, "再来", NOW)
    assert refused.value.code == "grant_already_revoked"


def test_the_latest_grant_is_the_default_period(app, make_user):
    assessor = make_user("assessor")
    granted(assessor, date(2025, 1, 1), date(2025, 12, 31))
    granted(assessor, *H1)
    granted(assessor, date(2027, 1, 1), date(2027, 6, 30), revoked=True)
    period = assessors.granted_period(db.session, assessor, date(2026, 7, 1))
    assert (period.start, period.end) == H1


# --- pages -----------------------------------------------------------------------------

def test_the_dashboard_opens_on_the_granted_period(client, login):
    assessor = login("assessor")
    granted(assessor, *H1)
    page = client.get("/").get_data(as_text=True)
    assert "2026-01-01 — 2026-06-30" in page
    assert 'id="download-ledger"' in page and "完整导出" not in page
    assert "入驻企业" not in page.split("<main>")[0]  # no console pages in its menu
    inside = client.get("/?period=custom&start=2026-03-01&end=2026-03-31")
    assert inside.status_code == 200
    assert client.get("/?period=year&year=2026").status_code == 403
    assert client.get("/?period=custom&start=2025-12-01&end=2026-01-31").status_code == 403


def test_an_assessor_without_a_grant_is_told_so(client, login):
    assessor = login("assessor")
    for path in ("/", "/audit"):
        response = client.get(path)
        assert response.status_code == 200 and "尚未授权评估期间" in response.get_data(as_text=True)
    assert client.get("/ledger.xlsx").status_code == 403
    granted(assessor, *H1, revoked=True)
    assert "尚未授权评估期间" in client.get("/").get_data(as_text=True)


def test_the_ledger_export_only_inside_the_grant_and_logged(client, login):
    assessor = login("assessor")
    granted(assessor, *H1)
    response = client.get("/ledger.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert "20260101-20260630" in response.headers["Content-Disposition"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ledger.exported"))
    assert entry.actor_id == assessor.id and entry.note == "2026-01-01~2026-06-30"
    assert client.get("/ledger.xlsx?period=year&year=2026").status_code == 403
    assert client.get("/ledger.xlsx?full=1").status_code == 403
    assert count(AuditEntry, AuditEntry.action.like("ledger.%")) == 1


ALLOWED = {"community.dashboard", "community.export", "community.audit_log",
           "community.password", "community.login", "community.logout", "community.report",
           "community.report_pdf", "community.packs", "community.evidence_gaps",
           "community.set_language", "static"}


def console_pages(app):
    """Every page that takes no argument in its address, but the ones an assessor reads
    and the public ones."""
    from tests.test_routes import PUBLIC
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments
                  and rule.endpoint not in ALLOWED | PUBLIC)


def test_every_other_console_page_is_refused_to_an_assessor(app, client, login):
    assessor = login("assessor")
    granted(assessor, *around_today())
    pages = console_pages(app)
    assert {"/tenants", "/zones", "/desks", "/users", "/settings", "/assessors"} <= set(pages)
    answers = {path: client.get(path).status_code for path in pages}
    assert {path: code for path, code in answers.items() if code != 403} == {}


def test_a_granted_assessor_downloads_evidence_and_each_download_is_logged(
        app, client, login, make_tenant, make_user):
    tenant = make_tenant(name="证据科技有限公司")
    file = save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], "tenant", tenant.id,
                           "租赁合同.png", PNG)
    db.session.commit()
    assessor = login("assessor")
    assert client.get(f"/files/{file.id}").status_code == 403  # no grant yet
    assert count(AuditEntry, AuditEntry.action == "attachment.downloaded") == 0
    granted(assessor, *around_today())
    for _ in range(2):
        with client.get(f"/files/{file.id}") as response:
            assert response.status_code == 200 and response.data == PNG
    logged = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "attachment.downloaded")).all()
    assert [(e.actor_id, e.object_id, e.note) for e in logged] == [
        (assessor.id, file.id, "租赁合同.png")] * 2
    assert client.get(f"/tenants/{tenant.id}").status_code == 403  # the files, not the page
    login("staff")
    with client.get(f"/files/{file.id}") as response:
        assert response.status_code == 200
    assert count(AuditEntry, AuditEntry.action == "attachment.downloaded") == 2


def test_the_assessors_trail_holds_ledger_records_of_its_periods_as_sentences(
        app, client, login, make_tenant, make_user):
    tenant = make_tenant(name="轨迹科技有限公司", phone="13912345678")
    add_member(db.session, make_user("staff"), tenant, "王小明", "13700001111")
    db.session.commit()
    assessor = login("assessor")
    granted(assessor, date(2000, 1, 1), date(2000, 12, 31))  # long before these entries
    page = client.get("/audit").get_data(as_text=True)
    assert "轨迹科技有限公司" not in page and "暂无记录" in page
    granted(assessor, *around_today())
    page = client.get("/audit").get_data(as_text=True)
    assert "新建了企业「轨迹科技有限公司」" in page
    assert "王小明" not in page and "企业成员" not in page  # people: not in an assessor's trail
    shown = re.sub(r'data-action="[^"]*"', "", page)
    assert "tenant.created" not in shown and "member.created" not in page  # words, not codes
    times = re.findall(r'<td class="nowrap">([^<]*)</td>', page)
    assert times and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", t) for t in times)
    assert "13912345678" not in page and "13700001111" not in page
    login("admin")
    page = client.get("/audit").get_data(as_text=True)
    assert "新建了企业成员「王小明」" in page


# --- the admin's page ------------------------------------------------------------------

def test_an_admin_grants_and_revokes_a_period(client, login, make_user):
    assessor = make_user("assessor")
    login("admin")
    page = client.get("/assessors").get_data(as_text=True)
    assert assessor.username in page and "尚未授予任何评估期间" in page
    response = client.post(f"/assessors/{assessor.id}/grants",
                           data={"start_on": "2026-01-01", "end_on": "2026-06-30"})
    assert response.status_code == 302
    row = db.session.scalar(select(AssessorGrant))
    assert (row.start_on, row.end_on, row.revoked_at) == (*H1, None)
    assert "2026-01-01 — 2026-06-30" in client.get("/assessors").get_data(as_text=True)
    client.post(f"/assessors/grants/{row.id}/revoke", data={"note": ""})
    db.session.refresh(row)
    assert row.revoked_at is None
    client.post(f"/assessors/grants/{row.id}/revoke", data={"note": "评估已完成"})
    db.session.refresh(row)
    assert row.revoked_at is not None
    page = client.get("/audit").get_data(as_text=True)
    assert "授予了考核评估期间" in page and "收回了考核评估期间" in page and "评估已完成" in page


def test_a_grant_ending_before_it_starts_is_refused_and_nothing_saved(client, login,
                                                                      make_user):
    assessor = make_user("assessor")
    login("admin")
    response = client.post(f"/assessors/{assessor.id}/grants",
                           data={"start_on": "2026-06-30", "end_on": "2026-01-01"},
                           follow_redirects=True)
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)
    response = client.post(f"/assessors/{assessor.id}/grants", data={"start_on": "x"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert count(AssessorGrant) == 0
    assert count(AuditEntry, AuditEntry.object_type == "assessor_grant") == 0


def test_only_an_admin_grants(client, login, make_user):
    assessor = make_user("assessor")
    for role in ("staff", "assessor"):
        login(role)
        assert client.get("/assessors").status_code == 403
        assert client.post(f"/assessors/{assessor.id}/grants", data={
            "start_on": "2026-01-01", "end_on": "2026-06-30"}).status_code == 403
    assert count(AssessorGrant) == 0


def test_a_records_history_names_changed_fields_as_the_ledger_titles_them(
        app, client, login, make_tenant):
    from community.rules import save_tenant
    from tests.conftest import tenant_data
    tenant = make_tenant(phone="13800138000", sector="数字内容")
    save_tenant(db.session, None, tenant_data(uscc=tenant.uscc, phone="13912345678",
                                              sector="智能制造"), date.today(), tenant)
    db.session.commit()
    login("staff")
    history = client.get(f"/tenants/{tenant.id}").get_data(as_text=True).split("变更记录")[1]
    assert "<b>联系电话</b>: 138****8000 → 139****5678" in history
    assert "<b>行业领域</b>" in history and "<b>phone</b>" not in history
