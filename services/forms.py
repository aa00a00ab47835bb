"""Flask-WTF forms of the services package (CSRF on every one); the domain checks
live in the rules."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DecimalField, IntegerField, SelectChoice,
                     SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from community.forms import DATE_MSG
from services.labels import LABELS
from services.models import MEASURES, PROVIDER_KINDS, SECTIONS, UNITS


def choices(group, codes):
    return [SelectChoice(code, _l(LABELS[group][code])) for code in codes]


def options(pairs):
    """(value, text) pairs read from the database as a select's choices."""
    return [SelectChoice(value, text) for value, text in pairs]


AMOUNT = [Optional(), NumberRange(min=0, max=10**9)]


class RequestForm(FlaskForm):
    tenant_id = SelectField(_l("企业"), coerce=int, validate_choice=False)
    category_id = SelectField(_l("服务项目"), coerce=int, validate_choice=False)
    description = TextAreaField(_l("需求说明"), validators=[Length(max=2000)])


class LogForm(FlaskForm):
    """Staff record a service already given (the tenant page's 登记服务)."""
    category_id = SelectField(_l("服务项目"), coerce=int, validate_choice=False)
    completed_on = DateField(_l("服务日期"), validators=[InputRequired(DATE_MSG)])
    outcome = StringField(_l("服务内容与结果"), validators=[Length(max=2000)])


class AssignForm(FlaskForm):
    provider_id = SelectField(_l("服务机构"), coerce=int, validate_choice=False)


class CompleteForm(FlaskForm):
    outcome = TextAreaField(_l("办理结果"), validators=[Length(max=2000)],
                            description=_l("如：专利申请号、已完成工商登记、已申报所属期"))
    completed_on = DateField(_l("办结日期"), validators=[InputRequired(DATE_MSG)])
    quantity = DecimalField(_l("数量"), places=2, validators=[InputRequired(),
                                                             NumberRange(min=0, max=10**9)])
    value = DecimalField(_l("服务价值（元）"), places=2, validators=AMOUNT)


class ReasonForm(FlaskForm):
    reason = StringField(_l("原因"), validators=[InputRequired(), Length(max=300)])


class RateForm(FlaskForm):
    rating = SelectField(_l("满意度"), coerce=int, choices=options([
        (5, _l("5 非常满意")), (4, _l("4 满意")), (3, _l("3 一般")), (2, _l("2 不满意")),
        (1, _l("1 非常不满意"))]))
    comment = StringField(_l("评价意见"), validators=[Length(max=500)])


class CategoryForm(FlaskForm):
    name = StringField(_l("服务项目名称"), validators=[InputRequired(), Length(max=60)])
    section = SelectField(_l("服务类别"), choices=choices("service_section", SECTIONS))
    unit = SelectField(_l("计量单位"), choices=choices("service_unit", UNITS))
    free = BooleanField(_l("免费提供"))
    target_days = IntegerField(_l("办结时限（天）"), validators=[InputRequired(),
                                                           NumberRange(min=1, max=365)])
    description = TextAreaField(_l("说明"), validators=[Length(max=2000)])
    active = BooleanField(_l("可申请"), default=True)


class ProviderForm(FlaskForm):
    name = StringField(_l("机构名称"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(_l("机构类型"), choices=choices("provider_kind", PROVIDER_KINDS))
    uscc = StringField(_l("统一社会信用代码"), validators=[Length(max=40)])
    no_uscc = BooleanField(_l("无统一社会信用代码（境外机构等）"))
    categories = SelectMultipleField(_l("服务范围"), coerce=int, validate_choice=False)
    qualifications = TextAreaField(_l("资质"), validators=[Length(max=2000)])
    contact_name = StringField(_l("联系人"), validators=[Length(max=100)])
    contact_phone = StringField(_l("联系电话"), validators=[Length(max=40)])
    contact_email = StringField(_l("邮箱"), validators=[Length(max=200)])
    address = StringField(_l("地址"), validators=[Length(max=300)])
    resident = BooleanField(_l("入驻社区的金融机构（银行、投资机构）"))
    active = BooleanField(_l("合作中"), default=True)
    note = TextAreaField(_l("备注"), validators=[Length(max=2000)])


class AgreementForm(FlaskForm):
    title = StringField(_l("协议名称"), validators=[InputRequired(), Length(max=200)])
    signed_on = DateField(_l("签订日期"), validators=[Optional()])
    starts_on = DateField(_l("生效日期"), validators=[InputRequired(DATE_MSG)])
    ends_on = DateField(_l("到期日期"), validators=[Optional()],
                        description=_l("长期有效可不填"))
    note = StringField(_l("备注"), validators=[Length(max=2000)])


class QuotaForm(FlaskForm):
    tenant_id = SelectField(_l("企业"), coerce=int, validate_choice=False)
    year = IntegerField(_l("年度"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    category_id = SelectField(_l("补贴类型"), coerce=int, validate_choice=False)
    measure = SelectField(_l("额度计量"), choices=choices("quota_measure", MEASURES))
    amount = DecimalField(_l("额度"), places=2, validators=[InputRequired(),
                                                           NumberRange(min=0, max=10**10)])


class GrantForm(FlaskForm):
    tenant_id = SelectField(_l("企业"), coerce=int, validate_choice=False)
    category_id = SelectField(_l("补贴类型"), coerce=int, validate_choice=False)
    provider_id = SelectField(_l("服务机构"), coerce=int, validate_choice=False)
    quantity = DecimalField(_l("数量"), places=2, validators=[InputRequired(),
                                                             NumberRange(min=0, max=10**10)])
    value = DecimalField(_l("折合金额（元）"), places=2, validators=AMOUNT)
    granted_on = DateField(_l("发放日期"), validators=[InputRequired(DATE_MSG)])
    note = StringField(_l("备注"), validators=[Length(max=300)])
