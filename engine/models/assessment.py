"""Developmental assessment (发展性考核, table 40): indicator systems as data, campaigns run by the
`assessment_campaign` process, the assessed units (targets) and each scorer's assignment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, UTCDateTime


class AssessmentSystem(Base):
    """One version of an indicator system (考核指标体系). `kind`: unit (职能部门/二级学院), program (专业/课程), staff
    (教师/辅导员/职员). `definition`: {"targets": [target kinds], "parts": [{key, name, items: [{key, name, max,
    connotation, observation: {target kind or "*": text}, scorers: {target kind or "*": [group keys]}}]}]}.
    A version is frozen (`frozen_at`) once a campaign uses it; a change then makes the next version."""

    __tablename__ = "assessment_system"
    __table_args__ = (UniqueConstraint("kind", "version", name="uq_assessment_system_kind_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    due: Mapped[str] = mapped_column(String(16))  # 编制时间 of the annual table, e.g. "4月30日"
    definition: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AssessmentCampaign(Base):
    """A year's assessment of the units of `target_kinds` on one system version. `status`: scoring -> review
    -> published. `settings`: {weights: {group: w}, thresholds: {excellent, good, pass}, quota: {mode: share |
    count, value}, agreement_share, sample}; `scoring_due`: when the BPMN timer closes scoring."""

    __tablename__ = "assessment_campaign"
    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("assessment_system.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(120))
    target_kinds: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), index=True)
    settings: Mapped[dict] = mapped_column(JSONType, default=dict)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    scoring_due: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AssessmentTarget(Base):
    """One assessed unit of a campaign, or one subject of the 2018 extension (a 专业, a 课程, a 教师 / 辅导员 / 职员's
    own subject; `org_unit_id` is then the subject's unit and `unit_kind` the target kind), and its result:
    `parts` {part key: score}, `detail` {items: {item key: {mean, groups: {group: mean}}}, agreement}; a veto
    (一票否决) or a 突出贡献 set with its reason."""

    __tablename__ = "assessment_target"
    __table_args__ = (
        UniqueConstraint("campaign_id", "org_unit_id", "subject_id", name="uq_assessment_target_subject"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("assessment_campaign.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    unit_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    veto_reason: Mapped[str | None] = mapped_column(Text)
    outstanding_reason: Mapped[str | None] = mapped_column(Text)
    total: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(16))
    rank: Mapped[int | None] = mapped_column(Integer)
    parts: Mapped[dict] = mapped_column(JSONType, default=dict)
    detail: Mapped[dict] = mapped_column(JSONType, default=dict)


class AssessmentAssignment(Base):
    """One scorer's scoring of one target for one scorer group (网上评价): `scores` {item key: points},
    `status` open -> draft -> submitted (final)."""

    __tablename__ = "assessment_assignment"
    __table_args__ = (UniqueConstraint("target_id", "scorer_id", "group_key", name="uq_assessment_assignment_scorer"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("assessment_campaign.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("assessment_target.id"), index=True)
    scorer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    group_key: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    scores: Mapped[dict] = mapped_column(JSONType, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
