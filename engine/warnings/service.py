"""Warnings (预警, seed figure 11 and table 39): raise, report, acknowledge, resolve, list.

Five cases: 工作标准制定未落实, 基本标准制定未落实, 质量事故, 未达到基本标准, 安全隐患. The first two and
"below a basic standard" are raised by rules on the data (engine/warnings/rules.py, run by every
scheduler tick); quality accidents and safety hazards are reported by hand.

Levels: red (红色) needs action now, yellow (黄色) needs handling, blue (蓝色) is an early notice.
A rule warning is raised yellow and turns red once its condition has lasted more than 30 days (a
milestone more than 30 days overdue is raised red at once); levels never go down by themselves. A
manual report carries the level its reporter chose and keeps it.

Lifecycle: raised -> acknowledged -> resolved; acknowledging takes an optional note, resolving a
required one, every step is appended to the warning's notes and written to the audit log.

Who sees what (the rules are engine/org/policy/'s): 质量管理处 (its members and every monitor:
诊改办公室, 信息化处's platform group, administrators) sees every warning; a department's members and its
heads, reviewers and leaders see the department's; the responsible person and the reporter see theirs;
保卫处, the information provider of 安全隐患 in table 39, sees every safety hazard. Students see only
warnings naming them. Heads, reviewers and staff of the responsible department, the responsible person
and the all-seeing act on a warning; teachers of a college read it. Everybody else gets 404, whether the
warning exists or not.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..core import audit, paging
from ..core.errors import N_, Conflict, InvalidInput, NotFound, object_id
from ..core.paging import Page
from ..models import (
    Notification,
    OrgUnit,
    QualityWarning,
    Role,
    RoleAssignment,
    ScopeType,
    User,
    WarningLevel,
    WarningStatus,
)
from ..org import functions, policy
from . import table39

KINDS = {
    "work_standard_missing": N_("工作标准制定未落实"),
    "basic_standard_missing": N_("基本标准制定未落实"),
    "quality_accident": N_("质量事故"),
    "below_basic_standard": N_("未达到基本标准"),
    "safety_hazard": N_("安全隐患"),
}
MANUAL_KINDS = ("quality_accident", "safety_hazard")
LEVELS = {WarningLevel.RED: N_("红色"), WarningLevel.YELLOW: N_("黄色"), WarningLevel.BLUE: N_("蓝色")}
STATUSES = {
    WarningStatus.RAISED: N_("待确认"), WarningStatus.ACKNOWLEDGED: N_("处理中"), WarningStatus.RESOLVED: N_("已解除"),
}  # fmt: skip
OPEN = (WarningStatus.RAISED, WarningStatus.ACKNOWLEDGED)
NOTE_ACTIONS = {
    "raise": N_("发出预警"), "report": N_("报告"), "acknowledge": N_("确认"), "resolve": N_("解除"),
    "note": N_("补充说明"), "escalate": N_("升级为红色"), "update": N_("新增逾期任务"), "reopen": N_("重新预警"),
    "auto_resolve": N_("自动解除"), "propose": N_("提出等级认定建议"), "decide": N_("认定事故等级"),
    "record": N_("记录处理结果"), "criterion": N_("新增未达标项"),
}  # fmt: skip
RED_AFTER = timedelta(days=30)
MAX_NOTE = 2000


def level_for(since: datetime, now: datetime) -> str:
    """The level of a rule warning whose condition began at `since`."""
    return WarningLevel.RED if now - since > RED_AFTER else WarningLevel.YELLOW


# -- who sees and acts: engine/org/policy/ ---------------------------------------------------------------


def sees_all(user: User, principals: list[str]) -> bool:
    return policy.sees_all_warnings(policy.viewer(user, principals))


def may_act(user: User, principals: list[str], w: QualityWarning) -> bool:
    """Acknowledge, resolve and add notes: the responsible side and 质量管理处."""
    return policy.may_act_on_warning(policy.viewer(user, principals), w)


def reportable_kinds(user: User, principals: list[str]) -> list[str]:
    """The manual cases this user may report."""
    allowed = policy.reportable_warning_kinds(policy.viewer(user, principals))
    return [kind for kind in MANUAL_KINDS if kind in allowed]


def _visible(user: User, principals: list[str]):
    return policy.warning_visible(policy.viewer(user, principals))


warning_visible_clause = _visible  # the same condition, for the other modules of this package


def get_warning(session: Session, user: User, principals: list[str], warning_id) -> QualityWarning:
    """A warning the user may see, or NotFound: never reveal whether an id exists."""
    wid = object_id(warning_id, N_("预警不存在"))
    stmt = select(QualityWarning).where(QualityWarning.id == wid)
    if (clause := _visible(user, principals)) is not None:
        stmt = stmt.where(clause)
    w = session.scalar(stmt)
    if w is None:
        raise NotFound(N_("预警不存在"))
    return w


# -- listing -----------------------------------------------------------------------------------------

SEVERITY = case(
    (QualityWarning.level == WarningLevel.RED, 0), (QualityWarning.level == WarningLevel.YELLOW, 1), else_=2
)


WarningPage = Page  # rows, total, page, per_page, pages


def list_warnings(
    session: Session,
    user: User,
    principals: list[str],
    *,
    status: str | None = "open",
    level: str | None = None,
    kind: str | None = None,
    unit_id=None,
    page: int = 1,
    per_page: int = 50,
    type_key: str | None = None,
) -> WarningPage:
    """One page of the warnings the user may see, most severe first; `status` "open" means not resolved."""
    where = []
    if (clause := _visible(user, principals)) is not None:
        where.append(clause)
    if status == "open":
        where.append(QualityWarning.status.in_(OPEN))
    elif status in STATUSES:
        where.append(QualityWarning.status == status)
    if level in LEVELS:
        where.append(QualityWarning.level == level)
    if kind in KINDS:
        where.append(QualityWarning.kind == kind)
    if type_key in table39.BY_KEY:
        where.append(QualityWarning.type_key == type_key)
    if unit_id not in (None, ""):
        try:
            where.append(QualityWarning.org_unit_id == int(unit_id))
        except (TypeError, ValueError):
            pass
    per_page = max(1, min(int(per_page), 200))
    page = max(1, int(page))
    resolved_last = case((QualityWarning.status == WarningStatus.RESOLVED, 1), else_=0)
    rows = session.scalars(
        select(QualityWarning)
        .where(*where)
        .order_by(resolved_last, SEVERITY, QualityWarning.since_at, QualityWarning.id)
        .limit(per_page)
        .offset(paging.offset(page, per_page))
    ).all()
    total = session.scalar(select(func.count()).select_from(QualityWarning).where(*where))
    return WarningPage(list(rows), total, page, per_page)


def inbox_panel(session: Session, user: User, principals: list[str], limit: int = 5) -> tuple[list, int]:
    """The user's most severe open warnings and how many are open: one query (a window count)."""
    stmt = select(QualityWarning, func.count().over().label("total")).where(QualityWarning.status.in_(OPEN))
    if (clause := _visible(user, principals)) is not None:
        stmt = stmt.where(clause)
    result = session.execute(stmt.order_by(SEVERITY, QualityWarning.since_at, QualityWarning.id).limit(limit)).all()
    return [r[0] for r in result], (result[0][1] if result else 0)


