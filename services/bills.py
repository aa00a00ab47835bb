"""A provider's bill (xlsx or csv) reconciled against the subsidy grants it covers.

Every row is checked before anything is written: one bad row (an unknown firm,
a bad date or number, a date outside the bill's period) refuses the whole file
with a report of each problem. A good bill is stored with one line per bill row
(matched, differs, unmatched) and one per grant the bill left out (unbilled).
"""
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from hashlib import sha256

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from community import audit
from community.files import save_attachment, sniff
from community.models import Tenant
from community.refusals import Invalid, Refused
from community.registry import registry
from services.models import BILL_LINE_STATUSES, Bill, BillLine, Grant

BILL_FILE = "service_bill"  # attachment owner type: the imported file
MAX_ROWS = 10000
HEADER_SEARCH = 10  # a title line or two may stand above the header row
BIGGEST = Decimal("999999999999.99")  # Numeric(14, 2)

# column -> (title in the template, header words accepted; compared after _norm)
COLUMNS = {
    "uscc": ("统一社会信用代码", {"统一社会信用代码", "社会信用代码", "信用代码", "uscc",
                              "纳税人识别号", "统一社会信用代码/纳税人识别号"}),
    "name": ("企业名称", {"企业名称", "企业", "公司名称", "公司", "客户名称", "客户",
                       "单位名称", "名称", "入驻企业"}),
    "billed_on": ("日期", {"日期", "使用日期", "账单日期", "发生日期", "服务日期", "消费日期",
                          "结算日期", "date"}),
    "quantity": ("数量", {"数量", "用量", "使用量", "使用数量", "quantity"}),
    "amount": ("金额（元）", {"金额", "费用", "结算金额", "应付金额", "账单金额", "补贴金额",
                          "amount"}),
}
YUAN = {"", "元", "人民币元", "rmb", "cny", "yuan"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d",
                "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M")


class BillRefused(Refused):
    """The file was refused; `problems` lists (row number, column title, code, params)."""

    def __init__(self, problems, code="bill_rows", **params):
        super().__init__(code, **params)
        self.problems = problems


@dataclass
class Row:
    row_no: int
    tenant_id: int
    billed_on: date
    quantity: Decimal
    value_fen: int


# --- reading the file -------------------------------------------------------------

def read_cells(filename, data):
    """The first sheet's rows as [(row number, [cell, ...])], after checking that the
    bytes are the xlsx or csv the name says."""
    ext, kind = sniff(filename, data)
    if ext == "xlsx" and kind is not None and kind.extension == "xlsx":
        return _xlsx_cells(data)
    if ext == "csv" and kind is None and b"\x00" not in data:
        return _csv_cells(data)
    raise Refused("bill_file_type")


def _xlsx_cells(data):
    book = None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        return _filled(enumerate(book.worksheets[0].iter_rows(values_only=True), start=1))
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise Refused("bill_bad_file") from exc
    finally:
        if book is not None:
            book.close()


def _csv_cells(data):
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads GBK and GB2312 too
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return _filled(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))
        except csv.Error as exc:
            raise Refused("bill_bad_file") from exc
    raise Refused("bill_bad_file")


def _filled(numbered):
    """The rows with something in them, numbered as in the file; a sheet formatted
    down to its last row stops being read past MAX_ROWS filled ones."""
    rows = []
    for row_no, row in numbered:
        if any(_text(value) for value in row):
            rows.append((row_no, list(row)))
            if len(rows) > MAX_ROWS + HEADER_SEARCH:
                break
    return rows


def _norm(header):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(header or ""))).lower()


def _column_of(header):
    """Which column a header names, "bad_unit" for an amount not in yuan, or None."""
    text = _norm(header)
    match = re.fullmatch(r"(.*?)\((.*)\)", text)
    base, unit = (match.group(1), match.group(2)) if match else (text, "")
    for key, (_title, words) in COLUMNS.items():
        if text in words or base in words:
            if key == "amount" and unit not in YUAN:
                return "bad_unit"
            return key
    return None


