"""Deploy BPMN as new process versions; deploy the built-in workflows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .. import org
from ..core import audit
from ..core.errors import N_, NotFound
from ..models import OrgUnit, ProcessDefinition, ProcessVersion
from . import binding
from .bpmn.compiler import CompiledProcess, InvalidBpmn, Problem, compile_bpmn, inspect, parse_xml

WORKFLOW_DIR = Path(__file__).resolve().parents[2] / "workflows"


def compile_for_deploy(session: Session, xml: bytes | str, *, unheld_functions_ok: bool = False) -> CompiledProcess:
    """Compile against what is deployed: called processes (and what they call) must exist and fit the call,
    fixed units must resolve, functions a lane names must be held by a unit (`unheld_functions_ok`: the
    built-in workflows deploy into an empty database, before an administrator gives out the functions; a
    task of such a lane waits at 诊改办公室 until then). The version stores its own spec only: an instance
    binds the called processes' latest versions when it starts (engine/workflow/binding.py)."""
    meta, _ = inspect(parse_xml(xml))
    called_xml = {}
    calls = {meta.get("process_id"): list(meta.get("called", []))}  # the call graph as it would be
    todo = list(meta.get("called", []))
    while todo:
        key = todo.pop()
        if key in called_xml or key == meta.get("process_id"):
            continue
        version = latest_deployed(session, key)
        if version is not None:
            called_xml[key] = version.bpmn_xml
            calls[key] = list((version.meta or {}).get("called", []))
            todo += calls[key]
    cycle = call_cycle(calls, meta.get("process_id"))
    if cycle:
        raise InvalidBpmn([Problem(None, "调用活动形成循环调用，流程将无法结束：" + " → ".join(cycle))])
    compiled = compile_bpmn(xml, called_xml=called_xml)
    problems = []
    for lane in compiled.meta["lanes"].values():
        scope = lane["scope"]
        if scope.startswith("unit:") and not session.scalar(select(OrgUnit.id).where(OrgUnit.code == scope[5:])):
            problems.append(Problem(lane["id"], f"泳道指定的部门不存在：{scope[5:]}"))
        key = org.functions.key_of(scope)
        if key is not None and not unheld_functions_ok and org.functions.holder_id(session, key) is None:
            label = org.functions.LABELS.get(key, key)
            problems.append(Problem(lane["id"], f"泳道指定的职能“{label}”尚未分配给任何部门（系统管理 › 职能）"))
    if problems:
        raise InvalidBpmn(problems)
    return compiled


def call_cycle(calls: dict[str, list[str]], start: str) -> list[str] | None:
    """A path of calls from `start` that comes back to a process already on it (A → B → A, A → A), or None."""
    path: list[str] = []
    done: set[str] = set()

    def visit(key):
        if key in path:
            return path[path.index(key) :] + [key]
        if key in done:
            return None
        path.append(key)
        for called in calls.get(key, []):
            found = visit(called)
            if found:
                return found
        path.pop()
        done.add(key)
        return None

    return visit(start)


_LATEST = (
    select(ProcessVersion)
    .join(ProcessDefinition, ProcessDefinition.latest_version_id == ProcessVersion.id)
    .where(ProcessDefinition.key == bindparam("key"))
)  # built once: every start asks (the version's definition comes with it, `lazy="joined"`)


def latest_deployed(session: Session, key: str) -> ProcessVersion | None:
    """The newest version of a process, or None while it is not deployed: one statement."""
    return session.scalar(_LATEST, {"key": key})


def latest_version(session: Session, process_key: str) -> ProcessVersion:
    """The version new instances of a process start on; NotFound while it is not deployed."""
    version = latest_deployed(session, process_key)
    if version is None:
        raise NotFound(N_("流程“%(key)s”尚未部署"), key=process_key)
    return version


def deploy(
    session: Session, xml: bytes | str, *, actor_id: int | None, now: datetime, note: str | None = None,
    skip_unchanged: bool = False, unheld_functions_ok: bool = False,
) -> ProcessVersion:  # fmt: skip
    compiled = compile_for_deploy(session, xml, unheld_functions_ok=unheld_functions_ok)
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == compiled.process_id))
    if definition is None:
        owner, owner_function = None, org.functions.key_of(compiled.meta.get("owner") or "")
        if compiled.meta.get("owner") and owner_function is None:
            owner = session.scalar(select(OrgUnit.id).where(OrgUnit.code == compiled.meta["owner"]))
        definition = ProcessDefinition(
            key=compiled.process_id,
            name=compiled.name,
            category=compiled.meta.get("category") or "chain",
            subject_type=compiled.meta.get("subject_type"),
            owner_org_unit_id=owner,
            owner_function=owner_function if org.functions.is_known(owner_function) else None,
        )
        session.add(definition)
        session.flush()
    latest = session.get(ProcessVersion, definition.latest_version_id) if definition.latest_version_id else None
    if skip_unchanged and latest is not None and latest.checksum == compiled.checksum:
        return latest
    version = ProcessVersion(
        definition_id=definition.id,
        version=(latest.version + 1) if latest else 1,
        bpmn_xml=compiled.xml,
        checksum=compiled.checksum,
        spec_json=compiled.spec_json,
        meta=compiled.meta,
        note=note,
        deployed_at=now,
        deployed_by_id=actor_id,
    )
    session.add(version)
    session.flush()
    binding.forget(version.id)
    definition.latest_version_id = version.id
    definition.name = compiled.name
    audit.record(
        session, actor_id=actor_id, action="process.deploy", object_type="process_definition",
        object_id=definition.key, now=now, after={"version": version.version, "checksum": compiled.checksum},
        note=note,
    )  # fmt: skip
    return version


def deploy_builtin(session: Session, now: datetime, directory: Path = WORKFLOW_DIR) -> list[ProcessVersion]:
    """Deploy every BPMN file in workflows/ that differs from its latest version (chains first); their lanes
    may name functions no unit holds yet (a new school's database, engine/org/functions.py)."""
    files = sorted(directory.glob("*.bpmn"), key=lambda p: (not p.name.startswith("chain_"), p.name))
    return [
        deploy(session, path.read_bytes(), actor_id=None, now=now, note=f"内置流程 {path.name}", skip_unchanged=True,
               unheld_functions_ok=True)  # fmt: skip
        for path in files
    ]
