"""The registries of the seed's tables 27 (资源开发与配置机制), 28 (支持服务) and the second 28 (监督控制制度)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, UTCDateTime
from .enums import RegistryKind, RegistryStatus, one_of


class RegistryEntry(Base):
    """One mechanism, support service or supervision system: who leads it, its 制度 and where it stands.

    `key` is stable per kind (engine/registries/catalogue.csv): other features (service requests, the annual
    table's links) name an entry by it. `lead_unit_id` is the unit whose name is `lead` (None until a unit of
    that name exists); `cooperating` keeps the department names as written. `revision` counts changes of the
    制度 text or link, `document_date` is the date the current text took effect. `service_hours` (support
services only) is the due time of a service request's provider (engine/servicedesk/catalogue.py).
    """

    __tablename__ = "registry_entry"
    __table_args__ = (
        UniqueConstraint("kind", "key", name="uq_registry_entry_key"),
        one_of("kind", RegistryKind),
        one_of("status", RegistryStatus),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)  # the seed's row order
    title: Mapped[str] = mapped_column(String(120))
    lead: Mapped[str] = mapped_column(String(100))
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    cooperating: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default=RegistryStatus.PLANNED)
    document_text: Mapped[str | None] = mapped_column(Text)
    document_url: Mapped[str | None] = mapped_column(String(500))
    document_date: Mapped[date | None] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(120))  # the seed row it comes from
    service_hours: Mapped[int | None] = mapped_column(Integer)  # a service's due time; None: the default
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
