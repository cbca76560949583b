"""What process owners do in the modeler: drafts, validation, deploys, rollback, comparison, migration.

Only the owners of a process (the `process_owner` or `head` of its owning department) and
administrators may see or change it; to everybody else it does not exist. Every function works in the
caller's transaction and writes the audit log; nothing here commits.

A draft is shared by the owners of a process (one per process, guarded by a version counter). Saving a
draft accepts work in progress: only unreadable or unsafe files are refused; the draft keeps the list
of problems that stop it from being deployed. Deploying runs the full check — everything the upload
check does plus the database: lanes whose role nobody holds, forms that do not exist, called processes
that are not deployed — and refuses with every problem tied to its element.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError

from . import assignment, audit
from .bpmn.compiler import BPMN, NSMAP, InvalidBpmn, inspect, parse_xml
from .db import savepoint
from .errors import N_, Conflict, InvalidInput, NotFound
from .models import (
    FormTemplate,
    HumanTask,
    OrgUnit,
    ProcessDefinition,
    ProcessDraft,
    ProcessInstance,
    ProcessVersion,
    RoleAssignment,
    User,
)
from .text import limited_text

OWNER_ROLES = ("process_owner", "head")
SCOPE_TYPES = {"subject": "subject", "subject_unit": "unit", "subject_class": "class"}
DOCUMENT_FORM = "document"


# --- who may edit -------------------------------------------------------------------------------


def may_edit(user: User, principals: list[str], definition: ProcessDefinition) -> bool:
    if user.is_admin:
        return True
    if definition.owner_org_unit_id is None:
        return False
    mine = {assignment.group_principal(r, "unit", definition.owner_org_unit_id) for r in OWNER_ROLES}
    return bool(mine.intersection(principals))


def owned_unit_ids(principals: list[str]) -> set[int]:
    """Departments whose processes the user owns: process owner or head of the owning department."""
    return {int(p.split(":")[3]) for p in principals if p.startswith(tuple(f"g:{r}:unit:" for r in OWNER_ROLES))}


def editable_definitions(session: Session, user: User, principals: list[str]) -> list[ProcessDefinition]:
    stmt = select(ProcessDefinition).order_by(ProcessDefinition.category, ProcessDefinition.key)
    if not user.is_admin:
        units = owned_unit_ids(principals)
        if not units:
            return []
        stmt = stmt.where(ProcessDefinition.owner_org_unit_id.in_(units))
    return list(session.scalars(stmt))


def edits_any(session: Session, user: User, principals: list[str]) -> bool:
    """Whether to show the modeler in the menu (one cheap query, none for most users)."""
    if user.is_admin:
        return True
    units = owned_unit_ids(principals)
    return bool(units) and bool(
        session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.owner_org_unit_id.in_(units)).limit(1))
    )


def get_editable(session: Session, user: User, principals: list[str], key: str) -> ProcessDefinition:
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == str(key)[:64]))
    if definition is None or not may_edit(user, principals, definition):
        raise NotFound(N_("流程不存在"))
    return definition


def get_version(session: Session, definition: ProcessDefinition, number) -> ProcessVersion:
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise NotFound(N_("流程版本不存在")) from None
    version = session.scalar(
        select(ProcessVersion).where(ProcessVersion.definition_id == definition.id, ProcessVersion.version == number)
    )
    if version is None:
        raise NotFound(N_("流程版本不存在"))
    return version


# --- drafts -------------------------------------------------------------------------------------


def draft_of(session: Session, definition: ProcessDefinition) -> ProcessDraft | None:
    return session.scalar(select(ProcessDraft).where(ProcessDraft.definition_id == definition.id))


def working_copy(session: Session, definition: ProcessDefinition) -> dict:
    """What the modeler opens: the draft if there is one, else the latest deployed version."""
    draft = draft_of(session, definition)
    latest = session.get(ProcessVersion, definition.latest_version_id) if definition.latest_version_id else None
    if draft is not None:
        base = session.get(ProcessVersion, draft.base_version_id) if draft.base_version_id else None
        return {
            "xml": draft.bpmn_xml,
            "draft": True,
            "lock": draft.lock_version,
            "base_version": base.version if base else None,
            "latest_version": latest.version if latest else None,
            "updated_at": draft.updated_at,
            "updated_by_id": draft.updated_by_id,
            "problems": draft.problems or [],
        }
    return {
        "xml": latest.bpmn_xml if latest else "",
        "draft": False,
        "lock": None,
        "base_version": latest.version if latest else None,
        "latest_version": latest.version if latest else None,
        "updated_at": None,
        "updated_by_id": None,
        "problems": [],
    }


def save_draft(
    session: Session, user: User, definition: ProcessDefinition, xml: str | bytes, now: datetime,
    lock: int | None = None, action: str = "process.draft_save",
) -> ProcessDraft:  # fmt: skip
    """Store the owner's work; refuses unreadable/unsafe files, keeps the deploy problems with it.

    `lock` is the draft version the editor started from (None: no draft yet); if somebody else saved
    in between, the save is refused with a conflict rather than silently overwriting their work.
    """
    problems = validate(session, definition, xml)
    fatal = [p for p in problems if p.get("fatal")]
    if fatal:
        raise InvalidBpmnInput(fatal)
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    draft = draft_of(session, definition)
    if draft is None:
        if lock is not None:
            raise Conflict(N_("草稿已被他人部署或丢弃，请重新打开"))
        draft = ProcessDraft(definition_id=definition.id, base_version_id=definition.latest_version_id)
        session.add(draft)
    elif lock is not None and lock != draft.lock_version:
        raise Conflict(N_("草稿已被他人修改，请重新打开后再保存"))
    draft.bpmn_xml = text
    draft.problems = problems
    draft.updated_at = now
    draft.updated_by_id = user.id
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(N_("草稿已被他人修改，请重新打开后再保存")) from None
    audit.record(
        session, actor_id=user.id, action=action, object_type="process_definition",
        object_id=definition.key, now=now, after={"problems": len(problems), "lock": draft.lock_version},
    )  # fmt: skip
    return draft


def discard_draft(session: Session, user: User, definition: ProcessDefinition, now: datetime) -> None:
    draft = draft_of(session, definition)
    if draft is None:
        return
    session.delete(draft)
    audit.record(
        session, actor_id=user.id, action="process.draft_discard", object_type="process_definition",
        object_id=definition.key, now=now,
    )  # fmt: skip


class InvalidBpmnInput(InvalidInput):
    """A file the server will not even store: each problem names its element where it can."""

    def __init__(self, problems: list[dict]):
        super().__init__(N_("流程文件有错误，未保存"), fields={"problems": problems})
        self.problems = problems


# --- validation ---------------------------------------------------------------------------------


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
        from .deploy import compile_for_deploy

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
        principals = [assignment.group_principal(r, "school", 0) for r in roles]
        return None if assignment.has_members(session, principals) else "全校范围内没有人担任该角色"
    if scope.startswith(assignment.FIXED_UNIT_PREFIX):
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == scope[len(assignment.FIXED_UNIT_PREFIX) :]))
        if unit_id is None:
            return f"部门 {scope[5:]} 不存在"
        principals = [assignment.group_principal(r, "unit", unit_id) for r in roles]
        return None if assignment.has_members(session, principals) else "该部门没有人担任该角色"
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


# --- deploy and rollback ------------------------------------------------------------------------


def deploy(
    session: Session, user: User, definition: ProcessDefinition, xml: str | bytes, note: str, now: datetime,
    action: str = "process.deploy", keep_draft: bool = False, details: dict | None = None,
) -> ProcessVersion:  # fmt: skip
    """A new version from the modeler: full validation first; running instances stay where they are."""
    from .deploy import deploy as deploy_version

    note = limited_text(note, 2000, "note")
    if not note:
        raise InvalidInput(N_("请填写变更说明"), fields={"note": [N_("请填写变更说明")]})
    problems = validate(session, definition, xml)
    if problems:
        raise InvalidBpmnInput(problems)
    try:
        with savepoint(session):
            version = deploy_version(session, xml, actor_id=user.id, now=now, note=note)
    except IntegrityError:  # another owner deployed the same version number a moment ago
        raise Conflict(N_("其他人刚刚部署了新版本，请刷新后再部署")) from None
    draft = draft_of(session, definition)
    if draft is not None and not keep_draft:
        session.delete(draft)
    if action != "process.deploy":
        audit.record(
            session, actor_id=user.id, action=action, object_type="process_definition",
            object_id=definition.key, now=now, after={"version": version.version, **(details or {})}, note=note,
        )  # fmt: skip
    return version


def _latest(session: Session, definition: ProcessDefinition) -> ProcessVersion | None:
    return session.get(ProcessVersion, definition.latest_version_id) if definition.latest_version_id else None


def _running(session: Session, definition: ProcessDefinition) -> int:
    return session.scalar(
        select(func.count())
        .select_from(ProcessInstance)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .where(ProcessVersion.definition_id == definition.id, ProcessInstance.status == "running")
    )


def deploy_preview(session: Session, definition: ProcessDefinition) -> dict:
    """What deploying the saved draft would do, for the owner to confirm: the version it becomes, the
    elements that change against the current version, the problems that stop it, the running instances
    (they stay on their version). `draft` is None when there is nothing to deploy."""
    latest = _latest(session, definition)
    out = {"draft": None, "latest": latest, "next_version": latest.version + 1 if latest else 1,
           "running": _running(session, definition)}  # fmt: skip
    draft = draft_of(session, definition)
    if draft is None:
        return out
    latest_xml = version_xml(session, latest) if latest else ""
    return {
        **out, "draft": draft, "lock": draft.lock_version,
        "editor": session.scalar(select(User.display_name).where(User.id == draft.updated_by_id)),
        "base": session.get(ProcessVersion, draft.base_version_id) if draft.base_version_id else None,
        "stale": latest is not None and draft.base_version_id != latest.id,
        "unchanged": latest is not None and draft.bpmn_xml.strip() == latest_xml.strip(),
        "changes": compare(latest_xml, draft.bpmn_xml) if latest else [],
        "problems": validate(session, definition, draft.bpmn_xml),
    }  # fmt: skip


def deploy_draft(
    session: Session, user: User, definition: ProcessDefinition, note: str, lock, now: datetime
) -> ProcessVersion:
    """Deploy the saved draft the owner confirmed. `lock` is the draft version the confirmation page
    showed: if another owner saved or deployed in between, nothing is deployed."""
    draft = draft_of(session, definition)
    if draft is None:
        raise Conflict(N_("没有待部署的草稿：它可能刚被他人部署或丢弃"))
    if lock != draft.lock_version:
        raise Conflict(N_("草稿在您确认期间已被他人修改，请查看变化后重新确认"))
    latest = _latest(session, definition)
    if latest is not None and draft.bpmn_xml.strip() == version_xml(session, latest).strip():
        raise Conflict(N_("草稿与当前版本 v%(n)s 完全相同，无需部署"), n=latest.version)
    return deploy(session, user, definition, draft.bpmn_xml, note, now)


def is_current(session: Session, definition: ProcessDefinition, version: ProcessVersion) -> bool:
    """Whether `version`'s diagram is what new instances run now (it is the latest, or the same file)."""
    latest = _latest(session, definition)
    return latest is not None and (version.id == latest.id or version.checksum == latest.checksum)


