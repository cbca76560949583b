"""Documents of subjects and what they are made from: start, draft, submit and publish them along their
approval chain (service), versioned templates, evidence files, who may read what (sharing), and the
author's withdraw and cancel. Registers the `edit` and `review` task kinds and the `publish_document`
service with the workflow (`service.register`)."""

from .service import (
    CHAIN_DOC_TYPES,
    DOC_TYPE_LABELS,
    STATUS_LABELS,
    SUBJECT_TYPE_LABELS,
    chain_key,
    get_document,
    header_values,
    initial_data,
    latest_template,
    register,
    template_of,
)
from .team import may_submit

__all__ = [
    "CHAIN_DOC_TYPES", "DOC_TYPE_LABELS", "STATUS_LABELS", "SUBJECT_TYPE_LABELS", "chain_key", "get_document",
    "header_values", "initial_data", "latest_template", "may_submit", "register", "template_of",
]  # fmt: skip
