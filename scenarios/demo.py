"""A plausible year of scenarios for the demo community (seeded): sourcing work
with the districts and demand owners, and the scenarios it produced at every
stage, moved through the same rules staff use. Landed ones carry a contract
file (a stand-in PDF) when the demo has an upload folder.
"""
import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from community.dbsetup import utcnow
from community.files import save_attachment
from scenarios import matching, rules

FIRST_DAY = date(2025, 12, 1)
DISTRICTS = ("渝北区", "两江新区", "江北区", "九龙坡区", "沙坪坝区", "南岸区")
OWNERS = (  # local ones are named after their district ("渝北区" + "大数据发展局")
    ("government", "大数据发展局"), ("government", "城市管理局"),
    ("government", "文化和旅游发展委员会"), ("soe", "重庆交通开投集团"),
    ("soe", "重庆水务集团"), ("private", "重庆某汽车零部件有限公司"),
    ("private", "重庆某连锁商超有限公司"), ("hospital_school", "人民医院"),
    ("hospital_school", "实验中学"), ("other", "工商业联合会"),
)
# title, the sector it needs, tags, what the owner asked for
NEEDS = (
    ("医学影像辅助诊断试点", "智慧医疗", ("影像", "辅助诊断"),
     "基于AI的医学影像辅助诊断与报告生成"),
    ("慢病随访管理平台", "智慧医疗", ("慢病", "随访"), "慢病患者随访、健康监测与预警"),
    ("生产线视觉质检", "智能制造", ("质检", "视觉"), "零部件生产线视觉质检替代人工抽检"),
    ("园区能耗监测", "智能制造", ("能耗", "物联网"), "园区能耗监测与优化调度"),
    ("中小企业信用评估", "智慧金融", ("风控", "信用"), "中小企业信用评估与供应链金融风控"),
    ("景区客流监测与导览", "智慧文旅", ("客流", "导览"), "景区客流监测、智慧导览小程序"),
    ("夜游沉浸式体验", "智慧文旅", ("AR", "夜游"), "夜游项目沉浸式AR体验"),
    ("本地品牌直播带货", "数字营销", ("直播", "电商"), "本地特色产品直播电商与短视频营销"),
    ("政务短视频制作", "数字内容", ("短视频", "AIGC"), "政务宣传短视频与数字人主播"),
    ("非遗文创开发", "文化创意", ("非遗", "文创"), "非遗文创产品设计与城市IP开发"),
    ("交通大数据分析", "其他", ("交通", "大数据"), "城市交通大数据分析与信号优化"),
    ("信创适配迁移", "其他", ("信创", "国产化"), "办公系统信创适配与国产化迁移"),
)
ACTIVITY = (("district_meeting", "区经信委"), ("visit", "需求方"),
            ("demand_collection", "区县场景征集会"))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def load_demo(session, tenants, rng, today=None):
    """About a year of sourcing work and the scenarios it produced, at every stage."""
    today = today or utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()
    rng = random.Random(f"scenarios:{rng.random()}")  # every loader is handed the same seed
    folder = current_app.config.get("UPLOAD_FOLDER") if has_app_context() else None
    firms = [t for t in tenants if t.closed_on is None and t.moved_out_on is None]
    day, n = FIRST_DAY + timedelta(days=3), 0
    while day < today - timedelta(days=3):
        district = rng.choice(DISTRICTS)
        kind, counterpart = rng.choice(ACTIVITY)
        activity = rules.save_activity(session, None, {
            "kind": kind, "held_on": day, "staff": rng.choice(("李娜", "王强", "李娜、王强")),
            "counterpart": f"{district}{counterpart}", "district": district,
            "notes": "了解辖区企业和单位的数字化需求，梳理可开放的应用场景"}, today)
        for _ in range(rng.choice((1, 2, 3, 3))):
            n += 1
            _scenario(session, rng, activity, firms, today, n, folder)
        day += timedelta(days=rng.randrange(9, 16))
    # The firms' words, segmented once now, so the first scenario opened ranks at once.
    matching.refresh_profile_words(session, firms)


def _scenario(session, rng, activity, firms, today, n, folder):
    owner_type, owner = rng.choice(OWNERS)
    title, sector, tags, need = rng.choice(NEEDS)
    joint = activity.kind != "visit" or rng.random() < 0.3
    scenario = rules.save_scenario(session, None, {
        "title": f"{activity.district}{title}（{n:03d}）",
        "owner_name": owner if owner.startswith("重庆") else f"{activity.district}{owner}",
        "owner_type": owner_type, "source": "district_joint" if joint else "community",
        "joint_with_district": joint, "district": activity.district, "sectors": [sector],
        "tags": list(tags), "description": f"需求方希望引入{need}，在辖区内先行试点。",
        "budget": str(rng.choice((20, 50, 80, 120, 300)) * 10000), "contact_name": "对接人",
        "discovered_on": activity.held_on, "activity_id": activity.id,
        # the same owner asking again is another scenario: staff say so when warned
        "duplicate_reason": "同一需求方的另一项需求"}, today)
    day, left = activity.held_on, (today - activity.held_on).days
    steps = rng.choice((0, 1, 2, 3, 4, 4, 4, 4)) if left > 40 else rng.choice((0, 1, 2))
    for stage in ("published", "matched", "piloting", "landed")[:steps]:
        day = min(day + timedelta(days=rng.randrange(5, 25)), today - timedelta(days=1))
        if stage == "matched":
            same = [t for t in firms if t.sector == sector] or firms
            for tenant in rng.sample(same, k=min(len(same), rng.choice((1, 1, 2)))):
                rules.confirm_match(session, None, scenario, tenant, f"行业相同：{sector}", day)
            continue
        if stage == "landed":
            if folder is None:
                return
            save_attachment(session, None, folder, rules.EVIDENCE, scenario.id,
                            f"{scenario.title}采购合同.pdf", PDF)
        rules.move(session, None, scenario, stage, day, "", today,
                   contract_value=str(rng.choice((10, 20, 30, 50, 80)) * 10000))
    if steps and steps < 4 and rng.random() < 0.1:
        rules.move(session, None, scenario, "dropped", min(day + timedelta(days=10), today),
                   "需求方暂缓实施", today)
