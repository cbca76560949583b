"""Service requests (table 38 and the support-service catalogue of table 28) as a BPMN process.

Modules: requests (start a request, its steps' task kind `service`, the escalation service, the lists),
catalogue (the services one may request, their service-level due times). What BPMN calls is registered by
`register` (engine/wiring.py).
"""

from .. import workflow
from . import catalogue, requests
from .requests import STATUSES, get_request, may_request, mine, open_tasks, queue, queue_units, submit, unresolved


def register() -> None:
    workflow.register_task_kind("service", "服务申请办理", requests.take_step)
    workflow.register_service(
        "escalate_service_request", "服务超时督办（通知服务提供部门负责人和党政办公室）", requests.escalate
    )


__all__ = [
    "STATUSES", "catalogue", "get_request", "may_request", "mine", "open_tasks", "queue", "queue_units", "register",
    "requests", "submit", "unresolved",
]  # fmt: skip