def rollback_preview(session: Session, definition: ProcessDefinition, number) -> dict:
    """What rolling back to version `number` would do, for the owner to confirm (see deploy_preview)."""
    old = get_version(session, definition, number)
    latest = _latest(session, definition)
    current = is_current(session, definition, old)
    old_xml = version_xml(session, old)
    return {
        "version": old, "latest": latest, "current": current, "next_version": latest.version + 1,
        "changes": [] if current else compare(version_xml(session, latest), old_xml),
        "problems": [] if current else validate(session, definition, old_xml),
        "draft": draft_of(session, definition), "running": _running(session, definition),
    }  # fmt: skip


def rollback(
    session: Session, user: User, definition: ProcessDefinition, number, reason: str, now: datetime
) -> ProcessVersion | None:
    """Deploy an earlier version's diagram again as the newest version (history is never rewritten).

    Returns None, having changed nothing, when that diagram is already the current one. The reason is
    required; it becomes the new version's note and the audit entry's. A draft in the modeler is kept.
    """
    old = get_version(session, definition, number)
    if is_current(session, definition, old):
        return None
    reason = limited_text(reason, 1900, "reason")  # with its "回滚到 vN：" it is the version's note (2000)
    if not reason:
        raise InvalidInput(N_("请填写回滚原因"), fields={"reason": [N_("请填写回滚原因")]})
    xml = version_xml(session, old)
    note = f"回滚到 v{old.version}：{reason}"
    return deploy(session, user, definition, xml, note, now, action="process.rollback", keep_draft=True,
                  details={"from_version": old.version})  # fmt: skip


