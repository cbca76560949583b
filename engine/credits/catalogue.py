"""The 认定标准 catalogue 党委学生工作部 keeps: items with 加分 / 减分, points, category, evidence required.

Every school starts with the set below (`load_defaults`, rows the school lacks, by code); 党委学生工作部 edits
items, adds its own and retires what it no longer recognises (inactive, never deleted: ledgers name them).
Each change is audited with the values before and after.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms.credits import CATEGORIES, DIRECTIONS, validate_item

from ..core import audit
from ..core.errors import N_, InvalidInput, NotFound, object_id
from ..models import CreditItem, User
from . import access

# (code, category, direction, points, title, evidence note ("" = no evidence required))
DEFAULTS = (
    ("M01", "moral", "add", 2.0, "获校级及以上优秀学生干部、三好学生等表彰", "表彰文件或荣誉证书"),
    ("M02", "moral", "add", 1.0, "党课、团课培训结业", "结业证书"),
    ("P01", "practice", "add", 1.0, "寒暑假社会实践（提交实践报告）", "实践报告及实践单位证明"),
    ("V01", "volunteer", "add", 1.0, "志愿服务（每满 20 小时）", "志愿服务时长证明"),
    ("C01", "culture", "add", 0.5, "参加校级文体活动", ""),
    ("C02", "culture", "add", 1.0, "校级文体比赛获奖", "获奖证书"),
    ("K01", "competition", "add", 4.0, "省级及以上职业技能大赛获奖", "获奖证书"),
    ("K02", "competition", "add", 2.0, "校级技能竞赛获奖", "获奖证书"),
    ("Z01", "certificate", "add", 2.0, "取得职业资格证书或职业技能等级证书", "证书复印件"),
    ("I01", "innovation", "add", 3.0, "创新创业项目立项或创新创业大赛获奖", "立项文件或获奖证书"),
    ("D01", "discipline", "deduct", 1.0, "通报批评", ""),
    ("D02", "discipline", "deduct", 2.0, "警告处分", ""),
    ("D03", "discipline", "deduct", 4.0, "严重警告及以上处分", ""),
    ("D04", "discipline", "deduct", 1.0, "旷课累计超过 20 学时", ""),
)


def load_defaults(session: Session, now: datetime) -> int:
    """The default items the school lacks (by code); returns how many were added. Idempotent."""
    have = set(session.scalars(select(CreditItem.code)))
    added = 0
    for position, (code, category, direction, points, title, note) in enumerate(DEFAULTS):
        if code in have:
            continue
        session.add(CreditItem(code=code, title=title, category=category, direction=direction, points=points,
                               evidence_required=bool(note), evidence_note=note, active=True, position=position,
                               updated_at=now))  # fmt: skip
        added += 1
    session.flush()
    return added


def items(session: Session, direction: str | None = None, active_only: bool = False) -> list[CreditItem]:
    """The catalogue in its order (加分 first, then 减分)."""
    stmt = select(CreditItem)
    if direction:
        stmt = stmt.where(CreditItem.direction == direction)
    if active_only:
        stmt = stmt.where(CreditItem.active)
    return sorted(session.scalars(stmt), key=lambda i: (i.direction != "add", i.position, i.id))


def get_item(session: Session, item_id) -> CreditItem:
    item = session.get(CreditItem, object_id(item_id, N_("认定项目不存在")))
    if item is None:
        raise NotFound(N_("认定项目不存在"))
    return item


def _snapshot(item: CreditItem) -> dict:
    return {"code": item.code, "title": item.title, "category": item.category, "direction": item.direction,
            "points": item.points, "evidence_required": item.evidence_required, "evidence_note": item.evidence_note,
            "active": item.active}  # fmt: skip


def save_item(session: Session, user: User, principals, item_id, payload: dict, now: datetime) -> CreditItem:
    """Add an item (`item_id` None) or change one; 党委学生工作部 and monitors only (else NotFound). Bad input is
    InvalidInput with the fields' messages and changes nothing; the change is audited."""
    if not access.manages(session, user, principals):
        raise NotFound(N_("页面不存在"))
    item = get_item(session, item_id) if item_id is not None else None
    taken = set(session.scalars(select(CreditItem.code).where(CreditItem.id != (item.id if item else -1))))
    try:
        clean = validate_item(payload, taken)
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    before = _snapshot(item) if item else None
    if item is None:
        position = session.scalar(select(func.coalesce(func.max(CreditItem.position), 0))) + 1
        item = CreditItem(position=position)
        session.add(item)
    for key, value in clean.items():
        setattr(item, key, value)
    item.updated_at, item.updated_by_id = now, user.id
    session.flush()
    action = "credit_item.save" if before else "credit_item.add"
    audit.record(session, actor_id=user.id, action=action, object_type="credit_item", object_id=item.id, now=now,
                 before=before, after=_snapshot(item))  # fmt: skip
    return item


__all__ = ["CATEGORIES", "DEFAULTS", "DIRECTIONS", "get_item", "items", "load_defaults", "save_item"]
