"""What the services package's refusal codes say to a person."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    # the catalogue and the directory
    "category_builtin_name": _l("公共服务包的六类服务名称由榜单规定，不能修改。"),
    "category_builtin_active": _l("内置服务项目不能停用。"),
    "category_name_taken": _l("已有同名的服务项目。"),
    "target_days_invalid": _l("办结时限应为1到365天。"),
    "provider_name_taken": _l("该服务机构已登记。"),
    "agreement_end_before_start": _l("协议到期日不能早于生效日。"),
    # quotas and grants
    "quota_not_subsidised": _l("只有专业服务（算力、词元、数据、模型、开发工具）设有补贴额度。"),
    "quota_year_invalid": _l("年度不正确。"),
    "amount_invalid": _l("金额应为不小于0的数字。"),
    "quantity_invalid": _l("数量应为大于0的数字。"),
    "quota_below_granted": _l("额度不能低于本年度已发放的 %(granted)s。"),
    "no_quota": _l("该企业%(year)s年度尚未设置“%(kind)s”补贴额度，请先设置额度。"),
    "quota_exceeded": _l("超出该企业本年度补贴额度：剩余 %(remaining)s %(unit)s。"),
    "grant_already_voided": _l("该笔补贴已作废。"),
    # requests
    "category_unavailable": _l("请选择一项可申请的服务。"),
    "tenant_closed": _l("该企业已注销，不能再申请服务。"),
    "request_not_assignable": _l("只有待受理或已派单的申请可以派单。"),
    "provider_unavailable": _l("请选择一家在合作中的服务机构。"),
    "provider_not_for_category": _l("该机构不提供此项服务，请在服务资源清单中核对其服务范围。"),
    "request_not_assigned": _l("只有已派单的申请可以开始办理。"),
    "request_not_open": _l("该申请已办结或已取消。"),
    "outcome_required": _l("请填写办理结果（如专利申请号、登记完成、申报所属期）。"),
    "completed_before_requested": _l("办结日期不能早于申请日期。"),
    "not_your_service": _l("只能评价本企业的服务。"),
    "request_not_completed": _l("服务办结后才能确认和评价。"),
    "already_rated": _l("该服务已评价过。"),
    "rating_invalid": _l("请选择1到5分。"),
    "request_not_cancellable": _l("该申请已在办理或已办结，不能取消。"),
}
