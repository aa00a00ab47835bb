"""The service catalogue and the provider directory (服务资源清单).

The built-in entries always exist (`ensure_catalogue` restores any missing
one); the six of the public-service package (G1) can be neither renamed nor
withdrawn, since the bang names them. Admin edits units, target times and
whether an entry is free, and adds entries of their own.
"""
from sqlalchemy import select

from services.models import ServiceCategory

# code, section, name (the bang's words), unit, target days, position
BUILTIN = (
    ("registration", "package", "经营主体登记注册", "times", 10, 1),
    ("bookkeeping", "package", "财务代账", "times", 5, 2),
    ("tax", "package", "税务申报", "times", 5, 3),
    ("legal", "package", "法律咨询", "times", 3, 4),
    ("adaptation", "package", "适配验证", "times", 20, 5),
    ("patent", "package", "专利申报", "times", 30, 6),
    ("pilot", "referral", "中试平台对接", "times", 15, 10),
    ("poc", "referral", "概念验证中心对接", "times", 15, 11),
    ("compute", "professional", "算力补贴", "gpu_hours", 3, 20),
    ("tokens", "professional", "词元补贴", "wan_tokens", 3, 21),
    ("data", "professional", "数据资源", "times", 5, 22),
    ("model", "professional", "模型服务", "times", 5, 23),
    ("devtools", "professional", "开发工具", "times", 5, 24),
    ("consulting", "other", "综合咨询指导", "times", 3, 30),
)
PACKAGE = tuple(code for code, section, *_ in BUILTIN if section == "package")


def ensure_catalogue(session):
    """Add any built-in entry that is missing (migration 0006 seeds them all)."""
    have = set(session.scalars(select(ServiceCategory.code).where(
        ServiceCategory.code.is_not(None))))
    for code, section, name, unit, days, position in BUILTIN:
        if code not in have:
            session.add(ServiceCategory(code=code, section=section, name=name, unit=unit,
                                        free=True, target_days=days, position=position))
    session.flush()


def category(session, code):
    """A built-in catalogue entry by its code."""
    return session.scalar(select(ServiceCategory).where(ServiceCategory.code == code))