def versions(session: Session, definition: ProcessDefinition) -> list[dict]:
    counts = dict(
        session.execute(
            select(ProcessInstance.version_id, func.count())
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
            .where(ProcessVersion.definition_id == definition.id, ProcessInstance.status == "running")
            .group_by(ProcessInstance.version_id)
        ).all()
    )
    rows = session.execute(
        select(ProcessVersion.id, ProcessVersion.version, ProcessVersion.deployed_at, ProcessVersion.note)
        .add_columns(User.display_name)
        .outerjoin(User, User.id == ProcessVersion.deployed_by_id)
        .where(ProcessVersion.definition_id == definition.id)
        .order_by(ProcessVersion.version.desc())
    ).all()  # fmt: skip
    return [
        {
            "id": r.id, "version": r.version, "deployed_at": r.deployed_at, "note": r.note,
            "deployed_by": r.display_name or "系统", "running": counts.get(r.id, 0),
            "latest": r.id == definition.latest_version_id,
        }
        for r in rows
    ]  # fmt: skip


def latest_versions(session: Session, definition_ids: list[int]) -> dict[int, ProcessVersion]:
    """The newest version of each process, in one query."""
    rows = session.scalars(
        select(ProcessVersion)
        .join(ProcessDefinition, ProcessDefinition.latest_version_id == ProcessVersion.id)
        .where(ProcessDefinition.id.in_(definition_ids))
    )
    return {v.definition_id: v for v in rows}


