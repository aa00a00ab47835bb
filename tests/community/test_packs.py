"""Report packs: what the zip holds, that its manifest is true, empty and bad periods,
names that would leave their folder, who may ask for and download a pack.

Packs are built by the task in immediate mode here (the task queue itself, with a
real consumer on SQLite and on Redis, is in test_pack_clients.py)."""
import csv
import hashlib
import io
import os
import secrets
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from community import packs
from community.dbsetup import utcnow
from community.extensions import db
from community.files import save_attachment
from community.models import AssessorGrant, Attachment, AuditEntry, ReportPack
from community.periods import Period
from community.refusals import Invalid, Refused
from community.registry import Column, Sheet, registry

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 200
PDF = b"%PDF-1.4\n" + b"x" * 300 + b"\n%%EOF\n"
YEAR = 2026
TODAY = date(YEAR, 12, 1)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


OWNER = "pack_test"  # files only the test sheet lists (the real sheets list theirs)


@pytest.fixture
def evidence_sheet(app):
    """A ledger sheet of tenants carrying files of its own owner type (so these tests do
    not lean on which package sheets carry which evidence)."""
    from community.models import Tenant
    registry(app).add_attachment_owner(OWNER, lambda user, owner_id: True)

    def rows(session, period):
        return [{"name": t.name, "uscc": t.uscc, "evidence_id": t.id}
                for t in session.scalars(select(Tenant).order_by(Tenant.id))]
    registry(app).add_sheet(Sheet("测试/企业台账", "S4", (
        Column("name", "企业名称"), Column("uscc", "统一社会信用代码")), rows,
        evidence=OWNER))


def attach(app, tenant, filename, data=PNG, raw_name=False):
    """A file on a tenant; `raw_name` stores the name as given (as an old import might)."""
    if not raw_name:
        return save_attachment(db.session, None, app.config["UPLOAD_FOLDER"], OWNER,
                               tenant.id, filename, data)
    stored = secrets.token_hex(16)
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    with open(os.path.join(app.config["UPLOAD_FOLDER"], stored), "wb") as fh:
        fh.write(data)
    attachment = Attachment(owner_type=OWNER, owner_id=tenant.id, filename=filename,
                            stored_name=stored, content_type="application/pdf",
                            size=len(data), sha256=hashlib.sha256(data).hexdigest())
    db.session.add(attachment)
    return attachment


def build(app, actor=None, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31), kind="annual"):
    pack = packs.request_pack(db.session, actor or _staff(), kind,
                              Period.make(start, end, TODAY))
    db.session.commit()
    pack_id = pack.id
    packs.run_build(app, pack_id)
    db.session.expire_all()
    pack = db.session.get(ReportPack, pack_id)
    assert pack.status == "done", pack.error
    return pack


def _staff():
    from community.models import User
    user = db.session.scalar(select(User).where(User.username == "pack-staff"))
    if user is None:
        user = User(username="pack-staff", name="报告包运营", role="staff")
        user.set_password("correct-horse-battery")
        db.session.add(user)
        db.session.flush()
    return user


def opened(app, pack):
    path = packs.pack_path(app.config["PACK_FOLDER"], pack)
    return zipfile.ZipFile(path)


def manifest_of(zf):
    text = zf.read("manifest.csv").decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:])))


# --- what a pack holds --------------------------------------------------------------

