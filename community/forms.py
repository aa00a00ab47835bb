"""Flask-WTF forms of the community core (CSRF on every one). Field types are
parsed here; the domain checks (USCC, phone, overlaps) live in rules.py."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, DecimalField, HiddenField, IntegerField,
                     PasswordField, SelectChoice, SelectField, StringField, TextAreaField)
from wtforms import SelectMultipleField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from community.labels import LABELS
from community.models import SECTORS

DATE_MSG = _l("日期格式不正确，应为 YYYY-MM-DD。")


def choices(group):
    return [SelectChoice(code, _l(text)) for code, text in LABELS[group].items()]


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[InputRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[InputRequired()])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[InputRequired()])
    new = PasswordField(_l("新密码"), validators=[InputRequired(), Length(min=10, max=200)])


class TenantForm(FlaskForm):
    name = StringField(_l("企业名称"), validators=[InputRequired(), Length(max=200)])
    uscc = StringField(_l("统一社会信用代码"), validators=[InputRequired()])
    legal_rep = StringField(_l("法定代表人"), validators=[InputRequired(), Length(max=100)])
    phone = StringField(_l("联系电话"), validators=[InputRequired()])
    email = StringField(_l("邮箱"), validators=[Optional(), Length(max=200)])
    sector = SelectField(_l("行业领域"), choices=[SelectChoice(s, _l(s)) for s in SECTORS])
    profile = TextAreaField(_l("企业简介"), validators=[Length(max=4000)],
                            description=_l("主营业务、产品和技术方向：用于为企业匹配应用场景"))
    relationship_kind = SelectField(_l("关系"), choices=choices("relationship"))
    founded_on = DateField(_l("成立日期"), validators=[InputRequired(DATE_MSG)])
    moved_in_on = DateField(_l("入驻日期"), validators=[Optional()])
    moved_out_on = DateField(_l("迁出日期"), validators=[Optional()])
    closed_on = DateField(_l("注销日期"), validators=[Optional()])
    company_type = StringField(
        _l("企业类型（营业执照）"), validators=[Length(max=60)],
        description=_l("按营业执照“类型”一栏填写；企业类型和股东人数都填写后才能认定是否为OPC。"))
    registered_capital = StringField(_l("注册资本（万元）"), validators=[Length(max=20)])
    investors = IntegerField(_l("股东（投资人）人数"), validators=[Optional()])
    facts_from = DateField(
        _l("以上信息自何日起"), validators=[Optional()],
        description=_l("首次录入时默认为成立日期；变更（如增加股东）时填写变更登记日期，此前的统计不受影响。"))
    opc_override = SelectField(_l("OPC认定"), choices=[
        SelectChoice("", _l("按规则认定")), SelectChoice("yes", _l("人工认定为OPC")),
        SelectChoice("no", _l("人工认定为非OPC"))], default="")
    override_reason = StringField(_l("人工认定理由"), validators=[Length(max=300)])


class MemberForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[InputRequired(), Length(max=100)])
    phone = StringField(_l("手机"), validators=[Optional()])
    is_founder = BooleanField(_l("创始人"))


class ZoneForm(FlaskForm):
    floor = StringField(_l("楼层"), validators=[InputRequired(), Length(max=20)])
    name = StringField(_l("区域名称"), validators=[InputRequired(), Length(max=100)])
    kind = SelectField(_l("类型"), choices=choices("zone_kind"))
    area_m2 = DecimalField(_l("面积（㎡）"), places=2,
                           validators=[InputRequired(_l("请填写面积。"))])
    capacity = IntegerField(_l("容纳人数"), default=0, validators=[Optional()])
    bookable = BooleanField(_l("可预约"))
    in_service_on = DateField(_l("启用日期"), validators=[InputRequired(DATE_MSG)])
    out_of_service_on = DateField(_l("停用日期"), validators=[Optional()])
    area_effective_on = DateField(_l("面积变更生效日期"), validators=[Optional()])


class BulkDeskForm(FlaskForm):
    zone_id = SelectField(_l("所在区域"), coerce=int)
    prefix = StringField(_l("编号前缀"), default="A", validators=[InputRequired()])
    first = IntegerField(_l("起始序号"), default=1, validators=[InputRequired()])
    count = IntegerField(_l("数量"), default=10,
                         validators=[InputRequired(), NumberRange(min=1, max=1000)])
    zero_rent = BooleanField(_l("零租工位"), default=True)
    in_service_on = DateField(_l("启用日期"), validators=[InputRequired(DATE_MSG)])


class ActionForm(FlaskForm):
    """A button that changes something (cancel, check in, publish): only the CSRF token."""


class DeskStatusForm(FlaskForm):
    status = SelectField(_l("状态"), choices=choices("desk_status"))
    zero_rent = BooleanField(_l("零租工位"))
    effective_on = DateField(_l("生效日期"), validators=[InputRequired(DATE_MSG)])


class AssignForm(FlaskForm):
    member_id = SelectField(_l("使用人"), coerce=int)
    starts_on = DateField(_l("开始日期"), validators=[InputRequired(DATE_MSG)])
    ends_on = DateField(_l("结束日期"), validators=[Optional()])


class EndAssignmentForm(FlaskForm):
    ends_on = DateField(_l("结束日期"), validators=[InputRequired(DATE_MSG)])


class UploadForm(FlaskForm):
    file = FileField(_l("文件"), validators=[FileRequired(_l("请选择文件。"))])


class WithdrawFileForm(FlaskForm):
    """Withdraw an evidence file: the reason is required by the rule (community.files)."""

    reason = StringField(_l("撤回原因"), validators=[Length(max=300)])


class ReplaceFileForm(FlaskForm):
    """Replace an evidence file with a newer one, saying why."""

    file = FileField(_l("新文件"), validators=[FileRequired(_l("请选择文件。"))])
    reason = StringField(_l("替换原因"), validators=[Length(max=300)])


class SettingsForm(FlaskForm):
    name = StringField(_l("社区名称"), validators=[InputRequired(), Length(max=200)])
    operator_name = StringField(_l("运营单位"), validators=[Length(max=200)])
    operator_uscc = StringField(_l("运营单位统一社会信用代码"), validators=[Optional()])
    address = StringField(_l("地址"), validators=[Length(max=300)])
    district = StringField(_l("所在区县"), validators=[Length(max=100)])
    timezone = StringField(_l("时区"), default="Asia/Shanghai")
    period_start_on = DateField(_l("实施周期开始"), validators=[InputRequired(DATE_MSG)])
    period_end_on = DateField(_l("实施周期结束"), validators=[InputRequired(DATE_MSG)])
    personal_data_until = DateField(
        _l("参会人个人信息保留至"), validators=[Optional()],
        description=_l("留空则保留至实施周期结束后6个月（验收评估之后）；此前不会清除签到名单。"))
    opc_company_types = TextAreaField(
        _l("计为OPC的企业类型"), render_kw={"rows": 4},
        description=_l("每行一个，按营业执照“类型”一栏的写法，如：有限责任公司（自然人独资）。"
                       "企业类型在此列表中、股东（投资人）仅1名、且成立未满下列年限的企业认定为OPC。"))
    startup_years = IntegerField(
        _l("初创企业年限（年）"), validators=[InputRequired()],
        description=_l("成立未满此年限的企业属初创企业（参照财税〔2018〕55号：不超过5年）。"))
    # 附件2 一、基本情况: the operator's own record (checked in community.settings)
    founded_on = DateField(_l("注册成立时间"), validators=[Optional()])
    registered_capital = StringField(_l("注册资金（万元）"), render_kw={"inputmode": "decimal"})
    leader = StringField(_l("负责人"), validators=[Length(max=100)])
    leader_phone = StringField(_l("负责人联系电话"), render_kw={"inputmode": "tel"})
    contact = StringField(_l("联系人"), validators=[Length(max=100)])
    contact_phone = StringField(_l("联系人手机号码"), render_kw={"inputmode": "tel"})
    operator_nature = SelectField(_l("运营机构性质"), validators=[Optional()],
                                  choices=[SelectChoice("", "—")] + choices("operator_nature"))
    operator_nature_other = StringField(_l("其他性质（请填写）"), validators=[Length(max=100)])
    focus = SelectMultipleField(
        _l("聚焦领域"), choices=[SelectChoice(s, _l(s)) for s in SECTORS if s != "其他"],
        validators=[Optional()], widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput())
    focus_other = StringField(_l("其他领域（请填写，多个用顿号分隔）"),
                              validators=[Length(max=300)])
    intro = TextAreaField(
        _l("社区简介"), render_kw={"rows": 8},
        description=_l("基本情况（名称、地理位置、物理空间规模、运营团队构成与资质）、产业定位与发展方向、"
                       "基础设施与配套服务体系、运营模式、入驻企业与培育成效及未来规划。"))
    tenure_kind = SelectField(_l("场地权属"), validators=[Optional()],
                              choices=[SelectChoice("", "—")] + choices("tenure_kind"))
    tenure_starts_on = DateField(_l("使用期限开始"), validators=[Optional()])
    tenure_ends_on = DateField(_l("使用期限结束"), validators=[Optional()],
                               description=_l("租赁或协议使用的，期限不少于3年；自有场地可不填。"))
    # The report's own words per section (附件2 二、三); blank leaves the section to figures.
    text_professional = TextAreaField(
        _l("专业服务"), render_kw={"rows": 4},
        description=_l("接入或链接的开发工具与模型，词元补贴、数据资源、模型服务等支持；依托或合作的高校院所、"
                       "龙头企业、创新平台、投资机构、专业服务机构。"))
    text_facilities = TextAreaField(
        _l("场地设施"), render_kw={"rows": 4},
        description=_l("空间布局，可为入驻者提供的租金减免、拎包入住、设施共享等服务。"))
    text_finance = TextAreaField(_l("金融服务"), render_kw={"rows": 3})
    text_living = TextAreaField(_l("生活配套"), render_kw={"rows": 3},
                                description=_l("人才公寓、餐饮、商务等生活与商业服务设施。"))
    text_public = TextAreaField(
        _l("公共服务"), render_kw={"rows": 3},
        description=_l("可对接的中试平台、概念验证中心及各类中介服务资源（登记注册、财务代账、税务申报、"
                       "法律咨询、专利申报等）。"))
    text_development = TextAreaField(
        _l("社区发展"), render_kw={"rows": 3},
        description=_l("人才聚集、产业集聚度、在营OPC数量、存续超6个月OPC数量等目标。"))
    text_ecosystem = TextAreaField(
        _l("生态活动"), render_kw={"rows": 3},
        description=_l("计划举办的创新创业赛事、资源对接、培训等活动的场次、规模。"))
    text_scenarios = TextAreaField(
        _l("场景支持"), render_kw={"rows": 3},
        description=_l("为企业挖掘场景的工作机制，年度挖掘与促成落地的应用场景目标。"))


class MilestoneForm(FlaskForm):
    """A milestone of 任务计划 (its figures are posted as figure-<code> inputs)."""

    milestone_id = HiddenField(default="0")
    due_on = DateField(_l("时间"), validators=[InputRequired(DATE_MSG)])
    promise = TextAreaField(_l("计划进展"), render_kw={"rows": 3},
                            validators=[Length(max=5000)])


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[InputRequired(), Length(max=64)])
    name = StringField(_l("姓名"), validators=[InputRequired(), Length(max=100)])
    role = SelectField(_l("角色"), choices=choices("role"))
    tenant_id = SelectField(_l("所属企业（入驻企业成员）"), coerce=int, default=0)
    password = PasswordField(_l("初始密码"), validators=[InputRequired(),
                                                        Length(min=10, max=200)])


class RoleForm(FlaskForm):
    role = SelectField(_l("角色"), choices=choices("role"))
    tenant_id = SelectField(_l("所属企业（入驻企业成员）"), coerce=int, default=0)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("新密码"), validators=[InputRequired(), Length(min=10, max=200)],
                             description=_l("至少10位。用户下次登录时须改为自己的密码；"
                                            "其已登录的设备全部退出。"))


class PeriodForm(FlaskForm):
    """The dashboard's period choice (GET, so no CSRF needed)."""

    class Meta:
        csrf = False

    period = SelectField(_l("统计期间"), default="year", choices=[
        SelectChoice("year", _l("本年度")), SelectChoice("last12", _l("近12个月")), SelectChoice("h1", _l("上半年")),
        SelectChoice("h2", _l("下半年")), SelectChoice("implementation", _l("整个实施周期")),
        SelectChoice("custom", _l("自定义"))])
    year = IntegerField(_l("年份"), validators=[Optional(), NumberRange(2000, 2100)])
    start = DateField(_l("开始"), validators=[Optional()])
    end = DateField(_l("结束"), validators=[Optional()])