def version_xml(session: Session, version: ProcessVersion) -> str:
    return session.scalar(select(ProcessVersion.bpmn_xml).where(ProcessVersion.id == version.id))


# --- comparing two diagrams ---------------------------------------------------------------------


ELEMENT_LABELS = {
    "lane": N_("泳道"),
    "userTask": N_("用户任务"),
    "task": N_("任务"),
    "manualTask": N_("人工任务"),
    "serviceTask": N_("服务任务"),
    "sequenceFlow": N_("连线"),
    "exclusiveGateway": N_("排他网关"),
    "parallelGateway": N_("并行网关"),
    "inclusiveGateway": N_("包容网关"),
    "startEvent": N_("开始事件"),
    "endEvent": N_("结束事件"),
    "callActivity": N_("调用活动"),
    "boundaryEvent": N_("边界事件"),
    "intermediateCatchEvent": N_("中间事件"),
    "participant": N_("池"),
    "laneSet": N_("泳道组"),
    "textAnnotation": N_("注释"),
    "association": N_("关联"),
}


@dataclass
class Change:
    element_id: str
    kind: str  # element type, e.g. userTask
    name: str
    change: str  # added / removed / changed

    @property
    def label(self) -> str:
        return ELEMENT_LABELS.get(self.kind, self.kind)


def compare(old_xml: str, new_xml: str) -> list[Change]:
    """Elements added, removed or changed between two diagrams (layout-only moves are not changes)."""
    old, new = _signatures(old_xml), _signatures(new_xml)
    out = []
    for eid, (kind, name, sig) in new.items():
        if eid not in old:
            out.append(Change(eid, kind, name, "added"))
        elif old[eid][2] != sig:
            out.append(Change(eid, kind, name, "changed"))
    out += [Change(eid, kind, name, "removed") for eid, (kind, name, _) in old.items() if eid not in new]
    return out


def _signatures(xml: str) -> dict[str, tuple[str, str, str]]:
    root = parse_xml(xml)
    out = {}
    for container in root.findall("bpmn:process", NSMAP) + root.findall("bpmn:collaboration", NSMAP):
        for el in container.iter():
            if isinstance(el.tag, str) and el.get("id") and el is not container:
                out[el.get("id")] = (etree.QName(el).localname, el.get("name") or "", _signature(el))
    return out


def _signature(el) -> str:
    parts = [el.tag, sorted(el.attrib.items()), (el.text or "").strip()]
    parts += [_signature(c) for c in el if isinstance(c.tag, str) and not c.get("id")]
    return repr(parts)


# --- moving running instances to a new version --------------------------------------------------


PLAN_LIMIT = 500  # instances checked per page view (each check loads its workflow); migrate() takes as many


def migration_plan(
    session: Session, definition: ProcessDefinition, target: ProcessVersion, limit: int = PLAN_LIMIT
) -> list[dict]:
    """Running instances on older versions (oldest first, up to `limit`), each with whether it can move
    to `target` and why not."""
    instances = session.scalars(
        select(ProcessInstance)
        .options(undefer(ProcessInstance.state_json))
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .where(
            ProcessVersion.definition_id == definition.id,
            ProcessInstance.status == "running",
            ProcessInstance.version_id != target.id,
        )
        .order_by(ProcessInstance.id)
        .limit(limit)
    ).all()
    return [{"instance": inst, **_check(session, inst, target)} for inst in instances]


