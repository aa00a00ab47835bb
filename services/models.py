"""The services tables: the provider directory and its agreements, the service
catalogue, service requests (not the core's ServedRecord, which they feed),
subsidy quotas and grants, provider bills, financing matchmaking and living
amenities. Money is integer fen; 万元 amounts and quantities are Decimal."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.dbsetup import UTCDateTime, utcnow
from community.extensions import db
from community.models import Tenant, User

# Who a provider is (服务资源清单).
PROVIDER_KINDS = ("registration_agent", "bookkeeping", "tax_agent", "law_firm", "testing_lab",
                  "patent_agency", "pilot_platform", "poc_centre", "compute", "model", "data",
                  "devtools", "bank", "investor", "other")
FINANCIAL_KINDS = ("bank", "investor")
# What a catalogue entry belongs to: G1's package, G1's referrals, P1's support, other.
SECTIONS = ("package", "referral", "professional", "other")
UNITS = ("times", "hours", "gpu_hours", "wan_tokens", "yuan")
REQUEST_STATUSES = ("requested", "assigned", "in_progress", "completed", "cancelled")
OPEN_STATUSES = ("requested", "assigned", "in_progress")
MEASURES = ("quantity", "value")  # a quota counts the category's unit, or yuan
NEED_STAGES = ("seed", "angel", "pre_a", "series_a", "series_b", "debt", "other")
NEED_STATUSES = ("open", "met", "withdrawn")
MEETING_OUTCOMES = ("pending", "interested", "declined", "term_sheet", "invested", "loan")
FORMATIONS = ("own", "joint")  # 组建形式：自建、合建
AMENITY_KINDS = ("apartment", "canteen", "shop", "business", "transport", "other")
BILL_LINE_STATUSES = ("matched", "differs", "unmatched", "unbilled")


class ServiceCategory(db.Model):
    """A catalogue entry: a service the community offers, its unit and target time.
    Built-in entries (the six of the package among them) have a `code` and always exist."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(30), unique=True)
    section: Mapped[str] = mapped_column(String(16))  # one of SECTIONS
    name: Mapped[str] = mapped_column(String(60), unique=True)
    unit: Mapped[str] = mapped_column(String(16), default="times")
    free: Mapped[bool] = mapped_column(default=True)
    target_days: Mapped[int] = mapped_column(default=10)  # requested -> completed
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=100)


