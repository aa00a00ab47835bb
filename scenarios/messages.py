"""What the scenarios package's refusal codes say to a person."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "scenario_duplicate": _l("疑似重复：同一需求方已有相似场景“%(title)s”。如确属不同场景，"
                             "请填写理由后再保存。"),
    "scenario_amount_invalid": _l("金额应为不小于0的数字（元）。"),
    "scenario_not_your_tenant": _l("只能为本企业表达意向。"),
    "scenario_in_future": _l("挖掘日期不能晚于今天。"),
    "scenario_tags_invalid": _l("标签最多10个，每个不超过20个字。"),
    "scenario_activity_unknown": _l("请选择已登记的挖掘工作记录。"),
    "stage_same": _l("场景已处于该阶段。"),
    "stage_in_future": _l("阶段日期不能晚于今天。"),
    "stage_before_discovery": _l("阶段日期不能早于挖掘日期。"),
    "stage_before_previous": _l("阶段日期不能早于上一阶段（%(day)s）。"),
    "stage_back_reason": _l("退回到之前的阶段须填写原因。"),
    "stage_drop_reason": _l("终止场景须填写原因。"),
    "stage_needs_match": _l("请先确认至少一家对接企业。"),
    "landing_needs_evidence": _l("落地须先上传证明材料（合同、验收记录或订单）。"),
    "landing_value_required": _l("请填写合同金额（元）。"),
    "scenario_closed": _l("场景已落地或已终止，不能再匹配企业。"),
    "already_matched": _l("该企业已是本场景的对接企业。"),
    "match_last_landed": _l("已落地场景至少保留一家对接企业。"),
    "scenario_not_published": _l("该场景尚未发布。"),
    "already_interested": _l("贵企业已表达过意向。"),
    "activity_in_future": _l("工作日期不能晚于今天。"),
}
