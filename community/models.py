"""The community core's tables: people and roles, settings, space, desks,
tenants, service records, evidence files and the audit trail."""
import hmac
import secrets
from datetime import date, datetime
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from community.extensions import db, login_manager
from community.dbsetup import UTCDateTime, utcnow

ZONE_KINDS = ("office", "open_desk", "roadshow_hall", "meeting_room", "leisure",
              "service_counter", "other")
SECTORS = ("智能制造", "智慧医疗", "智慧金融", "智慧文旅", "数字营销", "数字内容",
           "文化创意", "其他")
RELATIONSHIPS = ("resident", "served")


def new_session_token():
    return secrets.token_hex(16)

DESK_STATUSES = ("available", "out_of_service")


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of every login cookie (get_id): a new token ends every session the user
    # has open, on any device, even a stolen copy of a cookie (community/users.py).
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    # Set when an admin sets the password: the user must choose their own first.
    must_change_password: Mapped[bool] = mapped_column(default=False)

    tenant: Mapped["Tenant | None"] = relationship()

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


@login_manager.user_loader
def load_user(user_id):
    """The signed-in user of a session, unless the account was disabled or its
    sessions were ended since (logout, new password, new role)."""
    number, _, token = (user_id or "").partition(":")
    if not number.isdigit() or not token or len(number) > 9:
        return None
    user = db.session.get(User, int(number))
    if user is None or not user.active or not hmac.compare_digest(
            user.session_token.encode(), token.encode("utf-8", "replace")):
        return None
    return user


class Community(db.Model):
    """The single row of community settings."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    operator_name: Mapped[str] = mapped_column(String(200), default="")
    operator_uscc: Mapped[str] = mapped_column(String(18), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    district: Mapped[str] = mapped_column(String(100), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    period_start_on: Mapped[date]
    period_end_on: Mapped[date]
    # Attendees' personal data is kept for the acceptance review until this day.
    personal_data_until: Mapped[date | None]
    # The OPC rule (community/opc.py): which 企业类型 count, one per line, and how
    # many years after its founding a firm is still a startup (初创).
    opc_company_types: Mapped[str] = mapped_column(Text, default="")
    startup_years: Mapped[int] = mapped_column(default=5)
    # 附件2 一、基本情况: the operator's own record, as the application form asks it.
    founded_on: Mapped[date | None]  # 注册成立时间 (of the operator)
    registered_capital: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # 万元
    leader: Mapped[str] = mapped_column(String(100), default="")  # 负责人
    leader_phone: Mapped[str] = mapped_column(String(20), default="")
    contact: Mapped[str] = mapped_column(String(100), default="")  # 联系人
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    # 运营机构性质: public_institution / state_owned / private / other (+ its words)
    operator_nature: Mapped[str] = mapped_column(String(20), default="")
    operator_nature_other: Mapped[str] = mapped_column(String(100), default="")
    focus: Mapped[list] = mapped_column(JSON, default=list)  # 聚焦领域 (SECTORS, + own words)
    intro: Mapped[str] = mapped_column(Text, default="")  # 社区简介
    # The site: 自有 / 租赁 / 协议 (owned / leased / agreement) and its term (≥ 3 years).
    tenure_kind: Mapped[str] = mapped_column(String(12), default="")
    tenure_starts_on: Mapped[date | None]
    tenure_ends_on: Mapped[date | None]
    # The report's own words per section of 附件2 (基础能力, 建设目标): {key: text}.
    report_texts: Mapped[dict] = mapped_column(JSON, default=dict)


class Milestone(db.Model):
    """附件2 四、任务计划: what the operator promised by a date (2026-12, 2027-06,
    2027-12), in words and as figures per indicator {code: value} the report checks."""

    id: Mapped[int] = mapped_column(primary_key=True)
    due_on: Mapped[date] = mapped_column(unique=True)
    promise: Mapped[str] = mapped_column(Text, default="")
    figures: Mapped[dict] = mapped_column(JSON, default=dict)


class Target(db.Model):
    """A per-year target of one indicator (defaults from the bang)."""

    __table_args__ = (UniqueConstraint("code", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8))
    year: Mapped[int]
    value: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class Zone(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    floor: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    area_m2: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    capacity: Mapped[int] = mapped_column(default=0)
    bookable: Mapped[bool] = mapped_column(default=False)
    in_service_on: Mapped[date]
    out_of_service_on: Mapped[date | None]

    areas: Mapped[list["ZoneArea"]] = relationship(
        back_populates="zone", order_by="ZoneArea.effective_on",
        cascade="all, delete-orphan")


class ZoneArea(db.Model):
    """The area a zone had from a date on: last year's S1 stays provable after a change."""

    __table_args__ = (UniqueConstraint("zone_id", "effective_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id", ondelete="CASCADE"))
    area_m2: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    effective_on: Mapped[date]

    zone: Mapped[Zone] = relationship(back_populates="areas")


class Desk(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"), index=True)
    zero_rent: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(20), default="available")
    in_service_on: Mapped[date]

    zone: Mapped[Zone] = relationship()
    states: Mapped[list["DeskState"]] = relationship(
        order_by="DeskState.effective_on", cascade="all, delete-orphan")


class DeskState(db.Model):
    """A desk's status and zero-rent flag from a date on: S2 for a past period reads
    the state of its reference day, so changing a desk today never rewrites it."""

    __table_args__ = (UniqueConstraint("desk_id", "effective_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id", ondelete="CASCADE"))
    effective_on: Mapped[date]
    # The day the desk's next state takes effect (None: none yet), kept by
    # rules.set_desk_status, so the state on a day is a range test on one row.
    superseded_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20))
    zero_rent: Mapped[bool]


