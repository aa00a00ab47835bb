"""A provider's bill reconciled against the grants: the rule without HTTP (real xlsx and
csv files, UTF-8 and GBK), every bad row reported with nothing half-imported, and
the pages for staff, members and assessors."""
import csv
import io
import os
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from community.extensions import db
from community.files import attachments_of
from community.models import Attachment, AuditEntry
from community.refusals import Invalid, Refused
from community.registry import registry
from services import bills
from services.catalogue import category
from services.models import Bill, BillLine, Grant, Provider

NOW = datetime(2026, 4, 2, 2, 0, tzinfo=timezone.utc)
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
HEADER = ["统一社会信用代码", "企业名称", "日期", "数量", "金额（元）"]


def xlsx(rows, header=HEADER, title=None):
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, header=HEADER, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def counts():
    """How many bills, lines, audit rows and attachments exist."""
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Bill, BillLine, AuditEntry, Attachment))


@pytest.fixture
def provider(app):
    row = Provider(name="重庆算力服务有限公司", kind="compute")
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def firms(make_tenant):
    return make_tenant(name="甲科技有限公司"), make_tenant(name="乙科技有限公司")


@pytest.fixture
def grant(app):
    def make(tenant, provider, on, quantity="10", value_fen=5000, code="compute", voided=False):
        row = Grant(tenant_id=tenant.id, category_id=category(db.session, code).id,
                    provider_id=provider.id, quantity=Decimal(quantity), value_fen=value_fen,
                    granted_on=on, voided_at=NOW if voided else None)
        db.session.add(row)
        db.session.commit()
        return row
    return make


def run(provider, data, filename="bill.xlsx", period=MARCH, folder=None):
    bill = bills.import_bill(db.session, None, provider, *period, filename, data, NOW,
                             folder=folder)
    db.session.commit()
    return bill


def refused(provider, data, filename="bill.xlsx", period=MARCH):
    before = counts()
    with pytest.raises(Refused) as caught:
        bills.import_bill(db.session, None, provider, *period, filename, data, NOW)
    db.session.rollback()
    assert counts() == before  # nothing half-imported
    return caught.value


def by_row(bill):
    return {line.row_no: (line.status, line.grant_id) for line in bill.lines}


# --- reconciling ------------------------------------------------------------------------

def test_an_xlsx_bill_is_reconciled_line_by_line(provider, firms, grant):
    a, b = firms
    same = grant(a, provider, date(2026, 3, 1), "10", 5000)
    dearer = grant(a, provider, date(2026, 3, 2), "5", 2500)
    tokens = grant(b, provider, date(2026, 3, 3), "8.5", 4000, code="tokens")
    left_out = grant(b, provider, date(2026, 3, 5), "1", 100)
    data = xlsx([[a.uscc, a.name, date(2026, 3, 1), 10, 50],
                 [a.uscc, "", "2026-03-02", 5, "30.00"],
                 [b.uscc, "", datetime(2026, 3, 4), 2, 10.5],
                 ["", b.name, "2026/3/3", "8.50", "40"]])
    bill = run(provider, data)
    assert by_row(bill) == {2: ("matched", same.id), 3: ("differs", dearer.id),
                            4: ("unmatched", None), 5: ("matched", tokens.id),
                            None: ("unbilled", left_out.id)}
    differs = next(line for line in bill.lines if line.status == "differs")
    assert (differs.quantity, differs.value_fen, differs.billed_on) == (
        Decimal(5), 3000, date(2026, 3, 2))
    assert bills.status_counts(db.session, bill.id) == {
        "matched": 2, "differs": 1, "unmatched": 1, "unbilled": 1}
    unbilled = bill.lines[-1]
    assert (unbilled.tenant_id, unbilled.billed_on, unbilled.quantity) == (b.id, None, None)
    assert len(bill.sha256) == 64 and bill.filename == "bill.xlsx"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "bill.imported"))
    assert entry.object_id == bill.id and "matched 2" in entry.note


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_bill_is_read_in_utf8_or_gbk_with_header_variants(provider, firms, grant,
                                                                  encoding):
    a, _b = firms
    made = grant(a, provider, date(2026, 3, 9), "1234.5", 123450)
    data = csv_bytes([[a.name, "2026年3月9日", "1,234.50", "￥1,234.50"]],
                     header=["企业名称 ", "使用日期", "用量（GPU卡时）", "金额(元)"],
                     encoding=encoding)
    bill = run(provider, data, filename="三月账单.CSV")
    assert by_row(bill) == {2: ("matched", made.id)}


