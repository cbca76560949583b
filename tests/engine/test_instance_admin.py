"""Errored, stuck and suspended instances, and administrators' batch actions on tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from engine import cycle, scheduler
from engine.core.errors import Conflict, InvalidInput, NotFound, StepFailed
from engine.documents import service as documents
from engine.models import (
    AuditEntry,
    Document,
    HumanTask,
    Notification,
    OrgUnit,
    ProcessInstance,
    RoleAssignment,
    ScheduledEffect,
    TaskCandidate,
    User,
)
from engine.notify import digests
from engine.oversight import instance_admin, task_admin
from engine.workflow import deadlines, readmodel, runtime, tasks
from tests.conftest import NOW, SETTINGS, own_subject, user
from tests.engine.test_deadlines import submit_target
from tests.workflows.test_cycle import do, open_tasks

APPROVE = {"decision": "approve", "comment": ""}


def unit(session, code):
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def candidates(session, task_id):
    return sorted(session.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == task_id)))


def pending_effects(session, task_id):
    return sorted(
        session.scalars(
            select(ScheduledEffect.fire_at).where(
                ScheduledEffect.object_type == "human_task",
                ScheduledEffect.object_id == task_id,
                ScheduledEffect.fired_at.is_(None),
            )
        )
    )


def audited(session, action, **where):
    stmt = select(AuditEntry).where(AuditEntry.action == action)
    for k, v in where.items():
        stmt = stmt.where(getattr(AuditEntry, k) == v)
    return session.scalars(stmt.order_by(AuditEntry.id)).all()


def problem_of(session, instance_id, unit_ids=None):
    found = [p for p in instance_admin.list_problems(session, NOW, unit_ids) if p["instance_id"] == instance_id]
    return found[0] if found else None


def remove_reviewers(session, code):
    session.execute(
        delete(RoleAssignment).where(
            RoleAssignment.role == "reviewer",
            RoleAssignment.scope_type == "unit",
            RoleAssignment.scope_id == unit(session, code).id,
        )
    )
    session.flush()


# -- problems and instance actions ----------------------------------------------------------------------


def test_a_task_whose_lane_has_nobody_is_listed_and_retry_hands_it_over_after_the_org_is_fixed(session):
    remove_reviewers(session, "DZXY")
    review = submit_target(session, "t01")
    assert candidates(session, review.id) == [readmodel.FALLBACK_PRINCIPAL]

    problem = problem_of(session, review.instance_id)
    assert problem["kind"] == "stuck" and [t["id"] for t in problem["tasks"]] == [review.id]
    assert "二级学院审定" in problem["message"] and "电子与物联网学院 审核人" in problem["message"]
    assert "诊改办公室" in problem["message"]
    assert "candidates=g:monitor:school:0" in problem["detail"]
    assert problem["actions"] == ("retry", "suspend", "terminate")
    assert problem_of(session, review.instance_id, [unit(session, "RJXY").id]) is None
    assert problem_of(session, review.instance_id, [unit(session, "DZXY").id]) is not None

    office = user(session, "zlc_admin")
    with pytest.raises(Conflict, match="仍无法确定办理人"):
        instance_admin.retry(session, office, review.instance_id, "", NOW)

    second = user(session, "dzxy_reviewer2")
    dzxy = unit(session, "DZXY")
    session.add(RoleAssignment(user_id=second.id, role="reviewer", scope_type="unit", scope_id=dzxy.id))
    session.flush()
    assert instance_admin.retry(session, office, review.instance_id, "已配置审核人", NOW) == {
        "rerun": False,
        "reassigned": 1,
    }
    assert candidates(session, review.id) == [f"g:reviewer:unit:{dzxy.id}"]
    assert session.get(ProcessInstance, review.instance_id).incident is None
    assert problem_of(session, review.instance_id) is None
    [entry] = audited(session, "instance.retry", instance_id=review.instance_id)
    assert entry.actor_id == office.id and entry.note == "已配置审核人"
    assert entry.after["reassigned"][0]["before"] == [readmodel.FALLBACK_PRINCIPAL]
    assert [r.id for r in tasks.list_tasks(session, second).rows] == [review.id]
    runtime.complete_task(session, second, review.id, APPROVE, NOW)
    assert session.get(HumanTask, review.id).state == "completed"
    with pytest.raises(Conflict, match="不能重试"):  # the chain has ended
        instance_admin.retry(session, office, review.instance_id, "", NOW)


def test_a_task_whose_people_all_left_is_stuck_until_someone_is_back(session):
    review = submit_target(session, "t06")  # 软件与信息技术学院: 孙院审, 郑院审
    reviewers = [user(session, "rjxy_reviewer"), user(session, "rjxy_reviewer2")]
    assert problem_of(session, review.instance_id) is None
    with pytest.raises(Conflict, match="没有需要重试"):
        instance_admin.retry(session, user(session, "zlc_admin"), review.instance_id, "", NOW)
    for u in reviewers:
        u.active = False
    session.flush()
    problem = problem_of(session, review.instance_id)
    assert problem["kind"] == "stuck" and "候选办理人均已停用或离职" in problem["message"]
    assert problem_of(session, review.instance_id, [unit(session, "DZXY").id]) is None
    with pytest.raises(Conflict, match="仍无法确定办理人"):
        instance_admin.retry(session, user(session, "zlc_admin"), review.instance_id, "", NOW)
    reviewers[1].active = True
    session.flush()
    assert problem_of(session, review.instance_id) is None


def test_a_failing_timer_step_marks_the_instance_errored_and_retry_runs_it_again(session, monkeypatch):
    from tests.workflows.test_cycle import dues_after_now

    instance = cycle.start_for_subject(session, own_subject(session, "t02"), 2026, dues_after_now(), None, NOW)
    while (task := open_tasks(session, instance.id)[0]).name != "6 诊改实施":
        do(session, task)
    other = submit_target(session, "t06")  # another college's review, reminded in the same tick

    real = deadlines.escalate_open_tasks

    def broken(session_, instance_id, now_):
        real(session_, instance_id, now_)  # writes its effect rows, then fails: they must not stay
        raise RuntimeError("escalation service down")

    monkeypatch.setattr(deadlines, "escalate_open_tasks", broken)
    late = task.due_at + timedelta(minutes=5)
    result = scheduler.tick(session, late)
    assert result["failed"] == 1
    timer_effects = select(func.count()).select_from(ScheduledEffect).where(ScheduledEffect.key.like("%:timer:%"))
    assert session.scalar(timer_effects) == 0
    assert session.scalar(
        select(func.count()).select_from(Notification).where(Notification.link == f"/tasks/{other.id}")
    )
    errored = session.get(ProcessInstance, instance.id)
    assert errored.status == "error" and "自动执行时出错" in errored.incident
    [entry] = audited(session, "instance.error", instance_id=instance.id)
    assert "RuntimeError: escalation service down" in entry.after["detail"]
    problem = problem_of(session, instance.id)
    assert problem["kind"] == "error" and problem["actions"] == ("retry", "terminate")
    assert "escalation service down" in problem["detail"] and problem["message"] == errored.incident
    assert scheduler.tick(session, late + timedelta(minutes=1)).get("failed") is None  # not woken again

    with pytest.raises(Conflict, match="运行出错"):  # people wait for the administrator
        runtime.complete_task(session, user(session, "t02"), task.id, {"document": {}}, late)

    office = user(session, "zlc_admin")
    with pytest.raises(StepFailed, match="重试失败") as failed, session.begin_nested():  # the request rolls back
        instance_admin.retry(session, office, instance.id, "", late)
    assert failed.value.status == 409  # and records the incident again with what failed this time
    session.expire_all()
    assert session.get(ProcessInstance, instance.id).status == "error"

    monkeypatch.undo()
    assert instance_admin.retry(session, office, instance.id, "服务已恢复", late)["rerun"] is True
    fixed = session.get(ProcessInstance, instance.id)
    assert fixed.status == "running" and fixed.incident is None
    assert problem_of(session, instance.id) is None
    assert session.scalar(timer_effects) == 1
    scheduler.tick(session, digests.next_slot(late, SETTINGS))  # the escalation the timer queued goes with the digest
    assert session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.kind == "overdue", Notification.link == f"/tasks/{task.id}")
    )
    assert session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "digest"))
    assert len(audited(session, "instance.retry", instance_id=instance.id)) == 1


def test_suspend_holds_the_work_and_resume_gives_it_back(session):
    review = submit_target(session, "t01")  # due in 7 days
    office, reviewer = user(session, "zlc_admin"), user(session, "dzxy_reviewer")
    with pytest.raises(InvalidInput, match="原因"):
        instance_admin.suspend(session, office, review.instance_id, " ", NOW)
    instance_admin.suspend(session, office, review.instance_id, "材料有误，暂停核查", NOW)
    assert session.get(HumanTask, review.id).state == "suspended"
    assert pending_effects(session, review.id) == []
    assert tasks.list_tasks(session, reviewer).total == 0
    with pytest.raises(Conflict, match="暂停") as err:
        runtime.complete_task(session, reviewer, review.id, APPROVE, NOW)
    assert err.value.status == 409
    with pytest.raises(Conflict, match="暂停"):
        runtime.claim_task(session, reviewer, review.id, NOW)
    assert scheduler.tick(session, NOW + timedelta(days=9)) == {"notifications": 0}  # no reminders meanwhile
    problem = problem_of(session, review.instance_id)
    assert problem["kind"] == "suspended" and "周质量" in problem["message"] and "材料有误" in problem["message"]
    with pytest.raises(Conflict, match="只有运行中"):
        instance_admin.suspend(session, office, review.instance_id, "again", NOW)

    later = NOW + timedelta(days=3)
    instance_admin.resume(session, office, review.instance_id, "", later)
    assert session.get(HumanTask, review.id).state == "open"
    due = review.due_at
    assert pending_effects(session, review.id) == [  # the review's own reminders (remind="P2D,P1D")
        due - timedelta(days=2),
        due - timedelta(days=1),
        due,
        digests.next_slot(due + timedelta(days=1), SETTINGS),
    ]
    runtime.complete_task(session, reviewer, review.id, APPROVE, later)
    assert session.get(HumanTask, review.id).state == "completed"
    assert [e.note for e in audited(session, "instance.suspend", instance_id=review.instance_id)] == [
        "材料有误，暂停核查"
    ]
    assert len(audited(session, "instance.resume", instance_id=review.instance_id)) == 1
    with pytest.raises(Conflict, match="只有已暂停"):
        instance_admin.resume(session, office, review.instance_id, "", later)


def test_resume_does_not_repeat_a_notice_that_already_went_out(session):
    review = submit_target(session, "t01")
    late = review.due_at + timedelta(days=2)
    assert scheduler.tick(session, late)["notifications"] > 0  # the overdue notice and the escalation
    office = user(session, "zlc_admin")
    instance_admin.suspend(session, office, review.instance_id, "核查", late)
    instance_admin.resume(session, office, review.instance_id, "", late + timedelta(hours=1))
    assert pending_effects(session, review.id) == []
    assert scheduler.tick(session, late + timedelta(hours=2)) == {"notifications": 0}


def test_terminate_cancels_tasks_and_reminders_and_gives_the_document_back(session):
    review = submit_target(session, "t01")
    doc = session.get(Document, review.document_id)
    assert doc.status == "in_review" and doc.instance_id == review.instance_id
    office = user(session, "zlc_admin")
    with pytest.raises(InvalidInput):
        instance_admin.terminate(session, office, review.instance_id, "", NOW)
    instance_admin.terminate(session, office, review.instance_id, "教师调离", NOW)
    assert session.get(HumanTask, review.id).state == "cancelled"
    assert pending_effects(session, review.id) == []
    instance = session.get(ProcessInstance, review.instance_id)
    assert (instance.status, instance.ended_at) == ("terminated", NOW)
    assert (doc.status, doc.instance_id) == ("draft", None)
    [entry] = audited(session, "instance.terminate", instance_id=instance.id)
    assert entry.note == "教师调离" and entry.after["cancelled_tasks"] == [review.id]
    assert len(audited(session, "document.release", object_id=str(doc.id))) == 1
    with pytest.raises(Conflict, match="流程已结束"):
        instance_admin.terminate(session, office, review.instance_id, "again", NOW)
    teacher = user(session, "t01")
    again = documents.start_document(session, teacher, own_subject(session, "t01").id, "target", NOW)
    assert again.document_id == doc.id and again.state == "open"


def test_heads_act_on_their_department_only(session):
    review = submit_target(session, "t01")  # 电子与物联网学院
    for name in ("rjxy_reviewer", "t01", "dzxy_reviewer2"):  # another college's head, a teacher, a reviewer
        with pytest.raises(NotFound):
            instance_admin.suspend(session, user(session, name), review.instance_id, "x", NOW)
    office = user(session, "zlc_admin")
    for bad in (999999, "abc"):
        with pytest.raises(NotFound, match="流程实例不存在"):
            instance_admin.suspend(session, office, bad, "x", NOW)
    assert session.get(ProcessInstance, review.instance_id).status == "running"
    instance_admin.suspend(session, user(session, "dzxy_reviewer"), review.instance_id, "院内核查", NOW)
    assert session.get(ProcessInstance, review.instance_id).status == "suspended"


# -- batch actions --------------------------------------------------------------------------------------


def reviews(session, *names):
    return [submit_target(session, n) for n in names]


def completed_review(session, name="t03"):
    review = submit_target(session, name)
    runtime.complete_task(session, user(session, "dzxy_reviewer"), review.id, APPROVE, NOW)
    return review


def outcome(results):
    return [(r["ok"], r["message"]) for r in results]


def test_batch_remind_reports_each_task(session):
    r1, r2, r6 = reviews(session, "t01", "t02", "t06")
    done = completed_review(session)
    runtime.claim_task(session, user(session, "dzxy_reviewer2"), r2.id, NOW)
    head = user(session, "dzxy_reviewer")  # head of 电子与物联网学院
    results = task_admin.batch(
        session, head, "remind", [r1.id, r2.id, r6.id, done.id, "999999", "x", r1.id], {"message": "请本周内完成"}, NOW
    )
    assert outcome(results) == [
        (True, "已催办"),
        (True, "已催办"),
        (False, "任务不存在或不在您的管理范围内"),  # another college
        (False, "该任务已办结或已取消，无需处理"),
        (False, "任务不存在或不在您的管理范围内"),
        (False, "任务不存在或不在您的管理范围内"),
    ]
    sent = session.execute(
        select(User.username, Notification.link, Notification.title, Notification.body)
        .join(User, User.id == Notification.user_id)
        .where(Notification.kind == "remind")
        .order_by(Notification.link, User.username)
    ).all()
    assert [(u, link) for u, link, _, _ in sent] == [
        ("dzxy_reviewer", f"/tasks/{r1.id}"),
        ("dzxy_reviewer2", f"/tasks/{r1.id}"),
        ("dzxy_reviewer2", f"/tasks/{r2.id}"),  # claimed: only the claimant is reminded
    ]
    assert sent[0][2].startswith("【催办】二级学院审定") and sent[0][3] == "赵院审提醒您尽快办理：请本周内完成"
    assert len(audited(session, "task.remind")) == 2


def test_batch_reassign_to_a_user_or_a_position(session):
    r1, r2 = reviews(session, "t01", "t02")
    done = completed_review(session)
    reviewer, second = user(session, "dzxy_reviewer"), user(session, "dzxy_reviewer2")
    runtime.claim_task(session, reviewer, r1.id, NOW)
    office = user(session, "zlc_admin")
    with pytest.raises(InvalidInput, match="不存在"):
        task_admin.batch(session, office, "reassign", [r1.id], {"username": "nobody"}, NOW)
    with pytest.raises(InvalidInput, match="没有在职人员"):
        task_admin.batch(session, office, "reassign", [r1.id], {"group": "g:counselor:unit:1"}, NOW)
    with pytest.raises(InvalidInput, match="请选择转办对象"):
        task_admin.batch(session, office, "reassign", [r1.id], {}, NOW)
    assert session.get(HumanTask, r1.id).claimant_id == reviewer.id  # nothing changed

    params = {"username": "dzxy_reviewer2", "reason": "赵院审出差"}
    results = task_admin.batch(session, office, "reassign", [r1.id, r2.id, done.id], params, NOW)
    assert outcome(results) == [(True, "已转办"), (True, "已转办"), (False, "该任务已办结或已取消，无需处理")]
    task = session.get(HumanTask, r1.id)
    assert candidates(session, r1.id) == [f"u:{second.id}"]
    assert (task.claimant_id, task.candidates_label) == (None, "吴院审")
    assert tasks.list_tasks(session, reviewer).total == 0
    assert {r.id for r in tasks.list_tasks(session, second).rows} == {r1.id, r2.id}
    [entry, _] = audited(session, "task.reassign")
    assert entry.before["claimant_id"] == reviewer.id and entry.note == "赵院审出差"
    told = select(func.count()).select_from(Notification).where(Notification.user_id == second.id)
    assert session.scalar(told.where(Notification.kind == "info")) == 2

    dzxy = unit(session, "DZXY")
    group = f"g:reviewer:unit:{dzxy.id}"
    results = task_admin.batch(session, office, "reassign", [r1.id], {"group": group}, NOW)
    assert outcome(results) == [(True, "已转办")]
    assert candidates(session, r1.id) == [group]
    assert session.get(HumanTask, r1.id).candidates_label == "电子与物联网学院 审核人"
    again = task_admin.batch(session, office, "reassign", [r1.id], {"group": group}, NOW)
    assert outcome(again) == [(False, "该任务已由所选对象办理，无需转办")]


def test_batch_reassign_clears_the_incident_of_a_task_with_nobody(session):
    remove_reviewers(session, "DZXY")
    review = submit_target(session, "t01")
    assert problem_of(session, review.instance_id)["kind"] == "stuck"
    task_admin.batch(session, user(session, "zlc_admin"), "reassign", [review.id], {"username": "dzxy_reviewer"}, NOW)
    assert session.get(ProcessInstance, review.instance_id).incident is None
    assert problem_of(session, review.instance_id) is None


def test_batch_extend_moves_the_due_date_and_its_reminders(session):
    r1, r2 = reviews(session, "t01", "t02")  # due NOW + 7 days
    office = user(session, "zlc_admin")
    with pytest.raises(InvalidInput, match="延期原因"):
        task_admin.batch(session, office, "extend", [r1.id], {"due_at": NOW + timedelta(days=10)}, NOW)
    with pytest.raises(InvalidInput, match="晚于现在"):
        task_admin.batch(session, office, "extend", [r1.id], {"due_at": NOW - timedelta(days=1), "reason": "x"}, NOW)
    with pytest.raises(InvalidInput, match="截止日期"):
        task_admin.batch(session, office, "extend", [r1.id], {"due_at": None, "reason": "x"}, NOW)

    task_admin.batch(session, office, "extend", [r2.id], {"due_at": NOW + timedelta(days=20), "reason": "先延"}, NOW)
    new_due = NOW + timedelta(days=10)
    results = task_admin.batch(
        session, office, "extend", [r1.id, r2.id], {"due_at": new_due, "reason": "材料补充"}, NOW
    )
    assert outcome(results) == [(True, "已延期"), (False, "新的截止时间必须晚于原截止时间")]
    assert session.get(HumanTask, r1.id).due_at == new_due
    assert pending_effects(session, r1.id) == [  # the review's own reminders (remind="P2D,P1D") for the new date
        new_due - timedelta(days=2), new_due - timedelta(days=1), new_due,
        digests.next_slot(new_due + timedelta(days=1), SETTINGS),
    ]  # fmt: skip
    entry = audited(session, "task.extend", object_id=str(r1.id))[0]
    assert entry.before["due_at"] == (NOW + timedelta(days=7)).isoformat() and entry.note == "材料补充"


def test_an_extension_after_the_due_notice_gets_notices_of_its_own(session):
    review = submit_target(session, "t01")
    first = review.due_at + timedelta(days=2)
    scheduler.tick(session, first)  # the overdue notice of the first date
    office = user(session, "zlc_admin")
    new_due = first + timedelta(days=3)
    task_admin.batch(session, office, "extend", [review.id], {"due_at": new_due, "reason": "补材料"}, first)
    scheduler.tick(session, new_due + timedelta(minutes=1))
    due_notes = session.scalars(select(Notification.title).where(Notification.kind == "due")).all()
    assert len(due_notes) == 2  # both reviewers are told the new date has come


def test_each_task_of_a_batch_is_all_or_nothing(session, monkeypatch):
    r1, r2, r3 = reviews(session, "t01", "t02", "t03")
    reviewer = user(session, "dzxy_reviewer")
    runtime.claim_task(session, reviewer, r2.id, NOW)
    real = task_admin._notify

    def flaky(session_, ht, *args):
        if ht.id == r2.id:
            raise Conflict("通知失败")
        return real(session_, ht, *args)

    monkeypatch.setattr(task_admin, "_notify", flaky)
    results = task_admin.batch(
        session, user(session, "zlc_admin"), "reassign", [r1.id, r2.id, r3.id], {"username": "dzxy_reviewer2"}, NOW
    )
    assert outcome(results) == [(True, "已转办"), (False, "通知失败"), (True, "已转办")]
    session.expire_all()
    untouched = session.get(HumanTask, r2.id)
    assert untouched.claimant_id == reviewer.id and untouched.candidates_label == "电子与物联网学院 审核人"
    assert candidates(session, r2.id) == [f"g:reviewer:unit:{unit(session, 'DZXY').id}"]
    assert [e.object_id for e in audited(session, "task.reassign")] == [str(r1.id), str(r3.id)]


def test_batch_needs_an_administrator_a_known_action_and_tasks(session):
    review = submit_target(session, "t01")
    with pytest.raises(NotFound):
        task_admin.batch(session, user(session, "t01"), "remind", [review.id], {}, NOW)
    office = user(session, "zlc_admin")
    with pytest.raises(InvalidInput, match="未知的批量操作"):
        task_admin.batch(session, office, "approve", [review.id], {}, NOW)
    with pytest.raises(InvalidInput, match="至少选择"):
        task_admin.batch(session, office, "remind", [], {}, NOW)
