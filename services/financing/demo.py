"""The demo's financing and amenities: three products, two resident financial
institutions and one visiting investor, some fifteen needs and thirty meetings
over the last twelve months, and the amenities around the community (one
withdrawn). Made through the rules (audited; each meeting serves its firm),
dated from today; loaded once (a second run finds the products and stops)."""
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from community.demo import make_uscc
from services.financing import rules
from services.models import FinanceProduct, Provider

CENT = Decimal("0.01")
# (name, kind, resident, address)
INSTITUTIONS = (
    ("重庆银行两江科技支行", "bank", True, "重庆市渝北区金开大道西段106号1F"),
    ("两江天使投资基金管理有限公司", "investor", True, "重庆市渝北区金开大道西段106号5F"),
    ("重庆高新创业投资有限公司", "investor", False, "重庆市九龙坡区科园一路3号"),
)
# (name, 万元, formation, partners, provider index, description)
PRODUCTS = (
    ("OPC科创贷", 5000, "joint", "重庆银行两江科技支行、两江新区融资担保有限公司", 0,
     "面向入驻OPC的信用贷款，单户最高200万元，担保费补贴50%。"),
    ("OPC种子投资基金", 3000, "joint", "两江天使投资基金管理有限公司、重庆市科技金融服务中心", 1,
     "投资入驻满3个月的OPC种子期项目，单笔50-300万元。"),
    ("创业担保贷款贴息", 1000, "own", "", None, "社区协助申请创业担保贷款并按期贴息。"),
)
# (name, kind, address, metres, note, days listed before today, withdrawn days ago)
AMENITIES = (
    ("金开人才公寓", "apartment", "重庆市渝北区金开大道西段88号", 800,
     "入驻企业员工可申请，首年租金减半。", 450, None),
    ("两江青年人才驿站", "apartment", "重庆市渝北区星光大道62号", 1500,
     "来渝求职创业青年免费入住7天。", 420, None),
    ("社区职工食堂", "canteen", "社区3F", 0, "工作日午餐、晚餐。", 450, None),
    ("互联网产业园美食街", "canteen", "重庆市渝北区金开大道西段100号", 300, "", 450, None),
    ("便利店（金开店）", "shop", "社区1F大堂", 20, "24小时营业。", 450, 90),
    ("永辉超市（金开店）", "shop", "重庆市渝北区金开大道1288号", 1200, "", 400, None),
    ("商务打印与快递服务站", "business", "社区1F", 30, "打印、装订、快递收发。", 300, None),
    ("轨道交通3号线金童路站", "transport", "金童路站2号出口", 600, "", 450, None),
    ("金开大道公交站", "transport", "金开大道西段", 200, "", 450, None),
)
STAGES = ("seed", "seed", "angel", "angel", "pre_a", "series_a", "debt", "debt")
PURPOSES = ("产品研发与算力采购", "市场推广", "招聘核心团队", "补充流动资金", "海外市场拓展")
NOTES = ("项目路演后一对一交流。", "银企对接会后约谈。", "社区推荐，线上会议。",
         "投资经理到访社区。")


def _institutions(session, rng, since):
    """The financial institutions, found by name or made (a second run adds none);
    in the directory, and the resident ones in the community, since `since`."""
    found = []
    for name, kind, resident, address in INSTITUTIONS:
        provider = session.scalar(select(Provider).where(Provider.name == name))
        if provider is None:
            provider = Provider(name=name, kind=kind, resident=resident, address=address,
                                resident_since=since if resident else None,
                                uscc=make_uscc(rng), contact_name="对接专员",
                                created_at=datetime.combine(since, time(9), timezone.utc))
            session.add(provider)
            session.flush()
        found.append(provider)
    return found


def _meetings_for(session, rng, tenant, need, providers, today, start):
    """One to three meetings of a firm in [start, today]; the last may bring money."""
    day = start
    for n in range(rng.choice((1, 1, 2, 2, 3)) if need else 1):
        day = day + timedelta(days=rng.randrange(3, 60))
        if day > today:
            return
        bank = need is not None and need.stage == "debt"
        provider = providers[0] if bank else rng.choice(providers[1:])
        meeting = rules.record_meeting(session, None, {
            "tenant": tenant, "provider": provider, "need": need, "met_on": day,
            "note": rng.choice(NOTES)}, today)
        outcome_on = day + timedelta(days=rng.randrange(7, 45))
        if outcome_on > today:
            continue
        roll = rng.random()
        if roll < 0.25:
            continue  # still waiting for the institution's answer
        if roll < 0.45 or need is None:
            outcome = rng.choice(("interested", "declined"))
            rules.record_outcome(session, None, meeting, {"outcome": outcome,
                                                          "outcome_on": outcome_on}, today)
            continue
        outcome = "loan" if bank else rng.choice(("term_sheet", "invested"))
        amount = (need.amount_wan * rng.choice((1, 1, 1, 2)) / 2).quantize(CENT)
        rules.record_outcome(session, None, meeting, {
            "outcome": outcome, "amount_wan": amount,
            "outcome_on": outcome_on}, today)
        if outcome != "term_sheet":
            rules.close_need(session, None, need, "met", outcome_on, today)
            return


def load_demo(session, tenants, rng, today=None):
    """Products, institutions, needs, meetings and amenities for the demo community."""
    today = today or date.today()
    if session.scalar(select(FinanceProduct.id)) is not None:
        return
    year_ago = today - timedelta(days=365)
    providers = _institutions(session, rng, year_ago - timedelta(days=60))
    for name, scale, formation, partners, index, description in PRODUCTS:
        rules.save_product(session, None, {
            "name": name, "scale_wan": scale, "formation": formation, "partners": partners,
            "provider": providers[index] if index is not None else None,
            "description": description, "starts_on": year_ago - timedelta(days=60),
            "ends_on": None})
    firms = [t for t in tenants if t.founded_on <= today - timedelta(days=90)]
    chosen = rng.sample(firms, min(len(firms), 23))
    for index, tenant in enumerate(chosen):
        start = max(tenant.founded_on, year_ago)
        if index >= 15:  # firms met by an institution without a recorded need
            _meetings_for(session, rng, tenant, None, providers, today, start)
            continue
        raised_on = min(today, start + timedelta(days=rng.randrange(0, 200)))
        need = rules.save_need(session, None, tenant, {
            "amount_wan": rng.choice((30, 50, 100, 200, 300, 500, 1000)),
            "stage": rng.choice(STAGES), "purpose": rng.choice(PURPOSES),
            "raised_on": raised_on}, today)
        if index == 14:
            rules.close_need(session, None, need, "withdrawn",
                             min(today, raised_on + timedelta(days=40)), today)
            continue
        _meetings_for(session, rng, tenant, need, providers, today, raised_on)
    for name, kind, address, metres, note, listed, withdrawn in AMENITIES:
        amenity = rules.save_amenity(session, None, {
            "name": name, "kind": kind, "address": address, "distance_m": metres,
            "note": note, "listed_on": today - timedelta(days=listed)})
        if withdrawn is not None:
            rules.withdraw_amenity(session, None, amenity, today - timedelta(days=withdrawn),
                                   today)
