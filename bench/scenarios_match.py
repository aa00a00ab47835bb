"""Bench of the scenarios matcher: ranking the community's firms for one scenario
among --tenants firms with long Chinese profiles and --scenarios scenarios, with
the firms' cached words missing (cold) and kept (warm); then the pages that show
it, when the app has them: the pipeline board and a scenario's page.

It migrates a throw-away database (a temporary SQLite file, or DATABASE_URL,
whose public schema is DROPPED and recreated, at the start and again at the
end: use a bench database only) and seeds, with bulk inserts shaped as the
rules write them (audit and served rows left out): firms of every sector whose
profiles (about 1,000 characters) are drawn from each sector's words and from
words all sectors use; scenarios over this year and last at every stage, each
with its dated stages and, from 对接 on, two matched firms. Then it times, in
process, `scenarios.matching.suggest` (limit 10) on scenarios still to match:
cold (ProfileWords emptied before each run) and warm (a new session each run, as
a request has), median and max ms and SQL statements; and GET /scenarios/board
and GET /scenarios/<id> as staff through the test client, or says they were
skipped when the app has no such page yet.

Figures only, nothing asserted about time.

    .venv/bin/python bench/scenarios_match.py [--tenants 300 --scenarios 2000 --runs 10]
    DATABASE_URL=postgresql://opc:opc@127.0.0.1:5432/opc_bench_h4 \\
        .venv/bin/python bench/scenarios_match.py
"""
import argparse
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import delete, func, insert, select, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from bench.booking_load import PASSWORD, valid_uscc  # noqa: E402
from bench.common import SECRET_KEY, database_url, reset_schema  # noqa: E402
from bench.core_dashboard import get, logged_in_client, statement_counter  # noqa: E402
from community.extensions import db  # noqa: E402
from community.models import SECTORS, Community, Licence, Tenant, User  # noqa: E402
from community.settings import DEFAULTS  # noqa: E402
from scenarios import matching  # noqa: E402
from scenarios.models import (OWNER_TYPES, SOURCES, STAGES, ProfileWords, Scenario,  # noqa: E402
                              ScenarioMatch, ScenarioStage)

AIM_MS = 300
DISTRICTS = ("渝中区", "江北区", "渝北区", "南岸区", "九龙坡区", "沙坪坝区", "两江新区", "西部科学城")
BRANDS = "星云 启航 智联 云图 数擎 鼎峰 山城 两江 渝新 巴渝 嘉陵 缙云".split()
# Each sector's words: what its firms make, for whom, and the needs they meet.
WORDS = {
    "智能制造": ("机器视觉 工业互联网 预测性维护 数字孪生 MES系统 设备联网 AGV调度 缺陷检测 能耗管理 柔性产线",
             "汽摩零部件企业 电子信息工厂 装备制造企业 化工园区 模具厂",
             "产线质检 设备故障预警 仓储物流调度 安全生产监测 能耗双控"),
    "智慧医疗": ("医学影像 辅助诊断 互联网医院 电子病历 慢病管理 远程会诊 病理切片识别 智能导诊 医保控费",
             "三甲医院 基层卫生院 社区卫生服务中心 疾控中心 养老机构",
             "肺结节筛查 门诊分诊 院内感染监测 老年人健康随访 家庭医生签约"),
    "智慧金融": ("智能风控 反欺诈 供应链金融 信用评估 智能投顾 票据识别 财务机器人 监管报送",
             "城商行 村镇银行 小贷公司 融资担保公司 保险公司",
             "小微企业信贷审批 贷后预警 保险理赔审核 财务报销自动化 涉农贷款"),
    "智慧文旅": ("智慧景区 数字导览 客流监测 文旅小程序 沉浸式体验 VR全景 非遗数字化 电子票务",
             "景区管委会 博物馆 文化馆 旅游集团 精品酒店",
             "节假日客流预警 夜游项目 红色文化展陈 研学路线 乡村旅游"),
    "数字营销": ("短视频 直播电商 私域运营 精准投放 品牌策划 社群营销 用户画像 达人分销",
             "餐饮连锁 火锅品牌 农产品合作社 购物中心 消费品牌",
             "农产品直播带货 新店开业推广 会员复购 城市消费节 夜市经济"),
    "数字内容": ("数字人 AIGC 动画制作 游戏开发 虚拟拍摄 有声读物 网络文学 三维建模",
             "出版社 电视台 教育机构 游戏发行商 政务新媒体",
             "政策宣传短片 虚拟主播播报 数字课程制作 城市形象宣传 科普动画"),
    "文化创意": ("文创产品 工业设计 品牌视觉 IP孵化 非遗手作 空间设计 插画 包装设计",
             "文旅集团 老字号企业 街道社区 商业街区 博物馆",
             "城市IP打造 老街区更新 伴手礼开发 公共空间美化 节庆活动策划"),
}
WORDS = {k: tuple(part.split() for part in v) for k, v in WORDS.items()}
COMMON = ("人工智能 大数据 云计算 物联网 区块链 大模型 小程序 SaaS 数据分析 低代码 "
          "信息化 数字化转型 平台 系统 服务 解决方案").split()
