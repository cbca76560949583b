"""What process owners do in the modeler: drafts, validation, deploys, rollback, comparison, migration.

Only the owners of a process (the `process_owner` or `head` of its owning department) and administrators
may see or change it; to everybody else it does not exist. Every function works in the caller's
transaction and writes the audit log; nothing here commits. Deploying runs the full check (validation)
and refuses with every problem tied to its element.
"""

from .access import editable_definitions, edits_any, get_editable, get_version, may_edit
from .compare import ELEMENT_LABELS, Change, compare
from .drafts import discard_draft, draft_of, save_draft, working_copy
from .migrate import PLAN_LIMIT, migrate, migration_plan
from .validation import DOCUMENT_FORM, InvalidBpmnInput, known_forms, validate
from .versions import (
    deploy,
    deploy_draft,
    deploy_preview,
    is_current,
    latest_versions,
    rollback,
    rollback_preview,
    version_xml,
    versions,
)

__all__ = [
    "DOCUMENT_FORM", "ELEMENT_LABELS", "PLAN_LIMIT", "Change", "InvalidBpmnInput", "compare", "deploy", "deploy_draft",
    "deploy_preview", "discard_draft", "draft_of", "editable_definitions", "edits_any", "get_editable",
    "get_version", "is_current", "known_forms", "latest_versions", "may_edit", "migrate", "migration_plan",
    "rollback", "rollback_preview", "save_draft", "validate", "version_xml", "versions", "working_copy",
]  # fmt: skip