def find_header(cells):
    """(index in cells, {column: position}) of the header row."""
    for index, (_n, row) in enumerate(cells[:HEADER_SEARCH]):
        found = {}
        for position, header in enumerate(row):
            key = _column_of(header)
            if key == "bad_unit":
                raise BillRefused([], code="bill_amount_unit")
            if key is not None:
                found.setdefault(key, position)
        if "billed_on" in found and ("uscc" in found or "name" in found):
            return index, found
    found = {key for _n, row in cells[:HEADER_SEARCH] for key in map(_column_of, row) if key}
    missing = [COLUMNS[k][0] for k in ("billed_on", "quantity", "amount") if k not in found]
    if "uscc" not in found and "name" not in found:
        missing.insert(0, f"{COLUMNS['uscc'][0]}（{COLUMNS['name'][0]}）")
    raise BillRefused([], code="bill_missing_columns", columns="、".join(missing))


# --- one cell ------------------------------------------------------------------------

def _text(value):
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


def parse_date(value):
    """A cell as a date, or None when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_amount(value):
    """A cell as a Decimal of at most two places, not negative, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        value = repr(value)
    text = _text(value).replace(",", "").lstrip("¥￥")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0 or number > BIGGEST:
        return None
    if number != number.quantize(Decimal("0.01")):
        return None
    return number.quantize(Decimal("0.01"))


# --- the rows -------------------------------------------------------------------------

def _uscc(value):
    return re.sub(r"\s+", "", _text(value)).upper()


def _tenants(session):
    """{uscc: id} and {name as compared: [ids]} of the registered firms."""
    by_uscc, by_name = {}, {}
    for tenant_id, uscc, name in session.execute(select(Tenant.id, Tenant.uscc, Tenant.name)):
        by_uscc[uscc] = tenant_id
        by_name.setdefault(_norm(name), []).append(tenant_id)
    return by_uscc, by_name


def check_row(row_no, cell, firms, starts_on, ends_on):
    """One bill row as a Row, or the list of its problems."""
    by_uscc, by_name = firms
    problems = []

    def problem(key, code, **params):
        problems.append((row_no, COLUMNS[key][0], code, params))
    uscc, name = _uscc(cell.get("uscc")), _text(cell.get("name"))
    tenant_id = None
    if uscc:
        tenant_id = by_uscc.get(uscc)
        if tenant_id is None:
            problem("uscc", "bill_tenant_unknown", value=uscc)
    elif name:
        ids = by_name.get(_norm(name), [])
        if len(ids) == 1:
            tenant_id = ids[0]
        else:
            problem("name", "bill_tenant_ambiguous" if ids else "bill_tenant_unknown",
                    value=name)
    else:
        problem("uscc" if "uscc" in cell else "name", "bill_tenant_missing")
    billed_on = parse_date(cell["billed_on"])
    if billed_on is None:
        problem("billed_on", "bill_date_invalid", value=_text(cell["billed_on"]))
    elif not starts_on <= billed_on <= ends_on:
        problem("billed_on", "bill_date_outside", value=billed_on.isoformat(),
                starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat())
    quantity, amount = parse_amount(cell["quantity"]), parse_amount(cell["amount"])
    for key, number in (("quantity", quantity), ("amount", amount)):
        if number is None:
            problem(key, "bill_number_invalid", value=_text(cell[key]))
    if problems:
        return problems
    return Row(row_no, tenant_id, billed_on, quantity, int(amount * 100))


def parse_rows(session, cells, columns, starts_on, ends_on):
    """The bill's rows and every problem of every row."""
    firms = _tenants(session)
    rows, problems = [], []
    for row_no, row in cells:
        cell = {key: row[pos] if pos < len(row) else None for key, pos in columns.items()}
        checked = check_row(row_no, cell, firms, starts_on, ends_on)
        if isinstance(checked, Row):
            rows.append(checked)
        else:
            problems += checked
    return rows, problems


# --- reconciling ----------------------------------------------------------------------

def covered_grants(session, provider, starts_on, ends_on):
    """The provider's grants in force dated in the bill's period (voided ones left out)."""
    return session.scalars(select(Grant).where(
        Grant.provider_id == provider.id, Grant.voided_at.is_(None),
        Grant.granted_on >= starts_on, Grant.granted_on <= ends_on)
        .order_by(Grant.granted_on, Grant.id)).all()


def reconcile(rows, grants):
    """Pair bill rows with grants of the same firm and day, each grant at most once:
    an identical grant first (matched), else any left (differs); [(row, grant, status)]
    in the bill's order, then the grants left over (unbilled)."""
    waiting = {}
    for grant in grants:
        waiting.setdefault((grant.tenant_id, grant.granted_on), []).append(grant)
    paired = {}
    for exact in (True, False):
        for row in rows:
            if row.row_no in paired:
                continue
            candidates = waiting.get((row.tenant_id, row.billed_on), [])
            for grant in candidates:
                same = grant.quantity == row.quantity and grant.value_fen == row.value_fen
                if same or not exact:
                    paired[row.row_no] = (grant, "matched" if same else "differs")
                    candidates.remove(grant)
                    break
    lines = [(row, *paired.get(row.row_no, (None, "unmatched"))) for row in rows]
    left = {grant.id for group in waiting.values() for grant in group}
    return lines + [(None, grant, "unbilled") for grant in grants if grant.id in left]


