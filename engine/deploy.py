"""Deploy BPMN as new process versions; seed the built-in workflows and templates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.templates import builtin_templates

from . import audit
from .bpmn.compiler import CompiledProcess, InvalidBpmn, Problem, compile_bpmn, parse_xml
from .models import FormTemplate, OrgUnit, ProcessDefinition, ProcessVersion

WORKFLOW_DIR = Path(__file__).resolve().parent.parent / "workflows"


def compile_for_deploy(session: Session, xml: bytes | str) -> CompiledProcess:
    """Compile against what is deployed: called processes must exist, fixed units must resolve."""
    from .bpmn.compiler import inspect

    meta, _ = inspect(parse_xml(xml))
    called_xml = {}
    for key in meta.get("called", []):
        version = _latest(session, key)
        if version is not None:
            called_xml[key] = version.bpmn_xml
    compiled = compile_bpmn(xml, called_xml=called_xml)
    problems = []
    for lane in compiled.meta["lanes"].values():
        scope = lane["scope"]
        if scope.startswith("unit:") and not session.scalar(select(OrgUnit.id).where(OrgUnit.code == scope[5:])):
            problems.append(Problem(lane["id"], f"泳道指定的部门不存在：{scope[5:]}"))
    if problems:
        raise InvalidBpmn(problems)
    compiled.meta["called_meta"] = {}
    for key, xml_text in called_xml.items():
        sub_meta, _ = inspect(parse_xml(xml_text))
        compiled.meta["called_meta"][key] = sub_meta
    return compiled


def _latest(session: Session, key: str) -> ProcessVersion | None:
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key))
    if definition is None or definition.latest_version_id is None:
        return None
    return session.get(ProcessVersion, definition.latest_version_id)


def deploy(
    session: Session, xml: bytes | str, *, actor_id: int | None, now: datetime, note: str | None = None,
    skip_unchanged: bool = False,
) -> ProcessVersion:  # fmt: skip
    compiled = compile_for_deploy(session, xml)
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == compiled.process_id))
    if definition is None:
        owner = None
        if compiled.meta.get("owner"):
            owner = session.scalar(select(OrgUnit.id).where(OrgUnit.code == compiled.meta["owner"]))
        definition = ProcessDefinition(
            key=compiled.process_id,
            name=compiled.name,
            category=compiled.meta.get("category") or "chain",
            subject_type=compiled.meta.get("subject_type"),
            owner_org_unit_id=owner,
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
    definition.latest_version_id = version.id
    definition.name = compiled.name
    audit.record(
        session, actor_id=actor_id, action="process.deploy", object_type="process_definition",
        object_id=definition.key, now=now, after={"version": version.version, "checksum": compiled.checksum},
        note=note,
    )  # fmt: skip
    return version


def deploy_builtin(session: Session, now: datetime, directory: Path = WORKFLOW_DIR) -> list[ProcessVersion]:
    """Deploy every BPMN file in workflows/ that differs from its latest version (chains first)."""
    files = sorted(directory.glob("*.bpmn"), key=lambda p: (not p.name.startswith("chain_"), p.name))
    return [
        deploy(session, path.read_bytes(), actor_id=None, now=now, note=f"内置流程 {path.name}", skip_unchanged=True)
        for path in files
    ]


def sync_templates(session: Session, now: datetime) -> list[FormTemplate]:
    """Add the shipped templates that the database does not have yet, as version 1."""
    known = set(session.scalars(select(FormTemplate.key)).all())
    added = []
    for key, definition in builtin_templates().items():
        if key in known:
            continue
        template = FormTemplate(
            key=key,
            version=1,
            subject_type=definition["subject_type"],
            doc_type=definition["doc_type"],
            title=definition["title"],
            definition=definition,
            published_at=now,
        )
        session.add(template)
        added.append(template)
    return added


def install(session: Session, now: datetime, with_demo: bool = True, demo_year: bool = False) -> dict:
    """What `zhengai init` puts into a migrated database: templates, the demo organisation, the workflows.

    `demo_year`: into a database that gets the demo organisation now, also play the demo school's year
    up to `now` (engine/demo_year.py); an organisation loaded earlier is never given a second year.
    """
    from . import demo

    added = sync_templates(session, now)
    loaded = False
    if with_demo and not demo.is_loaded(session):
        demo.load(session, now)
        loaded = True
    versions = deploy_builtin(session, now)
    year = None
    if loaded and demo_year:
        from . import demo_year as story

        year = story.load(session, now)
    return {"templates": added, "demo": loaded, "versions": versions, "demo_year": year}


def install_database(url: str, now: datetime, with_demo: bool = True, demo_year: bool = False) -> None:
    """Migrate a database and install into it in one transaction (tests, benchmarks)."""
    from .db import make_engine
    from .migrate import upgrade

    upgrade(url)
    eng = make_engine(url)
    with Session(eng) as session:
        install(session, now, with_demo, demo_year)
        session.commit()
    eng.dispose()
