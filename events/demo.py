"""A plausible year of events for the demo community: every kind, registrations,
waitlists, check-ins by every method, notices, photos and summaries (seeded).

Attendees from tenant firms are their registered members (so their mobiles link
them, events.rules.member_tenant); a few others typed a tenant's name and staff
confirmed the link afterwards; the rest typed a name that links nothing. Each
summary states the attendance the rows record."""
import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from PIL import Image, ImageDraw
from sqlalchemy import select

from booking.models import Room
from community.demo import mobile, person
from community.files import save_attachment
from community.models import User
from events.models import Registration
from community.refusals import Refused
from events import attendees, checkin, rules
from events.ledger import NOTICE, PHOTO

TZ = ZoneInfo("Asia/Shanghai")
OPERATOR = "重庆渝创空间运营管理有限公司"
PARTNERS = ("两江新区经信委", "重庆市软件行业协会", "重庆大学国家大学科技园", "重庆邮电大学创新创业学院",
            "重庆科技金融服务中心", "重庆市人工智能学会", "渝北区人社局")
GUEST_ORGS = ("重庆大学", "西南大学", "重庆邮电大学", "重庆交通大学", "个人创业者", "渝北区创业服务中心",
              "重庆高新创投", "两江天使投资", "重庆银行科技支行", "自由职业")
OUTSIDE = ("两江新区互联网产业园3号楼报告厅", "重庆大学虎溪校区图书馆报告厅",
           "渝北区仙桃数据谷会议中心")
# (month, day, start hour, hours, kind, title, room zone or None, capacity)
EVENTS = (
    (1, 10, 14, 3, "training", "一人公司财税合规培训", "创业培训室", 30),
    (1, 17, 19, 2, "salon", "独立开发者沙龙", "会议室202", 12),
    (2, 28, 14, 3, "matching", "算力资源对接会", "路演厅", 50),
    (3, 7, 14, 4, "roadshow", "OPC项目路演日（3月）", "路演厅", 60),
    (3, 21, 14, 3, "training", "知识产权申请实务培训", "创业培训室", 30),
    (3, 28, 9, 8, "competition", "2026“渝创OPC”创新创业大赛初赛", None, 80),
    (4, 11, 14, 3, "matching", "银企对接会：科创贷专场", "路演厅", 40),
    (4, 18, 19, 2, "salon", "AIGC创作者沙龙", "会议室202", 12),
    (4, 25, 14, 3, "training", "AI工具提效训练营（第一期）", "创业培训室", 30),
    (5, 16, 14, 3, "matching", "场景需求发布与对接会（智能制造）", "路演厅", 50),
    (5, 23, 9, 8, "competition", "两江新区AI应用创新挑战赛", None, 70),
    (6, 6, 14, 3, "training", "创业者股权设计培训", "创业培训室", 30),
    (6, 13, 14, 4, "roadshow", "早期项目路演（6月）", "路演厅", 60),
    (6, 20, 14, 3, "other", "社区开放日", "路演厅", 70),
    (7, 4, 14, 3, "matching", "投融资对接会：种子轮专场", "路演厅", 40),
    (7, 11, 14, 3, "training", "政策申报实务培训", "创业培训室", 30),
    (7, 25, 19, 2, "salon", "产品出海沙龙", "会议室202", 12),
    (8, 8, 9, 8, "competition", "OPC创业项目擂台赛（第一季）", "路演厅", 60),
    (8, 22, 14, 3, "matching", "高校科技成果转化对接会", None, 50),
    (9, 5, 14, 3, "training", "跨境电商入门培训", "创业培训室", 30),
    (9, 12, 14, 4, "roadshow", "投资人面对面路演（9月）", "路演厅", 60),
    (9, 19, 12, 2, "salon", "创始人午餐会", "咖啡休闲区", 15),
    (10, 17, 14, 3, "matching", "大模型应用场景对接会", "路演厅", 50),
    (10, 24, 14, 3, "training", "AI工具提效训练营（第二期）", "创业培训室", 30),
    (10, 31, 9, 8, "competition", "大学生软件创新大赛社区选拔赛", "路演厅", 70),
    (11, 7, 14, 3, "other", "创业者健康讲座", "创业培训室", 30),
    (11, 14, 14, 3, "matching", "数据要素对接会", "路演厅", 50),
    (11, 18, 19, 2, "salon", "AI Agent 开发者沙龙", "会议室202", 12),
    (11, 21, 14, 3, "training", "一人公司品牌营销培训", "创业培训室", 30),
    (12, 5, 14, 4, "roadshow", "年度优秀项目路演", "路演厅", 60),
    (12, 12, 14, 3, "competition", "2026“渝创OPC”创新创业大赛决赛", "路演厅", 70),
    (12, 19, 14, 3, "other", "年终OPC社区交流会", "路演厅", 70),
)
DEMO_NOW = datetime(2026, 11, 22, 10, 0, tzinfo=TZ)
PAPER_EVENT = "产品出海沙龙"           # the network failed: everyone signed on paper
NOT_CLOSED = "一人公司品牌营销培训"     # held yesterday, not yet marked held: flagged
NO_PHOTOS = ("AIGC创作者沙龙", "数据要素对接会")
NO_NOTICE = ("创始人午餐会",)
NOTICE_FILE = ("2026“渝创OPC”创新创业大赛初赛", "两江新区AI应用创新挑战赛")


