"""Wire the engine once: every package that gives BPMN something to call registers it with the workflow.

Called by whatever starts the engine (the app factory, the CLI through it, `engine.install`, the tests'
conftest, the benches) before anything runs, so no behaviour depends on which module happened to be
imported first. Idempotent. The registrations, in one place:

- documents: the `edit` and `review` task kinds, the `publish_document` service;
- workflow: the `form` and `ack` task kinds, the `notify_overdue` service;
- cycle: the `prepare_document` service;
- servicedesk: the `service` task kind, the `escalate_service_request` service;
- reports: the `report` task kind, the `publish_report` service.
"""

from __future__ import annotations

from . import cycle, documents, reports, servicedesk
from .workflow import kinds, services


def wire() -> None:
    if services.REGISTRY.wired:
        return
    documents.register()
    kinds.register()
    cycle.register()
    servicedesk.register()
    reports.register()
    services.REGISTRY.wired = True
