"""The one exporter: registered ledger sheets -> rows -> one xlsx workbook, streamed.

The workbook is written by XlsxWriter in constant_memory mode: each row goes to disk
as the next begins, so memory holds one row, never a sheet (pandas + openpyxl kept
every cell of every sheet as an object until the end, after building DataFrames of
them). A cell keeps the type pandas gave it: dates as dates shown YYYY-MM-DD, moments
as YYYY-MM-DD HH:MM:SS, numbers as numbers, text always as text (never read as a
formula; safe_text escapes what Excel would run and drops what a workbook cannot
hold); headers bold, bordered and centred; each ledger sheet frozen below its header.
`sheet_frame` and the other *_frame functions still give a DataFrame, for whoever
reads a sheet in Python.
"""
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import xlsxwriter
from flask_babel import force_locale
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from community import chain
from community.files import active_attachments, evidence_text
from community.labels import label
from community.registry import evaluate
from community.validators import mask_phone

COVER_TITLE = "考核指标完成情况"
EVIDENCE_TITLE = "证明材料（SHA-256）"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BAD_SHEET_CHARS = str.maketrans({c: "、" for c in "/\\?*[]:"})


def sheet_name(title):
    """Excel forbids / \\ ? * [ ] : in sheet names and allows 31 characters."""
    return title.translate(BAD_SHEET_CHARS)[:31]


def safe_text(value):
    """Escape a cell Excel would run as a formula (CSV/formula injection) and drop the
    control characters a workbook cannot hold (a file name may carry one)."""
    if isinstance(value, str):
        if not value.isprintable():  # the pattern runs only where a control may hide
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def mask_person(name):
    """张* · 欧*** · A*********: a person's first character, then one * for each other
    character (at least one), so the length shows and nothing else. A placeholder in
    full-width brackets (（已清除）) is no name and stays."""
    if not isinstance(name, str) or not name.strip():
        return name
    name = name.strip()
    if name.startswith("（") and name.endswith("）"):
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def shown(column, full, tz, people=True):
    """How a column's value reads in the sheet: a function of the stored value, chosen
    once per column. `full`: phones unmasked (an admin's full export); `people`:
    people's names shown (staff and admin); an assessor's export and every report pack
    pass people=False and see 张* for 张三 (and masked phones)."""
    kind = column.kind
    if kind == "phone":
        return _keep if full else mask_phone
    if kind == "person":
        return safe_text if people else (lambda name: safe_text(mask_person(name)))
    if kind == "bool":
        yes, no = label("bool", True), label("bool", False)
        return lambda value: yes if value else no
    if kind == "money":
        return lambda fen: Decimal(fen) / 100  # stored in fen, shown in yuan
    if kind == "datetime":
        return lambda moment: (moment.astimezone(tz).replace(tzinfo=None)
                               if isinstance(moment, datetime) else safe_text(moment))
    return safe_text


def _keep(value):
    return value


def sheet_rows(session, sheet, period, full=False, tz=ZoneInfo("Asia/Shanghai"),
               people=True):
    """One ledger sheet: (its Chinese headers, an iterator of its rows of cell values).
    A sheet whose rows carry evidence ends with 证明材料: each row's files in force,
    "文件名 SHA-256" a line. Rows are produced as they are read: a long sheet holds its
    evidence types' files (one query), never its rows."""
    titles = [c.title for c in sheet.columns]
    if sheet.evidence:
        titles.append(EVIDENCE_TITLE)
    return titles, _rows(session, sheet, period, full, tz, people)


# A sheet this long reads its evidence types' files whole rather than by id (as
# active_attachments does past 500 ids): it need not hold its rows to know their ids.
_FEW = 500


def _rows(session, sheet, period, full, tz, people):
    ways = [(c.key, shown(c, full, tz, people)) for c in sheet.columns]
    records = iter(sheet.rows(session, period))
    if not sheet.evidence:
        for row in records:
            yield [None if (v := row.get(key)) is None else way(v) for key, way in ways]
        return
    first = []
    for row in records:
        first.append(row)
        if len(first) > _FEW:
            break
    if len(first) > _FEW:
        files = active_attachments(session, sheet.evidence, _everyone(session, sheet.evidence))
    else:
        files = active_attachments(session, sheet.evidence,
                                   (row.get("evidence_id") for row in first))

    def chained():
        yield from first
        yield from records
    for row in chained():
        values = [None if (v := row.get(key)) is None else way(v) for key, way in ways]
        values.append(safe_text(evidence_text(files.get(row.get("evidence_id"), ()))))
        yield values


