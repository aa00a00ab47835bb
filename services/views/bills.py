"""Provider bills: a provider's bills with the import form, a bill's reconciliation
against the grants, and the empty import template."""
import io
from datetime import timedelta

from flask import abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError
from wtforms import DateField
from wtforms.validators import InputRequired

from community import audit
from community.dbsetup import utcnow
from community.extensions import db
from community.files import attachments_of
from community.forms import DATE_MSG
from community.messages import message
from community.models import User
from community.permissions import can
from community.web import paginate, requires, submit, today
from services.bills import BILL_FILE, BillRefused, import_bill, status_counts, template_bytes
from services.models import BILL_LINE_STATUSES, Bill, BillLine, Grant, Provider
from services.views import bp

MESSAGES = {
    "bill_file_type": _l("请上传 xlsx 或 csv 格式的账单（文件内容须与扩展名一致）。"),
    "bill_bad_file": _l("无法读取该文件：不是有效的 xlsx，或不是 UTF-8 / GBK 编码的 csv。"),
    "bill_amount_unit": _l("金额须以元为单位，列名写作“金额（元）”。"),
    "bill_missing_columns": _l("缺少列：%(columns)s。"),
    "bill_too_many_rows": _l("账单超过 %(max)s 行，请按期间分批导入。"),
    "bill_empty": _l("账单中没有数据行。"),
    "bill_rows": _l("账单有 %(count)s 处错误，未导入任何一行。请按下表修改后重新上传。"),
    "bill_tenant_unknown": _l("系统中没有该企业：%(value)s。"),
    "bill_tenant_ambiguous": _l("有多家企业名为“%(value)s”，请改填统一社会信用代码。"),
    "bill_tenant_missing": _l("请填写统一社会信用代码或企业名称。"),
    "bill_date_invalid": _l("日期无法识别：“%(value)s”，应为 YYYY-MM-DD。"),
    "bill_date_outside": _l("日期 %(value)s 不在账单期间 %(starts_on)s 至 %(ends_on)s 内。"),
    "bill_number_invalid": _l("“%(value)s”不是有效数字（不小于0，最多两位小数）。"),
}
# What each line's status says, and how it is tagged (what to look at first comes first).
STATUS_TITLES = {"differs": _l("金额或数量不一致"), "unmatched": _l("账单有、补贴无"),
                 "unbilled": _l("补贴有、账单无"), "matched": _l("一致")}
STATUS_TAGS = {"matched": "tag-free", "differs": "tag-missed", "unmatched": "tag-ongoing",
               "unbilled": "tag-absent"}
ORDER = {status: n for n, status in enumerate(STATUS_TITLES)}


class BillImportForm(FlaskForm):
    starts_on = DateField(_l("账单期间自"), validators=[InputRequired(DATE_MSG)])
    ends_on = DateField(_l("账单期间至"), validators=[InputRequired(DATE_MSG)])
    file = FileField(_l("账单文件（xlsx 或 csv）"), validators=[FileRequired(_l("请选择文件。"))])


def can_view_file(user, bill_id):
    """Who may download a bill's file: whoever reads bills (staff, admin, assessors)."""
    return can(user, "view")


def _provider_url(provider):
    try:
        return url_for("services.provider_detail", provider_id=provider.id)
    except BuildError:  # the directory's page, from the catalogue views
        return None


def imported_message(bill):
    counts = status_counts(db.session, bill.id)
    return _("账单已导入并对账：一致 %(matched)s 行，不一致 %(differs)s 行，账单有、补贴无 "
             "%(unmatched)s 行，补贴有、账单无 %(unbilled)s 笔。", **counts)


@bp.route("/providers/<int:provider_id>/bills", methods=["GET", "POST"])
@requires("view")
def bills(provider_id):
    provider = db.get_or_404(Provider, provider_id)
    if request.method == "POST" and not can(current_user, "edit"):
        abort(403)
    form = BillImportForm() if can(current_user, "edit") else None
    problems = []
    if request.method == "POST":
        upload = form.file.data
        ok, outcome = submit(form, lambda: import_bill(
            db.session, current_user, provider, form.starts_on.data, form.ends_on.data,
            upload.filename or "", upload.read(), utcnow(),
            folder=current_app.config["UPLOAD_FOLDER"]), imported_message)
        if ok:
            return redirect(url_for("services.bill", bill_id=outcome.id))
        if isinstance(outcome, BillRefused):
            problems = [(row, column, message(code, **params))
                        for row, column, code, params in outcome.problems]
    elif form is not None:  # most bills cover last month
        last = today().replace(day=1) - timedelta(days=1)
        form.starts_on.data, form.ends_on.data = last.replace(day=1), last
    page = paginate(select(Bill).where(Bill.provider_id == provider.id)
                    .order_by(Bill.imported_at.desc(), Bill.id.desc()))
    users = {user.id: user for user in db.session.scalars(select(User).where(
        User.id.in_({b.imported_by_id for b in page.items} - {None})))}
    counts = {}
    for bill_id, status, n in db.session.execute(
            select(BillLine.bill_id, BillLine.status, func.count())
            .where(BillLine.bill_id.in_([b.id for b in page.items]))
            .group_by(BillLine.bill_id, BillLine.status)):
        counts.setdefault(bill_id, dict.fromkeys(BILL_LINE_STATUSES, 0))[status] = n
    return render_template("services/bills.html", provider=provider, form=form, page=page,
                           counts=counts, users=users, problems=problems, titles=STATUS_TITLES,
                           tags=STATUS_TAGS, provider_url=_provider_url(provider))


@bp.route("/bills/<int:bill_id>")
@requires("view")
def bill(bill_id):
    bill = db.get_or_404(Bill, bill_id)
    status = request.args.get("status", "")
    query = select(BillLine).options(
        selectinload(BillLine.tenant),
        selectinload(BillLine.grant).selectinload(Grant.category)) \
        .where(BillLine.bill_id == bill.id) \
        .order_by(case(ORDER, value=BillLine.status), BillLine.row_no, BillLine.id)
    if status in BILL_LINE_STATUSES:
        query = query.where(BillLine.status == status)
    billed, granted = db.session.execute(
        select(func.coalesce(func.sum(BillLine.value_fen), 0),
               func.coalesce(func.sum(Grant.value_fen), 0))
        .select_from(BillLine).outerjoin(Grant, BillLine.grant_id == Grant.id)
        .where(BillLine.bill_id == bill.id)).one()
    return render_template(
        "services/bill.html", bill=bill, page=paginate(query), status=status,
        counts=status_counts(db.session, bill.id), titles=STATUS_TITLES, tags=STATUS_TAGS,
        billed=billed, granted=granted, files=attachments_of(db.session, BILL_FILE, bill.id),
        history=audit.history(db.session, "bill", bill.id),
        imported_by=db.session.get(User, bill.imported_by_id) if bill.imported_by_id else None,
        provider_url=_provider_url(bill.provider))


@bp.route("/bills/template.xlsx")
@requires("edit")
def bill_template():
    return send_file(io.BytesIO(template_bytes()), as_attachment=True,
                     download_name="服务商账单导入模板.xlsx")