ORIGINS = "重庆大学 西南大学 华为 阿里巴巴 腾讯 中科院重庆研究院 长安汽车 重庆邮电大学".split()
FILLER = ("创始人深耕行业十余年，坚持以客户为中心。", "公司实行远程协作与项目制管理。",
          "产品支持私有化部署和按年订阅两种方式。", "团队成员均具有本科以上学历。",
          "公司与多所高校共建实习基地，持续培养青年人才。", "去年营业收入同比增长一倍。",
          "公司重视数据安全，已通过等级保护测评。", "欢迎合作伙伴来社区交流洽谈。")
EFFECTS = ("效率提升三成", "成本降低两成", "覆盖全市三十余个区县", "客户续约率超过九成",
           "累计服务用户十万人次", "获评市级优秀案例")


def profile(sector, rng):
    """About 1,000 characters a firm could write about itself (企业简介): a few of
    its sector's words (and one of another sector's), said in varied sentences."""
    terms, clients, scenes = WORDS.get(sector) or WORDS[rng.choice(list(WORDS))]
    other = WORDS[rng.choice(list(WORDS))][0]
    terms = rng.sample(terms, 4) + [rng.choice(other)]
    clients, scenes, common = rng.sample(clients, 2), rng.sample(scenes, 2), rng.sample(COMMON, 4)
    pick = rng.choice
    text = [f"公司成立于{rng.randrange(2018, 2026)}年，是一家专注{pick(terms)}与{pick(common)}"
            f"的科技型企业，核心团队来自{pick(ORIGINS)}和{pick(ORIGINS)}。"]
    while sum(map(len, text)) < 950:
        text.append(rng.choice((
            f"主要产品包括{pick(terms)}、{pick(terms)}和{pick(common)}{pick(('平台', '系统'))}，"
            f"服务{pick(clients)}等客户。",
            f"在{pick(scenes)}方面，公司基于{pick(common)}自主研发{pick(terms)}解决方案，"
            f"已在{pick(clients)}落地应用，{pick(EFFECTS)}。",
            f"公司拥有{rng.randrange(3, 40)}项软件著作权和{rng.randrange(0, 8)}项发明专利，"
            f"是重庆市{pick(('专精特新', '高新技术', '科技型'))}企业，{pick(EFFECTS)}。",
            f"未来将围绕{pick(scenes)}，为{pick(clients)}提供{pick(terms)}与{pick(common)}服务。",
            f"{pick(FILLER)}{pick(FILLER)}",
            f"团队曾为{pick(clients)}完成{pick(scenes)}项目，熟悉{pick(terms)}的"
            f"实施与运营。")))
    return "".join(text)


def scenario_text(sector, rng):
    """A scenario's title, description and tags in the sector's words."""
    terms, clients, scenes = WORDS[sector]
    scene, client, pick = rng.choice(scenes), rng.choice(clients), rng.choice
    title = f"{client}{scene}{pick(('试点', '项目', '场景需求', '示范应用'))}"
    description = (f"{client}希望推进{scene}，目前依靠人工统计，数据分散在多个系统，"
                   f"{pick(('响应慢', '成本高', '难以追溯', '缺少专业团队'))}。计划引入{pick(terms)}"
                   f"和{pick(COMMON)}，{pick(('先选一个点试点', '分两期建设', '年内上线'))}，"
                   f"预算约{rng.randrange(5, 200)}万元，期望{rng.randrange(2, 12)}个月内见效。")
    return title, description, rng.sample(terms, rng.randrange(1, 4))