def load_demo(session, tenants, rng):
    """Build the demo events; every sheet and E1 of 2026 has rows afterwards."""
    staff = session.scalar(select(User).where(User.username == "staff"))
    rooms = {room.zone.name: room for room in session.scalars(select(Room))}
    device, _token = checkin.create_device(session, staff, "签到台平板1", DEMO_NOW)
    folder = current_app.config["UPLOAD_FOLDER"]
    for month, day, hour, hours, kind, title, room_name, capacity in EVENTS:
        starts_at = datetime.combine(datetime(2026, month, day).date(), time(hour), TZ)
        created = starts_at - timedelta(days=21)
        event = _event(session, staff, rng, dict(
            kind=kind, title=title, starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours), capacity=capacity,
            organiser=OPERATOR, co_organisers="、".join(rng.sample(PARTNERS, rng.randrange(0, 3))),
            description=f"{title}，面向社区入驻企业及重庆地区创业者开放。",
            notice_text="" if title in NO_NOTICE + NOTICE_FILE else _notice(title, starts_at)),
            rooms.get(room_name), created)
        if title in NOTICE_FILE:
            save_attachment(session, staff, folder, NOTICE, event.id, f"{title}通知.pdf", _pdf())
        if (month, day) == (12, 19):
            continue  # still a draft
        rules.publish_event(session, staff, event, created + timedelta(hours=2))
        people = _register(session, rng, tenants, event, starts_at)
        if starts_at > DEMO_NOW:
            continue
        _check_in(session, rng, staff, device, event, people, tenants)
        _confirm_links(session, rng, staff, event, tenants)
        if title == NOT_CLOSED:
            continue
        rules.mark_held(session, staff, event, event.ends_at + timedelta(hours=2),
                        _summary(session, event))
        if title not in NO_PHOTOS:
            for n in range(rng.randrange(3, 7)):
                save_attachment(session, staff, folder, PHOTO, event.id,
                                f"现场照片{n + 1}.jpg", _photo(rng))
    cancelled = _event(session, staff, rng, dict(
        kind="salon", title="Web3 创业沙龙", starts_at=datetime(2026, 9, 26, 19, 0, tzinfo=TZ),
        ends_at=datetime(2026, 9, 26, 21, 0, tzinfo=TZ), capacity=30, organiser=OPERATOR,
        notice_text="因嘉宾行程调整，本次沙龙取消。"), None, datetime(2026, 9, 1, tzinfo=TZ))
    rules.publish_event(session, staff, cancelled, datetime(2026, 9, 1, 12, tzinfo=TZ))
    rules.cancel_event(session, staff, cancelled, datetime(2026, 9, 20, tzinfo=TZ))


def _event(session, staff, rng, data, room, now):
    """Save an event in its room; a taken room falls back to an outside address."""
    if room is not None:
        try:
            with session.begin_nested():
                return rules.save_event(session, staff, data | {"room": room}, now)
        except Refused:
            pass
    return rules.save_event(session, staff, data | {"room": None,
                                                    "venue_address": rng.choice(OUTSIDE)}, now)


