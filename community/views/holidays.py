"""The holiday table, per year: staff fill it from chinese-calendar or by hand from
the State Council's notice; anyone who may view the ledgers may read it."""
from datetime import date

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from community import holidays
from community.extensions import db
from community.forms import DATE_MSG, ActionForm
from community.models import Holiday
from community.views import bp
from community.web import requires, submit, today

MESSAGES = {
    "holiday_duplicate": _l("这一天已在节假日表中；如需更改，请先删除原记录。"),
    "holiday_workday_on_weekday": _l("调休上班日只能是周六或周日（周一至周五本就上班）。"),
    "holiday_year_unknown": _l("chinese-calendar 没有 %(year)s 年的数据，请按国务院办公厅通知逐日录入。"),
}
KIND_LABELS = {"off": _l("放假"), "workday": _l("调休上班")}
WEEKDAYS = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"), _l("周日"))


def register(reg):
    """Hand the registry what the holiday table says when it refuses."""
    reg.add_messages(MESSAGES)


class HolidayForm(FlaskForm):
    day = DateField(_l("日期"), validators=[InputRequired(DATE_MSG)],
                    invalid_value_message=DATE_MSG)
    kind = SelectField(_l("类型"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    name_zh = StringField(_l("名称（中文）"), validators=[InputRequired(), Length(max=50)])
    name_en = StringField(_l("名称（英文）"), validators=[Length(max=50)])
    source = StringField(_l("依据"), validators=[InputRequired(), Length(max=200)])


def _year(default):
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else default


def _page(year, form):
    return render_template(
        "community/holidays.html", year=year, rows=holidays.days_of_year(db.session, year),
        kept=holidays.years_kept(db.session), library=holidays.library_years(),
        source=holidays.LIBRARY_SOURCE, form=form, action=ActionForm(), kinds=KIND_LABELS,
        weekdays=WEEKDAYS)


@bp.route("/holidays", endpoint="holidays")
@requires("view")
def holidays_page():
    year = _year(today().year)
    form = HolidayForm()
    form.source.data = _("国务院办公厅关于%(year)s年部分节假日安排的通知", year=year)
    return _page(year, form)


@bp.route("/holidays", methods=["POST"])
@requires("edit")
def holiday_add():
    form = HolidayForm()
    ok, row = submit(form, lambda: holidays.add_day(db.session, current_user, form.data),
                     lambda row: _("已录入 %(day)s。", day=f"{row.day:%Y-%m-%d}"))
    if ok:
        return redirect(url_for("community.holidays", year=row.day.year))
    year = form.day.data.year if isinstance(form.day.data, date) else today().year
    return _page(year if 2000 <= year <= 2100 else today().year, form)


@bp.route("/holidays/import/<int:year>", methods=["POST"])
@requires("edit")
def holiday_import(year):
    submit(ActionForm(), lambda: holidays.import_year(db.session, current_user, year),
           lambda done: _("已从 chinese-calendar 导入 %(year)s 年：新增 %(added)s 天，"
                          "保留已录入的 %(kept)s 天。", year=year, added=len(done[0]),
                          kept=done[1]), errors="flash")
    return redirect(url_for("community.holidays", year=year))


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
@requires("edit")
def holiday_remove(holiday_id):
    row = db.get_or_404(Holiday, holiday_id)
    year, day = row.day.year, row.day
    submit(ActionForm(), lambda: holidays.remove_day(db.session, current_user, row),
           _("已删除 %(day)s。", day=f"{day:%Y-%m-%d}"), errors="flash")
    return redirect(url_for("community.holidays", year=year))