class TenantImportForm(FlaskForm):
    file = FileField(_l("xlsx 或 csv 文件"), validators=[FileRequired(_l("请选择文件。"))])


class LockForm(FlaskForm):
    """An admin locks a reported period (half-year presets fill the dates)."""

    start_on = DateField(_l("开始日期"), validators=[InputRequired(_l("此项必填。"))])
    end_on = DateField(_l("结束日期"), validators=[InputRequired(_l("此项必填。"))])
    label = StringField(_l("名称"), validators=[Optional(), Length(max=100)],
                        description=_l("如“2026年下半年（区级半年审核后）”"))
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=1000)])


class CorrectionForm(FlaskForm):
    """Start correcting records of a locked period: the reason every change will carry."""

    reason = StringField(_l("更正原因"), validators=[InputRequired(_l("此项必填。")),
                                                    Length(max=300)])
    next = HiddenField()


class GrantForm(FlaskForm):
    """An admin grants an assessor account a period to read."""

    start_on = DateField(_l("开始日期"), validators=[InputRequired(DATE_MSG)])
    end_on = DateField(_l("结束日期"), validators=[InputRequired(DATE_MSG)])


class RevokeGrantForm(FlaskForm):
    """Take a granted period back, saying why."""

    note = StringField(_l("收回原因"), validators=[InputRequired(_l("此项必填。")),
                                                  Length(max=300)])
