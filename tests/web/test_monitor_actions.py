"""The problems page, instance actions behind a confirmation, and batch actions from the drill-down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from engine import instance_admin, runtime
from engine.models import AuditEntry, HumanTask, Notification, OrgUnit, ProcessInstance, RoleAssignment, TaskCandidate
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


def test_batch_actions_from_the_drill_down(login_as, session, clock):
    r1, r2, r6 = (submit_target(session, n) for n in ("t01", "t02", "t06"))
    runtime.complete_task(session, user(session, "dzxy_reviewer"), r2.id, {"decision": "approve"}, NOW)
    session.flush()
    clock.advance(timedelta(days=10))

    head = login_as("dzxy_reviewer")
    page = head.get("/monitor/tasks").get_data(as_text=True)
    assert page.count('data-testid="select-task"') == 1 and 'data-testid="batch-remind"' in page
    assert "电子与物联网学院 审核人" in page  # the reassign form offers positions
    result = head.post(
        "/monitor/tasks/batch", data={"action": "remind", "task_ids": [r1.id, r6.id, r2.id], "message": "请尽快"}
    )
    body = result.get_data(as_text=True)
    assert result.status_code == 200 and "批量催办：成功 1 项，失败 2 项" in body
    assert "任务不存在或不在您的管理范围内" in body and "该任务已办结或已取消，无需处理" in body
    reminded = session.scalars(select(Notification.link).where(Notification.kind == "remind")).all()
    assert set(reminded) == {f"/tasks/{r1.id}"}

    office = login_as("zlc_admin")
    nothing = office.post(
        "/monitor/tasks/batch", data={"action": "extend", "task_ids": [r1.id], "due_date": "2026-12-15"}
    )
    assert nothing.status_code == 400 and "请填写延期原因" in nothing.get_data(as_text=True)
    extended = office.post(
        "/monitor/tasks/batch",
        data={"action": "extend", "task_ids": [r1.id, r6.id], "due_date": "2026-12-15", "extend_reason": "补材料"},
    )
    assert "批量延期：成功 2 项，失败 0 项" in extended.get_data(as_text=True)
    session.expire_all()
    assert session.get(HumanTask, r1.id).due_at == datetime(2026, 12, 15, 15, 59, 59, tzinfo=UTC)  # 23:59:59 Shanghai

    dzxy = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "DZXY"))
    unknown = office.post("/monitor/tasks/batch", data={"action": "reassign", "task_ids": [r6.id], "username": "x"})
    assert unknown.status_code == 400 and "用户“x”不存在或已停用" in unknown.get_data(as_text=True)
    moved = office.post(
        "/monitor/tasks/batch", data={"action": "reassign", "task_ids": [r6.id], "group": f"g:reviewer:unit:{dzxy}"}
    )
    assert "批量转办：成功 1 项" in moved.get_data(as_text=True)
    assert session.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == r6.id)).all() == [
        f"g:reviewer:unit:{dzxy}"
    ]
    assert actions(session, "task.remind") == 1 and actions(session, "task.extend") == 2
    assert actions(session, "task.reassign") == 1

    assert office.post("/monitor/tasks/batch", data={"action": "approve", "task_ids": [r1.id]}).status_code == 400
    assert office.post("/monitor/tasks/batch", data={"action": "remind"}).status_code == 400
    assert (
        login_as("t01").post("/monitor/tasks/batch", data={"action": "remind", "task_ids": [r1.id]}).status_code == 404
    )
