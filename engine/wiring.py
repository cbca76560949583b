"""Wire the engine once: every package that gives BPMN something to call registers it with the workflow.

Called by whatever starts the engine (the app factory, the CLI through it, `engine.install`, the tests'
conftest, the benches) before anything runs, so no behaviour depends on which module happened to be
imported first. Idempotent. The registrations, in one place:

- documents: the `edit` and `review` task kinds, the `publish_document` service;
- workflow: the `form` and `ack` task kinds, the `notify_overdue` service;
- cycle: the `prepare_document` service;
- servicedesk: the `service` task kind, the `escalate_service_request` service;
- credits: the `credit` task kind.
- assessment: the `assessment` task kind, the `assessment_open_scoring` / `_compute` / `_publish` services.
- reports: the `report` task kind, the `publish_report` service.
"""

from __future__ import annotations

from . import assessment, credits, cycle, documents, reports, servicedesk
from .workflow import kinds, services


def wire() -> None:
    if services.REGISTRY.wired:
        return
    documents.register()
    kinds.register()
    cycle.register()
    servicedesk.register()
    credits.register()
    assessment.register()
    reports.register()
    services.REGISTRY.wired = True
