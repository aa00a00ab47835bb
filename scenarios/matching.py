"""Which of the community's firms could meet a scenario: ranked by fit (the same
sector, the scenario's tags found in the firm's name or profile, and words the
scenario's text shares with the firm's, rare ones weighing more), each with the
reasons it was suggested. A firm's words are segmented once (jieba) and kept in
ProfileWords until its name or profile changes."""
import hashlib
import logging
import math
import re
import threading
import warnings
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError, OperationalError

from community.models import SECTORS, Tenant
from scenarios.models import ProfileWords, Scenario, ScenarioMatch

# Bump when the segmentation below changes (words, stop words): every cache goes stale.
WORDS_VERSION = "1"
SECTOR_WEIGHT = 2.0  # as much as two words no other firm uses
TAG_WEIGHT = 1.5
SHOWN_WORDS = 6  # shared words named in a reason
# Terms jieba's dictionary splits but the firms and scenarios use whole.
DOMAIN_WORDS = SECTORS + (
    "大模型", "辅助诊断", "医学影像", "数字孪生", "低代码", "工业互联网", "智能制造", "机器视觉",
    "元宇宙", "数字人", "短视频", "直播电商", "跨境电商", "智慧农业", "智慧城市", "智慧社区",
    "智慧养老", "智慧教育", "智慧交通", "智慧园区", "知识图谱", "自然语言处理", "供应链金融",
    "区块链", "物联网", "边缘计算", "云计算", "算力", "无人机", "文创", "非遗", "文旅",
)
STOP_WORDS = frozenset("""
    我们 你们 他们 以及 通过 进行 一个 一些 可以 需要 主要 相关 提供 包括 能够 实现 支持 具有
    其中 目前 希望 用于 以上 以下 各类 等等 有限 有限公司 有限责任 责任 公司 本公司 企业 自然人
    独资 对于 关于 由于 并且 或者 如果 已经 为了 这个 这些 那些 什么 如何 没有 不是 同时 其他
    之一 之间 方面 情况 要求 工作 开展 一批 一体 一站 一站式 利用 基于 面向 围绕 结合 形成
    成为 帮助 打造 推动 推进 加强 提升 满足 有效 重要 以来 至今 现有 拥有 位于 所在 主营
""".split())
_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_DIGITS = re.compile(r"^[\d.%+\-]+$")

_lock = threading.Lock()
_jieba = None


def _segmenter():
    """jieba, loaded once per process, quiet, with the domain terms added."""
    global _jieba
    with _lock:
        if _jieba is None:
            with warnings.catch_warnings():  # jieba imports pkg_resources, deprecated
                warnings.simplefilter("ignore")
                import jieba
            jieba.setLogLevel(logging.WARNING)
            # Its dictionary cache goes to the system's temporary folder, never the repo.
            jieba.initialize()
            for word in DOMAIN_WORDS:
                jieba.add_word(word)
            _jieba = jieba
    return _jieba


def words_of(text, parts=True):
    """The distinct words of a Chinese text worth comparing (no stop words,
    punctuation, numbers or single characters), sorted; with `parts`, the words
    inside longer ones too (人工智能: 人工, 智能)."""
    jieba = _segmenter()
    words = set()
    for token in (jieba.lcut_for_search if parts else jieba.lcut)(text or ""):
        token = token.strip().lower()
        if (len(token) > 1 and _WORDLIKE.search(token) and not _DIGITS.match(token)
                and token not in STOP_WORDS):
            words.add(token)
    return sorted(words)


def _text_of(tenant):
    return f"{tenant.name}\n{tenant.profile or ''}"


def _hash_of(text):
    return hashlib.sha256(f"{WORDS_VERSION}\n{text}".encode()).hexdigest()


def _cached_words(session, tenants):
    """Each firm's words {tenant id: set} and how many firms were segmented: only
    those whose cache is missing or was made from other text (flushed, not committed)."""
    cached = {row.tenant_id: row for row in session.scalars(
        select(ProfileWords).where(ProfileWords.tenant_id.in_([t.id for t in tenants])))}
    words, fresh = {}, []
    for tenant in tenants:
        digest, row = _hash_of(_text_of(tenant)), cached.get(tenant.id)
        if row is not None and row.text_hash == digest:
            words[tenant.id] = set(row.words)
        else:
            found = words_of(_text_of(tenant))
            words[tenant.id] = set(found)
            fresh.append((tenant.id, digest, found, row))
    if fresh:
        # The cache only saves time: when two staff fill it at once, the one whose
        # write loses (a duplicate key; SQLite: the database busy) keeps its words
        # for this request and the savepoint keeps its transaction going.
        try:
            with session.begin_nested():
                for tenant_id, digest, found, row in fresh:
                    if row is None:
                        session.add(ProfileWords(tenant_id=tenant_id, text_hash=digest,
                                                 words=found))
                    else:
                        row.text_hash, row.words = digest, found
        except (IntegrityError, OperationalError):
            pass
    return words, len(fresh)


