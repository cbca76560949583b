"""The demo year's upper-level reviews (上一级复核性诊断), so the self-diagnosis record (engine/cycle/record.py)
shows all three parties' columns for a college and a course.

Until the cycle has the upper-level review step, the document is prepared by the cycle's own step service
(`cycle.prepare_document`) in the subject's cycle instance, written by the reviewer the seed names
(党政办公室 for a college, 教务处 for a course), validated like a submission and published. The readonly
self-diagnosis columns are copied from the diagnosis here, as the step's preparation will do.
"""

from __future__ import annotations

from collections.abc import Callable

from marshmallow import ValidationError

from forms.documents import validate_document

from .. import cycle
from ..cycle import record
from ..documents import service as documents
from ..models import ProcessInstance
from .script import filled

# (days before now, subject code, reviewer): after the subject's self-diagnosis, before the school's review
REVIEWS = [(13, "DZXY", "dzb_reviewer"), (12, "RJ2001", "jwc_reviewer")]


def events(story) -> list[tuple[int, Callable[[], None]]]:
    return [(day, lambda c=code, w=who: upper_review(story, c, w)) for day, code, who in REVIEWS]


def upper_review(story, code: str, username: str) -> None:
    session, subject = story.session, story.subjects[code]
    instance = session.get(ProcessInstance, story.instances[code])
    doc, _ = cycle.prepare_document(session, instance, subject, "upper_review", {"year": story.year}, story.t)
    diagnosis = record.documents_of(session, subject.id, story.year).get("diagnosis")
    own = {r["id"]: r["cells"] for r in (diagnosis.data["rows"] if diagnosis else [])}
    stored = {"rows": [dict(r, cells=dict(r["cells"], self_conclusion=own.get(r["id"], {}).get("conclusion", ""),
                                          self_rating=own.get(r["id"], {}).get("rating", "")))
                       for r in doc.data["rows"]]}  # fmt: skip
    definition = documents.template_of(session, doc).definition
    content = filled(stored, definition, subject.name, period=doc.period)
    try:
        doc.data = validate_document(definition, content, submit=True, stored=stored)
    except ValidationError as exc:  # the demo is played through the rules: a refusal is a bug in the story
        raise RuntimeError(f"demo upper review of {code}: {exc.messages}") from None
    documents.publish_from_instance(session, instance, story.user(username).id, story.t, document_id=doc.id)
