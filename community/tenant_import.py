"""Import an existing tenant list from xlsx or csv: every row or none.

A row without its licence facts (企业类型, 股东人数) is still imported, as a firm
whose OPC status is "not yet determined"; the result names those rows."""
import io
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from community.refusals import Invalid, Refused

from community.rules import check_tenant, save_tenant

COLUMNS = {  # header in the file -> tenant field
    "企业名称": "name", "统一社会信用代码": "uscc", "法定代表人": "legal_rep",
    "联系电话": "phone", "邮箱": "email", "行业领域": "sector",
    "关系": "relationship_kind", "成立日期": "founded_on", "入驻日期": "moved_in_on",
    "迁出日期": "moved_out_on", "注销日期": "closed_on",
    "企业类型": "company_type", "注册资本（万元）": "registered_capital",
    "股东（投资人）人数": "investors",
}
HELP = {  # what the template's 填写说明 sheet says of each column
    "企业名称": "必填，与营业执照一致。",
    "统一社会信用代码": "必填，18位，系统校验校验位；不能与已登记企业重复。",
    "法定代表人": "必填。",
    "联系电话": "必填，手机或座机（座机带区号）。",
    "邮箱": "选填。",
    "行业领域": "必填，从：智能制造、智慧医疗、智慧金融、智慧文旅、数字营销、数字内容、文化创意、其他 中选择。",
    "关系": "入驻 或 仅服务；留空按入驻。",
    "成立日期": "必填，营业执照上的成立日期，如 2025-03-01；不能晚于今天或入驻日期。",
    "入驻日期": "入驻企业必填。",
    "迁出日期": "选填，已迁出时填写。",
    "注销日期": "选填，已注销时填写。",
    "企业类型": "按营业执照“类型”一栏填写，如 有限责任公司（自然人独资）。留空则OPC身份待确定，不计入S4。",
    "注册资本（万元）": "选填，数字，单位万元。",
    "股东（投资人）人数": "整数，如 1。留空则OPC身份待确定，不计入S4。",
}
REQUIRED = ("企业名称", "统一社会信用代码", "法定代表人", "联系电话", "行业领域", "成立日期")
FIELD_TITLES = {field: title for title, field in COLUMNS.items()}
RELATIONSHIP_WORDS = {"入驻": "resident", "仅服务": "served", "服务": "served",
                      "resident": "resident", "served": "served"}


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
        elif field == "relationship_kind":
            data[field] = RELATIONSHIP_WORDS.get(value, value or "resident")
        else:
            data[field] = value
    return data


@dataclass
class Imported:
    tenants: list
    undetermined_rows: list  # row numbers saved without licence facts


def import_tenants(session, actor, filename, data, today):
    """Check every row; save all of them, or none with a report of each bad row."""
    table = read_table(filename, data)
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise ImportRefused([], code="import_missing_columns", columns="、".join(missing))
    if table.empty:
        raise ImportRefused([], code="import_empty")
    problems, rows, seen, undetermined = [], [], {}, []
    for index, row in enumerate(table.to_dict("records"), start=2):
        values = row_data(row)
        if not values.get("company_type") or not values.get("investors"):
            undetermined.append(index)
        try:
            check_tenant(session, values, today)
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
    return Imported([save_tenant(session, actor, values, today) for values in rows],
                    undetermined)


def template_bytes():
    """The import sheet with its headers and no row (a sample row left in would be
    imported as a real firm), the columns explained, and the example on its own sheet."""
    example = {"企业名称": "重庆示例科技有限公司", "统一社会信用代码": "91500000MA5U00000W",
               "法定代表人": "张三", "联系电话": "13800138000", "邮箱": "",
               "行业领域": "数字内容", "关系": "入驻",
               "成立日期": "2025-03-01", "入驻日期": "2025-06-01", "迁出日期": "",
               "注销日期": "", "企业类型": "有限责任公司（自然人独资）",
               "注册资本（万元）": "10", "股东（投资人）人数": "1"}
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        pd.DataFrame([], columns=list(COLUMNS)).to_excel(writer, sheet_name="企业", index=False)
        pd.DataFrame([(title, HELP[title], example[title]) for title in COLUMNS],
                     columns=["列", "填写说明", "示例（仅供参考，不会导入）"]).to_excel(
            writer, sheet_name="填写说明", index=False)
        writer.sheets["填写说明"].column_dimensions["A"].width = 20
        writer.sheets["填写说明"].column_dimensions["B"].width = 90
        writer.sheets["填写说明"].column_dimensions["C"].width = 30
    return out.getvalue()
