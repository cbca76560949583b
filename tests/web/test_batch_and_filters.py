"""A college reviewing many teacher documents: search, filter, batch approve with per-task results."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.documents import service as documents
from engine.models import AuditEntry, BatchRun, Document, HumanTask, User
from engine.workflow import runtime
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
    submit_targets(session, ["t01", "t02", "t03", "t04", "t06"])
    ids = review_ids(session)
    other_college = session.scalar(select(HumanTask.id).where(HumanTask.id.in_(ids), HumanTask.subject_name == "杨磊"))
    ids.remove(other_college)
    # one task is taken by a colleague before the batch runs
    runtime.claim_task(session, user(session, "dzxy_reviewer2"), ids[1], NOW)
    session.flush()
    audits = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "task.complete"))

    reviewer = login_as("dzxy_reviewer")
    page = reviewer.get("/tasks?process=chain_teacher").get_data(as_text=True)
    assert (
        'data-testid="batch-approve"' in page and '<input type="hidden" name="process" value="chain_teacher">' in page
    )
    chosen = [str(i) for i in ids] + [str(other_college), "999999"]
    response = reviewer.post("/tasks/batch", data={"task_ids": chosen, "comment": "同意", "process": "chain_teacher"})
    assert response.status_code == 302 and "/tasks/batch/" in response.headers["Location"]
    result = reviewer.get(response.headers["Location"])
    body = result.get_data(as_text=True)
    assert result.status_code == 200 and "成功 3 项，失败 3 项" in body

    claimed = session.get(HumanTask, ids[1])
    row = body.split(f'data-task-id="{claimed.id}"')[1].split("</tr>")[0]
    assert claimed.title in row and "该任务已被吴院审签收" in row and 'data-ok="0"' in row  # named, not "#28"
    assert body.count('data-testid="unknown-task"') == 2 and "无权办理或不存在的任务" in body
    assert "杨磊" not in body  # the other college's task is not named
    assert f"#{claimed.id}" not in body
    assert 'href="/tasks?process=chain_teacher"' in body  # back to the list as it was

    session.expire_all()
    states = {i: session.get(HumanTask, i).state for i in ids}
    assert states == {ids[0]: "completed", ids[1]: "open", ids[2]: "completed", ids[3]: "completed"}

    def completions():
        return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "task.complete"))

    assert completions() == audits + 3
    assert reviewer.get(response.headers["Location"]).get_data(as_text=True) == body  # a reload runs nothing again
    assert completions() == audits + 3
    chains = Document.doc_type != "basic_standard"  # the demo's 27 basic standards are published too
    published = session.scalar(select(func.count()).select_from(Document).where(Document.status == "published", chains))
    assert published == 3
    # only the reviewer who ran the batch may read its results
    assert login_as("dzxy_reviewer2").get(response.headers["Location"]).status_code == 404
    assert reviewer.get("/tasks/batch/abc").status_code == 404


def test_batch_approve_without_a_selection_goes_back_with_a_message(login_as, session):
    submit_targets(session, ["t01"])
    reviewer = login_as("dzxy_reviewer")
    response = reviewer.post("/tasks/batch", data={"comment": "同意", "tab": "claimed"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "请至少选择一项任务" in page
    assert response.request.path == "/tasks" and response.request.args["tab"] == "claimed"
    assert session.scalar(select(func.count()).select_from(BatchRun)) == 0


def test_a_step_failing_in_a_batch_is_that_task_s_failure_and_is_recorded(login_as, session, monkeypatch):
    from dataclasses import replace

    from engine.models import ProcessInstance
    from engine.workflow import services

    submit_targets(session, ["t01", "t02"])
    first, second = review_ids(session)
    session.commit()
    real = services.REGISTRY.services["publish_document"]
    broken_instance = session.get(HumanTask, first).instance_id

    def broken(step, params, data):
        if step.instance.id == broken_instance:
            raise RuntimeError("disk full")
        return real.run(step, params, data)

    monkeypatch.setitem(services.REGISTRY.services, "publish_document", replace(real, run=broken))
    reviewer = login_as("dzxy_reviewer")
    response = reviewer.post("/tasks/batch", data={"task_ids": [first, second]}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "成功 1 项，失败 1 项" in body
    row = body.split(f'data-task-id="{first}"')[1].split("</tr>")[0]
    assert "流程在执行后续步骤时出错" in row and session.get(HumanTask, first).title in row

    session.expire_all()
    assert session.get(HumanTask, first).state == "open" and session.get(HumanTask, second).state == "completed"
    instance = session.get(ProcessInstance, broken_instance)
    assert instance.status == "error" and "出错" in instance.incident
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "instance.error"))
    assert "disk full" in entry.after["detail"]


def test_batch_is_permission_checked_per_task(login_as, session):
    submit_targets(session, ["t01", "t06"])  # one per college
    ids = review_ids(session)
    reviewer = login_as("dzxy_reviewer")
    result = reviewer.post("/api/v1/tasks/batch-complete", json={"task_ids": ids}).get_json()["results"]
    assert [r["ok"] for r in result] == [True, False]
    assert result[1]["message"] == "无权办理或不存在的任务" and result[1]["title"] == ""
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
    assert result == [{"id": task.id, "ok": False, "name": task.name, "title": task.title, "subject": "张伟",
                       "message": "只能批量办理审核任务"}]  # fmt: skip
    assert session.get(User, teacher.id)