def _check(session: Session, instance: ProcessInstance, target: ProcessVersion) -> dict:
    from .runtime import load_workflow, version_bundle

    wf, _meta = load_workflow(session, instance)
    spec, subs, _ = version_bundle(session, target)
    reasons = _blockers(wf, spec, subs)
    current = sorted({t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in _current_tasks(wf)})
    return {"ok": not reasons, "reasons": reasons, "current": current}


def _current_tasks(wf):
    from SpiffWorkflow.util.task import TaskState

    return [t for t in wf.get_tasks(state=TaskState.READY | TaskState.WAITING) if t.task_spec.bpmn_id]


def _blockers(wf, spec, subs) -> list[str]:
    from SpiffWorkflow.util.task import TaskState

    reasons = []
    for t in wf.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        bpmn_id = t.task_spec.bpmn_id
        if not bpmn_id:
            continue
        owner = t.workflow.spec
        new_spec = spec if owner.name == spec.name else subs.get(owner.name)
        if new_spec is None:
            reasons.append(f"当前所在的子流程“{owner.name}”在新版本中不存在")
        elif t.task_spec.name not in new_spec.task_specs:
            reasons.append(f"当前步骤“{t.task_spec.bpmn_name or bpmn_id}”在新版本中已删除")
    return sorted(set(reasons))


def migrate(
    session: Session, user: User, definition: ProcessDefinition, instance_ids: list[int], target: ProcessVersion,
    now: datetime,
) -> list[dict]:  # fmt: skip
    """Move the chosen running instances to `target`; one result per instance, each all-or-nothing."""
    results = []
    for raw in instance_ids:
        try:
            iid = int(raw)
        except (TypeError, ValueError):
            results.append({"id": raw, "ok": False, "reason": "实例编号无效"})
            continue
        nested = savepoint(session)
        try:
            reason = _migrate_one(session, user, definition, iid, target, now)
        except StaleDataError:  # somebody completed a task of it meanwhile: report, go on with the rest
            reason = "实例刚刚被他人办理，请刷新后重试"
        except Exception:
            nested.rollback()
            raise
        if reason:
            nested.rollback()
            results.append({"id": iid, "ok": False, "reason": reason})
        else:
            nested.commit()
            results.append({"id": iid, "ok": True, "reason": ""})
    return results


def _migrate_one(session, user, definition, iid: int, target: ProcessVersion, now) -> str | None:
    from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow

    from .bpmn.serializer import REGISTRY, dump_state
    from .models import Subject
    from .runtime import _next_timer, _sync_tasks, load_workflow, version_bundle

    instance = session.scalar(
        select(ProcessInstance).options(undefer(ProcessInstance.state_json)).where(ProcessInstance.id == iid)
    )
    if instance is None or instance.version.definition_id != definition.id:
        return "实例不存在或不属于该流程"
    if instance.status != "running":
        return f"实例状态为“{instance.status}”，只能迁移运行中的实例"
    if instance.version_id == target.id:
        return "实例已在该版本上"
    wf, _ = load_workflow(session, instance)
    spec, subs, meta = version_bundle(session, target)
    reasons = _blockers(wf, spec, subs)
    if reasons:
        return "；".join(reasons)
    top, sub_diffs = diff_workflow(REGISTRY, wf, spec, subs)
    migrate_workflow(top, wf, spec)
    for sp_id, sp_diff in sub_diffs.items():
        sub = wf.subprocesses[sp_id]
        if sp_diff is not None:
            migrate_workflow(sp_diff, sub, subs[sub.spec.name])
    wf.subprocess_specs = subs
    old_version = instance.version.version
    instance.version = target
    subject = session.get(Subject, instance.subject_id) if instance.subject_id else None
    _sync_tasks(session, instance, wf, meta, subject, now)
    _rename_open_tasks(session, instance, meta)
    instance.state_json = dump_state(wf)
    instance.next_timer_at = _next_timer(wf)
    audit.record(
        session, actor_id=user.id, action="instance.migrate", object_type="process_instance", object_id=instance.id,
        instance_id=instance.id, now=now, before={"version": old_version}, after={"version": target.version},
    )  # fmt: skip
    session.flush()
    return None


def _rename_open_tasks(session: Session, instance: ProcessInstance, meta: dict) -> None:
    """Open tasks keep their id, claim and due date; their name follows the new version."""
    tasks = meta.get("tasks", {})
    for row in session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == "open")
    ):
        info = tasks.get(row.bpmn_id)
        if info is not None:
            row.name, row.vertical = info["name"], info.get("vertical")
