"""Start many subjects' cycles in one go: what `service.start_for_subject` does, written in bulk.

For a subject whose targets of the period do not exist yet (the usual first-year start), the cycle stops
at the author's first task of the target chain. The documents are inserted a batch at a time here; the
workflow's bulk start (engine/workflow/bulk.py) runs each subject's cycle through the engine and writes
instances, tasks, candidates, deadlines and audit entries with the runtime's own row makers. Subjects
outside that case (targets already written, nobody to author) are returned for the one-by-one path.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from forms.templates import empty_document

from .. import documents, workflow
from ..core import audit, periods, settings
from ..models import CycleInstance, Document, DocumentStatus
from .steps import LEVELS, due_data, level_of, mid_year, step_data


def start_batch(session: Session, subjects, year: int, dues: dict, run_id, now: datetime) -> list:
    """Start what can be started in bulk; return the subjects left for `service.start_for_subject`."""
    if not subjects:
        return []
    cfg = settings.of(session)
    period = periods.period_for("target", mid_year(year, cfg.timezone), cfg)
    taken = set(
        session.scalars(
            select(Document.subject_id).where(
                Document.subject_id.in_([s.id for s in subjects]), Document.doc_type == "target",
                Document.period == period,
            )
        )
    )  # fmt: skip
    rest = [s for s in subjects if s.id in taken]
    by_type: dict[str, list] = {}
    for s in subjects:
        if s.id not in taken:
            by_type.setdefault(s.type, []).append(s)
    for subject_type, group in by_type.items():
        template = documents.latest_template(session, subject_type, "target")
        if template is None:
            rest.extend(group)
            continue
        rest.extend(_start_group(session, group, template, period, year, dues, run_id, now))
    return rest


def _start_group(session, group, template, period, year, dues, run_id, now) -> list:
    content = empty_document(template.definition)
    titles = [f"{template.title}（{period}）· {s.name}" for s in group]
    doc_ids = session.scalars(
        insert(Document).returning(Document.id, sort_by_parameter_order=True),
        [
            {"subject_id": s.id, "doc_type": "target", "period": period, "status": DocumentStatus.DRAFT,
             "data": content, "title": title, "template_key": template.key, "template_version": template.version,
             "published_version": 0, "created_at": now, "updated_at": now}
            for s, title in zip(group, titles, strict=True)
        ],
    ).all()  # fmt: skip
    starts = []
    for subject, doc_id, title in zip(group, doc_ids, titles, strict=True):
        data = {"year": year, "subject_type": subject.type, "subject_id": subject.id}
        data.update(due_data(dues))
        starts.append(workflow.Start(subject, data, document_id=doc_id, title=title))

    def prepare(op, params, task_data, start):
        """The documents are made already: `prepare_document` of the target step answers with one."""
        if op != "prepare_document" or params.get("doc_type") != "target":
            raise workflow.Unsupported(op)
        step_data("target", task_data)
        task_data["document_id"], task_data["needs_chain"] = start.document_id, True
        return {"document_id": start.document_id, "needs_chain": True}

    key = LEVELS[level_of(group[0].type)][0]
    left = set(workflow.start_many(session, key, starts, now, prepare))
    started = [s for s in starts if s not in left]
    if started:
        session.execute(update(Document), [{"id": s.document_id, "instance_id": s.instance_id} for s in started])
        audit.record_rows(session, [
            audit.row(actor_id=None, action="document.create", object_type="document", object_id=s.document_id,
                      instance_id=s.instance_id, now=now,
                      after={"title": s.title, "template": f"{template.key}@v{template.version}"})
            for s in started
        ])  # fmt: skip
        session.execute(insert(CycleInstance), [
            {"year": year, "subject_id": s.subject.id, "instance_id": s.instance_id, "run_id": run_id} for s in started
        ])  # fmt: skip
    return [s.subject for s in starts if s in left]
