"""The modeler's full check: everything the upload check refuses plus what only the database knows (lanes
whose role nobody holds, forms that do not exist, called processes that are not deployed), each problem
tied to its element."""

from __future__ import annotations

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import org
from ..core.errors import N_, InvalidInput
from ..models import FormTemplate, OrgUnit, ProcessDefinition, RoleAssignment, User
from ..workflow import compile_for_deploy
from ..workflow.bpmn.compiler import BPMN, NSMAP, InvalidBpmn, inspect, parse_xml

SCOPE_TYPES = {"subject": "subject", "subject_unit": "unit", "subject_class": "class"}
DOCUMENT_FORM = "document"


class InvalidBpmnInput(InvalidInput):
    """A file the server will not even store: each problem names its element where it can."""

    def __init__(self, problems: list[dict]):
        super().__init__(N_("流程文件有错误，未保存"), fields={"problems": problems})
        self.problems = problems


def validate(session: Session, definition: ProcessDefinition, xml: str | bytes) -> list[dict]:
    """Every problem that stops a deploy, each as {element_id, message, line, fatal}; [] when deployable.

    `fatal` problems (unreadable, unsafe or unsupported content, a different process) stop even a
    draft from being saved; the others are the ordinary state of work in progress.
    """
    try:
        root = parse_xml(xml)
    except InvalidBpmn as exc:
        return [p.as_dict() for p in exc.problems]
    meta, problems = inspect(root, known_forms=known_forms(session))
    out = [p.as_dict() for p in problems]
    if not meta:
        return out
    if meta["process_id"] != definition.key:
        out.append(_problem(None, f"流程 ID 必须保持为 {definition.key}（当前为 {meta['process_id'] or '空'}）", True))
        return out
    out += _database_problems(session, root, meta)
    if not out:
        try:
            compile_for_deploy(session, etree.tostring(root))
        except InvalidBpmn as exc:
            out += [dict(p.as_dict(), fatal=False) for p in exc.problems]  # structure: fixable in a draft
    return out


def _problem(element_id, message, fatal=False) -> dict:
    return {"element_id": element_id, "message": message, "line": None, "fatal": fatal}


def known_forms(session: Session) -> set[str]:
    return {DOCUMENT_FORM, *session.scalars(select(FormTemplate.key).distinct())}


def _database_problems(session: Session, root, meta: dict) -> list[dict]:
    out = []
    for name, lane in meta["lanes"].items():
        reason = _unresolvable(session, lane["roles"], lane["scope"])
        if reason:
            out.append(_problem(lane["id"], f"泳道“{name}”找不到办理人：{reason}"))
    process = root.find("bpmn:process", NSMAP)
    for el in process.iter(f"{{{BPMN}}}callActivity"):
        called = el.get("calledElement")
        if called and not session.scalar(
            select(ProcessDefinition.id).where(
                ProcessDefinition.key == called, ProcessDefinition.latest_version_id.is_not(None)
            )
        ):
            out.append(_problem(el.get("id"), f"调用的流程“{called}”尚未部署"))
    return out


def _unresolvable(session: Session, roles: list[str], scope: str) -> str | None:
    """Why no user could ever be a candidate of a lane; None if somebody can."""
    if list(roles) == ["author"]:
        return None  # the members of each subject
    if scope == "school":
        principals = [org.group_principal(r, "school", 0) for r in roles]
        return None if org.has_members(session, principals) else "全校范围内没有人担任该角色"
    if scope.startswith(org.FIXED_UNIT_PREFIX):
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == scope[len(org.FIXED_UNIT_PREFIX) :]))
        if unit_id is None:
            return f"部门 {scope[5:]} 不存在"
        principals = [org.group_principal(r, "unit", unit_id) for r in roles]
        return None if org.has_members(session, principals) else "该部门没有人担任该角色"
    if (key := org.functions.key_of(scope)) is not None:
        unit_id = org.functions.holder_id(session, key)
        if unit_id is None:
            return f"职能“{org.functions.LABELS.get(key, key)}”尚未分配给任何部门"
        principals = [org.group_principal(r, "unit", unit_id) for r in roles]
        return None if org.has_members(session, principals) else "担任该职能的部门没有人担任该角色"
    scope_type = SCOPE_TYPES.get(scope)
    if scope_type is None:
        return None  # reported by the upload check
    held = session.scalar(
        select(func.count())
        .select_from(RoleAssignment)
        .join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.role.in_(list(roles)), RoleAssignment.scope_type == scope_type, User.active)
    )
    return None if held else "没有任何用户担任该角色"
