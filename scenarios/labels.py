"""Chinese labels of the scenarios package's codes (handed to the app's registry)."""
from community.labels import N_

LABELS = {
    "owner_type": {"government": N_("政府部门"), "soe": N_("国有企业"), "private": N_("民营企业"),
                   "hospital_school": N_("医院、学校"), "other": N_("其他")},
    "scenario_source": {"district_joint": N_("区县联合挖掘"), "city_list": N_("市级场景清单"),
                        "enterprise_demand": N_("企业需求"), "community": N_("社区挖掘"),
                        "other": N_("其他")},
    "scenario_stage": {"discovered": N_("挖掘"), "published": N_("发布"), "matched": N_("对接"),
                       "piloting": N_("试点/方案"), "landed": N_("落地"), "dropped": N_("终止")},
    "activity_kind": {"visit": N_("走访"), "district_meeting": N_("区县座谈会"),
                      "demand_collection": N_("需求征集"), "other": N_("其他")},
}
