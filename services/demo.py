"""A plausible year of services for the demo community (seeded): the provider
directory with its agreements (one expiring, one expired), this year's quotas,
and requests and grants made through the same rules staff use, so every step is
dated and audited and every delivered service serves its firm. The last weeks
leave some requests open, a few of them past their target time.
"""
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from community.dbsetup import utcnow
from services import catalogue, rules, subsidies

TZ = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2025, 12, 1)
# name, kind, catalogue codes, agreement (start, end or None; relative ends in days)
PROVIDERS = (
    ("重庆渝商企业登记代理有限公司", "registration_agent", ("registration",), 400),
    ("重庆金算盘代理记账有限公司", "bookkeeping", ("bookkeeping", "tax"), 300),
    ("重庆众信税务师事务所有限公司", "tax_agent", ("tax",), 500),
    ("重庆两江律师事务所", "law_firm", ("legal", "consulting"), 45),
    ("中国赛宝（重庆）检测认证有限公司", "testing_lab", ("adaptation",), 600),
    ("重庆智汇知识产权代理有限公司", "patent_agency", ("patent",), 200),
    ("重庆市软件中试验证平台", "pilot_platform", ("pilot",), 700),
    ("西部科学城概念验证中心", "poc_centre", ("poc",), -20),
    ("西部算力调度中心（重庆）有限公司", "compute", ("compute",), 365),
    ("重庆大模型开放平台有限公司", "model", ("model", "tokens"), 365),
    ("重庆数据交易所有限责任公司", "data", ("data",), 365),
    ("重庆开源软件服务有限公司", "devtools", ("devtools",), 365),
)
OUTCOMES = {
    "registration": ("已完成设立登记，领取营业执照", "已完成经营范围变更登记"),
    "bookkeeping": ("已完成当月记账及报表", "已建账并完成首月凭证"),
    "tax": ("已完成增值税及附加申报（所属期上月）", "已完成企业所得税季度预缴申报"),
    "legal": ("已审阅技术服务合同并出具修改意见", "已就股权设计提供咨询意见"),
    "adaptation": ("已完成信创适配测试，取得适配证明", "已完成国产操作系统兼容性测试"),
    "patent": ("发明专利申请已受理，申请号 2026{n:08d}.X", "软件著作权登记已受理"),
    "pilot": ("已对接中试平台完成小批量验证",), "poc": ("已完成概念验证评审",),
    "consulting": ("政策咨询：创业补贴申报", "创业辅导：商业计划书"),
    "compute": ("已开通GPU算力账号并发放卡时",), "tokens": ("已发放大模型调用额度",),
    "data": ("已开通行业数据集访问",), "model": ("已开通模型微调服务",),
    "devtools": ("已开通开发工具授权",),
}
WEIGHTS = (("bookkeeping", 6), ("tax", 6), ("consulting", 5), ("legal", 4), ("patent", 3),
           ("registration", 2), ("adaptation", 2), ("pilot", 1), ("poc", 1), ("compute", 4),
           ("tokens", 3), ("data", 1), ("model", 1), ("devtools", 1))
STEPS = ("requested", "assigned", "in_progress")


def load_demo(session, tenants, rng, today=None):
    """Providers and agreements, quotas, about a year of requests and grants."""
    today = today or utcnow().astimezone(TZ).date()
    rng = random.Random(f"services:{rng.random()}")  # every loader is handed the same seed
    catalogue.ensure_catalogue(session)
    codes = {code: catalogue.category(session, code) for code, *_ in catalogue.BUILTIN}
    providers = _providers(session, rng, codes, today)
    firms = [t for t in tenants if t.closed_on is None]
    funded = rng.sample(firms, k=min(25, len(firms)))
    for tenant in funded:
        for code, amount in (("compute", 200), ("tokens", 500)):
            for year in sorted({FIRST_DAY.year, today.year}):
                subsidies.set_quota(session, None, tenant, year, codes[code], "quantity",
                                    Decimal(amount))
    pool = [code for code, weight in WEIGHTS for _ in range(weight)]
    day, n = FIRST_DAY, 0
    while day < today:
        for _ in range(rng.choice((0, 1, 1, 2))):
            n += 1
            category = codes[rng.choice(pool)]
            tenant = rng.choice(funded if subsidies.subsidised(category) else firms)
            _request(session, rng, tenant, category, providers, day, today, n)
        day += timedelta(days=1)


def _providers(session, rng, codes, today):
    from community.demo import make_uscc, mobile, person
    made = {}
    for name, kind, served, days in PROVIDERS:
        provider = catalogue.save_provider(session, None, {
            "name": name, "kind": kind, "uscc": make_uscc(rng),
            "categories": [codes[c].id for c in served],
            "qualifications": "营业执照；相关执业资质",
            "contact_name": person(rng), "contact_phone": mobile(rng), "active": True})
        ends = today + timedelta(days=days)
        catalogue.add_agreement(session, None, provider, {
            "title": f"{name}合作协议", "signed_on": FIRST_DAY - timedelta(days=20),
            "starts_on": FIRST_DAY - timedelta(days=10), "ends_on": ends})
        for code in served:
            made.setdefault(code, []).append(provider)
    session.flush()
    return made


def _at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), TZ)


def _request(session, rng, tenant, category, providers, day, today, n):
    """One request asked on `day`, taken as far as its age allows."""
    asked = _at(day, rng.randrange(9, 17), rng.choice((0, 15, 30, 45)))
    request = rules.request_service(session, None, tenant, category, f"申请{category.name}",
                                    asked)
    age = (today - day).days
    done_after = max(1, min(category.target_days, rng.randrange(1, category.target_days + 3)))
    if age <= 2 or (age < done_after and rng.random() < 0.7):
        stop = rng.choice(STEPS)  # still open: the queue has work, some of it late
    elif rng.random() < 0.05:
        rules.cancel(session, None, request, "企业已自行办理", asked + timedelta(days=1))
        return
    else:
        stop = None
    provider = rng.choice(providers.get(category.code, [None]))
    if provider is not None and stop != "requested":
        rules.assign(session, None, request, provider,
                     asked + timedelta(hours=rng.randrange(1, 5)))
        if stop != "assigned":
            rules.start(session, None, request, asked + timedelta(days=1))
    if stop is not None:
        return
    finished = min(day + timedelta(days=done_after), today - timedelta(days=1))
    outcome = rng.choice(OUTCOMES[category.code]).format(n=n)
    quantity = {"compute": Decimal(rng.choice((20, 40, 50))),
                "tokens": Decimal(rng.choice((50, 100, 150)))}.get(category.code, Decimal(1))
    value = {"compute": quantity * 12, "tokens": quantity * 2}.get(
        category.code, Decimal(rng.choice((0, 300, 800, 1500))))
    if subsidies.subsidised(category):
        quota = subsidies.quota_of(session, tenant.id, category.id, finished.year)
        if quota is None or subsidies.remaining(session, quota) < quantity:
            # no quota, or not enough left: staff say so and close the request
            rules.cancel(session, None, request, "超出年度补贴额度", _at(finished, 16))
            return
    rules.complete(session, None, request, {
        "outcome": outcome, "quantity": quantity, "value": value, "completed_on": finished},
        _at(finished, 16), finished)
    if rng.random() < 0.8:
        founder = SimpleNamespace(id=None, is_authenticated=True, active=True, role="member",
                                  tenant_id=tenant.id)
        rules.confirm(session, founder, request, rng.choice((5, 5, 5, 4, 4, 3)),
                      rng.choice(("", "", "很及时", "专业高效", "满意")),
                      _at(finished + timedelta(days=1), 10))
