"""The scenarios tables: application scenarios (应用场景) and every stage they
went through, the firms matched to them and the founders interested, the
sourcing work that discovered them, and the cached words of each firm's profile
the matcher compares."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.dbsetup import UTCDateTime, utcnow
from community.extensions import db
from community.models import Tenant, User

OWNER_TYPES = ("government", "soe", "private", "hospital_school", "other")
SOURCES = ("district_joint", "city_list", "enterprise_demand", "community", "other")
# The pipeline in its order; "dropped" stands apart (终止, with a reason).
STAGES = ("discovered", "published", "matched", "piloting", "landed")
ALL_STAGES = STAGES + ("dropped",)
ACTIVITY_KINDS = ("visit", "district_meeting", "demand_collection", "other")


class SourcingActivity(db.Model):
    """Discovery work: a visit, a district meeting, a demand collection (场景挖掘工作)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date]
    staff: Mapped[str] = mapped_column(String(200))  # who went
    counterpart: Mapped[str] = mapped_column(String(300))  # with whom
    district: Mapped[str] = mapped_column(String(50), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Scenario(db.Model):
    """An application scenario: a demand owner's need a community firm could meet."""

    __table_args__ = (Index("ix_scenario_stage", "stage"),
                      Index("ix_scenario_discovered_on", "discovered_on"),
                      Index("ix_scenario_landed_on", "landed_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_name: Mapped[str] = mapped_column(String(200))  # the demand owner (需求方)
    owner_type: Mapped[str] = mapped_column(String(20))
    owner_uscc: Mapped[str | None] = mapped_column(String(18))
    source: Mapped[str] = mapped_column(String(20))
    joint_with_district: Mapped[bool] = mapped_column(default=False)  # 联合所在区
    district: Mapped[str] = mapped_column(String(50), default="")
    sectors: Mapped[list] = mapped_column(JSON, default=list)  # the tenants' sector names
    tags: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    budget_fen: Mapped[int | None]
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("sourcing_activity.id"))
    # Said on entry when it looked like one already recorded (same owner, similar title).
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("scenario.id"))
    duplicate_reason: Mapped[str] = mapped_column(String(300), default="")
    # The stage now and the day it was discovered / landed (the full story: ScenarioStage).
    stage: Mapped[str] = mapped_column(String(16), default="discovered")
    discovered_on: Mapped[date]
    landed_on: Mapped[date | None]
    contract_value_fen: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[SourcingActivity | None] = relationship()
    stages: Mapped[list["ScenarioStage"]] = relationship(
        back_populates="scenario", order_by="ScenarioStage.id")
    matches: Mapped[list["ScenarioMatch"]] = relationship(
        back_populates="scenario", order_by="ScenarioMatch.id")


class ScenarioStage(db.Model):
    """One step of a scenario's pipeline, dated and kept (a step back says why)."""

    __table_args__ = (Index("ix_scenario_stage_scenario", "scenario_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"))
    stage: Mapped[str] = mapped_column(String(16))
    entered_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(300), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scenario: Mapped[Scenario] = relationship(back_populates="stages")
    actor: Mapped[User | None] = relationship()


class ScenarioMatch(db.Model):
    """A firm staff confirmed for a scenario (it serves the firm: S4)."""

    __table_args__ = (UniqueConstraint("scenario_id", "tenant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"))
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    matched_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(500), default="")  # why it was suggested
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawn_on: Mapped[date | None]
    withdraw_reason: Mapped[str] = mapped_column(String(300), default="")

    scenario: Mapped[Scenario] = relationship(back_populates="matches")
    tenant: Mapped[Tenant] = relationship()


class ScenarioInterest(db.Model):
    """A founder said its firm is interested in a published scenario."""

    __table_args__ = (UniqueConstraint("scenario_id", "tenant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"))
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scenario: Mapped[Scenario] = relationship()
    tenant: Mapped[Tenant] = relationship()


class ProfileWords(db.Model):
    """The words of a firm's name and profile (jieba), kept until the text changes:
    ranking 300 firms must not segment 300 profiles each time."""

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"),
                                           primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    words: Mapped[list] = mapped_column(JSON, default=list)
