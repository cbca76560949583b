"""Start many subjects' cycles in one go: the same steps as `cycle.start_for_subject`, written in bulk.

For a subject whose targets of the period do not exist yet (the usual first-year start), the cycle
stops at the author's first task of the target chain. That outcome is computed per subject by the
engine as usual, but documents, instances, tasks, candidates, deadlines and audit entries are inserted
a batch at a time. Subjects outside that case (targets already written, nobody to author) are returned
for the one-by-one path.
"""

from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from forms.templates import empty_document

from . import assignment, deadlines, documents, notifications, periods, runtime
from .bpmn.scripting import SafeScriptEngine
from .bpmn.serializer import dump_state
from .models import AuditEntry, CycleInstance, Document, HumanTask, ProcessInstance, SubjectMember, TaskCandidate, User


class _Unexpected(RuntimeError):
    pass


def start_batch(session: Session, subjects, year: int, dues: dict, run_id, now: datetime, base_year: int) -> list:
    """Start what can be started in bulk; return the subjects left for `cycle.start_for_subject`."""
    from .cycle import LEVELS, _mid_year, level_of

    if not subjects:
        return []
    in_year = _mid_year(year)
    period = periods.period_for("target", in_year, base_year)
    ids = [s.id for s in subjects]
    taken = set(
        session.scalars(
            select(Document.subject_id).where(
                Document.subject_id.in_(ids), Document.doc_type == "target", Document.period == period
            )
        )
    )
    members: dict[int, list[int]] = {}
    for sid, uid in session.execute(
        select(SubjectMember.subject_id, SubjectMember.user_id)
        .join(User, User.id == SubjectMember.user_id)
        .where(SubjectMember.subject_id.in_(ids), User.active)
    ):
        members.setdefault(sid, []).append(uid)
    rest = [s for s in subjects if s.id in taken or s.id not in members]
    todo = [s for s in subjects if s.id not in taken and s.id in members]
    by_type: dict[str, list] = {}
    for s in todo:
        by_type.setdefault(s.type, []).append(s)
    for subject_type, group in by_type.items():
        template = documents.latest_template(session, subject_type, "target")
        if template is None:
            rest.extend(group)
            continue
        key = LEVELS[level_of(subject_type)][0]
        try:
            _start_group(session, group, template, key, period, year, dues, run_id, now, base_year, members)
        except _Unexpected:
            rest.extend(group)
    return rest


def _start_group(session, group, template, key, period, year, dues, run_id, now, base_year, members) -> None:
    from .cycle import step_data

    version = runtime.latest_version(session, key)
    spec, subs, meta = runtime.version_bundle(session, version)
    content = empty_document(template.definition)
    doc_ids = session.scalars(
        insert(Document).returning(Document.id, sort_by_parameter_order=True),
        [
            {"subject_id": s.id, "doc_type": "target", "period": period, "status": "draft", "data": content,
             "title": f"{template.title}（{period}）· {s.name}", "template_key": template.key,
             "template_version": template.version, "published_version": 0, "created_at": now, "updated_at": now}
            for s in group
        ],
    ).all()  # fmt: skip
    states, pending = [], []
    for subject, doc_id in zip(group, doc_ids, strict=True):
        wf = BpmnWorkflow(spec, subs, script_engine=SafeScriptEngine())
        data = {"year": year, "base_year": base_year, "subject_type": subject.type, "subject_id": subject.id}
        data.update({f"due_{k}": v for k, v in dues.items()})
        wf.get_tasks(state=TaskState.READY)[0].set_data(**data)

        def handler(op, params, task_data, doc_id=doc_id):
            if op != "prepare_document" or params.get("doc_type") != "target":
                raise _Unexpected(op)
            step_data("target", task_data)
            task_data["document_id"], task_data["needs_chain"] = doc_id, True
            return {"document_id": doc_id, "needs_chain": True}

        wf.script_engine.environment.handler = handler
        wf.do_engine_steps()
        wf.script_engine.environment.handler = None
        ready = runtime.ready_human_tasks(wf)
        if len(ready) != 1:
            raise _Unexpected("first step")
        states.append({"version_id": version.id, "process_key": key, "subject_id": subject.id, "status": "running",
                       "state_json": dump_state(wf), "lock_version": 1, "started_at": now,
                       "next_timer_at": runtime._next_timer(wf)})  # fmt: skip
        pending.append((subject, doc_id, ready[0]))
    instance_ids = session.scalars(
        insert(ProcessInstance).returning(ProcessInstance.id, sort_by_parameter_order=True), states
    ).all()
    tasks, docs, audits, cycles, wakes = [], [], [], [], []
    for (subject, doc_id, task), instance_id, state in zip(pending, instance_ids, states, strict=True):
        info = runtime._task_meta(task, meta)
        due_at = runtime._due_of(info, task, now)
        tasks.append({"instance_id": instance_id, "spiff_task_id": str(task.id), "bpmn_id": task.task_spec.bpmn_id,
                      "name": info["name"], "kind": info.get("kind", "form"), "lane": info.get("lane"),
                      "process_key": key, "process_name": meta.get("name", key), "subject_id": subject.id,
                      "subject_name": subject.name, "document_id": doc_id,
                      "title": f"{template.title}（{period}）· {subject.name}", "vertical": info.get("vertical"),
                      "step": runtime.step_of(task, info, meta),
                      "state": "open", "created_at": now, "due_at": due_at,
                      "candidates_label": subject.name[:200]})  # fmt: skip
        docs.append({"id": doc_id, "instance_id": instance_id})
        after = {"process": key, "version": version.version, "subject_id": subject.id}
        audits.append({"at": now, "action": "instance.start", "object_type": "process_instance",
                       "object_id": str(instance_id), "instance_id": instance_id, "after": after})  # fmt: skip
        made = {"title": tasks[-1]["title"], "template": f"{template.key}@v{template.version}"}
        audits.append({"at": now, "action": "document.create", "object_type": "document", "object_id": str(doc_id),
                       "instance_id": instance_id, "after": made})  # fmt: skip
        cycles.append({"year": year, "subject_id": subject.id, "instance_id": instance_id, "run_id": run_id})
        if state["next_timer_at"] is not None:
            wakes.append((instance_id, state["next_timer_at"]))
    task_ids = session.scalars(insert(HumanTask).returning(HumanTask.id, sort_by_parameter_order=True), tasks).all()
    session.execute(
        insert(TaskCandidate),
        [
            {"principal": assignment.user_principal(uid), "task_id": tid}
            for (subject, _d, _t), tid in zip(pending, task_ids, strict=True)
            for uid in sorted(set(members[subject.id]))
        ],
    )
    notifications.send(
        session,
        [
            notifications.arrival(uid, tid, t["name"], t["title"], t["process_name"], t["due_at"], now)
            for (subject, _d, _t), t, tid in zip(pending, tasks, task_ids, strict=True)
            for uid in sorted(set(members[subject.id]))
        ],
    )
    effects = [
        row
        for t, tid in zip(tasks, task_ids, strict=True)
        if t["due_at"] is not None
        for row in deadlines.plan("human_task", tid, t["due_at"], now)
    ]
    if effects:
        session.execute(insert(deadlines.ScheduledEffect), effects)
    for instance_id, at in wakes:
        deadlines.schedule_wake(session, instance_id, at)
    session.execute(update(Document), docs)
    session.execute(insert(AuditEntry), audits)
    session.execute(insert(CycleInstance), cycles)
