"""What BPMN may call, registered by the packages that own it: service tasks and task kinds.

The workflow package knows neither documents nor the annual cycle. A package that gives BPMN an
operation registers it here, with the label the modeler shows: documents register the `publish_document`
service and the `edit` and `review` task kinds, the cycle registers `prepare_document`, the workflow
itself `notify_overdue` and the `form` and `ack` kinds. `engine.wiring.wire()` makes every registration,
once, before anything runs (the app factory, the CLI, the tests and the benches call it); the compiler
refuses a service task naming anything not registered, and asking before `wire()` ran is an error, not a
smaller vocabulary.

A service runs inside the step's transaction (`Step`: the session, instance, subject, actor and time),
so what it writes commits or rolls back with the workflow state. A task kind turns what a person sent
into the task's data for the engine, writing what it owns (a document's submission) in the same step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..core.errors import N_, NotFound


@dataclass(frozen=True)
class Step:
    """Where a service call runs: the step's transaction and who and what the step is about."""

    session: Any
    instance: Any  # ProcessInstance
    subject: Any  # Subject or None
    actor_id: int | None
    now: datetime


@dataclass(frozen=True)
class Service:
    name: str
    label: str
    run: Callable[[Step, dict, dict], dict]  # (step, parameters, the calling task's data) -> result


@dataclass(frozen=True)
class TaskKind:
    """`take_input(session, human task, user, payload, now)` -> data for the engine. `document`: which document
    the completion's one read brings along ("instance": the instance's, "task": the task row's, None: none).
    `read()`: more columns for that read (correlated with the task, its instance and that document), built
    once; their values reach `take_input` as `read=` (a tuple), so the kind asks nothing more itself."""

    name: str
    label: str
    take_input: Callable
    document: str | None = None
    read: Callable[[], tuple] | None = None


class NotWired(RuntimeError):
    """The registry was asked before `engine.wiring.wire()` ran."""


class Registry:
    """Services and task kinds by name; registering a different thing under a taken name is an error."""

    def __init__(self):
        self.services: dict[str, Service] = {}
        self.kinds: dict[str, TaskKind] = {}
        self.wired = False

    def add_service(self, name: str, label: str, run: Callable) -> None:
        self._add(self.services, Service(name, label, run))

    def add_task_kind(self, name: str, label: str, take_input: Callable, *, document: str | None = None,
                      read: Callable[[], tuple] | None = None) -> None:  # fmt: skip
        self._add(self.kinds, TaskKind(name, label, take_input, document, read))

    @staticmethod
    def _add(table: dict, item) -> None:
        known = table.get(item.name)
        if known is not None and known != item:
            raise ValueError(f"{item.name} is registered twice")
        table[item.name] = item

    def check(self) -> None:
        if not self.wired:
            raise NotWired("engine.wiring.wire() has not run: nothing is registered for BPMN to call")


REGISTRY = Registry()
register_service = REGISTRY.add_service
register_task_kind = REGISTRY.add_task_kind


def service_labels() -> dict[str, str]:
    """The services a service task may call, with the modeler's label."""
    REGISTRY.check()
    return {name: s.label for name, s in REGISTRY.services.items()}


def task_kinds() -> dict[str, str]:
    """The kinds a human task may be (`zhengai:task kind=`), with their labels."""
    REGISTRY.check()
    return {name: k.label for name, k in REGISTRY.kinds.items()}


def call(step: Step, operation: str, params: dict, data: dict) -> dict:
    """Run one service call for a step; `data` is the calling task's data and may be updated."""
    REGISTRY.check()
    service = REGISTRY.services.get(operation)
    if service is None:
        raise NotFound(N_("未知的服务：%(name)s"), name=operation)
    return service.run(step, params, data)


def take_input(kind: str) -> Callable:
    """How a task of `kind` turns a person's input into the engine's data."""
    return kind_of(kind).take_input


def kind_of(kind: str) -> TaskKind:
    """The registered kind (a kind nobody registered is a plain form)."""
    REGISTRY.check()
    return REGISTRY.kinds.get(kind) or REGISTRY.kinds["form"]


def kinds_with_reads() -> list[TaskKind]:
    """The kinds whose completion reads a document or more columns (engine/workflow/runtime.py)."""
    REGISTRY.check()
    return [k for k in REGISTRY.kinds.values() if k.document or k.read]
