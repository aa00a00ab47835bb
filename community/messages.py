"""What each refusal code says to a person: the core's codes here, each package's
in its own module, all handed to the app's registry."""
from flask_babel import lazy_gettext as _l

from community.registry import registry

MESSAGES = {
    "required": _l("此项必填。"),
    "too_long": _l("内容过长。"),
    "choice_invalid": _l("请从列表中选择。"),
    "date_invalid": _l("日期格式不正确，应为 YYYY-MM-DD。"),
    "not_negative": _l("不能为负数。"),
    "target_invalid": _l("目标值应为不小于0、小于100亿的数字。"),
    "uscc_length": _l("统一社会信用代码应为18位。"),
    "uscc_format": _l("统一社会信用代码格式不正确（只含数字和大写字母，且不含 I、O、S、V、Z）。"),
    "uscc_checksum": _l("统一社会信用代码校验位不正确，请核对营业执照。"),
    "uscc_duplicate": _l("该统一社会信用代码已登记。"),
    "phone_invalid": _l("不是有效的中国电话号码。"),
    "phone_not_mobile": _l("请填写手机号码。"),
    "email_invalid": _l("邮箱格式不正确。"),
    "area_invalid": _l("面积应为数字，最多两位小数。"),
    "area_not_positive": _l("面积必须大于0。"),
    "required_for_resident": _l("入驻企业须填写入驻日期。"),
    "before_move_in": _l("迁出日期不能早于入驻日期。"),
    "before_founding": _l("注销日期不能早于成立日期。"),
    "before_in_service": _l("停用日期不能早于启用日期。"),
    "end_before_start": _l("结束日期不能早于开始日期。"),
    "zone_name_duplicate": _l("已有同名区域。"),
    "desk_prefix_invalid": _l("编号前缀只能是1-10位字母或数字。"),
    "desk_count_invalid": _l("数量应在1到1000之间。"),
    "desk_code_taken": _l("工位编号已存在：%(codes)s（共%(count)s个），未创建任何工位。"),
    "desk_taken": _l("工位 %(desk)s 在该时段已分配给 %(tenant)s（自 %(starts_on)s 起），未保存。"),
    "desk_out_of_service": _l("工位 %(desk)s 已停用，不能分配。"),
    "member_not_in_tenant": _l("该成员不属于所选企业。"),
    "password_wrong": _l("当前密码不正确。"),
    "password_weak": _l("新密码至少10位。"),
    "username_taken": _l("用户名已存在。"),
    "tenant_required": _l("入驻企业成员必须关联一家企业。"),
    "upload_empty": _l("请选择文件。"),
    "upload_type": _l("文件内容与扩展名不符，或不是允许的类型（图片、PDF、Office 文档）。"),
    "upload_too_large": _l("文件过大。"),
    "evidence_reason_required": _l("撤回或替换证明材料须写明原因。"),
    "evidence_already_withdrawn": _l("该文件已撤回或已被替换。"),
    "import_bad_file": _l("无法读取该文件，请上传 xlsx 或 csv（UTF-8）。"),
    "import_missing_columns": _l("缺少列：%(columns)s。"),
    "uscc_duplicate_in_file": _l("文件中有重复的统一社会信用代码。"),
    "import_rows": _l("导入文件有错误，未导入任何企业。请按下表修改后重新上传。"),
    "import_empty": _l("文件中没有数据行。"),
    "before_in_service_day": _l("生效日期不能早于启用日期。"),
    "cannot_disable_self": _l("不能停用自己的账号。"),
    "cannot_change_own_role": _l("不能修改自己的角色，请由另一位社区负责人操作。"),
    "reset_own_password": _l("请在“修改密码”中修改自己的密码。"),
    "password_unchanged": _l("新密码不能与管理员设置的密码相同。"),
    "user_unchanged": _l("角色和所属企业都没有变化。"),
    "password_change_required": _l("管理员为您设置了新密码，请先设置您自己的密码。"),
    "keep_before_period_end": _l("个人信息须至少保留到实施周期结束，以备验收。"),
    "served_in_future": _l("服务日期不能晚于今天：尚未发生的服务不计入。"),
    "founded_in_future": _l("成立日期不能晚于今天。"),
    "founded_after_move_in": _l("成立日期不能晚于入驻日期。"),
    "capital_invalid": _l("注册资本应为不小于0的数字（单位：万元）。"),
    "investors_invalid": _l("股东（投资人）人数应为1以上的整数。"),
    "override_reason_required": _l("人工认定OPC身份须写明理由。"),
    "override_needs_facts": _l("人工认定前请先录入营业执照上的企业类型和股东人数。"),
    "facts_before_founding": _l("营业执照信息的生效日期不能早于成立日期。"),
    "facts_in_future": _l("营业执照信息的生效日期不能晚于今天。"),
    "company_types_invalid": _l("请至少填写一种企业类型，每行一个，每个不超过60字。"),
    "startup_years_invalid": _l("初创企业年限应为1到50之间的整数。"),
    "period_locked": _l("该记录属于已锁定的统计期间（%(period)s）：修改须先填写更正原因。"),
    "period_already_locked": _l("该期间已经锁定。"),
    "lock_not_over": _l("只能锁定已经结束的期间：结束日期须早于今天。"),
    "nature_other_required": _l("选择“其他”时请填写运营机构性质。"),
    "focus_invalid": _l("聚焦领域最多12项，自填的每项不超过30字。"),
    "tenure_too_short": _l("租赁或协议使用的场地，使用期限不少于3年。"),
    "milestone_date_taken": _l("该日期已有任务计划。"),
    "period_invalid": _l("统计期间不正确：结束日期不能早于开始日期，且须在2000至2100年之间。"),
    "grant_not_assessor": _l("只能为考核评估人员账号授予评估期间。"),
    "grant_already_revoked": _l("该评估期间授权已收回。"),
}


def message(code, **params):
    """The person-facing text of a refusal code."""
    text = registry().messages.get(code)
    if text is None:
        return code
    text = str(text)
    return text % params if params else text
