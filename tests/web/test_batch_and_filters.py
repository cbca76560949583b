"""A college reviewing many teacher documents: search, filter, batch approve with per-task results."""

from __future__ import annotations

from sqlalchemy import func, select

from engine import documents, runtime
from engine.models import AuditEntry, Document, HumanTask, User
from tests.conftest import NOW, filled, own_subject, user


def submit_targets(session, usernames):
    for name in usernames:
        teacher = user(session, name)
        task = documents.start_document(session, teacher, own_subject(session, name).id, "target", NOW)
        doc = session.get(Document, task.document_id)
        runtime.complete_task(session, teacher, task.id, {"document": filled(doc.data)}, NOW)
    session.flush()


def review_ids(session):
    return list(
        session.scalars(
            select(HumanTask.id).where(HumanTask.kind == "review", HumanTask.state == "open").order_by(HumanTask.id)
        )
    )


def test_search_by_subject_and_filter_by_process(login_as, session):
    submit_targets(session, ["t01", "t02", "t03"])
    reviewer = login_as("dzxy_reviewer")
    page = reviewer.get("/tasks?q=王芳").get_data(as_text=True)
    assert "王芳" in page and "张伟" not in page
    assert "张伟" in reviewer.get("/tasks?process=chain_teacher").get_data(as_text=True)
    assert "张伟" not in reviewer.get("/tasks?process=chain_major").get_data(as_text=True)
    api = reviewer.get("/api/v1/tasks?q=李娜").get_json()
    assert [i["subject_name"] for i in api["items"]] == ["李娜"]


def test_batch_approve_reports_each_task(login_as, session):
    submit_targets(session, ["t01", "t02", "t03", "t04"])
    ids = review_ids(session)
    # one task is taken by a colleague before the batch runs
    runtime.claim_task(session, user(session, "dzxy_reviewer2"), ids[1], NOW)
    session.flush()
    audits = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "task.complete"))

    reviewer = login_as("dzxy_reviewer")
    page = reviewer.get("/tasks").get_data(as_text=True)
    assert 'data-testid="batch-approve"' in page
    response = reviewer.post("/tasks/batch", data={"task_ids": [str(i) for i in ids] + ["999999"], "comment": "同意"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "成功 3 项，失败 2 项" in body
    assert "吴院审" in body  # the claimed one names who has it
    assert "任务不存在" in body

    session.expire_all()
    states = {i: session.get(HumanTask, i).state for i in ids}
    assert states == {ids[0]: "completed", ids[1]: "open", ids[2]: "completed", ids[3]: "completed"}
    done = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "task.complete"))
    assert done == audits + 3
    published = session.scalar(select(func.count()).select_from(Document).where(Document.status == "published"))
    assert published == 3


def test_batch_is_permission_checked_per_task(login_as, session):
    submit_targets(session, ["t01", "t06"])  # one per college
    ids = review_ids(session)
    reviewer = login_as("dzxy_reviewer")
    result = reviewer.post("/api/v1/tasks/batch-complete", json={"task_ids": ids}).get_json()["results"]
    assert [r["ok"] for r in result] == [True, False]
    assert result[1]["message"] == "任务不存在"
    session.expire_all()
    assert session.get(HumanTask, ids[1]).state == "open"


def test_batch_needs_task_ids(login_as):
    reviewer = login_as("dzxy_reviewer")
    response = reviewer.post("/api/v1/tasks/batch-complete", json={"task_ids": []})
    assert response.status_code == 400 and "task_ids" in response.get_json()["error"]["fields"]


def test_batch_refuses_edit_tasks(login_as, session):
    teacher = user(session, "t01")
    task = documents.start_document(session, teacher, own_subject(session, "t01").id, "target", NOW)
    session.flush()
    client = login_as("t01")
    result = client.post("/api/v1/tasks/batch-complete", json={"task_ids": [task.id]}).get_json()["results"]
    assert result == [{"id": str(task.id), "ok": False, "title": "", "message": "只能批量办理审核任务"}]
    assert session.get(User, teacher.id)
