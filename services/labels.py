"""Chinese labels of the services package's codes (handed to the app's registry)."""
from community.labels import N_

LABELS = {
    "provider_kind": {
        "registration_agent": N_("注册代理机构"), "bookkeeping": N_("代理记账机构"),
        "tax_agent": N_("税务师事务所"), "law_firm": N_("律师事务所"),
        "testing_lab": N_("检测认证机构"), "patent_agency": N_("专利代理机构"),
        "pilot_platform": N_("中试平台"), "poc_centre": N_("概念验证中心"),
        "compute": N_("算力服务商"), "model": N_("模型服务商"), "data": N_("数据服务商"),
        "devtools": N_("开发工具服务商"), "bank": N_("银行"), "investor": N_("投资机构"),
        "other": N_("其他"),
    },
    "service_section": {"package": N_("公共服务包"), "referral": N_("平台对接"),
                        "professional": N_("专业服务"), "other": N_("其他服务")},
    "service_unit": {"times": N_("次"), "hours": N_("小时"), "gpu_hours": N_("GPU卡时"),
                     "wan_tokens": N_("万tokens"), "yuan": N_("元")},
    "request_status": {"requested": N_("待受理"), "assigned": N_("已派单"),
                       "in_progress": N_("办理中"), "completed": N_("已完成"),
                       "cancelled": N_("已取消")},
    "agreement_state": {"none": N_("无协议"), "future": N_("未生效"), "valid": N_("有效"),
                        "expiring": N_("即将到期"), "expired": N_("已过期")},
    "quota_measure": {"quantity": N_("按数量"), "value": N_("按金额（元）")},
}