def test_a_grant_is_matched_once_and_an_identical_one_first(provider, firms, grant):
    a, _b = firms
    once = grant(a, provider, date(2026, 3, 1), "10", 5000)
    bill = run(provider, xlsx([[a.uscc, "", "2026-03-01", 10, 50]] * 2))
    assert by_row(bill) == {2: ("matched", once.id), 3: ("unmatched", None)}
    small = grant(a, provider, date(2026, 3, 7), "5", 2500)
    large = grant(a, provider, date(2026, 3, 7), "10", 5000)
    bill = run(provider, xlsx([[a.uscc, "", "2026-03-07", 7, 35],
                               [a.uscc, "", "2026-03-07", 10, 50]]), period=(
        date(2026, 3, 7), date(2026, 3, 7)))
    assert by_row(bill) == {2: ("differs", small.id), 3: ("matched", large.id)}


def test_voided_grants_and_others_outside_the_bill_are_left_out(provider, firms, grant):
    a, b = firms
    grant(a, provider, date(2026, 3, 1), voided=True)
    grant(a, provider, date(2026, 2, 28))  # before the bill's period
    other = Provider(name="另一家模型服务商", kind="model")
    db.session.add(other)
    db.session.commit()
    grant(b, other, date(2026, 3, 1))
    bill = run(provider, xlsx([[a.uscc, "", "2026-03-01", 10, 50]]))
    assert by_row(bill) == {2: ("unmatched", None)}


# --- bad input: nothing written ------------------------------------------------------------

def test_every_bad_row_is_reported_and_nothing_is_half_imported(provider, firms, grant):
    a, _b = firms
    grant(a, provider, date(2026, 3, 1))
    data = xlsx([[a.uscc, "", "2026-03-01", 10, 50],
                 ["91500000MA5U00000W", "", "2026-03-01", 1, 1],
                 ["", "不存在的公司", "2026-03-02", 1, 1],
                 [a.uscc, "", "三月一日", "十", -1],
                 [a.uscc, "", "2026-04-01", "1.234", "1"],
                 ["", "", "2026-03-01", 1, 1]])
    exc = refused(provider, data)
    assert isinstance(exc, bills.BillRefused) and exc.code == "bill_rows"
    assert [(row, code) for row, _column, code, _params in exc.problems] == [
        (3, "bill_tenant_unknown"), (4, "bill_tenant_unknown"), (5, "bill_date_invalid"),
        (5, "bill_number_invalid"), (5, "bill_number_invalid"), (6, "bill_date_outside"),
        (6, "bill_number_invalid"), (7, "bill_tenant_missing")]
    assert exc.problems[0][1:] == ("统一社会信用代码", "bill_tenant_unknown",
                                   {"value": "91500000MA5U00000W"})
    assert exc.params == {"count": 8}


def test_two_firms_of_one_name_are_named_by_uscc(provider, firms, make_tenant):
    make_tenant(name=firms[0].name)
    exc = refused(provider, xlsx([["", firms[0].name, "2026-03-01", 1, 1]]))
    assert exc.problems[0][2] == "bill_tenant_ambiguous"