def bulk(model, rows):
    """Insert rows, returning their ids in order."""
    return db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True),
                              rows).all()


def seed(n_tenants, n_scenarios, rng):
    """The community, its firms and scenarios; returns (staff id, ids of scenarios
    still to match)."""
    db.session.execute(insert(Community), [DEFAULTS])
    tenants = bulk(Tenant, [dict(
        name=f"重庆{rng.choice(BRANDS)}{rng.choice(BRANDS)}{n:03d}科技有限公司",
        uscc=valid_uscc(n + 1), legal_rep="张三", phone=f"138{n:08d}", email="",
        sector=SECTORS[n % len(SECTORS)], profile=profile(SECTORS[n % len(SECTORS)], rng),
        relationship_kind="resident", founded_on=date(2024, 1, 1) + timedelta(rng.randrange(300)),
        moved_in_on=date(2025, 1, 1), moved_out_on=None,
        closed_on=date(2026, 1, 31) if n % 40 == 39 else None) for n in range(n_tenants)])
    db.session.execute(insert(Licence), [dict(
        tenant_id=t, effective_on=date(2024, 1, 1), company_type="有限责任公司（自然人独资）",
        investors=1, override_reason="") for t in tenants])
    staff = bulk(User, [dict(username="staff0", name="工作人员", role="staff",
                             password_hash=generate_password_hash(PASSWORD))])[0]
    this_year = date.today().year
    start = date(this_year - 1, 1, 1)
    span = (date.today() - start).days
    rows, plans = [], []
    for n in range(n_scenarios):
        sector = SECTORS[rng.randrange(len(SECTORS) - 1)]  # "其他" holds no vocabulary
        title, description, tags = scenario_text(sector, rng)
        discovered = start + timedelta(rng.randrange(span))
        reached = rng.choices(range(len(STAGES)), weights=(30, 25, 20, 10, 15))[0]
        dropped = reached < 3 and rng.random() < 0.1
        steps = [discovered + timedelta(days=20 * i) for i in range(reached + 1)]
        steps = [min(d, date.today()) for d in steps]
        stage = "dropped" if dropped else STAGES[reached]
        rows.append(dict(
            title=title, owner_name=f"{rng.choice(DISTRICTS)}{rng.choice('甲乙丙丁戊')}单位{n % 97}",
            owner_type=rng.choice(OWNER_TYPES), owner_uscc=None, source=rng.choice(SOURCES),
            joint_with_district=rng.random() < 0.4, district=rng.choice(DISTRICTS),
            sectors=[sector], tags=tags, description=description,
            budget_fen=rng.randrange(5, 200) * 1_000_000, contact_name="刘主任",
            contact_phone="", duplicate_reason="", stage=stage, discovered_on=discovered,
            landed_on=steps[-1] if stage == "landed" else None,
            contract_value_fen=rng.randrange(5, 150) * 1_000_000 if stage == "landed" else None,
            created_by_id=staff))
        plans.append((steps, dropped))
    ids = bulk(Scenario, rows)
    stages, matches, to_match = [], [], []
    for scenario_id, (steps, dropped) in zip(ids, plans):
        stages += [dict(scenario_id=scenario_id, stage=STAGES[i], entered_on=d, reason="",
                        actor_id=staff) for i, d in enumerate(steps)]
        if dropped:
            stages.append(dict(scenario_id=scenario_id, stage="dropped", entered_on=steps[-1],
                               reason="需求方预算取消", actor_id=staff))
        if len(steps) > 2:
            matches += [dict(scenario_id=scenario_id, tenant_id=t, matched_on=steps[2],
                             reason="", confirmed_by_id=staff, withdraw_reason="")
                        for t in rng.sample(tenants, 2)]
        if not dropped and len(steps) <= 4:
            to_match.append(scenario_id)
    db.session.execute(insert(ScenarioStage), stages)
    db.session.execute(insert(ScenarioMatch), matches)
    db.session.commit()
    return staff, to_match


