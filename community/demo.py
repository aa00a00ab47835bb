"""A plausible demo community, built deterministically (fixed seed, fixed dates)."""
import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from stdnum.cn import uscc as stdnum_uscc

from community import SERVED_SOURCE, rules
from community.models import Community, Member, Milestone, Target, User
from community.served import record_served
from community.settings import DEFAULTS

SEED = 2026
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DEMO_USERS = (  # username, name, role, password (README lists them)
    ("admin", "社区负责人 王敏", "admin", "admin-demo-pass"),
    ("staff", "运营专员 李娜", "staff", "staff-demo-pass"),
    ("founder", "创始人 陈晨", "member", "founder-demo-pass"),
    ("assessor", "评估专家 周强", "assessor", "assessor-demo-pass"),
)
ZONES = (  # floor, name, kind, area m², capacity, bookable, in service from
    ("1F", "综合服务大厅", "service_counter", "260", 20, False, date(2025, 9, 1)),
    ("1F", "路演厅", "roadshow_hall", "420", 150, True, date(2025, 9, 1)),
    ("1F", "咖啡休闲区", "leisure", "180", 40, False, date(2025, 9, 1)),
    ("2F", "开放工位区A", "open_desk", "560", 80, False, date(2025, 9, 1)),
    ("2F", "会议室201", "meeting_room", "45", 10, True, date(2025, 9, 1)),
    ("2F", "会议室202", "meeting_room", "60", 16, True, date(2025, 9, 1)),
    ("2F", "洽谈室203", "meeting_room", "25", 6, True, date(2025, 9, 1)),
    ("3F", "开放工位区B", "open_desk", "650", 80, False, date(2025, 12, 1)),
    ("3F", "独立办公区", "office", "330", 30, False, date(2025, 12, 1)),
    ("4F", "创业培训室", "meeting_room", "120", 40, True, date(2026, 3, 1)),
    ("4F", "算力与数据服务中心", "other", "150", 12, False, date(2026, 3, 1)),
    ("4F", "休闲阅读区", "leisure", "160", 30, False, date(2026, 3, 1)),
)
BRANDS = ("云启", "渝智", "山城", "两江", "嘉陵", "长江", "星河", "数沃", "灵犀", "青禾",
          "巴渝", "极光", "聚能", "九宫", "千帆", "墨言", "智汇", "拾光", "知行", "南山",
          "缙云", "朝天", "磁器", "雾都", "解放", "洪崖", "鹅岭", "龙门", "观音", "北斗")
TRADES = (("科技", "智能制造"), ("医疗科技", "智慧医疗"), ("金融信息", "智慧金融"),
          ("文旅科技", "智慧文旅"), ("数字营销", "数字营销"), ("数字内容", "数字内容"),
          ("文化创意", "文化创意"), ("软件", "其他"), ("数据科技", "其他"),
          ("智能科技", "智能制造"))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = ("伟", "芳", "敏", "静", "磊", "洋", "艳", "勇", "杰", "娟", "涛", "明", "超",
         "霞", "平", "刚", "桂英", "晓东", "思远", "一鸣", "子涵", "雨桐", "浩然", "欣怡")
