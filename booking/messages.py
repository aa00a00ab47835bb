"""What booking's refusal codes say to a person."""
from flask_babel import lazy_gettext as _l

from community.labels import N_

STATUS_LABELS = {"pending": N_("待审批"), "confirmed": N_("已确认"), "rejected": N_("已拒绝"),
                 "cancelled": N_("已取消"), "released": N_("未签到释放"),
                 "provisional": N_("暂定（活动草稿）")}
# The short word each slot of a room's day shows beside its colour, and in the legend.
SLOT_STATES = {"free": N_("可预约"), "mine": N_("我的"), "taken": N_("已预约"),
               "pending": N_("待审批"), "provisional": N_("活动暂定"), "past": N_("已过"),
               "beyond": N_("未开放"), "blackout": N_("停用"), "closed": N_("不开放"),
               "unavailable": N_("不可约")}

MESSAGES = {
    "ends_not_after_start": _l("结束时间必须晚于开始时间。"),
    "not_bookable": _l("该空间当前不可预约。"),
    "in_past": _l("不能预约已经过去的时间。"),
    "beyond_window": _l("只能预约 %(days)s 天以内的时段（最晚 %(last)s）。"),
    "duration_too_short": _l("预约时长不能少于 %(minutes)s 分钟。"),
    "duration_too_long": _l("预约时长不能超过 %(minutes)s 分钟。"),
    "holiday": _l("%(name)s 法定节假日不开放预约。"),
    "closed": _l("该空间当天不开放。"),
    "outside_hours": _l("超出开放时间（%(opens)s–%(closes)s）。"),
    "off_slot": _l("请按 %(minutes)s 分钟的时段预约。"),
    "blackout": _l("该时段空间维护或停用，不可预约。"),
    "over_quota": _l("超出每周 %(quota)s 小时的预约限额（本周已预约 %(held)s 小时）。"),
    "slot_taken": _l("该时段已被预约，请选择其他时段。"),
    "not_your_tenant": _l("只能为本企业预约。"),
    "series_clash": _l("以下日期无法预约，未创建任何一次预约：%(dates)s。"),
    "series_too_long": _l("每周重复最多 %(limit)s 次。"),
    "not_active": _l("该预约已取消或已结束。"),
    "past_deadline": _l("已过取消截止时间（开始前 %(minutes)s 分钟），请联系运营人员。"),
    "not_pending": _l("该预约已处理。"),
    "reason_required": _l("拒绝时请填写理由。"),
    "not_confirmed": _l("预约尚未确认，不能签到。"),
    "checkin_window": _l("只能在开始前15分钟至结束前签到。"),
    "no_booking_here": _l("您的企业此刻在该空间没有可签到的预约。"),
    "hours_invalid": _l("开放时间有误：关门时间须晚于开门时间，且两者同时填写或同时留空。"),
    "min_over_max": _l("最短时长不能超过最长时长。"),
    "day_full": _l("当天的时段都已被预约。"),
}
