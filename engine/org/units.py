"""The unit tree: create and change units (never delete: tasks, documents and history name them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import N_, InvalidInput, NotFound
from ..models import OrgUnit, User
from ..models.org import UNIT_KINDS

UNIT_KIND_LABELS = {
    "school": N_("学校"), "functional": N_("职能部门"), "college": N_("二级学院"),
    "office": N_("科室"), "teaching_section": N_("教研室"), "training_centre": N_("实训中心"),
}  # fmt: skip


@dataclass
class Node:
    unit: OrgUnit
    people: int = 0
    children: list[Node] = field(default_factory=list)


def top_units(session: Session, unit_ids) -> dict[int, int]:
    """Each unit's 诊改 unit (`OrgUnit.top_id`), read at once."""
    ids = sorted({i for i in unit_ids if i is not None})
    if not ids:
        return {}
    return {u.id: u.top_id for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}


def tree(session: Session) -> list[Node]:
    """The units as a forest (roots first, children by kind and code), with the active people of each."""
    people = dict(
        session.execute(select(User.org_unit_id, func.count()).where(User.active).group_by(User.org_unit_id)).all()
    )
    units = session.scalars(select(OrgUnit).order_by(OrgUnit.code)).all()
    nodes = {u.id: Node(u, people.get(u.id, 0)) for u in units}
    roots = []
    order = {k: i for i, k in enumerate(UNIT_KINDS)}
    for u in units:
        parent = nodes.get(u.parent_id)
        (parent.children if parent else roots).append(nodes[u.id])
    for n in nodes.values():
        n.children.sort(key=lambda c: (order.get(c.unit.kind, 99), c.unit.code))
    return roots


def flatten(roots: list[Node], depth: int = 0):
    """(depth, node) in tree order."""
    for n in roots:
        yield depth, n
        yield from flatten(n.children, depth + 1)


def _check(session: Session, code: str, name: str, kind: str, parent_id: int | None, unit: OrgUnit | None) -> dict:
    errors = {}
    if not code or len(code) > 32:
        errors["code"] = N_("请填写单位代码（最多 32 个字符）")
    if not name or len(name) > 100:
        errors["name"] = N_("请填写单位名称（最多 100 个字符）")
    if kind not in UNIT_KIND_LABELS:
        errors["kind"] = N_("请选择单位类型")
    if kind != "school" and parent_id is None:
        errors["parent_id"] = N_("请选择上级单位")
    if parent_id is not None:
        parent = session.get(OrgUnit, parent_id)
        if parent is None:
            errors["parent_id"] = N_("上级单位不存在")
        elif unit is not None:
            seen = parent
            while seen is not None:  # no unit under itself
                if seen.id == unit.id:
                    errors["parent_id"] = N_("上级单位不能是本单位或它的下级")
                    break
                seen = session.get(OrgUnit, seen.parent_id) if seen.parent_id else None
    other = session.scalar(select(OrgUnit).where(OrgUnit.code == code)) if code else None
    if other is not None and other is not unit:
        errors["code"] = N_("单位代码已被使用")
    if errors:
        raise InvalidInput(N_("请修改标出的项目"), fields=errors)
    return {"code": code, "name": name, "kind": kind, "parent_id": parent_id}


def create(session: Session, actor: User, now: datetime, code: str, name: str, kind: str,
           parent_id: int | None) -> OrgUnit:  # fmt: skip
    values = _check(session, code.strip(), name.strip(), kind, parent_id, None)
    unit = OrgUnit(**values, active=True)
    session.add(unit)
    session.flush()
    audit.record(session, now=now, actor_id=actor.id, action="unit.create", object_type="org_unit",
                 object_id=unit.id, after=values)  # fmt: skip
    return unit


def update(session: Session, actor: User, now: datetime, unit_id: int, code: str, name: str, kind: str,
           parent_id: int | None, active: bool) -> OrgUnit:  # fmt: skip
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound(N_("单位不存在"))
    values = _check(session, code.strip(), name.strip(), kind, parent_id, unit)
    values["active"] = active
    before = {k: getattr(unit, k) for k in values}
    if before == values:
        return unit
    for k, v in values.items():
        setattr(unit, k, v)
    audit.record(session, now=now, actor_id=actor.id, action="unit.update", object_type="org_unit",
                 object_id=unit.id, before=before, after=values)  # fmt: skip
    return unit
