"""Chinese labels of stored codes: ledgers use them as written, the UI translates them.

The core's groups are here; each package declares its own and hands them to
the app's registry."""
from community.registry import registry


def N_(text):
    """Mark a string for extraction; it is translated where it is shown."""
    return text


# The indicators' units, as the bang writes them; the UI translates them (English
# mode says "12 firms", not "12 家"). A package's new unit is added here.
UNITS = (N_("㎡"), N_("个"), N_("场"), N_("处"), N_("家"), N_("次"), N_("笔"), N_("类"),
         N_("间"))


def said(text, **params):
    """An indicator's note (its detail line) in the reader's language: Chinese in the
    ledgers and packs (no request, or community.export's zh), English on the
    dashboard of someone reading in English."""
    from flask_babel import gettext
    return gettext(text, **params)


def label_said(group, code):
    """A code's label in the reader's language (see `said`)."""
    from flask_babel import gettext
    text = label(group, code)
    return gettext(text) if text else code


def unit(text):
    """An indicator's unit in the reader's language; a unit English leaves unsaid (个)
    is translated as "-" and shown as nothing."""
    from flask_babel import gettext
    said_as = gettext(text) if text in UNITS else text
    return "" if said_as == "-" else said_as


LABELS = {
    "zone_kind": {
        "office": N_("独立办公室"), "open_desk": N_("开放工位区"),
        "roadshow_hall": N_("路演厅"), "meeting_room": N_("会议室"),
        "leisure": N_("休闲空间"), "service_counter": N_("服务台"), "other": N_("其他"),
    },
    "role": {
        "admin": N_("社区负责人"), "staff": N_("运营人员"),
        "member": N_("入驻企业成员"), "assessor": N_("考核评估人员"),
    },
    "relationship": {"resident": N_("入驻"), "served": N_("仅服务")},
    "operator_nature": {"public_institution": N_("事业单位"), "state_owned": N_("国有企业"),
                        "private": N_("民营企业"), "other": N_("其他")},
    "tenure_kind": {"owned": N_("自有"), "leased": N_("租赁"), "agreement": N_("协议使用")},
    "opc_status": {"opc": N_("OPC"), "not_opc": N_("非OPC"), "undetermined": N_("待确定")},
    "desk_status": {"available": N_("可用"), "out_of_service": N_("停用")},
    "status": {"met": N_("已达标"), "ongoing": N_("进行中"), "missed": N_("未达标"),
               "none": N_("—"), "absent": N_("未建立台账")},
    "bool": {True: N_("是"), False: N_("否")},
    "sector": {s: s for s in (N_("智能制造"), N_("智慧医疗"), N_("智慧金融"), N_("智慧文旅"),
                              N_("数字营销"), N_("数字内容"), N_("文化创意"), N_("其他"))},
}


def label(group, value):
    """The Chinese label of a stored code (the code itself when unknown)."""
    return registry().labels.get(group, {}).get(value, value if value is not None else "")


def labeller(group):
    """label(group, ·) with the group's table looked up once: for a loop over many rows."""
    table = registry().labels.get(group, {})
    return lambda value: table.get(value, value if value is not None else "")


class Label:
    """A stored code as a refusal's parameter ("剩余 3 GPU卡时"): shown as its label
    in the reader's language, so a rule can name a unit without translating."""

    def __init__(self, group, code):
        self.group, self.code = group, code

    def __str__(self):
        from flask_babel import gettext
        text = label(self.group, self.code)
        return gettext(text) if text else ""
