"""Booking forms (Flask-WTF, CSRF on each)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, IntegerField, SelectField,
                     StringField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

WEEKDAYS = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"), _l("周日"))
HHMM = Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("时间格式应为 HH:MM，如 09:00。"))


class BookForm(FlaskForm):
    day = DateField(_l("日期"), validators=[InputRequired()])
    start = SelectField(_l("开始时间"), validators=[InputRequired()])
    duration = SelectField(_l("时长"), coerce=int)
    purpose = StringField(_l("用途"), validators=[InputRequired(), Length(max=200)])
    tenant_id = SelectField(_l("预约企业"), coerce=int, default=0)
    weeks = IntegerField(_l("每周重复（次数，含本次）"), default=1,
                         validators=[Optional(), NumberRange(1, 12)])


class DecideForm(FlaskForm):
    reason = StringField(_l("理由（拒绝时必填）"), validators=[Length(max=300)])


class BlackoutForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("开始"), validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("结束"), validators=[InputRequired()])
    reason = StringField(_l("原因"), validators=[Length(max=200)])


class RoomForm(FlaskForm):
    slot_minutes = IntegerField(_l("时段步长（分钟）"), validators=[NumberRange(5, 240)])
    min_minutes = IntegerField(_l("最短时长（分钟）"), validators=[NumberRange(5, 1440)])
    max_minutes = IntegerField(_l("最长时长（分钟）"), validators=[NumberRange(5, 1440)])
    book_ahead_days = IntegerField(_l("可提前预约天数"), validators=[NumberRange(1, 365)])
    cancel_deadline_minutes = IntegerField(_l("取消截止（开始前分钟）"),
                                           validators=[NumberRange(0, 10080)])
    quota_hours_per_week = IntegerField(_l("每家企业每周限额（小时，0为不限）"),
                                        validators=[NumberRange(0, 168)])
    release_after_minutes = IntegerField(_l("未签到自动释放（开始后分钟，0为不释放）"),
                                         validators=[NumberRange(0, 240)])
    needs_approval = BooleanField(_l("需运营人员审批"))
    open_on_holidays = BooleanField(_l("法定节假日开放"))


for _n in range(7):
    setattr(RoomForm, f"open_{_n}", StringField(validators=[Optional(), HHMM]))
    setattr(RoomForm, f"close_{_n}", StringField(validators=[Optional(), HHMM]))
