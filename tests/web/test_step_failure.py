"""A step that breaks while a person completes a task: nothing is half-done, the instance is listed for admins."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from engine.documents import service as documents
from engine.models import AuditEntry, Document, HumanTask, ProcessInstance
from engine.workflow import runtime, services
from tests.conftest import NOW, filled, own_subject, user


def test_a_failing_service_undoes_the_step_and_flags_the_instance(session, login_as, monkeypatch):
    author = user(session, "t01")
    edit = documents.start_document(session, author, own_subject(session, "t01").id, "target", NOW)
    runtime.complete_task(
        session, author, edit.id, {"document": filled(session.get(Document, edit.document_id).data)}, NOW
    )
    review = session.scalar(
        select(HumanTask).where(HumanTask.instance_id == edit.instance_id, HumanTask.state == "open")
    )
    session.commit()

    real = services.REGISTRY.services["publish_document"]

    def broken(step, params, data):
        raise RuntimeError("disk full")

    monkeypatch.setitem(services.REGISTRY.services, "publish_document", replace(real, run=broken))
    reviewer = login_as("dzxy_reviewer")
    response = reviewer.post(f"/tasks/{review.id}", data={"decision": "approve", "comment": "同意"})
    assert response.status_code == 500
    assert "流程在执行后续步骤时出错" in response.get_data(as_text=True)

    session.expire_all()
    task = session.get(HumanTask, review.id)
    assert task.state == "open" and task.decision is None  # the approval did not half-happen
    assert session.get(Document, edit.document_id).status != "published"
    instance = session.get(ProcessInstance, edit.instance_id)
    assert instance.status == "error" and "出错" in instance.incident
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "instance.error"))
    assert "disk full" in entry.after["detail"]

    problems = login_as("zlc_admin").get("/monitor/problems").get_data(as_text=True)
    assert f"#{instance.id}" in problems or str(instance.id) in problems

    monkeypatch.setitem(services.REGISTRY.services, "publish_document", real)  # fixed: the administrator retries
    fix = {"reason": "已修复", "confirm": "yes"}
    retried = login_as("zlc_admin").post(f"/monitor/instances/{instance.id}/retry", data=fix)
    assert retried.status_code in (200, 302)
    again = reviewer.post(f"/tasks/{review.id}", data={"decision": "approve", "comment": "同意"})
    assert again.status_code == 302
    session.expire_all()
    assert session.get(ProcessInstance, edit.instance_id).status == "completed"


def incidents_of(session, instance_id) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == "instance.error", AuditEntry.instance_id == instance_id)
        )
    )


def test_a_withdrawal_whose_step_breaks_is_undone_and_recorded_like_any_other(session, login_as, monkeypatch):
    from engine.workflow import readmodel
    from tests.web.test_teacher_path import start_target
    from tests.web.test_withdrawal import submit

    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    submit(teacher, session, task_id)

    def broken(*args, **kwargs):
        raise RuntimeError("read model down")

    monkeypatch.setattr(readmodel, "sync_tasks", broken)
    response = teacher.post(f"/tasks/{task_id}/withdraw", data={"confirm": "yes"})
    assert response.status_code == 500 and "流程在执行后续步骤时出错" in response.get_data(as_text=True)
    assert "已撤回" not in response.get_data(as_text=True)
    instance_id = session.get(HumanTask, task_id).instance_id
    [entry] = incidents_of(session, instance_id)
    assert "read model down" in entry.after["detail"]
    assert session.get(HumanTask, task_id).state == "completed"  # the withdrawal did not half-happen
    assert session.get(Document, session.get(HumanTask, task_id).document_id).status == "in_review"


def test_a_retry_that_fails_again_says_why_and_records_the_new_failure(session, login_as, clock, monkeypatch):
    from engine import scheduler
    from engine.workflow import deadlines
    from tests.engine.test_scheduler import cycle_at_step_6

    instance, task = cycle_at_step_6(session, "t02")

    def broken(*args):
        raise RuntimeError("escalation service down")

    monkeypatch.setattr(deadlines, "escalate_open_tasks", broken)  # the step's timer cannot escalate
    late = task.due_at + timedelta(minutes=5)
    assert scheduler.tick(session, late)["failed"] == 1
    session.commit()
    assert len(incidents_of(session, instance.id)) == 1

    clock.now = late  # the administrator retries once the timer is due: its step runs, and fails again
    office = login_as("zlc_admin")
    again = office.post(f"/monitor/instances/{instance.id}/retry", data={"reason": "再试", "confirm": "yes"})
    body = again.get_data(as_text=True)
    assert again.status_code == 409 and "重试失败，流程仍然出错" in body and "escalation service down" in body
    assert "已重试流程" not in body
    assert len(incidents_of(session, instance.id)) == 2  # the retry's failure is on record as well
    assert session.get(ProcessInstance, instance.id).status == "error"