def build(app, args):
    with app.app_context():
        reset_schema()
        started = time.perf_counter()
        upgrade()
        staff, to_match = seed(args.tenants, args.scenarios, random.Random(10))
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        chars = db.session.scalar(select(func.avg(func.length(Tenant.profile))))
        print(f"seeded in {time.perf_counter() - started:.1f} s: {args.tenants} firms "
              f"(profiles of {float(chars):.0f} characters on average), "
              f"{args.scenarios} scenarios ({len(to_match)} still to match)")
    return staff, to_match


def ranked(counter, scenario_id):
    """One ranking in a new session, as a request makes it: (ms, statements, suggestions)."""
    db.session.remove()
    before, started = counter[0], time.perf_counter()
    found = matching.suggest(db.session, db.session.get(Scenario, scenario_id))
    db.session.commit()
    return (time.perf_counter() - started) * 1000, counter[0] - before, found


def summary(samples, over="scenarios", aim=f" (aim < {AIM_MS} ms)"):
    times, counts = [s[0] for s in samples], sorted({s[1] for s in samples})
    return (f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms over "
            f"{len(times)} {over}{aim}; SQL statements {'/'.join(map(str, counts))}")


def time_matching(app, to_match, runs, rng):
    counter = statement_counter(app)
    picked = rng.sample(to_match, min(runs, len(to_match)))
    with app.app_context():
        started = time.perf_counter()
        matching.words_of("加载分词词典")
        print(f"  jieba loaded (once per process): {time.perf_counter() - started:.2f} s")
        cold = []
        for scenario_id in picked[:3]:
            db.session.execute(delete(ProfileWords))
            db.session.commit()
            cold.append(ranked(counter, scenario_id))
        print(f"  cold (no firm's words kept): {summary(cold)}")
        warm = [ranked(counter, scenario_id) for scenario_id in picked]
        print(f"  warm (every firm's words kept): {summary(warm)}")
        db.session.remove()
        shown = db.session.get(Scenario, picked[0])
        print(f"    e.g. 《{shown.title}》 ({shown.sectors[0]}, tags {'、'.join(shown.tags)}):")
        for s in matching.suggest(db.session, shown)[:3]:
            print(f"      {s.score:6.2f} {s.tenant.name}: {s.reason[:80]}")
        refreshed = matching.refresh_profile_words(db.session)
        db.session.commit()
        print(f"  refresh_profile_words (every firm, nothing edited): {refreshed} segmented "
              "(the closed firms, which suggest leaves out)")
        return picked


def time_page(client, counter, path, runs):
    get(client, counter, path)  # warm-up: templates, statement cache
    samples = [get(client, counter, path) for _ in range(runs)]
    print(f"  GET {path}: {summary(samples, 'runs', '')}")


def time_pages(app, staff, picked, runs):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    if "/scenarios/board" not in rules:
        print("  board: skipped (the app has no /scenarios/board yet)")
        return
    client, counter = logged_in_client(app, staff), statement_counter(app)
    with app.app_context():
        time_page(client, counter, "/scenarios/board", runs)
        time_page(client, counter, f"/scenarios/board?sector={SECTORS[1]}", runs)
        if "/scenarios/<int:scenario_id>" in rules:
            time_page(client, counter, f"/scenarios/{picked[0]}", runs)
        else:
            print("  scenario page: skipped (the app has no /scenarios/<id> yet)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, default in (("tenants", 300), ("scenarios", 2000), ("runs", 10)):
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="scenarios_match_"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(tmp), "SECRET_KEY": SECRET_KEY,
                      "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SESSION_COOKIE_SECURE": False, "UPLOAD_FOLDER": str(tmp / "uploads")})
    try:
        staff, to_match = build(app, args)
        with app.app_context():
            print(f"database: {db.engine.dialect.name}")
        print("ranking one scenario's suggestions (scenarios.matching.suggest, limit 10):")
        picked = time_matching(app, to_match, args.runs, random.Random(11))
        print("pages (as staff, test client):")
        time_pages(app, staff, picked, args.runs)
    finally:
        with app.app_context():
            try:
                reset_schema()
            finally:
                db.engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