def import_bill(session, actor, provider, starts_on, ends_on, filename, data, now,
                folder=None):
    """Check a provider's bill, then store it reconciled against the grants it covers;
    any bad row refuses the file whole (BillRefused), writing nothing."""
    if starts_on is None or ends_on is None:
        raise Invalid({k: "required" for k, v in (("starts_on", starts_on),
                                                   ("ends_on", ends_on)) if v is None})
    if ends_on < starts_on:
        raise Invalid({"ends_on": "end_before_start"})
    filename = (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    cells = read_cells(filename, data)
    at, columns = find_header(cells)
    missing = [COLUMNS[k][0] for k in ("quantity", "amount") if k not in columns]
    if missing:
        raise BillRefused([], code="bill_missing_columns", columns="、".join(missing))
    body = cells[at + 1:]
    if len(body) > MAX_ROWS:
        raise BillRefused([], code="bill_too_many_rows", max=MAX_ROWS)
    rows, problems = parse_rows(session, body, columns, starts_on, ends_on)
    if problems:
        raise BillRefused(problems, count=len(problems))
    if not rows:
        raise BillRefused([], code="bill_empty")
    bill = Bill(provider_id=provider.id, starts_on=starts_on, ends_on=ends_on, filename=filename,
                sha256=sha256(data).hexdigest(), imported_at=now,
                imported_by_id=getattr(actor, "id", None))
    session.add(bill)
    session.flush()
    for row, grant, status in reconcile(rows, covered_grants(session, provider, starts_on,
                                                             ends_on)):
        session.add(BillLine(
            bill_id=bill.id, row_no=row.row_no if row else None, status=status,
            tenant_id=row.tenant_id if row else grant.tenant_id,
            billed_on=row.billed_on if row else None, quantity=row.quantity if row else None,
            value_fen=row.value_fen if row else None, grant_id=grant.id if grant else None))
    session.flush()
    counts = status_counts(session, bill.id)
    audit.record(session, actor, "bill.imported", bill,
                 note=", ".join(f"{status} {n}" for status, n in counts.items()))
    _store_file(session, actor, folder, bill, filename, data)
    return bill


def _store_file(session, actor, folder, bill, filename, data):
    """Keep the xlsx as the bill's attachment once the owner type is registered; a csv
    (not an attachment type of the core) is kept by its SHA-256 on the bill only."""
    if folder is None or BILL_FILE not in registry().attachment_owners:
        return None
    if not filename.lower().endswith(".xlsx"):
        return None
    return save_attachment(session, actor, folder, BILL_FILE, bill.id, filename, data)


def status_counts(session, bill_id):
    """{status: number of lines} of one bill, every status present (0 when none)."""
    found = dict(session.execute(select(BillLine.status, func.count()).where(
        BillLine.bill_id == bill_id).group_by(BillLine.status)).all())
    return {status: found.get(status, 0) for status in BILL_LINE_STATUSES}


def template_bytes():
    """The import sheet: the header row only, so nothing in it can be imported by mistake."""
    book = Workbook()
    sheet = book.active
    sheet.title = "账单"
    sheet.append([COLUMNS[k][0] for k in ("uscc", "name", "billed_on", "quantity", "amount")])
    for letter, width in zip("ABCDE", (24, 30, 14, 12, 14)):
        sheet.column_dimensions[letter].width = width
    notes = book.create_sheet("填写说明")
    for line in (
            ("列", "填写说明"),
            ("统一社会信用代码", "与企业名称二选一，优先按信用代码识别企业；须为已登记企业。"),
            ("企业名称", "未填信用代码时按企业名称识别，须与系统登记的名称完全一致。"),
            ("日期", "服务发生日期，如 2026-03-15；须在导入时填写的账单期间内。"),
            ("数量", "按补贴单位（GPU卡时、万tokens 等），最多两位小数。"),
            ("金额（元）", "单位为元，最多两位小数。")):
        notes.append(line)
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 20, 70
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