def test_a_pack_holds_the_workbook_the_report_and_every_file_its_manifest_vouches_for(
        app, make_tenant, evidence_sheet):
    firm = make_tenant(name="重庆证据科技有限公司")
    attach(app, firm, "营业执照.png")
    attach(app, firm, "服务协议.pdf", PDF)
    db.session.commit()
    pack = build(app)

    assert pack.status == "done" and pack.done == pack.total and pack.error == ""
    path = packs.pack_path(app.config["PACK_FOLDER"], pack)
    assert pack.size == os.path.getsize(path)
    with open(path, "rb") as fh:
        assert pack.sha256 == hashlib.sha256(fh.read()).hexdigest()
    with opened(app, pack) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        for name in ("台账.xlsx", "report.html", "report.pdf", "manifest.csv", "说明.txt"):
            assert name in names
        folder = "证明材料/S4 近12个月服务或入驻OPC企业/测试_企业台账/"
        files = [n for n in names if n.startswith(folder)]
        assert sorted(n.rsplit("/", 1)[1] for n in files) == ["服务协议.pdf", "营业执照.png"]
        assert all(f"/{firm.id}-重庆证据科技有限公司/" in n for n in files)
        manifest = manifest_of(zf)
        listed = {row["文件路径"]: row for row in manifest}
        assert set(listed) == set(names) - {"manifest.csv"}
        for name, row in listed.items():
            data = zf.read(name)
            assert row["SHA-256"] == hashlib.sha256(data).hexdigest(), name
            assert int(row["大小（字节）"]) == len(data), name
        assert listed[folder + f"{firm.id}-重庆证据科技有限公司/营业执照.png"]["与登记哈希一致"] == "是"
        assert zf.read("report.pdf").startswith(b"%PDF")
        assert "</html>" in zf.read("report.html").decode()
        notes = zf.read("说明.txt").decode()
        assert f"统计期间：{YEAR}-01-01 至 {YEAR}-12-31" in notes
        assert "证明材料：2 个文件" in notes
        assert "链首哈希（SHA-256）：" in notes and "空的报告包" not in notes


def test_a_withdrawn_file_stays_out_of_the_pack(app, make_tenant, evidence_sheet):
    firm = make_tenant()
    kept = attach(app, firm, "营业执照.png")
    gone = attach(app, firm, "旧照片.png")
    gone.withdrawn_at, gone.withdraw_reason = utcnow(), "拍错了"
    db.session.commit()
    with opened(app, build(app)) as zf:
        evidence = [n for n in zf.namelist() if n.startswith("证明材料/")]
    assert [n.rsplit("/", 1)[1] for n in evidence] == [kept.filename]


def test_a_file_missing_from_storage_is_named_not_fatal(app, make_tenant, evidence_sheet):
    firm = make_tenant()
    lost = attach(app, firm, "丢失.png")
    db.session.commit()
    os.remove(os.path.join(app.config["UPLOAD_FOLDER"], lost.stored_name))
    pack = build(app)
    assert pack.status == "done"
    with opened(app, pack) as zf:
        notes = zf.read("说明.txt").decode()
    assert "1 个已登记的文件在存储中找不到" in notes and lost.sha256 in notes


def test_a_period_without_data_makes_an_empty_pack_that_says_so(app):
    pack = build(app, start=date(2001, 1, 1), end=date(2001, 6, 30), kind="half_year")
    assert pack.status == "done"
    with opened(app, pack) as zf:
        assert zf.testzip() is None
        notes = zf.read("说明.txt").decode()
        assert "本期间没有任何台账记录，也没有证明材料：这是一个空的报告包。" in notes
        assert "统计期间：2001-01-01 至 2001-06-30" in notes
        assert not [n for n in zf.namelist() if n.startswith("证明材料/")]
        assert {"台账.xlsx", "report.pdf", "manifest.csv"} <= set(zf.namelist())


# --- names that would leave their folder ------------------------------------------

def test_names_that_would_escape_the_folder_are_kept_inside_it(app, make_tenant,
                                                               evidence_sheet):
    firm = make_tenant(name="../../重庆越界科技有限公司")
    attach(app, firm, "../../evil.pdf", PDF, raw_name=True)
    attach(app, firm, "C:\\Users\\会计\\扫描\\合同.pdf", PDF, raw_name=True)
    attach(app, firm, "/etc/passwd", PDF, raw_name=True)
    attach(app, firm, "合同.pdf", PDF, raw_name=True)  # the same name as the Windows path's
    attach(app, firm, "..", PDF, raw_name=True)
    db.session.commit()
    with opened(app, build(app)) as zf:
        names = zf.namelist()
        for info in zf.infolist():
            name = info.filename
            assert not name.startswith("/") and "\\" not in name and ":" not in name
            assert ".." not in name.split("/") and not any(ord(c) < 32 for c in name)
            # Unpacked anywhere, each entry stays under that folder.
            root = os.path.realpath("/srv/unpack")
            assert os.path.realpath(os.path.join(root, name)).startswith(root + os.sep)
    folder = f"证明材料/S4 近12个月服务或入驻OPC企业/测试_企业台账/{firm.id}-.._.._重庆越界科技有限公司/"
    files = sorted(n[len(folder):] for n in names if n.startswith(folder))
    assert files == sorted(["evil.pdf", "合同.pdf", "合同 (2).pdf", "passwd", "file"])


