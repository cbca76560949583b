"""The task history shows what administrators did (reassign, extend, remind); the task page says what was done."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, select

from engine.documents import service as documents
from engine.models import Document, HumanTask
from engine.oversight import task_admin
from engine.workflow import runtime, tasks
from tests.conftest import NOW, filled, form_fields, own_subject, user
from tests.engine.test_deadlines import submit_target


def administer(session, review):
    office = user(session, "zlc_admin")
    task_admin.batch(session, office, "remind", [review.id], {"message": "请尽快审核"}, NOW)
    due = datetime(2026, 12, 15, 15, 59, 59, tzinfo=UTC)
    task_admin.batch(session, office, "extend", [review.id], {"due_at": due, "reason": "等待补充材料"}, NOW)
    task_admin.batch(
        session, office, "reassign", [review.id], {"username": "dzxy_reviewer2", "reason": "赵院审出差"}, NOW
    )
    session.flush()


def test_admin_actions_appear_in_the_task_and_instance_history(login_as, session):
    review = submit_target(session, "t01")
    original_due = review.due_at
    administer(session, review)

    page = login_as("dzxy_reviewer2").get(f"/tasks/{review.id}").get_data(as_text=True)
    events = page.split('data-testid="admin-events"')[1].split("</li>")[0]
    remind, extend, reassign = events.split('data-event="')[1:]
    assert remind.startswith("remind") and "周质量" in remind and "提醒内容：请尽快审核" in remind
    assert (
        extend.startswith("extend") and "将截止时间改为 2026-12-15 23:59" in extend and "原因：等待补充材料" in extend
    )
    assert original_due == datetime(2026, 12, 1, 2, 0, tzinfo=UTC) and "原为 2026-12-01 10:00" in extend
    assert reassign.startswith("reassign") and "转交给 吴院审" in reassign and "说明：赵院审出差" in reassign
    assert "2026-11-24 10:00" in remind  # when, in the school's time zone

    instance = login_as("zlc_admin").get(f"/instances/{review.instance_id}").get_data(as_text=True)
    row = instance.split(f'data-events-of="{review.id}"')[1].split("</tr>")[0]
    assert row.count("data-event=") == 3 and "转交给 吴院审" in row and "等待补充材料" in row

    # the author sees on their own (finished) task what happened to the review of their document
    author_task = session.scalar(
        select(HumanTask.id).where(HumanTask.instance_id == review.instance_id, HumanTask.kind == "edit")
    )
    author = login_as("t01").get(f"/tasks/{author_task}").get_data(as_text=True)
    assert "转交给 吴院审" in author and author.count('data-testid="admin-events"') == 1


def test_history_reads_the_admin_events_in_one_query(session):
    review = submit_target(session, "t01")
    administer(session, review)
    other = submit_target(session, "t02")
    administer(session, other)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        history = tasks.history(session, review.instance_id)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert len(statements) == 2  # the steps, then every admin event of the instance
    kinds = [e["kind"] for step in history for e in step["events"]]
    assert kinds == ["remind", "extend", "reassign"]  # this instance's only


def test_the_message_after_a_decision_says_what_was_done(login_as, session):
    teacher = login_as("t01")
    author = user(session, "t01")
    edit = documents.start_document(session, author, own_subject(session, "t01").id, "target", NOW)
    session.flush()
    fields = form_fields(filled(session.get(Document, edit.document_id).data))
    submitted = teacher.post(f"/tasks/{edit.id}", data={**fields, "action": "submit"}, follow_redirects=True)
    assert "已提交审核：" in submitted.get_data(as_text=True)

    reviewer = login_as("dzxy_reviewer")
    review = session.scalar(
        select(HumanTask).where(HumanTask.instance_id == edit.instance_id, HumanTask.state == "open")
    )
    back = {"decision": "return", "comment": "请补充科研目标"}
    returned = reviewer.post(f"/tasks/{review.id}", data=back, follow_redirects=True).get_data(as_text=True)
    assert f"已退回：{review.name}" in returned and "已提交：" not in returned

    again = session.scalar(
        select(HumanTask).where(HumanTask.instance_id == edit.instance_id, HumanTask.state == "open")
    )
    runtime.complete_task(session, author, again.id, {"document": session.get(Document, edit.document_id).data}, NOW)
    session.flush()
    second = session.scalar(
        select(HumanTask).where(HumanTask.instance_id == edit.instance_id, HumanTask.state == "open")
    )
    approved = reviewer.post(f"/tasks/{second.id}", data={"decision": "approve"}, follow_redirects=True)
    assert f"已同意：{second.name}" in approved.get_data(as_text=True)


def test_a_completion_lost_at_commit_announces_nothing(login_as, session, monkeypatch):
    from engine.core.errors import Conflict
    from web.db import Database

    review = submit_target(session, "t01")
    reviewer = login_as("dzxy_reviewer")

    def lost_race(self):
        self.session.rollback()
        raise Conflict("数据已被他人修改，请刷新后重试")

    monkeypatch.setattr(Database, "commit", lost_race)
    response = reviewer.post(f"/tasks/{review.id}", data={"decision": "approve"})
    assert response.status_code == 409 and "已同意" not in response.get_data(as_text=True)
    monkeypatch.undo()
    inbox = reviewer.get("/tasks").get_data(as_text=True)
    assert "已同意" not in inbox and f'data-task-id="{review.id}"' in inbox