class Provider(db.Model):
    """An organisation the community links its firms to: an intermediary, a pilot
    platform, a compute or model provider, a bank or an investor."""

    __table_args__ = (CheckConstraint(
        "resident_since IS NULL OR resident_until IS NULL OR resident_until >= resident_since",
        name="provider_residency"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    # Checked when given; only a provider without one (abroad, a person) leaves it empty.
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    qualifications: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    resident: Mapped[bool] = mapped_column(default=False)  # 入驻金融机构 (banks, investors)
    # When it moved in and out: what a past period's 入驻金融机构 reads. A resident
    # provider without resident_since counts from the day it entered the directory.
    resident_since: Mapped[date | None]
    resident_until: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    categories: Mapped[list[ServiceCategory]] = relationship(
        secondary="provider_category", order_by="ServiceCategory.position")
    agreements: Mapped[list["Agreement"]] = relationship(
        back_populates="provider", order_by="Agreement.starts_on")


class ProviderCategory(db.Model):
    """Which catalogue entries a provider delivers."""

    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"),
                                             primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("service_category.id"),
                                             primary_key=True)


class Agreement(db.Model):
    """A cooperation agreement with a provider (合作协议); its file is an attachment.
    A renewal is a new agreement: the old one stays as it was."""

    __table_args__ = (CheckConstraint("ends_on IS NULL OR ends_on >= starts_on",
                                      name="agreement_dates"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[date | None]
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]  # None: until terminated
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship(back_populates="agreements")


class ServiceRequest(db.Model):
    """A firm's request for a catalogue service, from asking to the firm's rating.
    Each step is dated, so the ledger shows response and completion times."""

    __table_args__ = (Index("ix_service_request_status", "status", "requested_at"),
                      CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)",
                                      name="service_request_rating"))
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("service_category.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="requested")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_on: Mapped[date | None]  # the community's day it was delivered
    outcome: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    value_fen: Mapped[int | None]
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None]
    rating_comment: Mapped[str] = mapped_column(String(500), default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")

    tenant: Mapped[Tenant] = relationship()
    category: Mapped[ServiceCategory] = relationship()
    provider: Mapped[Provider | None] = relationship()
    requested_by: Mapped[User | None] = relationship()


class Quota(db.Model):
    """How much of a subsidised kind a firm may be granted in a year."""

    __table_args__ = (UniqueConstraint("tenant_id", "year", "category_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    year: Mapped[int]
    category_id: Mapped[int] = mapped_column(ForeignKey("service_category.id"))
    measure: Mapped[str] = mapped_column(String(10), default="quantity")
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # in the unit, or yuan

    tenant: Mapped[Tenant] = relationship()
    category: Mapped[ServiceCategory] = relationship()


class Grant(db.Model):
    """A subsidy granted to a firm (P1): compute, tokens, data, models, tools.
    A wrong grant is voided with a reason, never deleted."""

    __tablename__ = "subsidy_grant"
    __table_args__ = (Index("ix_grant_granted_on", "granted_on"),
                      Index("ix_grant_quota", "tenant_id", "category_id", "granted_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("service_category.id"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"),
                                                   unique=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    value_fen: Mapped[int] = mapped_column(default=0)
    granted_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str] = mapped_column(String(200), default="")

    tenant: Mapped[Tenant] = relationship()
    category: Mapped[ServiceCategory] = relationship()
    provider: Mapped[Provider | None] = relationship()


class Bill(db.Model):
    """A provider's bill, imported and reconciled against the grants it covers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    provider: Mapped[Provider] = relationship()
    lines: Mapped[list["BillLine"]] = relationship(back_populates="bill",
                                                   order_by="BillLine.id")


class BillLine(db.Model):
    """One reconciled line: a bill row and the grant it matched (or not)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id", ondelete="CASCADE"), index=True)
    row_no: Mapped[int | None]  # the bill's row; None for a grant the bill left out
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    billed_on: Mapped[date | None]
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    value_fen: Mapped[int | None]
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("subsidy_grant.id"))
    status: Mapped[str] = mapped_column(String(12))

    bill: Mapped[Bill] = relationship(back_populates="lines")
    tenant: Mapped[Tenant] = relationship()
    grant: Mapped[Grant | None] = relationship()


class FinanceProduct(db.Model):
    """A financial service product of the community (社区专项金融服务产品)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    scale_wan: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # 金融服务规模（万元）
    formation: Mapped[str] = mapped_column(String(10), default="own")  # 自建 / 合建
    partners: Mapped[str] = mapped_column(String(300), default="")  # 合建机构
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]

    provider: Mapped[Provider | None] = relationship()


class FinancingNeed(db.Model):
    """What a firm seeks to raise: amount (万元) and stage."""

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    amount_wan: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    stage: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="open")
    raised_on: Mapped[date]
    closed_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    tenant: Mapped[Tenant] = relationship()


class MatchMeeting(db.Model):
    """A matchmaking meeting between a firm and an investor or bank (投融资对接)."""

    __table_args__ = (Index("ix_match_meeting_met_on", "met_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("financing_need.id"))
    met_on: Mapped[date]
    outcome: Mapped[str] = mapped_column(String(16), default="pending")
    amount_wan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    outcome_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Recorded in error: kept, voided with why; F1 and S4 no longer count it.
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str] = mapped_column(String(200), default="")

    tenant: Mapped[Tenant] = relationship()
    provider: Mapped[Provider] = relationship()
    need: Mapped[FinancingNeed | None] = relationship()


class Amenity(db.Model):
    """A living amenity near or in the community (生活配套)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(300), default="")
    distance_m: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")
    listed_on: Mapped[date]
    withdrawn_on: Mapped[date | None]
