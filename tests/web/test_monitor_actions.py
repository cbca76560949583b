"""The problems page, instance actions behind a confirmation, and batch actions from the drill-down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from engine.models import AuditEntry, HumanTask, Notification, OrgUnit, ProcessInstance, RoleAssignment, TaskCandidate
from engine.oversight import instance_admin
from engine.workflow import runtime
from tests.conftest import NOW, user
from tests.engine.test_deadlines import submit_target
from tests.engine.test_instance_admin import remove_reviewers


def actions(session, action):
    return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def post_action(client, instance_id, action, reason="", confirm="yes"):
    return client.post(f"/monitor/instances/{instance_id}/{action}", data={"reason": reason, "confirm": confirm})


def test_problems_page_lists_what_needs_an_administrator_per_department(login_as, session):
    remove_reviewers(session, "DZXY")
    stuck = submit_target(session, "t01")  # 电子与物联网学院: nobody reviews
    held = submit_target(session, "t06")  # 软件与信息技术学院
    instance_admin.suspend(session, user(session, "zlc_admin"), held.instance_id, "核查材料", NOW)
    session.flush()

    page = login_as("zlc_admin").get("/monitor/problems").get_data(as_text=True)
    assert 'data-testid="problem-count">2<' in page
    assert f'data-instance-id="{stuck.instance_id}" data-kind="stuck"' in page
    assert f'data-instance-id="{held.instance_id}" data-kind="suspended"' in page
    assert "无人办理" in page and "电子与物联网学院 审核人" in page and "由周质量暂停：核查材料" in page
    assert f"/monitor/instances/{stuck.instance_id}/retry" in page
    assert f"/monitor/instances/{held.instance_id}/resume" in page
    assert f"/monitor/instances/{held.instance_id}/suspend" not in page

    head = login_as("dzxy_reviewer").get("/monitor/problems").get_data(as_text=True)
    assert 'data-testid="problem-count">1<' in head and "核查材料" not in head
    other = login_as("rjxy_reviewer").get("/monitor/problems").get_data(as_text=True)
    assert 'data-testid="problem-count">1<' in other and "核查材料" in other
    assert login_as("t01").get("/monitor/problems").status_code == 404


def test_suspend_blocks_work_with_409_and_resume_allows_it(login_as, session):
    review = submit_target(session, "t01")
    iid = review.instance_id
    office = login_as("zlc_admin")
    confirm = office.get(f"/monitor/instances/{iid}/suspend").get_data(as_text=True)
    assert 'name="confirm" value="yes"' in confirm and "不能签收或办理" in confirm

    assert post_action(office, iid, "suspend", "核查", confirm="").status_code == 400
    missing = post_action(office, iid, "suspend", "")
    assert missing.status_code == 400 and "请填写原因" in missing.get_data(as_text=True)
    assert session.get(ProcessInstance, iid).status == "running"
    done = post_action(office, iid, "suspend", "材料有误")
    assert done.status_code == 302 and done.headers["Location"].endswith("/monitor/problems")

    reviewer = login_as("dzxy_reviewer")
    blocked = reviewer.post(f"/tasks/{review.id}", data={"decision": "approve", "comment": ""})
    assert blocked.status_code == 409 and "该流程已被管理员暂停" in blocked.get_data(as_text=True)
    assert reviewer.post(f"/tasks/{review.id}/claim").status_code == 409
    api = reviewer.post(f"/api/v1/tasks/{review.id}/complete", json={"decision": "approve"})
    assert api.status_code == 409 and "暂停" in api.get_json()["error"]["message"]
    assert f'data-task-id="{review.id}"' not in reviewer.get("/tasks").get_data(as_text=True)
    assert "流程已暂停" in reviewer.get(f"/tasks/{review.id}").get_data(as_text=True)

    assert post_action(office, iid, "resume").status_code == 302
    assert reviewer.post(f"/tasks/{review.id}", data={"decision": "approve", "comment": ""}).status_code == 302
    session.expire_all()
    assert session.get(HumanTask, review.id).state == "completed"
    assert actions(session, "instance.suspend") == 1 and actions(session, "instance.resume") == 1


def test_retry_and_terminate_from_the_pages(login_as, session):
    remove_reviewers(session, "DZXY")
    stuck = submit_target(session, "t01")
    other = submit_target(session, "t02")
    office = login_as("zlc_admin")
    refused = post_action(office, stuck.instance_id, "retry")
    assert refused.status_code == 409 and "仍无法确定办理人" in refused.get_data(as_text=True)

    dzxy = session.scalar(select(OrgUnit).where(OrgUnit.code == "DZXY"))
    second = user(session, "dzxy_reviewer2")
    session.add(RoleAssignment(user_id=second.id, role="reviewer", scope_type="unit", scope_id=dzxy.id))
    session.flush()
    assert post_action(office, stuck.instance_id, "retry").status_code == 302
    principals = session.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == stuck.id)).all()
    assert principals == [f"g:reviewer:unit:{dzxy.id}"]
    assert f'data-instance-id="{stuck.instance_id}"' not in office.get("/monitor/problems").get_data(as_text=True)

    assert post_action(login_as("rjxy_reviewer"), other.instance_id, "terminate", "x").status_code == 404
    assert post_action(office, other.instance_id, "terminate", "重复提交").status_code == 302
    session.expire_all()
    assert session.get(HumanTask, other.id).state == "cancelled"
    assert session.get(ProcessInstance, other.instance_id).status == "terminated"
    assert actions(session, "instance.retry") == 1 and actions(session, "instance.terminate") == 1
    assert office.get(f"/monitor/instances/{other.instance_id}/terminate").status_code == 200  # shows why not
    assert post_action(office, other.instance_id, "terminate", "again").status_code == 409
    assert office.get(f"/monitor/instances/{other.instance_id}/explode").status_code == 404
    assert office.get("/monitor/instances/999999/suspend").status_code == 404


def batch(client, **data):
    """Post a batch action; a valid one redirects to its results, which this follows."""
    response = client.post("/monitor/tasks/batch", data=data)
    if response.status_code != 302:
        return response
    assert "/monitor/tasks/batch/" in response.headers["Location"]
    return client.get(response.headers["Location"])


def test_batch_actions_from_the_drill_down(login_as, session, clock):
    r1, r2, r6 = (submit_target(session, n) for n in ("t01", "t02", "t06"))
    runtime.complete_task(session, user(session, "dzxy_reviewer"), r2.id, {"decision": "approve"}, NOW)
    session.flush()
    clock.advance(timedelta(days=10))

    head = login_as("dzxy_reviewer")
    page = head.get("/monitor/tasks").get_data(as_text=True)
    assert page.count('data-testid="select-task"') == 1 and 'data-testid="batch-remind"' in page
    assert "电子与物联网学院 审核人" in page  # the reassign form offers positions
    result = batch(head, action="remind", task_ids=[r1.id, r6.id, r2.id], message="请尽快")
    body = result.get_data(as_text=True)
    assert result.status_code == 200 and "批量催办：成功 1 项，失败 2 项" in body
    assert "任务不存在或不在您的管理范围内" in body and "该任务已办结或已取消，无需处理" in body
    done_row = body.split(f'data-task-id="{r2.id}"')[1].split("</tr>")[0]
    assert r2.title in done_row and 'data-ok="0"' in done_row  # the finished task is named, not "#id"
    other_row = body.split(f'data-task-id="{r6.id}"')[1].split("</tr>")[0]
    assert "无权办理或不存在的任务" in other_row and "杨磊" not in body  # another college's task stays unnamed
    reminded = session.scalars(select(Notification.link).where(Notification.kind == "remind")).all()
    assert set(reminded) == {f"/tasks/{r1.id}"}

    office = login_as("zlc_admin")
    extended = batch(office, action="extend", task_ids=[r1.id, r6.id], due_date="2026-12-15", extend_reason="补材料")
    assert "批量延期：成功 2 项，失败 0 项" in extended.get_data(as_text=True)
    session.expire_all()
    assert session.get(HumanTask, r1.id).due_at == datetime(2026, 12, 15, 15, 59, 59, tzinfo=UTC)  # 23:59:59 Shanghai

    dzxy = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "DZXY"))
    moved = batch(office, action="reassign", task_ids=[r6.id], group=f"g:reviewer:unit:{dzxy}")
    assert "批量转办：成功 1 项" in moved.get_data(as_text=True)
    assert session.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == r6.id)).all() == [
        f"g:reviewer:unit:{dzxy}"
    ]
    assert actions(session, "task.remind") == 1 and actions(session, "task.extend") == 2
    assert actions(session, "task.reassign") == 1
    assert (
        login_as("t01").post("/monitor/tasks/batch", data={"action": "remind", "task_ids": [r1.id]}).status_code == 404
    )


def test_refused_batch_parameters_reshow_the_list_as_it_was(login_as, session, clock):
    r1, r2 = (submit_target(session, n) for n in ("t01", "t02"))
    clock.advance(timedelta(days=10))
    office = login_as("zlc_admin")
    filters = {"department": "电子与物联网学院", "overdue": "1"}
    before = office.get("/monitor/tasks", query_string=filters).get_data(as_text=True)
    assert '<input type="hidden" name="department" value="电子与物联网学院">' in before

    def refused(**data):
        response = office.post("/monitor/tasks/batch", data={**filters, **data})
        assert response.status_code == 400
        return response.get_data(as_text=True)

    def checked(page, task):
        box = page.split(f'value="{task.id}" form="zg-monitor-batch"')[1].split(">")[0]
        return "checked" in box

    page = refused(action="extend", task_ids=[r1.id], due_date="2026-12-15", extend_reason="")
    assert 'data-testid="error-extend_reason"' in page and "请填写延期原因" in page
    assert 'value="2026-12-15"' in page and checked(page, r1) and not checked(page, r2)
    assert "<option selected>电子与物联网学院</option>" in page and 'name="overdue" value="1" checked' in page
    assert '<input type="hidden" name="department" value="电子与物联网学院">' in page  # kept for the next try
    assert 'data-testid="task-total">2<' in page

    page = refused(action="extend", task_ids=[r1.id, r2.id], due_date="2026-12-01", extend_reason="补材料")
    assert 'data-testid="error-due_date"' in page and "新的截止时间必须晚于现在" in page  # "now" is 12-04
    assert 'value="补材料"' in page and checked(page, r1) and checked(page, r2)

    page = refused(action="reassign", task_ids=[r2.id], username="nobody", reassign_reason="请假")
    assert 'data-testid="error-username"' in page and "用户“nobody”不存在或已停用" in page
    assert 'value="nobody"' in page and 'value="请假"' in page and checked(page, r2)

    page = refused(action="remind", message="请尽快")
    assert "请至少选择一项任务" in page and 'data-testid="batch-error"' in page and 'value="请尽快"' in page
    assert "请求无效" not in page  # the task list, not the bare error page

    assert "未知的批量操作" in refused(action="approve", task_ids=[r1.id])
    assert actions(session, "task.extend") == 0 and actions(session, "task.reassign") == 0
    assert actions(session, "task.remind") == 0
    session.expire_all()
    assert session.get(HumanTask, r1.id).due_at == r1.due_at


def test_batch_results_survive_the_redirect_without_the_cookie(login_as, session, clock):
    review = submit_target(session, "t01")
    clock.advance(timedelta(days=10))
    office = login_as("zlc_admin")
    ids = [review.id] + [900000 + i for i in range(199)]  # 200 lines of results
    response = office.post(
        "/monitor/tasks/batch", data={"action": "remind", "task_ids": ids, "department": "电子与物联网学院"}
    )
    assert response.status_code == 302
    cookie = office.get_cookie("session")
    assert cookie is None or len(cookie.value) < 1000  # the results live in the database, not in the session
    location = response.headers["Location"]
    page = office.get(location).get_data(as_text=True)
    assert page.count('data-ok="0"') == 199 and page.count('data-ok="1"') == 1
    assert "批量催办：成功 1 项，失败 199 项" in page
    assert 'href="/monitor/tasks?department=' in page  # back to the filtered list

    sent = session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "remind"))
    assert office.get(location).status_code == 200  # reloading the results reminds nobody again
    assert session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "remind")) == sent
    assert actions(session, "task.remind") == 1
    assert login_as("dzxy_reviewer").get(location).status_code == 404  # someone else's results
