"""The teacher-development chain (seed figure 7) through the engine, without Flask."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from engine.core.errors import Conflict, InvalidInput, NotFound, StepFailed
from engine.documents import service as documents
from engine.models import AuditEntry, DocumentVersion, HumanTask, ProcessInstance
from engine.workflow import runtime, tasks
from tests.conftest import NOW, document_of, filled, open_task, own_subject, user


def start(session, username="t01", doc_type="target"):
    teacher = user(session, username)
    return documents.start_document(session, teacher, own_subject(session, username).id, doc_type, NOW)


def submit(session, task, username="t01"):
    doc = document_of(session, task)
    return runtime.complete_task(session, user(session, username), task.id, {"document": filled(doc.data)}, NOW)


def review(session, username, decision, comment=""):
    task = open_task(session, username, kind="review")
    assert task is not None, f"{username} has no review task"
    return runtime.complete_task(
        session, user(session, username), task.id, {"decision": decision, "comment": comment}, NOW
    )


@pytest.mark.parametrize("doc_type", ["target", "standard", "plan"])
def test_approve_publishes_version_one(session, doc_type):
    first = start(session, doc_type=doc_type)
    assert first.kind == "edit" and first.due_at is not None
    submit(session, first)
    assert document_of(session, first).status == "in_review"
    review(session, "dzxy_reviewer", "approve")
    doc = document_of(session, first)
    assert doc.status == "published" and doc.published_version == 1
    instance = session.get(ProcessInstance, first.instance_id)
    assert instance.status == "completed"
    assert open_task(session, "t01") is None and open_task(session, "dzxy_reviewer") is None


def test_return_then_approve_shows_comment_and_runs_chain_again(session):
    first = start(session)
    submit(session, first)
    review(session, "dzxy_reviewer", "return", "请把师德师风写具体")
    doc = document_of(session, first)
    assert doc.status == "returned"
    again = open_task(session, "t01", kind="edit")
    assert again is not None and again.id != first.id
    assert again.return_comment == "请把师德师风写具体" and again.returned_by_id == user(session, "dzxy_reviewer").id
    submit(session, again)
    review(session, "dzxy_reviewer", "approve")
    assert document_of(session, first).published_version == 1


def test_return_twice_then_approve(session):
    first = start(session)
    submit(session, first)
    for n in range(2):
        review(session, "dzxy_reviewer", "return", f"第{n + 1}次退回")
        submit(session, open_task(session, "t01", kind="edit"))
    review(session, "dzxy_reviewer", "approve")
    decisions = [h["decision"] for h in tasks.history(session, first.instance_id) if h["state"] == "completed"]
    assert decisions == ["submit", "return", "submit", "return", "submit", "approve"]
    assert document_of(session, first).published_version == 1


def test_revision_becomes_v2_and_v1_stays(session):
    first = start(session)
    submit(session, first)
    review(session, "dzxy_reviewer", "approve")
    v1_data = document_of(session, first).data

    revision = start(session)
    doc = document_of(session, revision)
    changed = filled(doc.data, "修订")
    changed["rows"][0]["cells"]["description"] = "第二版的描述"
    runtime.complete_task(session, user(session, "t01"), revision.id, {"document": changed}, NOW)
    review(session, "dzxy_reviewer", "approve")

    doc = document_of(session, revision)
    assert doc.id == first.document_id and doc.published_version == 2
    v1, v2 = documents.versions(session, doc)
    assert v1.data == v1_data
    assert v2.data["rows"][0]["cells"]["description"] == "第二版的描述"


def test_only_the_teachers_college_sees_the_review(session):
    submit(session, start(session, "t01"))  # t01 teaches in 电子与物联网学院
    assert open_task(session, "dzxy_reviewer", kind="review") is not None
    assert open_task(session, "rjxy_reviewer", kind="review") is None
    task = session.scalar(select(HumanTask).where(HumanTask.kind == "review", HumanTask.state == "open"))
    for outsider in ("rjxy_reviewer", "t02", "s01"):
        with pytest.raises(NotFound):
            tasks.get_task(session, user(session, outsider), task.id)
        with pytest.raises(NotFound):
            runtime.complete_task(session, user(session, outsider), task.id, {"decision": "approve"}, NOW)


def test_claim_hides_task_from_the_group_and_blocks_others(session):
    submit(session, start(session))
    task = open_task(session, "dzxy_reviewer", kind="review")
    runtime.claim_task(session, user(session, "dzxy_reviewer"), task.id, NOW)
    mine = tasks.list_tasks(session, user(session, "dzxy_reviewer"), tab="claimed").rows
    assert [r.id for r in mine] == [task.id] and mine[0].claimant_name == "赵院审"
    runtime.unclaim_task(session, user(session, "dzxy_reviewer"), task.id, NOW)
    assert tasks.list_tasks(session, user(session, "dzxy_reviewer"), tab="claimed").total == 0


def test_invalid_review_and_document_change_nothing(session):
    first = start(session)
    before = document_of(session, first).data
    with pytest.raises(InvalidInput) as err:
        runtime.complete_task(session, user(session, "t01"), first.id, {"document": before}, NOW)
    assert any(k.startswith("rows.0.cells.description") for k in err.value.fields)
    session.rollback()
    submit(session, start(session))
    with pytest.raises(InvalidInput) as err:
        review(session, "dzxy_reviewer", "return", "")
    assert "comment" in err.value.fields


def test_completed_task_cannot_be_completed_again(session):
    first = start(session)
    submit(session, first)
    with pytest.raises(Conflict):
        submit(session, first)


def test_crash_after_engine_step_leaves_everything_as_before(session, monkeypatch):
    first = start(session)
    submit(session, first)
    session.commit()
    task = open_task(session, "dzxy_reviewer", kind="review")
    instance = session.scalar(
        select(ProcessInstance)
        .options(undefer(ProcessInstance.state_json))
        .where(ProcessInstance.id == task.instance_id)
    )
    snapshot = (
        instance.state_json,
        instance.lock_version,
        session.execute(select(HumanTask.id, HumanTask.state, HumanTask.decision).order_by(HumanTask.id)).all(),
        session.scalar(select(func.count()).select_from(AuditEntry)),
        document_of(session, task).status,
    )

    def explode(wf):
        raise RuntimeError("power cut after the engine ran")

    monkeypatch.setattr(runtime, "dump_state", explode)
    with pytest.raises(StepFailed) as failed:
        review(session, "dzxy_reviewer", "approve")
    assert isinstance(failed.value.cause, RuntimeError)
    session.rollback()
    session.expire_all()
    instance = session.scalar(
        select(ProcessInstance)
        .options(undefer(ProcessInstance.state_json))
        .where(ProcessInstance.id == task.instance_id)
    )
    assert (
        instance.state_json,
        instance.lock_version,
        session.execute(select(HumanTask.id, HumanTask.state, HumanTask.decision).order_by(HumanTask.id)).all(),
        session.scalar(select(func.count()).select_from(AuditEntry)),
        document_of(session, task).status,
    ) == snapshot
    versions = select(func.count()).select_from(DocumentVersion)
    assert session.scalar(versions.where(DocumentVersion.document_id == task.document_id)) == 0
    monkeypatch.undo()
    review(session, "dzxy_reviewer", "approve")  # the step can simply be done again
    assert document_of(session, task).status == "published"


def test_audit_log_records_who_what_when(session):
    first = start(session)
    submit(session, first)
    review(session, "dzxy_reviewer", "approve")
    rows = session.execute(
        select(AuditEntry.action, AuditEntry.actor_id)
        .where(AuditEntry.instance_id == first.instance_id)
        .order_by(AuditEntry.id)
    ).all()
    actions = [a for a, _ in rows]
    assert actions[0] == "instance.start"
    assert actions.count("task.complete") == 2
    assert "document.publish" in actions and actions[-1] == "instance.complete"


def test_team_members_draft_and_the_leader_submits(session):
    from engine.models import Subject

    major = session.scalar(select(Subject).where(Subject.type == "major", Subject.code == "510102"))
    member, leader = user(session, "t02"), user(session, "t01")
    first = documents.start_document(session, member, major.id, "target", NOW)  # any member may start
    data = filled(document_of(session, first).data)
    documents.save_draft(session, member, first.id, data, NOW)
    from engine.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        runtime.complete_task(session, member, first.id, {"document": data}, NOW)
    runtime.complete_task(session, leader, first.id, {"document": data}, NOW)
    assert document_of(session, first).status == "in_review"
