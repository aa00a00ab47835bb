"""The audit trail: every change to a record that feeds a ledger, with before and after."""
import re
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import inspect, or_, select

from community.dbsetup import utcnow
from community.models import AuditEntry


PERSONAL = ("phone", "mobile", "contact_phone", "leader_phone")  # masked: assessors read the trail, kept long
# Never written to the trail: it is read by assessors and kept for years, and these
# open a ticket, a room's door or feed, a device, an account.
SECRET = ("password_hash", "session_token", "secret", "checkin_nonce", "token", "token_hash",
          "door_token", "feed_token")
# Kept by the rules from the rows after a dated row (the day the next one takes
# effect): not part of the row's own story, so not written with it.
DERIVED = ("superseded_on",)


def N_(text):
    return text


# What an action's last word does (``tenant.updated`` → 修改了 + 企业); each package names
# its records (reg.add_audit_words) and any action that reads better whole.
VERBS = {
    "created": N_("新建了"), "updated": N_("修改了"), "deleted": N_("删除了"), "voided": N_("作废了"),
    "cancelled": N_("取消了"), "confirmed": N_("确认了"), "recorded": N_("录入了"),
    "imported": N_("导入了"), "ended": N_("结束了"), "bulk_created": N_("批量新建了"),
    "withdrawn": N_("撤回了"), "closed": N_("关闭了"), "revoked": N_("停用了"),
    "approved": N_("批准了"), "rejected": N_("拒绝了"), "released": N_("释放了"),
    "published": N_("发布了"), "requested": N_("提交了"), "completed": N_("办结了"),
    "renewed": N_("恢复了"), "replaced": N_("替换了"),
}
CORE_OBJECTS = {
    "tenant": N_("企业"), "zone": N_("场地"), "desk": N_("工位"),
    "desk_assignment": N_("工位分配"), "member": N_("企业成员"), "user": N_("账号"),
    "licence": N_("营业执照信息"), "attachment": N_("证明材料"),
    "served_record": N_("服务记录"), "holiday": N_("节假日"), "target": N_("目标值"),
    "community": N_("社区设置"), "ledger": N_("台账"), "period_lock": N_("锁定期"),
    "milestone": N_("任务计划"), "report": N_("运营报告"),
}
CORE_ACTIONS = {
    "ledger.exported": N_("导出台账"),
    "ledger.exported_full": N_("导出完整台账（含未脱敏手机号）"),
    "user.password_changed": N_("修改密码"),
    "user.password_reset": N_("重设了账号密码（须在下次登录时修改）"),
    "period_lock.created": N_("锁定了统计期间"),
    "report.downloaded": N_("下载了运营报告（PDF）"),
}
CORE_FIELDS = {
    "name": N_("名称"), "title": N_("标题"), "kind": N_("类型"), "status": N_("状态"),
    "stage": N_("阶段"), "note": N_("备注"), "reason": N_("原因"), "active": N_("启用"),
    "created_at": N_("创建时间"), "updated_at": N_("修改时间"), "cancelled_at": N_("取消时间"),
    "voided_at": N_("作废时间"), "void_reason": N_("作废原因"), "effective_on": N_("生效日期"),
    "tenant_id": N_("企业"), "member_id": N_("企业成员"), "desk_id": N_("工位"),
    "zone_id": N_("区域"), "room_id": N_("功能空间"), "provider_id": N_("服务机构"),
    "category_id": N_("服务类别"), "created_by_id": N_("创建人"), "closed_on": N_("关闭日期"),
    "email": N_("邮箱"), "profile": N_("企业简介"), "relationship_kind": N_("关系"),
    "role": N_("角色"), "username": N_("用户名"), "must_change_password": N_("须修改密码"),
    "is_founder": N_("创始人"), "registered_capital": N_("注册资本（万元）"),
    "opc_override": N_("人工认定"), "override_reason": N_("认定理由"),
    "name_zh": N_("中文名称"), "name_en": N_("英文名称"), "day": N_("日期"),
    "value": N_("数值"), "year": N_("年度"), "label": N_("名称"),
    "start_on": N_("开始日期"), "end_on": N_("结束日期"), "filename": N_("文件名"),
    "withdraw_reason": N_("撤回原因"), "withdrawn_at": N_("撤回时间"),
    "leader": N_("负责人"), "leader_phone": N_("负责人电话"), "contact_phone": N_("联系电话"),
    "operator_name": N_("运营主体"), "timezone": N_("时区"), "startup_years": N_("初创年限"),
    "period_start_on": N_("实施周期开始"), "period_end_on": N_("实施周期结束"),
    "personal_data_until": N_("个人信息保留至"), "opc_company_types": N_("OPC企业类型"),
    "tenure_kind": N_("场地权属"), "tenure_starts_on": N_("权属开始"),
    "tenure_ends_on": N_("权属结束"), "district": N_("所在区"), "due_on": N_("到期日"),
    "promise": N_("承诺内容"), "figures": N_("承诺指标"), "outcome": N_("结果"),
    "contact_name": N_("联系人"), "contact_email": N_("联系邮箱"),
}