def units_for_form(session: Session) -> list[tuple[int, str, str]]:
    """Departments and colleges a warning can be addressed to: (id, name, kind)."""
    return list(
        session.execute(
            select(OrgUnit.id, OrgUnit.name, OrgUnit.kind)
            .where(OrgUnit.kind != "school")
            .order_by(OrgUnit.kind, OrgUnit.id)
        ).all()
    )


# -- state changes -----------------------------------------------------------------------------------


def note_entry(user: User | None, action: str, text: str, now: datetime) -> dict:
    return {"at": now.isoformat(), "user_id": user.id if user else None,
            "user": user.display_name if user else "系统", "action": action, "text": text}  # fmt: skip


def add_note_entry(w: QualityWarning, entry: dict) -> None:
    w.notes = [*(w.notes or []), entry]  # a new list, so the JSON column is seen as changed


def _snapshot(w: QualityWarning) -> dict:
    return {"status": w.status, "level": w.level}


def create(
    session: Session,
    *,
    kind: str,
    level: str,
    title: str,
    description: str,
    org_unit_id: int,
    now: datetime,
    since: datetime | None = None,
    source: str = "rule",
    rule_key: str | None = None,
    reporter: User | None = None,
    responsible_user_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    details: dict | None = None,
    note: str = "",
    send: bool = True,
    type_key: str | None = None,
) -> QualityWarning:
    """Add a raised warning, its first history entry, its audit row and (`send`) its notifications."""
    w = QualityWarning(
        kind=kind, type_key=type_key, level=level, title=title[:200], description=description, org_unit_id=org_unit_id,
        responsible_user_id=responsible_user_id, source=source, rule_key=rule_key,
        reporter_id=reporter.id if reporter else None, object_type=object_type, object_id=object_id,
        details=details or {}, status=WarningStatus.RAISED, since_at=since or now, raised_at=now, notes=[],
    )  # fmt: skip
    add_note_entry(w, note_entry(reporter, "report" if reporter else "raise", note, now))
    session.add(w)
    session.flush()
    audit.record(
        session, actor_id=reporter.id if reporter else None, action="warning.raise", object_type="warning",
        object_id=w.id, now=now, after={"kind": kind, "level": level, "org_unit_id": org_unit_id, "source": source,
                                        "rule_key": rule_key},
    )  # fmt: skip
    if send:
        notify(session, [w], now)
    return w


