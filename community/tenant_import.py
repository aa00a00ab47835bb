"""Import an existing tenant list from xlsx or csv: every row or none."""
import io
from datetime import date, datetime

import pandas as pd

from community.refusals import Invalid, Refused

from community.rules import check_tenant, save_tenant

COLUMNS = {  # header in the file -> tenant field
    "企业名称": "name", "统一社会信用代码": "uscc", "法定代表人": "legal_rep",
    "联系电话": "phone", "邮箱": "email", "行业领域": "sector", "是否OPC": "is_opc",
    "关系": "relationship_kind", "成立日期": "founded_on", "入驻日期": "moved_in_on",
    "迁出日期": "moved_out_on", "注销日期": "closed_on",
}
REQUIRED = ("企业名称", "统一社会信用代码", "法定代表人", "联系电话", "行业领域", "成立日期")
FIELD_TITLES = {field: title for title, field in COLUMNS.items()}
RELATIONSHIP_WORDS = {"入驻": "resident", "仅服务": "served", "服务": "served",
                      "resident": "resident", "served": "served"}
TRUE_WORDS = {"是", "y", "yes", "true", "1", "opc"}


class ImportRefused(Refused):
    """The file was refused; `problems` lists (row number, column title, code)."""

    def __init__(self, problems, code="import_rows", **params):
        super().__init__(code, **params)
        self.problems = problems


def read_table(filename, data):
    """The file's rows as a DataFrame of strings."""
    try:
        if filename.lower().endswith(".csv"):
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    return pd.read_csv(io.BytesIO(data), dtype=str, encoding=encoding,
                                       keep_default_na=False)
                except UnicodeDecodeError:
                    continue
            raise ValueError("encoding")
        return pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False,
                             engine="openpyxl")
    except Exception as exc:  # pandas raises many kinds for a broken file
        raise Refused("import_bad_file") from exc


def _date(text):
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return "bad"


def row_data(row):
    data = {}
    for title, field in COLUMNS.items():
        value = str(row.get(title, "") or "").strip()
        if field.endswith("_on"):
            parsed = _date(value)
            data[field] = parsed if isinstance(parsed, date) or parsed is None else value
        elif field == "is_opc":
            data[field] = value.lower() in TRUE_WORDS if value else True
        elif field == "relationship_kind":
            data[field] = RELATIONSHIP_WORDS.get(value, value or "resident")
        else:
            data[field] = value
    return data


def import_tenants(session, actor, filename, data):
    """Check every row; save all of them, or none with a report of each bad row."""
    table = read_table(filename, data)
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise ImportRefused([], code="import_missing_columns", columns="、".join(missing))
    if table.empty:
        raise ImportRefused([], code="import_empty")
    problems, rows, seen = [], [], {}
    for index, row in enumerate(table.to_dict("records"), start=2):
        values = row_data(row)
        try:
            check_tenant(session, values)
        except Invalid as exc:
            problems += [(index, FIELD_TITLES.get(f, f), code)
                         for f, code in exc.errors.items()]
        key = str(values.get("uscc", "")).upper()
        if key and key in seen:
            problems.append((index, "统一社会信用代码", "uscc_duplicate_in_file"))
        seen.setdefault(key, index)
        rows.append(values)
    if problems:
        raise ImportRefused(problems)
    return [save_tenant(session, actor, values) for values in rows]


def template_bytes():
    """An empty import sheet with the expected headers and one example row."""
    example = {"企业名称": "重庆示例科技有限公司", "统一社会信用代码": "91500000MA5U00000W",
               "法定代表人": "张三", "联系电话": "13800138000", "邮箱": "",
               "行业领域": "数字内容", "是否OPC": "是", "关系": "入驻",
               "成立日期": "2025-03-01", "入驻日期": "2025-06-01", "迁出日期": "",
               "注销日期": ""}
    out = io.BytesIO()
    pd.DataFrame([example], columns=list(COLUMNS)).to_excel(out, index=False)
    return out.getvalue()