# What a firm of each trade says it does (企业简介): what scenarios are matched against.
PROFILES = {
    "科技": ("工业互联网平台与设备数据采集", "生产线视觉质检", "工厂能耗监测与优化"),
    "医疗科技": ("医学影像辅助诊断AI", "互联网医院与远程问诊系统", "慢病管理与健康监测"),
    "金融信息": ("供应链金融风控模型", "智能客服与反欺诈", "中小企业信用评估"),
    "文旅科技": ("景区智慧导览与客流监测", "数字文旅小程序", "沉浸式夜游与AR体验"),
    "数字营销": ("短视频内容营销与直播电商", "私域流量运营", "品牌数字化投放"),
    "数字内容": ("AIGC图文与视频生成", "数字人主播", "网络文学与有声内容制作"),
    "文化创意": ("非遗文创产品设计", "城市IP与文创开发", "展陈设计与数字展厅"),
    "软件": ("政务服务系统开发", "企业管理SaaS", "信创适配与国产化迁移"),
    "数据科技": ("数据治理与数据中台", "城市交通大数据分析", "公共数据开发利用"),
    "智能科技": ("智能巡检机器人", "智慧园区物联网平台", "边缘计算与AI盒子"),
}
# 附件2 一、基本情况 and the report's words, as the operator filled them in.
OPERATOR_RECORD = dict(
    founded_on=date(2019, 5, 16), registered_capital=Decimal("1000"),
    leader="王敏", leader_phone="02367891234", contact="李娜", contact_phone="13896012345",
    operator_nature="state_owned", focus=["数字内容", "智慧医疗", "智能制造", "低空经济应用软件"],
    intro=("重庆软信OPC创新创业社区位于两江新区金开大道，由重庆渝创空间运营管理有限公司运营，"
           "四层共约3000平方米，设开放工位区、独立办公区、路演厅、会议室和算力与数据服务中心。\n"
           "社区聚焦“一人公司”（OPC）创业者，提供零租工位、算力与模型服务、公共服务包和应用场景对接，"
           "运营团队12人，其中持证创业导师4人。"),
    tenure_kind="leased", tenure_starts_on=date(2025, 7, 1), tenure_ends_on=date(2030, 6, 30),
    report_texts={
        "professional": "接入主流国产大模型与开发工具，联合本地算力中心为入驻企业发放算力与词元补贴；"
                        "与重庆大学、重庆邮电大学及两家投资机构签订合作协议。",
        "facilities": "一层为综合服务大厅、路演厅和咖啡休闲区，二、三层为开放工位区和独立办公区，"
                      "四层为培训室和算力与数据服务中心；零租工位拎包入住，会议室与路演厅共享预约。",
        "finance": "与合作银行、担保机构共建“OPC创业贷”等专项产品，定期举办融资路演。",
        "living": "周边步行10分钟内有人才公寓、食堂、便利店和商务酒店。",
        "public": "提供登记注册、财务代账、税务申报、法律咨询和专利申报等公共服务，并可对接区内中试平台。",
        "development": "到2027年底在营OPC达到80家，存续超6个月的OPC达到60家，近12个月服务或入驻OPC企业不少于50家。",
        "ecosystem": "每年组织创业赛事、资源对接会和创业培训不少于24场。",
        "scenarios": "联合两江新区每年为入驻企业挖掘应用场景不少于60个，促成落地不少于50个。",
    })
# 附件2 四、任务计划: what the operator promised by each date (figures as the report checks).
MILESTONES = (
    (date(2026, 12, 31), "完成社区装修和入驻，在营OPC达到40家，举办活动不少于10场，挖掘场景20个、落地10个。",
     {"O1": 40, "O2": 20, "S4": 50, "E1": 10, "C2": 20, "C1": 10}),
    (date(2027, 6, 30), "在营OPC达到60家，累计举办活动22场，累计挖掘场景50个、落地30个。",
     {"O1": 60, "O2": 40, "S4": 50, "E1": 22, "C2": 50, "C1": 30}),
    (date(2027, 12, 31), "在营OPC达到80家，存续超6个月OPC达到60家，累计举办活动34场，累计挖掘场景80个、落地60个。",
     {"O1": 80, "O2": 60, "S4": 50, "E1": 34, "C2": 80, "C1": 60}),
)
# 附件2 三、建设目标 the bang leaves to the operator: OPCs operating and alive six months
# (by each year's end) and scenarios discovered with the district (per year).
DEMO_TARGETS = {("O1", 2026): 40, ("O1", 2027): 80, ("O2", 2026): 20, ("O2", 2027): 60,
                ("C2", 2026): 60, ("C2", 2027): 60}
SERVICES = ("政策咨询", "工商注册指导", "融资路演辅导", "知识产权咨询", "创业导师辅导")


def make_uscc(rng):
    """A valid USCC of a Chongqing company (check character computed)."""
    body = "91500112" + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    return body + stdnum_uscc.calc_check_digit(body)


def mobile(rng):
    return rng.choice(("138", "139", "150", "158", "177", "186", "189", "199")) + \
        f"{rng.randrange(10**8):08d}"


