"""The ledger workbook's cells as a spreadsheet reads them: text stays text (a formula
is never run), dates are dates shown YYYY-MM-DD, numbers are numbers, the header
stays in view."""
import io
from datetime import date

import openpyxl

from community.extensions import db
from community.export import write_workbook
from community.periods import Period
from community.registry import registry

YEAR = Period.make(date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 31))


def workbook(**kwargs):
    out = io.BytesIO()
    write_workbook(db.session, registry(), {}, YEAR, out, **kwargs)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def test_a_formula_stays_text_and_a_date_is_a_date(make_tenant):
    make_tenant(name="=HYPERLINK(\"http://x\",\"点我\")", moved_in_on=date(2026, 3, 2),
                founded_on=date(2025, 3, 1))
    ws = workbook()["入驻、服务企业台账"]
    header = [c.value for c in ws[1]]
    row = dict(zip(header, next(ws.iter_rows(min_row=2))))
    name = row["企业名称"]
    assert name.data_type == "s" and name.value == "'=HYPERLINK(\"http://x\",\"点我\")"
    moved_in = row["入驻日期"]
    assert moved_in.is_date and moved_in.value.date() == date(2026, 3, 2)
    assert moved_in.number_format == "YYYY-MM-DD"
    times = row["服务次数"]
    assert times.data_type == "n" and times.value == 0
    assert ws.freeze_panes == "A2"
    assert all(c.font.bold for c in ws[1])


def test_the_cover_keeps_its_rows_in_place(make_tenant):
    make_tenant(moved_in_on=date(2026, 3, 2))
    ws = workbook(community_name="测试社区")["考核指标完成情况"]
    assert ws["A1"].value == "测试社区 考核指标完成情况"
    assert ws["A2"].value.startswith("统计期间：2026年01月01日 至 2026年12月31日")
    assert ws["A3"].value == "指标编号" and ws["I3"].value == "说明"
    codes = [ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1)]
    last = codes.index(None)  # one empty row, then the trail's head
    assert codes[:3] == ["P1", "S1", "S2"] and codes[last + 1].startswith("审计记录：共 ")
    row = next(r for r in ws.iter_rows(min_row=4) if r[0].value == "S4")
    assert row[3].data_type == "n" and row[3].value == 1


def test_a_firms_row_sums_up_its_services_in_the_window(make_tenant):
    """服务方式 names each way the firm was served in the twelve months (入驻 first),
    服务次数 counts the services that happened, first and last day among them: a
    voided service and one before the window count for nothing."""
    from datetime import datetime, timezone

    from community.served import record_served, void_served
    tenant = make_tenant(moved_in_on=date(2026, 3, 2))
    served_only = make_tenant(relationship_kind="served", moved_in_on=None)
    for source, ref, day in [("events", 1, date(2026, 5, 9)), ("booking", 2, date(2026, 2, 1)),
                             ("events", 3, date(2026, 11, 30)), ("services", 4, date(2026, 6, 1)),
                             ("booking", 5, date(2025, 12, 1))]:  # before the window
        record_served(db.session, None, tenant.id, day, source, ref)
    void_served(db.session, None, "services", 4, "未办理", datetime.now(timezone.utc))
    record_served(db.session, None, served_only.id, date(2026, 4, 1), "scenarios", 6)
    db.session.commit()
    ws = workbook()["入驻、服务企业台账"]
    header = [c.value for c in ws[1]]
    rows = {r["统一社会信用代码"]: r for r in
            (dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2))}
    row = rows[tenant.uscc]
    assert row["服务方式"] == "入驻、场地预约、活动参与" and row["服务次数"] == 3
    assert row["首次服务日期"].date() == date(2026, 2, 1)
    assert row["最近服务日期"].date() == date(2026, 11, 30)
    other = rows[served_only.uscc]
    assert other["服务方式"] == "应用场景对接" and other["服务次数"] == 1
    assert other["首次服务日期"] == other["最近服务日期"]
