"""Chinese labels of the financing and amenity codes (handed to the app's registry)."""
from community.labels import N_

LABELS = {
    "finance_formation": {"own": N_("自建"), "joint": N_("合建")},
    "need_stage": {"seed": N_("种子轮"), "angel": N_("天使轮"), "pre_a": N_("Pre-A轮"),
                   "series_a": N_("A轮"), "series_b": N_("B轮及以后"),
                   "debt": N_("债权融资（贷款）"), "other": N_("其他")},
    "need_status": {"open": N_("对接中"), "met": N_("已满足"), "withdrawn": N_("已撤回")},
    "meeting_outcome": {"pending": N_("待反馈"), "interested": N_("有意向"),
                        "declined": N_("未合作"), "term_sheet": N_("签署投资意向书"),
                        "invested": N_("已投资"), "loan": N_("已放款")},
    "amenity_kind": {"apartment": N_("人才公寓"), "canteen": N_("食堂"), "shop": N_("便利店/商超"),
                     "business": N_("商务配套"), "transport": N_("交通"), "other": N_("其他")},
}
