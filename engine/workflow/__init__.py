"""The workflow runtime: BPMN compiled and run by SpiffWorkflow, the task read model, deadlines, incidents.

One interface for everything that moves a workflow (engine/workflow/runtime.py and its neighbours):
start an instance, complete / claim / unclaim a task, wake its timers, retry a failed step, migrate it to
another version, start many at once. The runtime owns loading and advancing a workflow, the task rows
(`readmodel.new_task`, the one row builder) and planning their deadlines. What BPMN may call (service
tasks, task kinds) is registered here by the packages that own it (`services`; engine/wiring.py).

Modules: runtime (the interface), readmodel (task rows), tasks (reading them: inbox, permission-checked
loading), services (the registry), kinds (the workflow's own kinds), deadlines (effects planned for the
scheduler), incidents (failed steps, stuck tasks), system_steps (a person's step completed by the system),
replay (fast-forward a called process), batch (one SAVEPOINT per item), bulk (many starts at once),
binding (which versions of the called processes an instance runs: the latest at its start), migration,
deploy, bpmn/ (compiler, scripting, serializer), expressions (the only language BPMN conditions are written in).
"""

from .batch import Outcome, complete_many, each_in_savepoint
from .binding import bind, bound_versions, callers, instance_bundle, version_bundle
from .bulk import Start, Unsupported, start_many
from .deploy import compile_for_deploy, deploy_builtin, latest_deployed, latest_version
from .incidents import record_failure
from .migration import blockers, migrate_instance
from .readmodel import FALLBACK_PRINCIPAL
from .runtime import (
    advance,
    claim_task,
    complete_task,
    load_instance,
    load_workflow,
    retry_instance,
    start_instance,
    unclaim_task,
    wake_instance,
)
from .services import Step, register_service, register_task_kind, service_labels, task_kinds
from .system_steps import complete_by_system
from .tasks import BLOCKED, actionable_task, get_task

__all__ = [
    "BLOCKED", "FALLBACK_PRINCIPAL", "Outcome", "Start", "Step", "Unsupported", "actionable_task", "advance",
    "bind", "blockers", "bound_versions", "callers", "claim_task", "compile_for_deploy", "complete_many",
    "complete_by_system", "complete_task", "deploy_builtin", "each_in_savepoint", "get_task", "instance_bundle",
    "latest_deployed", "latest_version", "load_instance", "load_workflow", "migrate_instance", "record_failure",
    "register_service", "register_task_kind", "retry_instance", "service_labels", "start_instance", "start_many",
    "task_kinds", "unclaim_task", "version_bundle", "wake_instance",
]  # fmt: skip