def _everyone(session, owner_type):
    """The ids of every record of the types that carries a file not withdrawn."""
    from sqlalchemy import select

    from community.models import Attachment
    types = (owner_type,) if isinstance(owner_type, str) else tuple(owner_type)
    return session.scalars(select(Attachment.owner_id).distinct().where(
        Attachment.owner_type.in_(types), Attachment.withdrawn_at.is_(None))).all()


def _frame(titles, rows):
    import pandas as pd  # only for whoever reads a sheet as a DataFrame

    return pd.DataFrame(list(rows), columns=titles)


def sheet_frame(session, sheet, period, full=False, tz=ZoneInfo("Asia/Shanghai"),
                people=True):
    """One ledger sheet as a DataFrame with its Chinese headers (sheet_rows' rows)."""
    return _frame(*sheet_rows(session, sheet, period, full, tz, people))


COVER_COLUMNS = ["指标编号", "考核指标", "目标值", "完成值", "单位", "完成率", "状态",
                 "缺证据记录", "说明"]


def cover_frame(results, period):
    """The cover's rows (cover_rows) as a DataFrame."""
    return _frame(COVER_COLUMNS, cover_rows(results, period))


def cover_rows(results, period):
    """考核指标完成情况: every indicator of the bang in its order, then the OPC counts;
    one that no ledger evidences yet says so instead of being left out."""
    rows = []
    for r in results:
        i = r.indicator
        target = (i.target_text or r.target) if i is not None else None
        rows.append([r.code, r.title_zh, target, r.actual, r.unit,
                     f"{r.percent}%" if r.percent is not None else "—",
                     label("status", r.status(period)), r.lacking,
                     safe_text(r.detail)])
    return rows


CORRECTIONS_TITLE = "锁定期后更正"


# Without people (an assessor's export, a pack) the corrections sheet masks the changed
# values of these fields: the keys of the sheets' person columns, a provider's contact and
# the name of a record that is a person.
PERSON_FIELDS = ("contact_name",)
PERSON_RECORDS = ("member", "user", "registration", "attendee")


def _shown_change(reg, people):
    """How the corrections sheet shows a changed value of (object type, field)."""
    if people:
        return lambda object_type, key, value: value
    keys = {c.key for s in reg.sheets for c in s.columns if c.kind == "person"}
    keys.update(PERSON_FIELDS)

    def shown(object_type, key, value):
        if key in keys or (key == "name" and object_type in PERSON_RECORDS):
            return mask_person(value)
        return value
    return shown


CORRECTIONS_COLUMNS = ["更正时间", "操作人", "锁定期间", "操作", "记录", "更正原因",
                       "变更内容"]


def corrections_frame(session, reg, period, tz, people=True):
    """The corrections sheet's rows (corrections_rows) as a DataFrame."""
    return _frame(CORRECTIONS_COLUMNS, corrections_rows(session, reg, period, tz, people))


def corrections_rows(session, reg, period, tz, people=True):
    """锁定期后更正: every change made, with its reason, to a record of a locked period
    that overlaps this one — so an assessor sees what moved after the review. Without
    `people`, whoever made it (staff or founder) and any person's name it changed read
    masked, as the trail an assessor reads names them."""
    from sqlalchemy import select

    from community.models import AuditEntry, PeriodLock, User
    words = reg.audit_words
    shown = _shown_change(reg, people)
    rows = []
    for entry, lock, actor in session.execute(
            select(AuditEntry, PeriodLock, User)
            .join(PeriodLock, PeriodLock.id == AuditEntry.lock_id)
            .outerjoin(User, User.id == AuditEntry.actor_id)
            .where(PeriodLock.start_on <= period.end, PeriodLock.end_on >= period.start)
            .order_by(AuditEntry.seq)):
        noun, _, verb = entry.action.partition(".")
        what = words["actions"].get(entry.action) or (
            words["verbs"].get(verb, verb) + words["objects"].get(noun, noun))
        before, after = entry.before or {}, entry.after or {}
        kind = entry.object_type
        changes = "；".join(f"{key}：{shown(kind, key, before.get(key, ''))} → "
                           f"{shown(kind, key, after.get(key, ''))}"
                           for key in sorted(set(before) | set(after))
                           if before.get(key) != after.get(key) and before)
        rows.append([entry.at.astimezone(tz).replace(tzinfo=None),
                     ("系统" if actor is None else actor.name if people
                      else mask_person(actor.name)),
                     f"{lock.label}（{lock.start_on:%Y-%m-%d} 至 {lock.end_on:%Y-%m-%d}）",
                     what, f"{words['objects'].get(entry.object_type, entry.object_type)}"
                           f" #{entry.object_id or ''}",
                     safe_text(entry.note), safe_text(changes)])
    return rows