def notify(session: Session, warnings: list[QualityWarning], now: datetime) -> None:
    """Tell the heads of the responsible departments and the responsible people (one query for the heads)."""
    if not warnings:
        return
    units = {w.org_unit_id for w in warnings}
    heads: dict[int, set[int]] = {}
    for unit_id, user_id in session.execute(
        select(RoleAssignment.scope_id, RoleAssignment.user_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            RoleAssignment.role == Role.HEAD,
            RoleAssignment.scope_type == ScopeType.UNIT,
            RoleAssignment.scope_id.in_(units),
            User.active,
        )  # fmt: skip
    ):
        heads.setdefault(unit_id, set()).add(user_id)
    for w in warnings:
        people = set(heads.get(w.org_unit_id, set()))
        if w.responsible_user_id:
            people.add(w.responsible_user_id)
        people.discard(w.reporter_id)
        title = f"【{LEVELS[w.level]}预警】{w.title}"
        for uid in sorted(people):
            session.add(Notification(user_id=uid, kind="warning", title=title[:200], body=w.description[:1000],
                                     link=f"/warnings/{w.id}", created_at=now))  # fmt: skip


def _clean_note(text, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise InvalidInput(N_("请检查填写的内容"), fields={"note": [N_("请填写处理说明")]})
    if len(text) > MAX_NOTE:
        raise InvalidInput(N_("请检查填写的内容"), fields={"note": [N_("处理说明不能超过 2000 字")]})
    return text


def _actionable(session: Session, user: User, principals: list[str], warning_id) -> QualityWarning:
    w = get_warning(session, user, principals, warning_id)
    if not may_act(user, principals, w):
        raise NotFound(N_("预警不存在"))
    if w.status == WarningStatus.RESOLVED:
        raise Conflict(N_("该预警已解除"))
    return w


def acknowledge(session: Session, user: User, principals: list[str], warning_id, note, now: datetime):
    """The responsible side has seen the warning and is handling it."""
    w = _actionable(session, user, principals, warning_id)
    if w.status != WarningStatus.RAISED:
        raise Conflict(N_("该预警已确认"))
    text = _clean_note(note, required=False)
    before = _snapshot(w)
    w.status, w.acknowledged_at, w.acknowledged_by_id = WarningStatus.ACKNOWLEDGED, now, user.id
    add_note_entry(w, note_entry(user, "acknowledge", text, now))
    audit.record(session, actor_id=user.id, action="warning.acknowledge", object_type="warning", object_id=w.id,
                 now=now, before=before, after=_snapshot(w), note=text or None)  # fmt: skip
    return w


def resolve(session: Session, user: User, principals: list[str], warning_id, note, now: datetime):
    """Close the warning with what was done about it (the note is required)."""
    w = _actionable(session, user, principals, warning_id)
    text = _clean_note(note, required=True)
    stage = (w.details or {}).get("procedure", {}).get("stage")
    if stage is not None and stage != "recorded":
        raise Conflict(N_("质量事故须先完成认定并记录处理结果，才能解除"))
    close(session, w, user, "resolve", text, now)
    return w


def close(session: Session, w: QualityWarning, user: User | None, action: str, text: str, now: datetime) -> None:
    """Resolve `w` (by a person, or by a rule when `user` is None); the caller checked it may be resolved."""
    before = _snapshot(w)
    w.status, w.resolved_at, w.resolved_by_id = WarningStatus.RESOLVED, now, user.id if user else None
    add_note_entry(w, note_entry(user, action, text, now))
    audit.record(session, actor_id=user.id if user else None, action="warning.resolve", object_type="warning",
                 object_id=w.id, now=now, before=before, after=_snapshot(w) | {"auto": user is None},
                 note=text)  # fmt: skip


def add_note(session: Session, user: User, principals: list[str], warning_id, note, now: datetime):
    """Add to an open warning's history without changing its state."""
    w = _actionable(session, user, principals, warning_id)
    text = _clean_note(note, required=True)
    add_note_entry(w, note_entry(user, "note", text, now))
    audit.record(session, actor_id=user.id, action="warning.note", object_type="warning", object_id=w.id, now=now,
                 note=text)  # fmt: skip
    return w


def report(session: Session, user: User, principals: list[str], fields, now: datetime) -> QualityWarning:
    """A quality accident or safety hazard reported through the form; nothing is written on bad input."""
    allowed = reportable_kinds(user, principals)
    if not allowed:
        raise NotFound(N_("页面不存在"))
    errors: dict[str, list[str]] = {}
    kind = (fields.get("kind") or "").strip()
    if kind not in allowed:
        errors["kind"] = [N_("请选择预警类型")]
    level = (fields.get("level") or "").strip()
    if level not in LEVELS:
        errors["level"] = [N_("请选择预警等级")]
    unit = None
    try:
        unit = session.get(OrgUnit, int(fields.get("org_unit_id") or ""))
    except (TypeError, ValueError):
        pass
    if unit is None or unit.kind == "school":
        errors["org_unit_id"] = [N_("请选择责任部门")]
    title = (fields.get("title") or "").strip()
    if not title:
        errors["title"] = [N_("请填写事项")]
    elif len(title) > 100:
        errors["title"] = [N_("事项不能超过 100 字")]
    description = (fields.get("description") or "").strip()
    if not description:
        errors["description"] = [N_("请填写情况说明")]
    elif len(description) > MAX_NOTE:
        errors["description"] = [N_("情况说明不能超过 2000 字")]
    concerns = (fields.get("concerns") or "").strip()
    if kind == "quality_accident" and kind in allowed and concerns not in table39.CONCERNS:
        errors["concerns"] = [N_("请选择事故涉及的人员")]
    if errors:
        raise InvalidInput(N_("请检查填写的内容"), fields=errors)
    type_key, unit_id, details = "safety_hazard", unit.id, {}
    if kind == "quality_accident":
        # table 39: the accident goes to the department its people answer to, which decides and handles it
        type_key, function, _label = table39.CONCERNS[concerns]
        unit_id = functions.holder_id(session, function) or unit.id
        details = {"concerns": concerns, "concerned_unit_id": unit.id, "concerned_unit": unit.name,
                   "procedure": {"stage": "reported"}}  # fmt: skip
    return create(
        session, kind=kind, level=level, title=title, description=description, org_unit_id=unit_id, now=now,
        source="manual", reporter=user, type_key=type_key, details=details,
    )  # fmt: skip