def person(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def load_demo(session, loaders=(), today=None, upload_folder=None):
    """Build the demo community, then each package's demo (`loaders`, called as
    loader(session, tenants, rng)); return False (and change nothing) if it exists.
    With an `upload_folder`, most firms get a (fake) scan of their licence."""
    today = today or date(2026, 12, 1)
    if session.scalar(select(User.id).where(User.username == "admin")) is not None \
            or session.scalar(select(Community.id)) is not None:
        return False
    rng = random.Random(SEED)
    session.add(Community(**(DEFAULTS | dict(
        name="重庆软信OPC创新创业社区", operator_name="重庆渝创空间运营管理有限公司",
        operator_uscc=make_uscc(rng), address="重庆市渝北区金开大道西段106号",
        district="两江新区", **OPERATOR_RECORD))))
    session.add_all(Milestone(due_on=due_on, promise=promise, figures=figures)
                    for due_on, promise, figures in MILESTONES)
    session.add_all(Target(code=code, year=year, value=Decimal(value))
                    for (code, year), value in DEMO_TARGETS.items())
    zones = {}
    for floor, name, kind, area, capacity, bookable, since in ZONES:
        zones[name] = rules.save_zone(session, None, dict(
            floor=floor, name=name, kind=kind, area_m2=area, capacity=capacity,
            bookable=bookable, in_service_on=since))
    # The A area grew when the mezzanine opened: S1 history keeps both figures.
    rules.save_zone(session, None, dict(
        floor="2F", name="开放工位区A", kind="open_desk", area_m2=Decimal("700"),
        capacity=80, bookable=False, in_service_on=date(2025, 9, 1)),
        zones["开放工位区A"], area_effective_on=date(2026, 6, 1))
    desks = (rules.bulk_create_desks(session, None, zones["开放工位区A"], "A", 1, 80, True,
                                     date(2025, 9, 1))
             + rules.bulk_create_desks(session, None, zones["开放工位区B"], "B", 1, 70, True,
                                       date(2025, 12, 1)))
    rules.bulk_create_desks(session, None, zones["独立办公区"], "P", 1, 10, False,
                            date(2025, 12, 1))
    tenants = _tenants(session, rng, today)
    _desks_and_services(session, rng, tenants, desks)
    if upload_folder:
        _licence_scans(session, tenants, upload_folder)
    for username, name, role, password in DEMO_USERS:
        user = User(username=username, name=name, role=role,
                    tenant_id=tenants[0].id if role == "member" else None)
        user.set_password(password)
        session.add(user)
    session.flush()
    # The assessor reads the whole implementation period (an admin granted it).
    from datetime import datetime, time, timezone

    from community import assessors
    settings = session.scalar(select(Community))
    by_role = {u.role: u for u in session.scalars(select(User))}
    assessors.grant(session, by_role["admin"], by_role["assessor"], settings.period_start_on,
                    settings.period_end_on, datetime.combine(today, time(1), timezone.utc))
    for loader in loaders:
        loader(session, tenants, random.Random(SEED))
        session.flush()
    return True


# Licence facts: most firms are one-person companies; a few are not (several
# shareholders, or too old to be a startup), a few await their facts, one took on a
# second shareholder in 2026 and one is an OPC by staff's written decision.
NOT_ONE_PERSON = {7, 19, 31, 43, 55}
TOO_OLD = {3, 17, 41}
UNDETERMINED = {11, 29, 50, 58}
SECOND_SHAREHOLDER, OVERRIDDEN = 22, 33
NO_SCAN = {5, 14, 38, 47}  # licence facts entered, the scan not yet uploaded


def _licence(index, rng):
    """The licence facts of demo firm `index`, as save_tenant takes them."""
    if index in UNDETERMINED:
        return {}
    capital = str(rng.choice((3, 10, 20, 50, 100)))
    if index in NOT_ONE_PERSON:
        return dict(company_type="有限责任公司（自然人投资或控股）", registered_capital=capital,
                    investors=rng.choice((2, 3)))
    if index == OVERRIDDEN:
        return dict(company_type="有限责任公司（自然人投资或控股的法人独资）",
                    registered_capital=capital, investors=1, opc_override="yes",
                    override_reason="唯一股东为创始人100%持股的持股平台，经营与决策由创始人一人负责（见股权穿透说明）")
    return dict(company_type=rng.choice(("有限责任公司（自然人独资）",) * 4 + ("个人独资企业",)),
                registered_capital=capital, investors=1)


def _profile(trade, rng):
    """A firm's 企业简介: two of its trade's lines of business."""
    first, second = rng.sample(PROFILES[trade], 2)
    return f"专注{first}，同时提供{second}服务，面向政府、医院、学校和企业客户。"


def _tenants(session, rng, today):
    facts_rng = random.Random(SEED + 1)  # apart, so the rest of the demo stays as it was
    profile_rng = random.Random(SEED + 2)
    tenants, used = [], set()
    for index in range(60):
        brand = rng.choice(BRANDS)
        trade, sector = rng.choice(TRADES)
        name = f"重庆{brand}{trade}有限公司"
        while name in used:
            name = f"重庆{brand}{rng.choice('创新达信恒远')}{trade}有限公司"
        used.add(name)
        founded = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 960))
        resident = index < 46
        moved_in = max(founded, date(2025, 9, 1)) + timedelta(days=rng.randrange(0, 420)) \
            if resident else None
        moved_in = min(moved_in, date(2026, 11, 15)) if moved_in else None
        moved_out = None
        if resident and index % 11 == 5:
            moved_out = moved_in + timedelta(days=rng.randrange(60, 200))
            moved_out = None if moved_out > date(2026, 11, 10) else moved_out
        if index in TOO_OLD:
            founded = date(2017 + index % 3, 4, 18)
        founder = person(rng)
        tenant = rules.save_tenant(session, None, dict(
            name=name, uscc=make_uscc(rng), legal_rep=founder, phone=mobile(rng),
            email=f"contact{index + 1:02d}@example.cn", sector=sector,
            profile=_profile(trade, profile_rng),
            relationship_kind="resident" if resident else "served",
            founded_on=min(founded, date(2026, 10, 1)), moved_in_on=moved_in,
            moved_out_on=moved_out,
            closed_on=date(2026, 10, 20) if index == 52 else None) | _licence(index, facts_rng),
            today)
        if index == SECOND_SHAREHOLDER:
            rules.save_tenant(session, None, dict(
                name=tenant.name, uscc=tenant.uscc, legal_rep=tenant.legal_rep,
                phone=tenant.phone, email=tenant.email, sector=tenant.sector,
                relationship_kind=tenant.relationship_kind, founded_on=tenant.founded_on,
                moved_in_on=tenant.moved_in_on, moved_out_on=tenant.moved_out_on,
                company_type="有限责任公司（自然人投资或控股）", registered_capital="100",
                investors=2, facts_from=max(date(2026, 9, 1), tenant.founded_on)),
                today, tenant)
        session.add(Member(tenant=tenant, name=founder, phone=mobile(rng), is_founder=True))
        for _ in range(rng.choice((0, 0, 1, 2))):
            session.add(Member(tenant=tenant, name=person(rng), phone=mobile(rng)))
        tenants.append(tenant)
    session.flush()
    return tenants


