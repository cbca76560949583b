"""How a call activity binds to the process it calls: the latest deployed version when the instance starts.

A deployed version stores its own spec only. Starting an instance resolves every process its call
activities reach (recursively: a called process may call others) to that process's latest deployed
version, and the instance keeps the map (`process_instance.bindings`, {process key: version id}). Every
later load (a step, a wake, a retry, a withdrawal, the instance page) assembles the same bundle from
those versions, so a chain redeployed in the modeler reaches the next cycles started and never changes a
running one; a migration moves an instance to the versions a new instance would get.

Bundles are cached per process by (caller version, bound versions): a step parses nothing. Versions
deployed before bindings existed embedded their called specs; migration 0014 bound their instances to
exactly the versions embedded (each called process's latest at the caller's deploy).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import N_, NotFound
from ..models import ProcessDefinition, ProcessInstance, ProcessVersion
from .bpmn.serializer import SPECS, SpecCache, load_specs

BUNDLES = SpecCache()


def version_bundle(session: Session, version: ProcessVersion):
    """(spec, subprocess specs, meta) as `version` stores them, parsed once per process.

    The cache key includes the checksum: on SQLite a rolled-back deploy gives its id back, and the next
    version to take that id must not find the other diagram's spec in the cache.
    """
    return _specs(session, version.id, version.checksum)


def _specs(session: Session, version_id: int, checksum: str):
    def make():
        row = session.execute(
            select(ProcessVersion.spec_json, ProcessVersion.meta).where(ProcessVersion.id == version_id)
        ).one()
        return (*load_specs(row.spec_json), row.meta)

    return SPECS.get((version_id, checksum), make)


def bind(session: Session, version: ProcessVersion) -> dict[str, int] | None:
    """{process key: latest version id} for every process `version` calls, directly or through another
    called process; None when it calls none. NotFound when a called process is not deployed."""
    bindings: dict[str, int] = {}
    todo = list(version_bundle(session, version)[2].get("called", []))
    while todo:
        keys = [k for k in dict.fromkeys(todo) if k not in bindings]
        if not keys:
            break
        latest = {
            row.key: row
            for row in session.execute(
                select(ProcessDefinition.key, ProcessVersion.id, ProcessVersion.checksum)
                .join(ProcessVersion, ProcessVersion.id == ProcessDefinition.latest_version_id)
                .where(ProcessDefinition.key.in_(keys))
            )
        }
        todo = []
        for key in keys:
            if key not in latest:
                raise NotFound(N_("流程“%(key)s”尚未部署"), key=key)
            bindings[key] = latest[key].id
            todo += _specs(session, latest[key].id, latest[key].checksum)[2].get("called", [])
    return bindings or None


def bundle(session: Session, version: ProcessVersion, bindings: dict[str, int] | None):
    """(spec, subprocess specs, meta) of `version` running the bound versions of what it calls.

    `meta["called_meta"]` holds each bound version's metadata (engine/workflow/readmodel.py reads it for
    the tasks of called processes). Without bindings: the version as stored.
    """
    if not bindings:
        return version_bundle(session, version)
    key = (version.id, version.checksum, tuple(sorted(bindings.items())))
    return BUNDLES.get(key, lambda: _assemble(session, version, bindings))


def _assemble(session: Session, version: ProcessVersion, bindings: dict[str, int]):
    spec, _embedded, meta = version_bundle(session, version)
    checksums = dict(
        session.execute(
            select(ProcessVersion.id, ProcessVersion.checksum).where(ProcessVersion.id.in_(set(bindings.values())))
        ).all()
    )
    subs, called_meta = {}, {}
    for key, version_id in bindings.items():
        if version_id not in checksums:
            raise NotFound(N_("流程“%(key)s”尚未部署"), key=key)
        subs[key], _, called_meta[key] = _specs(session, version_id, checksums[version_id])
    return spec, subs, {**meta, "called_meta": called_meta}


def instance_bundle(session: Session, instance: ProcessInstance):
    """The bundle an instance runs on: its version with the versions bound when it started."""
    return bundle(session, instance.version, instance.bindings)


def forget(version_id: int) -> None:
    """A version with this id was just deployed: drop bundles cached for an earlier holder of the id (a
    rolled-back deploy on SQLite hands its id to the next one; bound versions are keyed by id alone)."""
    BUNDLES.discard(lambda key: key[0] == version_id or any(v == version_id for _, v in key[2]))


def bound_versions(session: Session, instance: ProcessInstance) -> list[dict]:
    """The called processes' versions an instance runs on, for its page: [{key, name, version}]."""
    if not instance.bindings:
        return []
    rows = session.execute(
        select(ProcessDefinition.key, ProcessDefinition.name, ProcessVersion.version)
        .join(ProcessVersion, ProcessVersion.definition_id == ProcessDefinition.id)
        .where(ProcessVersion.id.in_(set(instance.bindings.values())))
        .order_by(ProcessDefinition.name)
    ).all()
    return [{"key": r.key, "name": r.name, "version": r.version} for r in rows if r.key in instance.bindings]


def callers(session: Session, key: str) -> list[ProcessDefinition]:
    """The processes whose new instances run `key` through a call activity (directly, or through a process
    they call), by the latest version of each: who picks up a new version of `key` at their next start."""
    calls = {
        definition: set((meta or {}).get("called", []))
        for definition, meta in session.execute(
            select(ProcessDefinition, ProcessVersion.meta).join(
                ProcessVersion, ProcessVersion.id == ProcessDefinition.latest_version_id
            )
        )
    }
    found: dict[str, ProcessDefinition] = {}
    todo = [key]
    while todo:
        target = todo.pop()
        for definition, called in calls.items():
            if target in called and definition.key not in found and definition.key != key:
                found[definition.key] = definition
                todo.append(definition.key)
    return sorted(found.values(), key=lambda d: d.name)


def warm(session: Session) -> int:
    """Parse the latest version of every process into the spec cache (a server worker's start-up, so the
    first completions do not pay for it and the specs are there before the worker freezes its long-lived
    objects); returns how many."""
    rows = session.execute(
        select(ProcessVersion.id, ProcessVersion.checksum).join(
            ProcessDefinition, ProcessDefinition.latest_version_id == ProcessVersion.id
        )
    ).all()
    for row in rows:
        _specs(session, row.id, row.checksum)
    return len(rows)
