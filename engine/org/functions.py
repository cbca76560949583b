"""Functions of the organisation: which unit is the 诊改办公室, the lead department of each subject type, the
security office, ... (`org_function`, one unit per function, a unit may hold several).

Lanes name a function (`scope="function:quality_office"`, resolved at task creation to the positions of
the unit holding it, engine/org/assignment.py), processes are owned by one (`owner="function:..."`), and the
permission rules (engine/org/policy/) read them; nothing names a unit code. An administrator gives each
function to a unit at 系统管理 › 职能 (web/org/functions.py); until every function is held, administrators
see a set-up notice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, object_session

from ..core import audit
from ..core.errors import N_, InvalidInput
from ..models import FunctionKey, OrgFunction, OrgUnit, ProcessDefinition, User

PREFIX = "function:"  # a lane's scope or a process's owner naming a function

LABELS = {
    FunctionKey.QUALITY_OFFICE: N_("诊改办公室（质量管理处）"),
    FunctionKey.PARTY_OFFICE: N_("党政办公室"),
    FunctionKey.ACADEMIC_AFFAIRS: N_("教务处"),
    FunctionKey.HUMAN_RESOURCES: N_("人力资源处"),
    FunctionKey.STUDENT_AFFAIRS: N_("党委学生工作部"),
    FunctionKey.SECURITY_OFFICE: N_("保卫处"),
    FunctionKey.INFORMATION_OFFICE: N_("信息化处"),
    FunctionKey.LOGISTICS: N_("基建后勤处"),
    FunctionKey.COOPERATION: N_("合作发展处"),
    FunctionKey.PUBLICITY: N_("党委宣传部"),
    FunctionKey.ADMISSIONS: N_("招生就业处"),
    FunctionKey.RESEARCH: N_("科研处"),
    FunctionKey.INTERNATIONAL: N_("国际学院"),
}
DUTIES = {
    FunctionKey.QUALITY_OFFICE: N_("学校复核诊断、诊改进度，查看全部预警"),
    FunctionKey.PARTY_OFFICE: N_("职能部门、二级学院的牵头部门（审核、模板、流程）"),
    FunctionKey.ACADEMIC_AFFAIRS: N_("专业、课程的牵头部门（审定、模板、流程）"),
    FunctionKey.HUMAN_RESOURCES: N_("师资队伍、教师的牵头部门（审核、模板、流程）"),
    FunctionKey.STUDENT_AFFAIRS: N_("专业学生综合素质培养、学生的牵头部门（审核、模板、流程）"),
    FunctionKey.SECURITY_OFFICE: N_("提供安全隐患信息，查看安全隐患预警"),
    FunctionKey.INFORMATION_OFFICE: N_("信息化建设与平台运行"),
    FunctionKey.LOGISTICS: N_("基建与后勤保障"),
    FunctionKey.COOPERATION: N_("校企合作与发展"),
    FunctionKey.PUBLICITY: N_("撰写学校质量报告的育人文化部分"),
    FunctionKey.ADMISSIONS: N_("撰写学校质量报告的招生就业部分"),
    FunctionKey.RESEARCH: N_("撰写学校质量报告的科技研发部分"),
    FunctionKey.INTERNATIONAL: N_("撰写学校质量报告的国际交流与合作、留学生培养部分"),
}


def key_of(scope: str) -> str | None:
    """The function a lane scope or an owner names (`function:<key>`), else None."""
    return scope[len(PREFIX) :] if scope and scope.startswith(PREFIX) else None


def is_known(key: str | None) -> bool:
    return key in FunctionKey.__members__.values()


def holders(session: Session) -> dict[str, OrgUnit]:
    """The unit holding each function that is held."""
    return {f.key: f.unit for f in session.scalars(select(OrgFunction))}


def holder_id(session: Session, key: str) -> int | None:
    """The id of the unit holding a function, or None while nobody holds it."""
    return session.scalar(select(OrgFunction.org_unit_id).where(OrgFunction.key == key))


def holder(session: Session, key: str) -> OrgUnit | None:
    return session.scalar(
        select(OrgUnit).join(OrgFunction, OrgFunction.org_unit_id == OrgUnit.id).where(OrgFunction.key == key)
    )


def keys_held_by(unit_ids):
    """The functions held by any of the units, as a SELECT."""
    return select(OrgFunction.key).where(OrgFunction.org_unit_id.in_(sorted(unit_ids) or [-1]))


def owner_unit_id(definition: ProcessDefinition) -> int | None:
    """The unit owning a process: its own owner unit, or the unit holding its owner function."""
    if definition.owner_org_unit_id is not None or not definition.owner_function:
        return definition.owner_org_unit_id
    session = object_session(definition)
    return holder_id(session, definition.owner_function) if session is not None else None


def owned_by_units(unit_ids):
    """The process is owned by one of the units (directly, or through a function one of them holds), in SQL."""
    return or_(
        ProcessDefinition.owner_org_unit_id.in_(sorted(unit_ids) or [-1]),
        ProcessDefinition.owner_function.in_(keys_held_by(unit_ids)),
    )


def missing(session: Session) -> list[FunctionKey]:
    """The functions no unit holds yet, in the order of FunctionKey."""
    held = set(session.scalars(select(OrgFunction.key)))
    return [k for k in FunctionKey if k not in held]


def overview(session: Session) -> list[dict]:
    """Every function with its label, duties and the unit holding it (None while unassigned)."""
    held = holders(session)
    return [{"key": k, "label": LABELS[k], "duties": DUTIES[k], "unit": held.get(k)} for k in FunctionKey]


def assign(session: Session, user: User | None, now: datetime, choices: dict[str, int | None]) -> list[str]:
    """Give functions to units (`{key: unit id}`; None takes a function back) in one change, audited per
    function; returns the keys that changed. Unknown keys or units change nothing (InvalidInput)."""
    errors = {}
    for key, unit_id in choices.items():
        if not is_known(key):
            errors[key] = N_("未知职能")
        elif unit_id is not None and session.get(OrgUnit, unit_id) is None:
            errors[key] = N_("部门不存在")
    if errors:
        raise InvalidInput(N_("职能分配有误，未保存"), fields=errors)
    current = {f.key: f for f in session.scalars(select(OrgFunction).where(OrgFunction.key.in_(list(choices))))}
    changed = []
    for key, unit_id in choices.items():
        row = current.get(key)
        before = row.org_unit_id if row is not None else None
        if before == unit_id:
            continue
        if unit_id is None:
            session.delete(row)
        elif row is None:
            session.add(OrgFunction(key=key, org_unit_id=unit_id, assigned_at=now, assigned_by_id=user and user.id))
        else:
            row.org_unit_id, row.assigned_at, row.assigned_by_id = unit_id, now, user and user.id
        audit.record(
            session, actor_id=user and user.id, action="org.function", object_type="org_function", object_id=key,
            now=now, before={"org_unit_id": before}, after={"org_unit_id": unit_id},
        )  # fmt: skip
        changed.append(key)
    session.flush()
    return changed


def assign_by_code(session: Session, now: datetime, codes: dict[str, str]) -> list[str]:
    """`assign` by unit code (the demo organisation, imports): `{key: unit code}`, by nobody."""
    ids = dict(session.execute(select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(list(codes.values())))).all())
    unknown = sorted(code for code in codes.values() if code not in ids)
    if unknown:
        raise InvalidInput(N_("部门不存在：%(codes)s"), codes="、".join(unknown))
    return assign(session, None, now, {key: ids[code] for key, code in codes.items()})
