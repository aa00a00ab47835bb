"""Flask-WTF forms of the events package. Fields are parsed here; the decisions
(capacity, consent, mobile numbers, rooms) live in events.rules."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, HiddenField, IntegerField, SelectChoice,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, Optional

from events.labels import LABELS

TIME_MSG = _l("时间格式不正确。")


class EventForm(FlaskForm):
    kind = SelectField(_l("活动类型"), choices=[
        SelectChoice(code, _l(text)) for code, text in LABELS["event_kind"].items()])
    title = StringField(_l("活动名称"), validators=[InputRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(_l("开始时间"), validators=[InputRequired(TIME_MSG)])
    ends_at = DateTimeLocalField(_l("结束时间"), validators=[InputRequired(TIME_MSG)])
    room_id = SelectField(_l("社区场地"), coerce=int, default=0)
    venue_address = StringField(_l("或外部地址"), validators=[Length(max=300)])
    capacity = IntegerField(_l("人数上限"), default=50, validators=[InputRequired()])
    registration_closes_at = DateTimeLocalField(_l("报名截止"), validators=[Optional()])
    organiser = StringField(_l("主办单位"), validators=[InputRequired(), Length(max=200)])
    co_organisers = StringField(_l("协办单位"), validators=[Length(max=300)])
    description = TextAreaField(_l("活动介绍"))
    notice_text = TextAreaField(_l("活动通知"))


class AcceptedField(BooleanField):
    """A consent box: ticked only by the value a ticked box sends (or an explicit yes),
    so "0", "no" or "false" typed into a request never reads as consent."""

    ACCEPTED = ("y", "yes", "on", "true", "1")

    def process_formdata(self, valuelist):
        self.data = bool(valuelist) and str(valuelist[0]).strip().lower() in self.ACCEPTED


class RegistrationForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[InputRequired(), Length(max=100)])
    mobile = StringField(_l("手机号"), validators=[InputRequired()])
    email = StringField(_l("邮箱（选填）"), validators=[Optional(), Length(max=200)])
    organisation = StringField(_l("单位"), validators=[Length(max=200)])
    consent = AcceptedField(_l("我已阅读并同意上述个人信息处理说明"))
    assessor_consent = AcceptedField(_l("（选填）同意将我的姓名、单位和签到记录提供给项目考核评估方"))


class WalkInForm(RegistrationForm):
    consent = AcceptedField(_l("参会人已阅读个人信息处理说明并同意"))


class SelfCheckinForm(FlaskForm):
    mobile = StringField(_l("报名时填写的手机号"), validators=[InputRequired()])
    door_pass = HiddenField()


class SummaryForm(FlaskForm):
    # A blank summary is refused by events.rules.save_summary (summary_required).
    summary = TextAreaField(_l("活动小结"), validators=[Length(max=2000)])


class PaperForm(FlaskForm):
    checked_at = DateTimeLocalField(_l("签到时间"), validators=[InputRequired(TIME_MSG)])


class PaperWalkInForm(WalkInForm):
    checked_at = DateTimeLocalField(_l("签到时间"), validators=[InputRequired(TIME_MSG)])


class DeviceForm(FlaskForm):
    name = StringField(_l("设备名称"), validators=[InputRequired(), Length(max=100)])


def room_choices(rooms):
    return [SelectChoice(0, _l("— 外部场地 —"))] + [
        SelectChoice(room.id, f"{room.zone.floor} · {room.zone.name}（{room.zone.capacity}人）")
        for room in rooms]