def _notice(title, starts_at):
    return (f"【活动通知】{title}定于 {starts_at:%Y年%m月%d日 %H:%M} 举行，"
            "欢迎社区入驻企业及创业者扫码报名参加。名额有限，报满即止。")


def _summary(session, event):
    """The summary states what the registrations record, not a guess."""
    stats = checkin.attendance(session, event.id)
    return (f"{event.title}顺利举办。报名确认 {stats['registered']} 人，"
            f"实际签到 {stats['checked_in']} 人（其中入驻/服务企业人员 {stats['tenants_in']} 人），"
            "现场交流热烈。")


def _attendee(rng, tenants):
    """Someone from a tenant (one of its registered members, 40%), someone who typed a
    tenant's name without being its member (5%: staff may confirm later), or a guest."""
    tenants = [tenant for tenant in tenants if tenant.closed_on is None]
    roll = rng.random()
    if roll < 0.40:
        tenant = rng.choice(tenants)
        member = rng.choice(tenant.members)
        return {"name": member.name, "mobile": member.phone, "organisation": tenant.name}
    organisation = rng.choice(tenants).name if roll < 0.45 else rng.choice(GUEST_ORGS)
    return {"name": person(rng), "mobile": mobile(rng), "organisation": organisation}


def _confirm_links(session, rng, staff, event, tenants):
    """Staff confirm some checked-in attendees who typed a tenant's name belong to it
    (they looked at the firm's members or business licence)."""
    by_name = {tenant.name: tenant for tenant in tenants}
    typed = session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.tenant_id.is_(None),
        Registration.checked_in_at.is_not(None),
        Registration.organisation.in_(list(by_name)))
        .order_by(Registration.id)).all()
    for registration in typed:
        if rng.random() < 0.5:
            attendees.link_tenant(session, staff, registration,
                              by_name[registration.organisation], event.ends_at)


def _register(session, rng, tenants, event, starts_at):
    """About capacity × 0.6–1.15 people register online; a few cancel, the waitlist moves."""
    people = []
    for _ in range(int(event.capacity * rng.uniform(0.6, 1.15))):
        data = _attendee(rng, tenants) | {"consent": True,
                                          "assessor_consent": rng.random() < 0.7}
        at = starts_at - timedelta(days=rng.uniform(0.2, 14))
        try:
            registration, created = rules.register(session, event, data, at)
        except Refused:
            continue
        if created:
            people.append(registration)
    for registration in rng.sample(people, len(people) // 20):
        rules.cancel_registration(session, None, registration, starts_at - timedelta(days=1))
    return people


def _check_in(session, rng, staff, device, event, people, tenants):
    """Most come (every check-in method); a few walk in; the paper event signs on paper."""
    present = [r for r in people if r.status == "registered" and rng.random() < 0.85]
    if event.title == PAPER_EVENT:
        checkin.record_paper(session, staff, event, [r.id for r in present], event.starts_at)
        return
    for registration in present:
        at = event.starts_at + timedelta(minutes=rng.uniform(-25, 40))
        method = rng.choices(("scanner", "self", "manual", "device"), (55, 25, 12, 8))[0]
        kwargs = {"user": staff} if method in ("scanner", "manual") else \
            {"device": device} if method == "device" else {}
        checkin.check_in(session, event.id, registration_id=registration.id, method=method,
                         now=at, **kwargs)
    for _ in range(rng.randrange(0, 5)):
        try:
            with session.begin_nested():
                checkin.walk_in(session, staff, event, _attendee(rng, tenants) | {
                    "consent": True}, event.starts_at + timedelta(minutes=rng.uniform(0, 60)))
        except Refused:  # a member who had registered already and is in
            pass


def _photo(rng):
    """A small JPEG standing in for a photo of the event."""
    image = Image.new("RGB", (480, 320), tuple(rng.randrange(120, 230) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(0, 440), rng.randrange(0, 280)
        draw.ellipse((x, y, x + 40, y + 40), fill=tuple(rng.randrange(30, 120) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def _pdf():
    """A one-page PDF standing in for a scanned notice."""
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")
