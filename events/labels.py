"""Chinese labels of the events package's codes (merged into community.labels.LABELS)."""
from community.labels import N_

LABELS = {
    "event_kind": {
        "competition": N_("创新创业赛事"), "matching": N_("创新资源对接"),
        "training": N_("创业培训"), "roadshow": N_("路演"), "salon": N_("沙龙"),
        "other": N_("其他"),
    },
    "event_status": {"draft": N_("草稿"), "published": N_("已发布"), "held": N_("已举办"),
                     "cancelled": N_("已取消")},
    "registration_status": {"registered": N_("已确认"), "waitlisted": N_("候补"),
                            "cancelled": N_("已取消")},
    "registration_source": {"online": N_("线上报名"), "walk_in": N_("现场登记"),
                            "paper": N_("纸质签到补录")},
    "tenant_basis": {"member": N_("成员手机号"), "staff": N_("工作人员确认")},
    # what an event lacks of the E1 evidence (events.ledger.evidence_lacking)
    "event_evidence": {"notice": N_("活动通知"), "signin": N_("签到记录"),
                       "photos": N_("现场照片"), "to_close": N_("标记已举办")},
    "checkin_method": {"scanner": N_("扫码"), "device": N_("扫码设备"), "manual": N_("人工查找"),
                       "self": N_("自助签到"), "walk_in": N_("现场登记"), "paper": N_("纸质签到")},
}
