"""Flask-WTF forms of the scenarios package (CSRF on every one); the domain checks
(USCC, phone, money, dates, duplicates, stage moves) live in scenarios.rules."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, SelectChoice,
                     SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from community.forms import DATE_MSG
from community.models import SECTORS
from scenarios.labels import LABELS
from scenarios.models import ACTIVITY_KINDS, ALL_STAGES, OWNER_TYPES, SOURCES

TAG_SPLIT = re.compile(r"[,，、;；\s]+")


def choices(group, codes):
    return [SelectChoice(code, _l(LABELS[group][code])) for code in codes]


def options(pairs):
    """(value, text) pairs read from the database as a select's choices."""
    return [SelectChoice(value, text) for value, text in pairs]


def split_tags(text):
    """Tags typed as one line, separated by commas, 顿号 or spaces."""
    return [t for t in TAG_SPLIT.split(text or "") if t]


class TagsField(StringField):
    """A line of text in the form, a list of tags in `data`."""

    def process_formdata(self, valuelist):
        self.data = split_tags(valuelist[0]) if valuelist else []

    def _value(self):
        return "、".join(self.data) if isinstance(self.data, list) else (self.data or "")


class SectorsField(SelectMultipleField):
    """The community's sectors as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ScenarioForm(FlaskForm):
    title = StringField(_l("场景名称"), validators=[InputRequired(), Length(max=200)])
    owner_name = StringField(_l("需求方"), validators=[InputRequired(), Length(max=200)],
                             description=_l("提出需求的单位全称"))
    owner_type = SelectField(_l("需求方类型"), choices=choices("owner_type", OWNER_TYPES))
    owner_uscc = StringField(_l("需求方统一社会信用代码"), validators=[Length(max=40)],
                             description=_l("已知时填写"))
    source = SelectField(_l("来源"), choices=choices("scenario_source", SOURCES))
    joint_with_district = BooleanField(_l("与所在区县联合挖掘（联合所在区）"))
    district = StringField(_l("所在区县"), validators=[Length(max=50)])
    sectors = SectorsField(_l("行业领域"), choices=[SelectChoice(s, _l(s)) for s in SECTORS],
                           validate_choice=False)
    tags = TagsField(_l("标签"), description=_l("用逗号、顿号或空格分隔，最多10个"))
    description = TextAreaField(_l("场景描述"), validators=[Length(max=4000)],
                                render_kw={"rows": 5},
                                description=_l("需求内容、技术方向、应用条件：用于为场景匹配企业"))
    budget = StringField(_l("预算（元）"), validators=[Length(max=20)],
                         render_kw={"inputmode": "decimal"})
    contact_name = StringField(_l("联系人"), validators=[Length(max=100)])
    contact_phone = StringField(_l("联系电话"), validators=[Length(max=40)])
    activity_id = SelectField(_l("来自哪次挖掘工作"), coerce=int, validate_choice=False,
                              default=0)
    discovered_on = DateField(_l("挖掘日期"), validators=[InputRequired(DATE_MSG)])
    duplicate_reason = StringField(_l("理由"), validators=[Length(max=300)],
                                   description=_l("说明与相似场景的不同之处"))

    def rule_data(self):
        """The fields as scenarios.rules.save_scenario takes them."""
        data = {key: self[key].data for key in (
            "title", "owner_name", "owner_type", "owner_uscc", "source", "joint_with_district",
            "district", "sectors", "tags", "description", "budget", "contact_name",
            "contact_phone", "discovered_on", "duplicate_reason")}
        data["activity_id"] = self.activity_id.data or None
        return data


class MoveForm(FlaskForm):
    stage = SelectField(_l("移至阶段"), choices=choices("scenario_stage", ALL_STAGES))
    on = DateField(_l("日期"), validators=[InputRequired(DATE_MSG)])
    reason = StringField(_l("原因"), validators=[Length(max=300)],
                         description=_l("退回或终止时必填"))
    contract_value = StringField(_l("合同金额（元）"), validators=[Length(max=20)],
                                 render_kw={"inputmode": "decimal"})


class MatchForm(FlaskForm):
    """Staff confirm a firm for the scenario, with why it was suggested."""
    tenant_id = IntegerField(validators=[InputRequired()])
    reason = HiddenField(validators=[Length(max=500)])


class PickMatchForm(FlaskForm):
    """Staff match a firm the suggestions did not name."""
    tenant_id = SelectField(_l("企业"), coerce=int, validate_choice=False)
    reason = StringField(_l("对接理由"), validators=[InputRequired(), Length(max=500)])


class ReasonForm(FlaskForm):
    reason = StringField(_l("原因"), validators=[InputRequired(), Length(max=300)])


class InterestForm(FlaskForm):
    note = StringField(_l("说明（选填）"), validators=[Length(max=500)],
                       description=_l("贵企业的相关产品或经验"))


class ActivityForm(FlaskForm):
    kind = SelectField(_l("工作方式"), choices=choices("activity_kind", ACTIVITY_KINDS))
    held_on = DateField(_l("日期"), validators=[InputRequired(DATE_MSG)])
    staff = StringField(_l("参与人员"), validators=[InputRequired(), Length(max=200)])
    counterpart = StringField(_l("对接单位"), validators=[InputRequired(), Length(max=300)],
                              description=_l("走访或座谈的单位、部门"))
    district = StringField(_l("区县"), validators=[Length(max=50)])
    notes = TextAreaField(_l("工作内容"), validators=[Length(max=4000)], render_kw={"rows": 4})


class FilterForm(FlaskForm):
    """The board's and the founders' filters (GET, so no CSRF)."""

    class Meta:
        csrf = False

    district = SelectField(_l("区县"), validate_choice=False, default="")
    sector = SelectField(_l("行业领域"), validate_choice=False, default="", choices=[
        SelectChoice("", _l("全部行业"))] + [SelectChoice(s, _l(s)) for s in SECTORS])
    source = SelectField(_l("来源"), validate_choice=False, default="", choices=[
        SelectChoice("", _l("全部来源"))] + choices("scenario_source", SOURCES))
    discovered = SelectField(_l("挖掘年份"), validate_choice=False, default="")
