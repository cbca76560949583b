"""A step that breaks while a person completes a task: nothing is half-done, the instance is listed for admins."""

from __future__ import annotations

from dataclasses import replace

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
