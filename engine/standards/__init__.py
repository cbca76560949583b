"""Basic standards (seed table 10): the 27 standards each lead department owns, versioned documents with
measurable criteria approved through chain_basic_standard (the lead department drafts, the 诊改工作委员会
审定), revised every three years. `criteria_for` is what diagnosis and the "未达到基本标准" warnings read."""

from .service import (
    STATUS_LABELS,
    criteria_for,
    get_standard,
    ids_by_key,
    list_standards,
    may_revise,
    next_revision_due,
    publish_adopted,
    start_revision,
    sync_standards,
    versions,
)

__all__ = [
    "STATUS_LABELS", "criteria_for", "get_standard", "ids_by_key", "list_standards", "may_revise", "next_revision_due",
    "publish_adopted", "start_revision", "sync_standards", "versions",
]  # fmt: skip
