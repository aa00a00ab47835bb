"""Flask-WTF forms of financing and amenities. Fields are parsed here; the
decisions (amounts, dates, who may record what) live in services.financing.rules."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, DecimalField, IntegerField, SelectChoice, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, Optional

from community.forms import DATE_MSG
from services.financing.labels import LABELS

AMOUNT_MSG = _l("请填写金额（万元）。")


def choices(group):
    return [SelectChoice(code, _l(text)) for code, text in LABELS[group].items()]


class ProductForm(FlaskForm):
    name = StringField(_l("社区专项金融服务产品名称"),
                       validators=[InputRequired(), Length(max=200)])
    scale_wan = DecimalField(_l("金融服务规模（万元）"), places=2,
                             validators=[InputRequired(AMOUNT_MSG)])
    formation = SelectField(_l("组建形式"), choices=choices("finance_formation"))
    partners = StringField(_l("合建机构"), validators=[Length(max=300)],
                           description=_l("合建时必填，多个机构用顿号分隔。"))
    provider_id = SelectField(_l("合作金融机构"), coerce=int, default=0)
    starts_on = DateField(_l("开始日期"), validators=[Optional()])
    ends_on = DateField(_l("结束日期"), validators=[Optional()])
    description = TextAreaField(_l("产品说明"), validators=[Length(max=2000)],
                                render_kw={"rows": 3})


class NeedForm(FlaskForm):
    tenant_id = SelectField(_l("企业"), coerce=int, default=0)
    amount_wan = DecimalField(_l("拟融资金额（万元）"), places=2,
                              validators=[InputRequired(AMOUNT_MSG)])
    stage = SelectField(_l("融资阶段"), choices=choices("need_stage"))
    purpose = TextAreaField(_l("资金用途"), validators=[Length(max=2000)],
                            render_kw={"rows": 2})
    raised_on = DateField(_l("提出日期"), validators=[InputRequired(DATE_MSG)])


class CloseNeedForm(FlaskForm):
    status = SelectField(_l("关闭原因"), choices=[
        SelectChoice("met", _l("已满足")), SelectChoice("withdrawn", _l("已撤回"))])
    closed_on = DateField(_l("关闭日期"), validators=[InputRequired(DATE_MSG)])


class MeetingForm(FlaskForm):
    tenant_id = SelectField(_l("企业"), coerce=int, default=0)
    provider_id = SelectField(_l("金融机构"), coerce=int, default=0)
    need_id = SelectField(_l("对应融资需求"), coerce=int, default=0)
    met_on = DateField(_l("对接日期"), validators=[InputRequired(DATE_MSG)])
    note = TextAreaField(_l("对接情况"), validators=[Length(max=2000)], render_kw={"rows": 2})


class OutcomeForm(FlaskForm):
    outcome = SelectField(_l("对接结果"), choices=choices("meeting_outcome"))
    amount_wan = DecimalField(_l("金额（万元）"), places=2, validators=[Optional()],
                              description=_l("签署意向书、投资或放款时必填。"))
    outcome_on = DateField(_l("结果日期"), validators=[Optional()])
    note = TextAreaField(_l("对接情况"), validators=[Length(max=2000)], render_kw={"rows": 2})


class AmenityForm(FlaskForm):
    name = StringField(_l("名称"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(_l("类型"), choices=choices("amenity_kind"))
    address = StringField(_l("地址"), validators=[Length(max=300)])
    distance_m = IntegerField(_l("距社区（米）"), validators=[Optional()])
    note = TextAreaField(_l("说明"), validators=[Length(max=2000)], render_kw={"rows": 2})
    listed_on = DateField(_l("上架日期"), validators=[InputRequired(DATE_MSG)])


class WithdrawForm(FlaskForm):
    withdrawn_on = DateField(_l("下架日期"), validators=[InputRequired(DATE_MSG)])


class VoidForm(FlaskForm):
    reason = StringField(_l("作废原因"), validators=[InputRequired(_l("请填写作废原因。")),
                                                  Length(max=200)])


class ResidencyForm(FlaskForm):
    provider_id = SelectField(_l("金融机构"), coerce=int, default=0)
    resident_since = DateField(_l("入驻日期"), validators=[InputRequired(DATE_MSG)])
    resident_until = DateField(_l("迁出日期"), validators=[Optional()],
                               description=_l("仍在社区的留空。"))
