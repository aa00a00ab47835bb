"""Nothing personal beyond masked phones for assessors and in report packs: people's
names read 张* in an assessor's workbook, in every pack (workbook and report) and in the
report an assessor opens; staff still read the names, an admin's full export the phones."""
import io
import re
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from community import packs
from community.export import mask_person
from community.extensions import db
from community.models import AssessorGrant, AuditEntry, Member, PeriodLock, Tenant, User
from community.periods import Period
from community.registry import registry
from community.settings import current_settings
from community.web import today

FOUNDER = "司马相如"  # a founder whose own account changes a ledger record


@pytest.fixture
def app_config():
    return {"PAGE_SIZE": 100000}  # the audit page on one page, to read all of it


def test_a_name_keeps_its_first_character_and_its_length():
    assert mask_person("张三") == "张*"
    assert mask_person("欧阳娜娜") == "欧***"
    assert mask_person("Alice Wang") == "A*********"
    assert mask_person("  李 ") == "李*"
    assert mask_person("（已清除）") == "（已清除）"  # a placeholder, not a name
    assert mask_person("") == "" and mask_person(None) is None


def _year():
    day = today()
    return Period.make(date(day.year, 1, 1), date(day.year, 12, 31), day)


@pytest.fixture
def world(demo):
    """The demo community, and what a person's name or phone in it is."""
    founder = db.session.scalar(select(User).where(User.role == "member"))
    founder.name = FOUNDER
    tenant = db.session.get(Tenant, founder.tenant_id)
    period = _year()
    # a correction after a lock, by the founder, changing a person's name: the sheet
    # 锁定期后更正 names who made it and what changed
    lock = PeriodLock(start_on=period.start, end_on=period.start, label="一月")
    db.session.add(lock)
    db.session.flush()
    db.session.add(AuditEntry(at=_now(), actor_id=founder.id, action="tenant.updated",
                              object_type="tenant", object_id=tenant.id, lock_id=lock.id,
                              before={"legal_rep": "公孙旧名"},
                              after={"legal_rep": "公孙新名"}, note="更正法定代表人"))
    db.session.commit()
    names, phones = set(), set()
    for sheet in registry().sheets:
        for row in sheet.rows(db.session, period):
            for column in sheet.columns:
                value = row.get(column.key)
                if isinstance(value, str) and value.strip():
                    if column.kind == "person" and not value.startswith("（"):
                        names.add(value.strip())
                    elif column.kind == "phone":
                        phones.add(value)
    settings = current_settings(db.session)
    names |= {settings.leader, settings.contact, FOUNDER, "公孙旧名", "公孙新名"}
    phones |= {settings.leader_phone, settings.contact_phone}
    names.update(n for n in db.session.scalars(select(Tenant.legal_rep)) if n)
    names.update(db.session.scalars(select(Member.name)))
    # masked names are not names (an attendee who did not consent is 张** for everyone)
    names = {n for n in names if "*" not in n}
    assert len(names) > 10 and len(phones) > 5, "the demo has people to hide"
    return period, names, {p for p in phones if "*" not in p}


def _now():
    from community.dbsetup import utcnow
    return utcnow()


def texts_of(workbook_bytes):
    """Every cell of every sheet, as text."""
    book = load_workbook(io.BytesIO(workbook_bytes), read_only=True)
    try:
        return [(ws.title, str(value)) for ws in book.worksheets
                for row in ws.iter_rows(values_only=True) for value in row
                if value is not None]
    finally:
        book.close()


def leaks(texts, known):
    return sorted({(sheet, k) for sheet, text in texts for k in known if k and k in text})


def grant_year(user, period):
    db.session.add(AssessorGrant(user_id=user.id, start_on=period.start, end_on=period.end,
                                 granted_at=_now()))
    db.session.commit()


def export(client, period, **args):
    response = client.get("/ledger.xlsx", query_string={
        "period": "custom", "start": period.start.isoformat(),
        "end": period.end.isoformat()} | args)
    assert response.status_code == 200, response.status_code
    return texts_of(response.data)


def test_an_assessors_workbook_shows_no_name_nor_phone_on_any_sheet(world, client, login):
    period, names, phones = world
    grant_year(login("assessor"), period)
    texts = export(client, period)
    assert not leaks(texts, names), "no person's name in full"
    assert not leaks(texts, phones), "no phone in full"
    assert any(sheet == "工位台账" and re.fullmatch(r".\*+", t) for sheet, t in texts), \
        "a desk's user reads 张*"
    assert any("人员姓名已脱敏" in t for sheet, t in texts if sheet == "考核指标完成情况")
    corrections = [t for sheet, t in texts if sheet == "锁定期后更正"]
    assert "司***" in corrections and "legal_rep：公*** → 公***" in corrections
    assert db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "ledger.exported")) is not None, "the download is logged"


def test_staff_read_the_names_and_an_admin_the_phones_too(world, client, login):
    period, names, phones = world
    login("staff")
    staff = export(client, period)
    shown = {k for _sheet, k in leaks(staff, names)}
    assert len(shown) > 10, "staff read people's names"
    assert not leaks(staff, phones), "but not the phones"
    assert {FOUNDER, "公孙旧名", "公孙新名"} <= {k for sheet, k in leaks(staff, names)
                                            if sheet == "锁定期后更正"}
    login("admin")
    full = export(client, period, full="1")
    sheets_people = {k for _sheet, k in leaks(full, names)}
    assert shown <= sheets_people
    assert len({k for _sheet, k in leaks(full, phones)}) > 5, "the full export shows phones"


def test_the_report_hides_the_operators_people_from_an_assessor_only(world, client, login):
    period, names, phones = world
    settings = current_settings(db.session)
    args = {"period": "custom", "start": period.start.isoformat(),
            "end": period.end.isoformat()}
    login("staff")
    page = client.get("/report", query_string=args).get_data(as_text=True)
    assert settings.leader in page and settings.contact_phone in page
    grant_year(login("assessor"), period)
    page = client.get("/report", query_string=args).get_data(as_text=True)
    assert not [k for k in names | phones if k in page]
    assert mask_person(settings.leader) in page
    pdf = client.get("/report.pdf", query_string=args)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_pack_shows_no_name_nor_phone(world, app):
    period, names, phones = world
    staff = db.session.scalar(select(User).where(User.role == "staff"))
    pack = packs.request_pack(db.session, staff, "custom", period)
    db.session.commit()
    pack_id = pack.id
    packs.run_build(app, pack_id)
    db.session.expire_all()
    pack = db.session.get(type(pack), pack_id)
    assert pack.status == "done", pack.error
    with zipfile.ZipFile(packs.pack_path(app.config["PACK_FOLDER"], pack)) as zf:
        texts = texts_of(zf.read("台账.xlsx"))
        html = zf.read("report.html").decode("utf-8")
        other = {n: zf.read(n).decode("utf-8-sig") for n in zf.namelist()
                 if n.endswith((".csv", ".txt"))}
        folders = zf.namelist()
    assert not leaks(texts, names | phones)
    assert not [k for k in names | phones if k in html]
    assert not [(n, k) for n, text in other.items() for k in names | phones if k in text]
    assert not [(n, k) for n in folders for k in names if k in n]


def test_the_trail_an_assessor_reads_names_no_person(world, client, login):
    period, names, phones = world
    grant_year(login("assessor"), period)
    page = client.get("/audit")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "data-action" in text, "the assessor reads entries"
    assert not [k for k in names | phones if k in text]
    login("admin")
    assert FOUNDER in client.get("/audit").get_data(as_text=True), "an admin reads who"