def test_safe_part_and_the_final_check():
    assert packs.safe_part("../../evil.pdf", last=True) == "evil.pdf"
    assert packs.safe_part("C:\\扫描\\合同.pdf", last=True) == "合同.pdf"
    assert packs.safe_part("入驻/服务企业台账") == "入驻_服务企业台账"
    assert packs.safe_part("CON.pdf", last=True) == "_CON.pdf"
    assert packs.safe_part("  ..  ") == "_"
    assert packs.safe_part("bad\x07name\x1b.pdf", last=True) == "badname.pdf"
    for bad in ("/abs/x.pdf", "a/../b", "a\\b", "a/./b", "c:x", "a/\x07b", ""):
        with pytest.raises(ValueError):
            packs.check_arcname(bad)


# --- bad input --------------------------------------------------------------------

def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(Invalid) as refused:
        packs.pack_period("custom", TODAY, None, start=date(YEAR, 6, 1), end=date(YEAR, 5, 1))
    assert refused.value.errors == {"end": "end_before_start"}
    with pytest.raises(Invalid) as refused:
        packs.pack_period("half_year", TODAY, None, year=YEAR, half=3)
    assert refused.value.errors == {"half": "choice_invalid"}
    with pytest.raises(Invalid):
        packs.pack_period("weekly", TODAY, None)


def test_pack_kinds_cover_their_periods():
    implementation = (date(2026, 8, 1), date(2027, 12, 31))
    h2 = packs.pack_period("half_year", TODAY, implementation, year=2026, half=2)
    assert (h2.start, h2.end) == (date(2026, 7, 1), date(2026, 12, 31))
    annual = packs.pack_period("annual", TODAY, implementation, year=2027)
    assert (annual.start, annual.end) == (date(2027, 1, 1), date(2027, 12, 31))
    whole = packs.pack_period("acceptance", TODAY, implementation)
    assert (whole.start, whole.end) == implementation


def test_the_form_refuses_an_end_before_the_start_and_writes_nothing(client, login):
    login("staff")
    audit_rows = count(AuditEntry)
    response = client.post("/packs/request", data={
        "kind": "custom", "half": "1", "start": f"{YEAR}-06-01", "end": f"{YEAR}-05-01"})
    assert response.status_code == 422
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)
    assert count(ReportPack) == 0 and count(AuditEntry) == audit_rows


# --- through the pages -----------------------------------------------------------

def test_staff_requests_a_pack_sees_it_done_and_downloads_it_logged(app, client, login):
    staff = login("staff")
    response = client.post("/packs/request", data={"kind": "half_year", "year": "2026",
                                                   "half": "1"})
    assert response.status_code == 302
    pack = db.session.scalar(select(ReportPack))
    assert response.headers["Location"].endswith(f"/packs/{pack.id}")
    assert (pack.kind, pack.start_on, pack.end_on) == ("half_year", date(2026, 1, 1),
                                                      date(2026, 6, 30))
    page = client.get(f"/packs/{pack.id}").get_data(as_text=True)
    assert "已完成" in page and pack.sha256 in page and f"/packs/{pack.id}/download" in page
    assert 'http-equiv="refresh"' not in page  # done: the page stops refreshing
    download = client.get(f"/packs/{pack.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert hashlib.sha256(download.get_data()).hexdigest() == pack.sha256
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    logged = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "report_pack.downloaded")).all()
    assert [(e.actor_id, e.object_id) for e in logged] == [(staff.id, pack.id)]
    listing = client.get("/packs").get_data(as_text=True)
    assert "半年度考核（区级）" in listing and "2026-01-01" in listing