def refresh_profile_words(session, tenants=None):
    """Segment the firms (all when not given) whose cached words are missing or
    stale; returns how many were segmented. Flushes, never commits."""
    if tenants is None:
        tenants = session.scalars(select(Tenant).order_by(Tenant.id)).all()
    return _cached_words(session, list(tenants))[1]


@dataclass
class Suggestion:
    """A firm that could meet a scenario, how well (higher fits better) and why."""

    tenant: Tenant
    score: float
    reasons: list = field(default_factory=list)

    @property
    def reason(self):
        """The reasons in one line (what a confirmed match keeps), at most 500 characters."""
        return "；".join(self.reasons)[:500]


def candidates(session, today):
    """The community's firms open and not moved out on `today`."""
    return session.scalars(select(Tenant).where(
        or_(Tenant.closed_on.is_(None), Tenant.closed_on > today),
        or_(Tenant.moved_out_on.is_(None), Tenant.moved_out_on > today),
    ).order_by(Tenant.id)).all()


def _weights(firm_words, wanted):
    """Each wanted word's rarity across the firms: 1 when one firm uses it, 0 when all do."""
    n = len(firm_words)
    counts = {word: sum(1 for words in firm_words.values() if word in words)
              for word in wanted}
    if n < 2:
        return {word: 1.0 for word, df in counts.items() if df}
    return {word: math.log(n / df) / math.log(n) for word, df in counts.items() if df}


def _shown(shared, weights):
    """The rarest shared words, leaving out a word inside another one named."""
    ordered = sorted(shared, key=lambda w: (-weights[w], -len(w), w))
    shown = []
    for word in ordered:
        if weights[word] <= 0 or any(word in other for other in shown):
            continue
        shown.append(word)
        if len(shown) == SHOWN_WORDS:
            break
    return shown


def suggest(session, scenario: Scenario, limit=10, today=None):
    """The firms best fitting a scenario, best first, each with its reasons; firms
    already matched to it (not withdrawn) and firms that fit in no way are left out."""
    today = today or date.today()
    firms = candidates(session, today)
    firm_words = _cached_words(session, firms)[0]
    matched = set(session.scalars(select(ScenarioMatch.tenant_id).where(
        ScenarioMatch.scenario_id == scenario.id, ScenarioMatch.withdrawn_on.is_(None))))
    # The scenario's whole words against the firms' words and their parts: its 人工智能
    # finds a firm's 人工智能, but a firm's 人工 (by hand) does not match it.
    wanted = set(words_of(f"{scenario.title}\n{scenario.description or ''}", parts=False))
    weights = _weights(firm_words, wanted)
    sectors = set(scenario.sectors or ())
    tags = [t.strip() for t in scenario.tags or () if t and t.strip()]
    found = []
    for tenant in firms:
        if tenant.id in matched:
            continue
        score, reasons = 0.0, []
        if tenant.sector in sectors:
            score += SECTOR_WEIGHT
            reasons.append(f"行业相同：{tenant.sector}")
        for tag in tags:
            where = ("企业名称" if tag.lower() in tenant.name.lower() else
                     "企业简介" if tag.lower() in (tenant.profile or "").lower() else None)
            if where:
                score += TAG_WEIGHT
                reasons.append(f"标签“{tag}”见于{where}")
        shared = wanted & firm_words[tenant.id]
        score += sum(weights[w] for w in shared)
        # A word already named as a tag is not named again; Latin words (compared in lower
        # case) are mostly acronyms: CT, PACS, AI.
        named = {tag.lower() for tag in tags}
        shown = [w.upper() if w.isascii() else w for w in _shown(shared, weights)
                 if w not in named]
        if shown:
            reasons.append("共同关键词：" + "、".join(shown))
        if score > 0 and reasons:
            found.append(Suggestion(tenant, round(score, 2), reasons))
    found.sort(key=lambda s: (-s.score, s.tenant.id))
    return found[:limit]
