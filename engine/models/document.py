"""Documents people fill in, their immutable published versions, and the versioned templates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONType, UTCDateTime
from .enums import DocumentStatus, one_of
from .org import Subject

DOC_TYPES = ("target", "standard", "plan")


class FormTemplate(Base):
    """One version of a document template (seed tables 1-36); documents record the version they used."""

    __tablename__ = "form_template"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_form_template"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    subject_type: Mapped[str] = mapped_column(String(24))
    doc_type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    definition: Mapped[dict] = mapped_column(JSONType)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str | None] = mapped_column(Text)


class Document(Base):
    """A subject's document for a period: the working copy and where it stands."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("subject_id", "doc_type", "period", name="uq_document_period"),
        one_of("status", DocumentStatus),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    template_key: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=DocumentStatus.DRAFT)
    data: Mapped[dict] = mapped_column(JSONType)
    published_version: Mapped[int] = mapped_column(Integer, default=0)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    subject: Mapped[Subject] = relationship(lazy="joined")


class DocumentVersion(Base):
    """A published, immutable version ("上传诊改信息平台"); the migration forbids updates and deletes."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "version", name="uq_document_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSONType)
    template_key: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[int] = mapped_column(Integer)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str | None] = mapped_column(Text)


class DocumentShare(Base):
    """An explicit grant to read a document's published versions (seed §六(二)6(2) 授权共享)."""

    __tablename__ = "document_share"
    __table_args__ = (UniqueConstraint("document_id", "principal", name="uq_document_share"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    principal: Mapped[str] = mapped_column(String(80), index=True)
    label: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class Attachment(Base):
    """An evidence file uploaded for one row of a document (诊改实施 佐证材料)."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    row_id: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