def test_a_pack_still_building_shows_its_progress_and_refreshes(app, client, login):
    staff = login("staff")
    pack = ReportPack(kind="annual", start_on=date(YEAR, 1, 1), end_on=date(YEAR, 12, 31),
                      status="running", done=30, total=120, requested_by_id=staff.id)
    db.session.add(pack)
    db.session.commit()
    page = client.get(f"/packs/{pack.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and 'value="25"' in page and "30 / 120" in page
    assert client.get(f"/packs/{pack.id}/download").status_code == 404


def test_a_failed_build_says_so_on_the_page(app, client, login, monkeypatch):
    login("staff")

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")
    monkeypatch.setattr("community.report.write_pdf", broken)
    client.post("/packs/request", data={"kind": "annual", "year": str(YEAR), "half": "1"})
    pack = db.session.scalar(select(ReportPack))
    assert pack.status == "failed" and "磁盘已满" in pack.error
    assert not os.listdir(app.config["PACK_FOLDER"]) or all(
        not n.endswith((".zip", ".part")) for n in os.listdir(app.config["PACK_FOLDER"]))
    response = client.get(f"/packs/{pack.id}")
    assert response.status_code == 200 and "报告包生成失败" in response.get_data(as_text=True)


def grant(user, start, end):
    db.session.add(AssessorGrant(user_id=user.id, start_on=start, end_on=end))
    db.session.commit()


def test_an_assessor_has_packs_only_of_its_granted_period(app, client, login):
    assessor = login("assessor")
    grant(assessor, date(2026, 1, 1), date(2026, 12, 31))
    outside = client.post("/packs/request", data={"kind": "annual", "year": "2025",
                                                  "half": "1"})
    assert outside.status_code == 403 and count(ReportPack) == 0
    inside = client.post("/packs/request", data={"kind": "half_year", "year": "2026",
                                                 "half": "2"})
    assert inside.status_code == 302
    mine = db.session.scalar(select(ReportPack))
    download = client.get(f"/packs/{mine.id}/download")
    assert download.status_code == 200
    download.close()
    other = ReportPack(kind="annual", start_on=date(2025, 1, 1), end_on=date(2025, 12, 31),
                       status="done", stored_name=mine.stored_name, size=mine.size,
                       sha256=mine.sha256)
    db.session.add(other)
    db.session.commit()
    assert client.get(f"/packs/{other.id}").status_code == 403
    assert client.get(f"/packs/{other.id}/download").status_code == 403
    listing = client.get("/packs").get_data(as_text=True)
    assert f"/packs/{mine.id}\"" in listing and f"/packs/{other.id}\"" not in listing
    downloads = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "report_pack.downloaded")).all()
    assert [(e.actor_id, e.object_id) for e in downloads] == [(assessor.id, mine.id)]


def test_an_assessor_without_a_grant_and_a_member_may_not_ask(client, login):
    login("assessor")
    assert client.post("/packs/request", data={"kind": "annual", "year": "2026",
                                               "half": "1"}).status_code == 403
    login("member")
    assert client.get("/packs").status_code == 403
    assert client.post("/packs/request", data={"kind": "annual", "year": "2026",
                                               "half": "1"}).status_code == 403
    assert count(ReportPack) == 0


def test_the_rule_refuses_a_period_outside_the_grant(app, make_user):
    assessor = make_user("assessor")
    grant(assessor, date(2026, 1, 1), date(2026, 6, 30))
    with pytest.raises(Refused) as refused:
        packs.request_pack(db.session, assessor, "annual",
                           Period.make(date(2026, 1, 1), date(2026, 12, 31), TODAY))
    assert refused.value.code == "pack_not_granted"
    db.session.rollback()
    assert count(ReportPack) == 0