def write_workbook(session, reg, targets, period, out, community_name="", full=False,
                   tz_name="Asia/Shanghai", people=True):
    """Write the cover sheet 考核指标完成情况 and one sheet per ledger to `out`.
    `full`: phones unmasked (an admin asked); `people`: people's names shown — staff and
    admin exports; an assessor's export and every report pack pass people=False."""
    if full and not people:
        raise ValueError("a full export shows people")
    tz = ZoneInfo(tz_name)
    with force_locale("zh"):  # the ledger is the bang's Chinese, whoever exports it
        results = evaluate(session, reg, targets, period)
    book = xlsxwriter.Workbook(out, {
        "constant_memory": True,  # a row is written out when the next begins
        "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False})  # text stays text, whatever it looks like
    styles = _Styles(book)
    ws = book.add_worksheet(COVER_TITLE)
    _widths(ws, [10, 28, 14, 10, 6, 8, 10, 10, 48])
    ws.write_string(0, 0, f"{community_name} {COVER_TITLE}".strip())
    window = period.last_twelve_months()
    ws.write_string(1, 0, f"统计期间：{period.start:%Y年%m月%d日} 至 {period.end:%Y年%m月%d日}"
                    f"（时点指标按 {period.as_of:%Y年%m月%d日} 计；S4 近12个月为 "
                    f"{window.start:%Y年%m月%d日} 至 {window.end:%Y年%m月%d日}）"
                    + ("" if full else "；联系电话已脱敏")
                    + ("" if people else "；人员姓名已脱敏"))
    after = _write(ws, styles, COVER_COLUMNS, cover_rows(results, period), first=2)
    count, head = chain.head_of(session)
    ws.write_string(after + 1, 0, f"审计记录：共 {count} 条；链首哈希（SHA-256）：{head or '—'}")
    sheets = [(sheet_name(s.title), *sheet_rows(session, s, period, full, tz, people))
              for s in reg.sheets]
    sheets.append((CORRECTIONS_TITLE, CORRECTIONS_COLUMNS,
                   corrections_rows(session, reg, period, tz, people)))
    for name, titles, rows in sheets:
        ws = book.add_worksheet(name)
        _widths(ws, [max(10, min(40, len(str(c)) * 2 + 4)) for c in titles])
        ws.freeze_panes(1, 0)  # A2: the header stays in view
        _write(ws, styles, titles, rows)
    book.close()
    return results


# Excel's serial day numbers, as XlsxWriter computes them: from 1900-03-01 (day 61,
# past Excel's phantom 1900-02-29) a day is its distance from 1899-12-30. Earlier
# values go through write_datetime.
EPOCH_DAY, FIRST_DAY = date(1899, 12, 30), date(1900, 3, 1)
EPOCH_MOMENT, FIRST_MOMENT = datetime(1899, 12, 30), datetime(1900, 3, 1)
# As pandas wrote them (its datetime_format never reached a datetime column).
DATE_FORMAT, DATETIME_FORMAT = "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS"


class _Styles:
    def __init__(self, book):
        self.header = book.add_format({"bold": True, "border": 1, "align": "center",
                                       "valign": "top"})
        self.date = book.add_format({"num_format": DATE_FORMAT})
        self.moment = book.add_format({"num_format": DATETIME_FORMAT})


def _write(ws, styles, titles, rows, first=0):
    """A header row at row `first` (bold, bordered, centred), then the rows, each by its
    values' types; returns the row index after the last."""
    for col, title in enumerate(titles):
        ws.write_string(first, col, str(title), styles.header)
    text, number = ws.write_string, ws.write_number
    r = first
    for r, row in enumerate(rows, first + 1):
        for col, value in enumerate(row):
            kind = type(value)
            if value is None:
                continue
            if kind is str:
                if value:  # an empty text is an empty cell, as before
                    text(r, col, value)
            elif kind is int or kind is Decimal or kind is float:
                number(r, col, value)
            elif kind is datetime and value >= FIRST_MOMENT:  # a serial day, shown
                delta = value - EPOCH_MOMENT                    # as a moment
                number(r, col, delta.days + (delta.seconds + delta.microseconds / 1e6)
                       / 86400, styles.moment)
            elif kind is date and value >= FIRST_DAY:
                number(r, col, (value - EPOCH_DAY).days, styles.date)
            elif kind is bool:
                ws.write_boolean(r, col, value)
            else:  # an early date or moment, or a type of its own
                ws.write(r, col, value, styles.date if kind is date else
                         styles.moment if kind is datetime else None)
    return r + 1


def _widths(ws, widths):
    for index, width in enumerate(widths):
        ws.set_column(index, index, width)