@pytest.mark.parametrize("filename, data, code", [
    ("bill.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "bill_file_type"),
    ("bill.csv", xlsx([]), "bill_file_type"),  # a workbook renamed .csv
    ("bill.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "bill_file_type"),
    ("bill.csv", b"\x01\x00\xff\xfe" * 40, "bill_file_type"),
    ("bill.txt", "统一社会信用代码,日期,数量,金额（元）\n".encode(), "bill_file_type"),
    ("bill.xls", xlsx([]), "bill_file_type"),
    ("bill.csv", b"\xff\xfe\x80\x81" * 20, "bill_bad_file"),
    ("bill.xlsx", b"", "upload_empty"),
])
def test_a_file_that_is_not_a_spreadsheet_is_refused(provider, filename, data, code):
    assert refused(provider, data, filename).code == code


@pytest.mark.parametrize("header, code", [
    (["企业名称", "日期", "金额（元）"], "bill_missing_columns"),
    (["备注", "数量", "金额（元）"], "bill_missing_columns"),
    (["企业名称", "日期", "数量", "金额（万元）"], "bill_amount_unit"),
])
def test_columns_are_checked(provider, header, code):
    assert refused(provider, xlsx([["甲", "2026-03-01", 1, 1]], header=header)).code == code


def test_the_period_is_checked(provider, firms):
    data = xlsx([[firms[0].uscc, "", "2026-03-01", 1, 1]])
    exc = refused(provider, data, period=(date(2026, 3, 31), date(2026, 3, 1)))
    assert isinstance(exc, Invalid) and exc.errors == {"ends_on": "end_before_start"}


def test_a_title_line_and_blank_rows_keep_the_files_row_numbers(provider, firms, grant):
    a, _b = firms
    made = grant(a, provider, date(2026, 3, 3))
    data = xlsx([[None] * 5, [a.uscc, "", "2026-03-03", 10, 50]], title="2026年3月算力账单")
    assert by_row(run(provider, data)) == {4: ("matched", made.id)}


def test_the_template_has_the_header_only(provider):
    sheet = load_workbook(io.BytesIO(bills.template_bytes())).worksheets[0]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [HEADER]
    assert refused(provider, bills.template_bytes()).code == "bill_empty"


def test_the_xlsx_is_kept_once_its_owner_type_is_registered(app, provider, firms):
    reg = registry()
    if bills.BILL_FILE not in reg.attachment_owners:
        reg.add_attachment_owner(bills.BILL_FILE, lambda user, _id: True)
    folder = app.config["UPLOAD_FOLDER"]
    data = xlsx([[firms[0].uscc, "", "2026-03-01", 1, 1]])
    bill = run(provider, data, folder=folder)
    [stored] = attachments_of(db.session, bills.BILL_FILE, bill.id)
    assert stored.sha256 == bill.sha256 and os.path.exists(os.path.join(folder, stored.stored_name))
    bill = run(provider, csv_bytes([[firms[0].uscc, "", "2026-03-01", 1, 1]]), "b.csv",
               folder=folder)
    assert attachments_of(db.session, bills.BILL_FILE, bill.id) == [] and bill.sha256


# --- the pages -----------------------------------------------------------------------------

def post_bill(client, provider, data, filename="bill.xlsx", period=("2026-03-01", "2026-03-31")):
    return client.post(f"/services/providers/{provider.id}/bills", data={
        "starts_on": period[0], "ends_on": period[1], "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")


def test_staff_import_a_bill_and_read_its_reconciliation(client, login, provider, firms,
                                                         grant):
    a, b = firms
    grant(a, provider, date(2026, 3, 1), "10", 5000)
    grant(b, provider, date(2026, 3, 2), "3", 300)
    login("staff")
    page = client.get(f"/services/providers/{provider.id}/bills")
    assert page.status_code == 200 and "导入并对账" in page.get_data(as_text=True)
    response = post_bill(client, provider, xlsx([[a.uscc, "", "2026-03-01", 10, 60]]))
    bill = db.session.scalar(select(Bill))
    assert response.status_code == 302 and response.location.endswith(f"/services/bills/{bill.id}")
    text = client.get(response.location).get_data(as_text=True)
    assert "金额或数量不一致" in text and a.name in text and b.name in text
    assert "¥60.00" in text and "¥50.00" in text
    text = client.get(f"/services/bills/{bill.id}?status=unbilled").get_data(as_text=True)
    assert b.name in text and a.name not in text
    listing = client.get(f"/services/providers/{provider.id}/bills").get_data(as_text=True)
    assert "2026-03-01 – 2026-03-31" in listing


def test_a_refused_import_lists_each_bad_row(client, login, provider, firms):
    login("staff")
    response = post_bill(client, provider, csv_bytes(
        [["91500000MA5U00000W", "", "2026-03-01", 1, 1],
         [firms[0].uscc, "", "2026-05-01", 1, 1]], encoding="gbk"), "bill.csv")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "未导入任何一行" in text
    assert "系统中没有该企业：91500000MA5U00000W" in text
    assert "不在账单期间 2026-03-01 至 2026-03-31 内" in text
    assert db.session.scalar(select(func.count()).select_from(Bill)) == 0


def test_the_template_downloads(client, login):
    login("staff")
    response = client.get("/services/bills/template.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.data)).worksheets[0].max_row == 1


@pytest.mark.parametrize("role, listing, reading, template, posting", [
    ("member", 403, 403, 403, 403),
    ("assessor", 403, 403, 403, 403),  # reads the ledgers of its granted periods, not bills
    ("staff", 200, 200, 200, 302),
    ("admin", 200, 200, 200, 302),
])
def test_who_may_read_and_import_bills(client, login, provider, firms, role, listing,
                                       reading, template, posting):
    bill = run(provider, xlsx([[firms[0].uscc, "", "2026-03-01", 1, 1]]))
    login(role)
    page = client.get(f"/services/providers/{provider.id}/bills")
    assert page.status_code == listing
    if listing == 200:  # the import form is for those who may import
        assert ("bill-import" in page.get_data(as_text=True)) == (posting == 302)
    assert client.get(f"/services/bills/{bill.id}").status_code == reading
    assert client.get("/services/bills/template.xlsx").status_code == template
    before = counts()
    response = post_bill(client, provider, xlsx([[firms[0].uscc, "", "2026-03-01", 1, 1]]))
    assert response.status_code == posting
    assert (counts() == before) == (posting != 302)