def describe(action, words):
    """An action as words (`words`: the registry's audit words), translated; an action
    nobody named stays as its code, visibly."""
    from flask_babel import gettext
    if action in words["actions"]:
        return gettext(words["actions"][action])
    noun, _, verb = action.partition(".")
    if verb in words["verbs"] and noun in words["objects"]:
        return gettext("%(verb)s%(object)s", verb=gettext(words["verbs"][verb]),
                       object=gettext(words["objects"][noun]))
    return action


def field_titles(reg):
    """{field: title}: how the trail's 变更 column names a changed field — the words a
    package declared (reg.add_audit_words(fields=…)), else the title the ledger sheets
    give the key alike (a key two sheets title differently stays a key)."""
    titles = {}
    for sheet in reg.sheets:
        for column in sheet.columns:
            titles.setdefault(column.key, set()).add(column.title)
    return {key: next(iter(found)) for key, found in titles.items() if len(found) == 1} \
        | reg.audit_words["fields"]


ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def shown_value(reg, object_type, key, value, tz):
    """A value in the trail as a reader says it: — for none, 是/否, a code by its label
    (the group named <type>_<field>, <last word of type>_<field> or <field>), a moment
    in local minutes, money kept in fen as yuan."""
    from flask_babel import gettext
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, str):
        for group in (f"{object_type}_{key}", f"{object_type.rpartition('_')[2]}_{key}", key):
            text = reg.labels.get(group, {}).get(value)
            if text:
                return gettext(text)
        if ISO_MOMENT.match(value):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"
    if key.endswith("_fen") and isinstance(value, int):
        return f"¥{Decimal(value) / 100:,.2f}"
    return value


def snapshot(obj):
    """The record's column values as JSON-friendly data (phone numbers masked)."""
    from community.validators import mask_phone
    data = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key in SECRET or attr.key in DERIVED:
            continue
        value = getattr(obj, attr.key)
        if attr.key in PERSONAL and isinstance(value, str):
            value = mask_phone(value)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        data[attr.key] = value
    return data


def record(session, actor, action, obj=None, before=None, after=None, note="",
           object_type=None, object_id=None):
    """Write one audit row; `action` is dotted, like ``tenant.updated``."""
    if obj is not None:
        session.flush()
        object_type = object_type or obj.__tablename__
        object_id = obj.id
        if after is None and not action.endswith(".deleted"):
            after = snapshot(obj)
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        if not changed and not note:
            return None
    lock_id = None
    correction = _correction(session, object_type, before, after)
    if correction is not None:  # a change inside a locked period: marked, with its reason
        lock, reason = correction
        lock_id, note = lock.id, (f"{note}；更正原因：{reason}" if note else reason)
    entry = AuditEntry(at=utcnow(), actor_id=getattr(actor, "id", None), action=action,
                       object_type=object_type, object_id=object_id,
                       before=before, after=after, note=note, lock_id=lock_id)
    session.add(entry)
    return entry


def _correction(session, object_type, before, after):
    """(lock, reason) when the change reaches a locked period (community.locks)."""
    from flask import has_app_context
    if not has_app_context() or (before is None and after is None):
        return None
    from community.registry import registry
    dated = registry().dated.get(object_type)
    if dated is None:
        return None
    from community import locks
    return locks.guard(session, dated, before, after)


def history(session, object_type, object_id, *parts):
    """The audit rows of one record, and of its `parts` ((type, ids) pairs: a tenant's
    licence rows), newest first."""
    which = [(object_type, [object_id])] + list(parts)
    return session.scalars(
        select(AuditEntry).where(or_(*(
            (AuditEntry.object_type == kind) & AuditEntry.object_id.in_(ids)
            for kind, ids in which if ids)))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())).all()
