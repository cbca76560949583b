"""Registry entries: load the seed's catalogue, list and filter them, edit one (lead department, 质量管理处)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.registry import clean_entry, split_names

from ..core import audit
from ..core.errors import N_, InvalidInput, NotFound, object_id
from ..models import OrgUnit, RegistryEntry, RegistryKind, RegistryStatus
from ..models.org import COLLEGE, FUNCTIONAL
from ..org import policy

CATALOGUE = Path(__file__).resolve().parent / "catalogue.csv"
KIND_LABELS = {
    RegistryKind.MECHANISM: N_("资源开发与配置机制"),
    RegistryKind.SERVICE: N_("支持服务"),
    RegistryKind.SUPERVISION: N_("监督控制制度"),
}
STATUS_LABELS = {
    RegistryStatus.PLANNED: N_("计划中"),
    RegistryStatus.DRAFTING: N_("制定中"),
    RegistryStatus.IN_FORCE: N_("已施行"),
    RegistryStatus.REVISING: N_("修订中"),
    RegistryStatus.RETIRED: N_("已废止"),
}


def catalogue_rows() -> list[dict]:
    with CATALOGUE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_catalogue(session: Session, now: datetime) -> int:
    """Add the catalogue's entries a school does not have yet (by kind and key), status 计划中; entries already
    there are left as the school edited them. The lead department is the unit of that name, when one exists
    (an entry loaded before the school's units were imported gets it when `zhengai init` runs again).
    Returns how many were added."""
    units = dict(session.execute(select(OrgUnit.name, OrgUnit.id)).all())
    have = set()
    for entry in session.scalars(select(RegistryEntry)):
        have.add((entry.kind, entry.key))
        if entry.lead_unit_id is None and entry.lead in units:  # the school's units were imported since
            entry.lead_unit_id = units[entry.lead]
    added = 0
    for position, row in enumerate(catalogue_rows(), start=1):
        if (row["kind"], row["key"]) in have:
            continue
        session.add(
            RegistryEntry(
                kind=row["kind"], key=row["key"], position=position, title=row["title"], lead=row["lead"],
                lead_unit_id=units.get(row["lead"]), cooperating=split_names(row["cooperating"]),
                status=RegistryStatus.PLANNED, revision=0, source=row["seed_row"], updated_at=now,
            )
        )  # fmt: skip
        added += 1
    session.flush()
    return added


def _kind(kind) -> RegistryKind:
    if kind not in RegistryKind.__members__.values():
        raise NotFound(N_("页面不存在"))
    return RegistryKind(kind)


def entries(session: Session, kind, *, lead_unit_id=None, status=None) -> list[RegistryEntry]:
    """One registry's entries in the seed's order, filtered by lead department and status (unknown values
    match nothing)."""
    stmt = select(RegistryEntry).where(RegistryEntry.kind == _kind(kind))
    if lead_unit_id:
        wanted = str(lead_unit_id)
        stmt = stmt.where(RegistryEntry.lead_unit_id == (int(wanted) if wanted.isdigit() and len(wanted) < 12 else -1))
    if status:
        stmt = stmt.where(RegistryEntry.status == str(status)[:16])
    return list(session.scalars(stmt.order_by(RegistryEntry.position, RegistryEntry.id)))


def services(session: Session, *, in_force_only: bool = False) -> list[RegistryEntry]:
    """The support-service catalogue (table 28) by stable `key`: what service requests name."""
    found = entries(session, RegistryKind.SERVICE)
    return [e for e in found if e.status == RegistryStatus.IN_FORCE] if in_force_only else found


def ids_by_key(session: Session) -> dict[tuple[str, str], int]:
    """Every entry's id by (kind, key): what the annual table's links resolve to."""
    rows = session.execute(select(RegistryEntry.id, RegistryEntry.kind, RegistryEntry.key))
    return {(kind, key): entry_id for entry_id, kind, key in rows}


def get_entry(session: Session, entry_id) -> RegistryEntry:
    """Any entry (everyone signed in reads the registries), or NotFound."""
    entry = session.get(RegistryEntry, object_id(entry_id, N_("条目不存在")))
    if entry is None:
        raise NotFound(N_("条目不存在"))
    return entry


def lead_units(session: Session) -> list[OrgUnit]:
    """The units that can lead an entry: active 职能部门 and 二级学院."""
    stmt = select(OrgUnit).where(OrgUnit.kind.in_((FUNCTIONAL, COLLEGE)), OrgUnit.active.is_(True))
    return list(session.scalars(stmt.order_by(OrgUnit.kind.desc(), OrgUnit.code)))


def may_edit(user, principals, entry: RegistryEntry) -> bool:
    return policy.may_edit_registry_entry(policy.viewer(user, principals), entry.lead_unit_id)


def editable_entry(session: Session, user, principals, entry_id) -> RegistryEntry:
    """An entry the user may edit, or NotFound."""
    entry = get_entry(session, entry_id)
    if not may_edit(user, principals, entry):
        raise NotFound(N_("条目不存在"))
    return entry


def update_entry(session: Session, user, principals, entry_id, fields, now: datetime) -> RegistryEntry:
    """Its lead department or 质量管理处 edits an entry; a refused edit changes nothing. A new 制度 text or
    link counts as the next revision. Anyone else is told the edit form does not exist (404, as every
    refusal of the policy: engine/org/policy/), though they read the entry."""
    entry = editable_entry(session, user, principals, entry_id)
    try:
        clean = clean_entry(fields, tuple(RegistryStatus))
    except ValidationError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.messages) from None
    lead = next((u for u in lead_units(session) if u.id == clean["lead_unit_id"]), None)
    if lead is None:
        raise InvalidInput(N_("请检查填写的内容"), fields={"lead_unit_id": [N_("请选择牵头部门")]})
    before = _snapshot(entry)
    changed_document = (clean["document_text"] or None, clean["document_url"] or None) != (
        entry.document_text,
        entry.document_url,
    )
    entry.lead, entry.lead_unit_id = lead.name, lead.id
    entry.cooperating, entry.status, entry.note = clean["cooperating"], clean["status"], clean["note"] or None
    entry.document_text, entry.document_url = clean["document_text"] or None, clean["document_url"] or None
    entry.document_date = clean["document_date"]
    if entry.kind == RegistryKind.SERVICE:
        entry.service_hours = clean["service_hours"]
    if changed_document:
        entry.revision += 1
    entry.updated_at, entry.updated_by_id = now, user.id
    audit.record(
        session, actor_id=user.id, action="registry.update", object_type="registry_entry", object_id=entry.id,
        now=now, before=before, after=_snapshot(entry),
    )  # fmt: skip
    return entry


def set_status(session: Session, entry: RegistryEntry, status: RegistryStatus, now: datetime, **document) -> None:
    """Set an entry's status and 制度 directly (the demo school's history; no permission check, no form)."""
    before = _snapshot(entry)
    entry.status = status
    for name, value in document.items():
        setattr(entry, name, value)
    if document.get("document_text") or document.get("document_url"):
        entry.revision += 1
    entry.updated_at = now
    audit.record(
        session, actor_id=None, action="registry.update", object_type="registry_entry", object_id=entry.id,
        now=now, before=before, after=_snapshot(entry),
    )  # fmt: skip


def _snapshot(entry: RegistryEntry) -> dict:
    return {
        "lead": entry.lead, "cooperating": list(entry.cooperating or []), "status": str(entry.status),
        "document_url": entry.document_url, "document_date": entry.document_date.isoformat()
        if entry.document_date else None, "revision": entry.revision, "text_chars": len(entry.document_text or ""),
        "service_hours": entry.service_hours,
    }  # fmt: skip
