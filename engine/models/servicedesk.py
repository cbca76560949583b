"""Service requests (table 38): a teacher's or student's request for a support service of the catalogue
(table 28), run by the `service_request` process; this row is what the lists read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class ServiceRequest(Base):
    """One request: what, where, how to reach the requester, who provides it, how it stands.

    `status` follows the process (engine/servicedesk/requests.py STATUSES); `due_at` is the provider's
    service-level due time (the entry's hours), `escalated_at` when the BPMN timer escalated it,
    `unresolved_at` when the requester first reported 服务未落实, `closed_at` when it ended.
    """

    __tablename__ = "service_request"
    __table_args__ = (Index("ix_service_request_provider_status", "provider_unit_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("registry_entry.id"))
    service_key: Mapped[str] = mapped_column(String(64))
    service_title: Mapped[str] = mapped_column(String(120))
    provider_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), index=True)
    service_hours: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unresolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
