"""Data feeds of table 37 (教学过程信息采集): their definitions, the providers' tokens and the records received."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, UTCDateTime

SOURCE_KINDS = ("teacher", "student", "counselor", "staff", "class")  # 信息源: 教师, 学生, 辅导员, 职员, 班级
DELIVERY_MODES = ("api", "upload", "form")  # 接口推送, 文件导入, 人工填报


class FeedDefinition(Base):
    """One information type of table 37. `fields` is a list of {key, label, type (number|text), unit, min, max}
    (min/max: the threshold, optional, numbers only); the lead department edits fields and provider."""

    __tablename__ = "feed_definition"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    lead_function: Mapped[str] = mapped_column(String(32))  # FunctionKey of the lead department
    source_kind: Mapped[str] = mapped_column(String(16))  # SOURCE_KINDS
    provider: Mapped[str] = mapped_column(String(100))
    fields: Mapped[list] = mapped_column(JSONType, default=list)
    delivery: Mapped[list] = mapped_column(JSONType, default=list)  # DELIVERY_MODES
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class FeedToken(Base):
    """A provider's push token for one feed, stored as its SHA-256; shown once at issue."""

    __tablename__ = "feed_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feed_definition.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(8))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedRecord(Base):
    """One record a provider sent: unique per (feed_key, record_key); `subject_id` is the 信息源's subject (a
    teacher's or student's own), else the source's user or class is named."""

    __tablename__ = "feed_record"
    __table_args__ = (
        UniqueConstraint("feed_key", "record_key", name="uq_feed_record_key"),
        Index("ix_feed_record_feed_occurred", "feed_key", "occurred_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    feed_key: Mapped[str] = mapped_column(String(48))
    record_key: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    values: Mapped[dict] = mapped_column(JSONType, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_via: Mapped[str] = mapped_column(String(8))  # DELIVERY_MODES
    batch_id: Mapped[str] = mapped_column(String(32), index=True)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
