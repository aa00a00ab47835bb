"""The one exporter: registered ledger sheets -> DataFrames -> one xlsx workbook."""
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import force_locale
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

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


def cell(column, value, full, tz, people=True):
    """One value as the sheet shows it. `full`: phones unmasked (an admin's full export);
    `people`: people's names shown (staff and admin); an assessor's export and every
    report pack pass people=False and see 张* for 张三 (and masked phones)."""
    if value is None:
        return None
    if column.kind == "phone":
        return value if full else mask_phone(value)
    if column.kind == "person":
        return safe_text(value if people else mask_person(value))
    if column.kind == "bool":
        return label("bool", bool(value))
    if column.kind == "money":
        return Decimal(value) / 100  # stored in fen, shown in yuan
    if column.kind == "datetime" and isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None)
    return safe_text(value)


def sheet_frame(session, sheet, period, full=False, tz=ZoneInfo("Asia/Shanghai"),
                people=True):
    """One ledger sheet as a DataFrame with its Chinese headers; a sheet whose rows carry
    evidence ends with 证明材料: each row's files in force, "文件名 SHA-256" a line."""
    records = list(sheet.rows(session, period))
    rows = [[cell(c, row.get(c.key), full, tz, people) for c in sheet.columns]
            for row in records]
    titles = [c.title for c in sheet.columns]
    if sheet.evidence:
        files = active_attachments(session, sheet.evidence,
                                   (row.get("evidence_id") for row in records))
        for values, row in zip(rows, records):
            values.append(safe_text(evidence_text(files.get(row.get("evidence_id"), ()))))
        titles.append(EVIDENCE_TITLE)
    return pd.DataFrame(rows, columns=titles)


def cover_frame(results, period):
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
    return pd.DataFrame(rows, columns=["指标编号", "考核指标", "目标值", "完成值", "单位",
                                       "完成率", "状态", "缺证据记录", "说明"])


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


def corrections_frame(session, reg, period, tz, people=True):
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
    return pd.DataFrame(rows, columns=["更正时间", "操作人", "锁定期间", "操作", "记录",
                                       "更正原因", "变更内容"])


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
    frames = [(sheet_name(s.title), sheet_frame(session, s, period, full, tz, people))
              for s in reg.sheets]
    with pd.ExcelWriter(out, engine="openpyxl", date_format="YYYY-MM-DD",
                        datetime_format="YYYY-MM-DD HH:MM") as writer:
        cover_frame(results, period).to_excel(writer, sheet_name=COVER_TITLE,
                                              index=False, startrow=2)
        ws = writer.sheets[COVER_TITLE]
        ws["A1"] = f"{community_name} {COVER_TITLE}".strip()
        window = period.last_twelve_months()
        ws["A2"] = (f"统计期间：{period.start:%Y年%m月%d日} 至 {period.end:%Y年%m月%d日}"
                    f"（时点指标按 {period.as_of:%Y年%m月%d日} 计；S4 近12个月为 "
                    f"{window.start:%Y年%m月%d日} 至 {window.end:%Y年%m月%d日}）"
                    + ("" if full else "；联系电话已脱敏")
                    + ("" if people else "；人员姓名已脱敏"))
        count, head = chain.head_of(session)
        ws.cell(row=len(results) + 5, column=1,
                value=f"审计记录：共 {count} 条；链首哈希（SHA-256）：{head or '—'}")
        _widths(ws, [10, 28, 14, 10, 6, 8, 10, 10, 48])
        frames.append((CORRECTIONS_TITLE, corrections_frame(session, reg, period, tz,
                                                            people)))
        for name, frame in frames:
            frame.to_excel(writer, sheet_name=name, index=False)
            _widths(writer.sheets[name], [max(10, min(40, len(str(c)) * 2 + 4))
                                          for c in frame.columns])
            writer.sheets[name].freeze_panes = "A2"
    return results


def _widths(ws, widths):
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