def _desks_and_services(session, rng, tenants, desks):
    free = list(desks)
    for tenant in tenants:
        if tenant.moved_in_on is None:
            continue
        for member in tenant.members:
            if not free:
                break
            desk = free[0]
            starts_on = max(tenant.moved_in_on, desk.in_service_on)
            if tenant.moved_out_on and tenant.moved_out_on < starts_on:
                continue
            free.pop(0)
            rules.assign_desk(session, None, desk, member, starts_on, tenant.moved_out_on)
    for index, tenant in enumerate(tenants):
        for n in range(1 if tenant.moved_in_on else rng.choice((1, 2, 3))):
            served_on = date(2025, 10, 1) + timedelta(days=rng.randrange(0, 410))
            record_served(session, None, tenant.id, served_on, SERVED_SOURCE,
                          f"demo:{index}:{n}", rng.choice(SERVICES))


def _licence_scans(session, tenants, folder):
    """A small image standing in for each firm's licence scan (not for NO_SCAN ones)."""
    import io

    from PIL import Image, ImageDraw

    from community.files import save_attachment
    from community.opc import LICENCE_FILE
    for index, tenant in enumerate(tenants):
        if index in UNDETERMINED or index in NO_SCAN:
            continue
        image = Image.new("RGB", (320, 220), (253, 246, 227))
        draw = ImageDraw.Draw(image)
        draw.rectangle((8, 8, 311, 211), outline=(180, 30, 30), width=4)
        draw.text((24, 30), "DEMO - business licence", fill=(120, 20, 20))
        draw.text((24, 60), tenant.uscc, fill=(0, 0, 0))
        out = io.BytesIO()
        image.save(out, format="PNG")
        save_attachment(session, None, folder, LICENCE_FILE, tenant.id,
                        f"营业执照_{tenant.uscc}.png", out.getvalue())
