"""What the financing and amenity refusal codes say to a person."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "finance_product_name_taken": _l("已有同名的金融服务产品。"),
    "finance_scale_invalid": _l("金融服务规模应为不小于0的数字（单位：万元，最多两位小数）。"),
    "finance_partners_required": _l("合建的金融服务产品须填写合建机构。"),
    "finance_provider_not_financial": _l("请选择银行或投资机构。"),
    "finance_amount_invalid": _l("金额应为大于0的数字（单位：万元，最多两位小数）。"),
    "finance_amount_required": _l("签署意向书、投资或放款须填写金额（万元）。"),
    "finance_date_in_future": _l("日期不能晚于今天：尚未发生的事不能登记。"),
    "finance_need_closed": _l("该融资需求已关闭，不能再修改。"),
    "finance_closed_before_raised": _l("关闭日期不能早于提出需求的日期。"),
    "finance_need_other_tenant": _l("所选融资需求不属于该企业。"),
    "finance_outcome_date_required": _l("请填写对接结果的日期。"),
    "finance_outcome_before_meeting": _l("结果日期不能早于对接日期。"),
    "finance_meeting_voided": _l("该对接记录已作废，不能再修改。"),
    "finance_void_reason_required": _l("请填写作废原因。"),
    "finance_void_reason_too_long": _l("作废原因不能超过200个字。"),
    "finance_residency_until_before_since": _l("迁出日期不能早于入驻日期。"),
    "finance_residency_since_in_future": _l("入驻日期不能晚于今天。"),
    "amenity_distance_invalid": _l("距离应为0到100000之间的整数（米）。"),
    "amenity_withdrawn": _l("该生活配套已下架，不能再修改。"),
    "amenity_withdrawn_before_listed": _l("下架日期不能早于上架日期。"),
    "amenity_date_in_future": _l("下架日期不能晚于今天。"),
}