class Holiday(db.Model):
    """A day off (statutory holiday) or an adjusted working day (调休) of the
    official calendar, kept by staff per year with its source."""

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # "off" or "workday"
    name_zh: Mapped[str] = mapped_column(String(50), default="")
    name_en: Mapped[str] = mapped_column(String(50), default="")
    source: Mapped[str] = mapped_column(String(200), default="")


class Tenant(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_initials: Mapped[str] = mapped_column(String(200), default="", index=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    legal_rep: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(200), default="")
    sector: Mapped[str] = mapped_column(String(20))
    # 企业简介: what the firm does, in its words (the scenarios' matcher reads it).
    profile: Mapped[str] = mapped_column(Text, default="")
    relationship_kind: Mapped[str] = mapped_column("relationship", String(16))
    founded_on: Mapped[date]
    moved_in_on: Mapped[date | None]
    moved_out_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list["Member"]] = relationship(
        back_populates="tenant", order_by="Member.id", cascade="all, delete-orphan")
    licences: Mapped[list["Licence"]] = relationship(
        back_populates="tenant", order_by="Licence.effective_on",
        cascade="all, delete-orphan")


class Licence(db.Model):
    """What the tenant's business licence (营业执照) says from a date on: the facts an
    assessor checks before accepting it as an OPC (community/opc.py decides). A change
    (a second shareholder joins) is a new row from its date; earlier rows stay."""

    __table_args__ = (UniqueConstraint("tenant_id", "effective_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    effective_on: Mapped[date]
    # The day the tenant's next facts take effect (None: none yet), kept by
    # opc.record_licence, so the facts in effect on a day are a range test on one row.
    superseded_on: Mapped[date | None]
    company_type: Mapped[str] = mapped_column(String(60), default="")  # 企业类型, as written
    registered_capital: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # 万元
    investors: Mapped[int | None]  # 股东（投资人）人数
    # Staff's written decision over the rule: True / False, None = the rule decides.
    opc_override: Mapped[bool | None]
    override_reason: Mapped[str] = mapped_column(String(300), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tenant: Mapped["Tenant"] = relationship(back_populates="licences")


class Member(db.Model):
    """A person working in a tenant firm (founder or team)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20), default="")
    is_founder: Mapped[bool] = mapped_column(default=False)

    tenant: Mapped[Tenant] = relationship(back_populates="members")


class DeskAssignment(db.Model):
    """A desk given to a tenant member for [starts_on, ends_on] (inclusive; open when null).

    PostgreSQL also refuses overlaps with an exclusion constraint (see migrations)."""

    __table_args__ = (Index("ix_desk_assignment_desk_dates", "desk_id", "starts_on"),
                      # In force on a day, or ending soon: read from the index alone.
                      Index("ix_desk_assignment_ends", "ends_on", "starts_on", "desk_id"),
                      CheckConstraint("ends_on IS NULL OR ends_on >= starts_on",
                                      name="ck_desk_assignment_dates"))
    id: Mapped[int] = mapped_column(primary_key=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    desk: Mapped[Desk] = relationship()
    member: Mapped[Member] = relationship()
    tenant: Mapped[Tenant] = relationship()


class ServedRecord(db.Model):
    """One time a package served a tenant: the evidence behind S4 (community.served).
    A service that did not happen after all is voided, never deleted."""

    __table_args__ = (UniqueConstraint("source", "ref"),
                      Index("ix_served_record_on", "served_on", "tenant_id"),
                      Index("ix_served_record_tenant_on", "tenant_id", "served_on",
                            sqlite_where=text("voided_at IS NULL"),
                            postgresql_where=text("voided_at IS NULL")))
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    served_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(300), default="")
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str] = mapped_column(String(200), default="")

    tenant: Mapped[Tenant] = relationship()


class Attachment(db.Model):
    __table_args__ = (Index("ix_attachment_owner", "owner_type", "owner_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Never deleted: withdrawn (or replaced by a newer file) with a reason, and kept.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdraw_reason: Mapped[str] = mapped_column(String(300), default="")
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])


class PeriodLock(db.Model):
    """A reported period an admin closed (2026 H2 after the district review): a later
    change to a record dated inside it needs a reason and is marked in the trail."""

    id: Mapped[int] = mapped_column(primary_key=True)
    start_on: Mapped[date]
    end_on: Mapped[date]
    label: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    locked_by: Mapped[User | None] = relationship()


class AssessorGrant(db.Model):
    """The periods an assessor account may read (dashboard, ledgers, evidence, trail,
    packs); revoked, never deleted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    start_on: Mapped[date]
    end_on: Mapped[date]
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ReportPack(db.Model):
    """A report pack for a period (zip: workbook, evidence files, manifest, report),
    built in the background; `done`/`total` is its progress."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # half_year, annual, acceptance, custom
    start_on: Mapped[date]
    end_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="queued")  # running, done, failed
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    stored_name: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User | None] = relationship()


class AuditChain(db.Model):
    """The head of the audit trail's hash chain (one row): how many entries are
    sealed and the last one's hash. Locked while a transaction seals its entries."""

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    head: Mapped[str] = mapped_column(String(64), default="")


class AuditEntry(db.Model):
    """One change (or download) in the trail. `seq`/`prev_hash`/`hash` chain the
    entries in commit order (community.chain); `lock_id` marks a correction inside
    a locked period, its reason in `note`."""

    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int | None] = mapped_column(unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str | None] = mapped_column(String(64))
    lock_id: Mapped[int | None] = mapped_column(ForeignKey("period_lock.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None]
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()
