"""People are told: a task arrives (in person or in a group), a document is returned or published.

Each step writes its notifications in its own transaction with one INSERT, and never tells the person
whose action it was.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, func, select

from engine import cycle, org
from engine.documents import service as documents
from engine.models import Document, HumanTask, Notification, OrgUnit, Subject, User
from engine.notify import notifications
from engine.workflow import runtime, tasks
from tests.conftest import NOW, TZ, filled, own_subject, user


def told(session, **where) -> list[tuple[str, str, str, str, str]]:
    """(username, kind, title, body, link) of every notification, sorted."""
    stmt = select(User.username, Notification.kind, Notification.title, Notification.body, Notification.link).join(
        User, User.id == Notification.user_id
    )
    for k, v in where.items():
        stmt = stmt.where(getattr(Notification, k) == v)
    return sorted(session.execute(stmt).all())


@contextmanager
def notification_inserts(session):
    """Count the INSERT statements into `notification` run inside the block."""
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO NOTIFICATION"):
            seen.append(statement)

    bind = session.connection()
    event.listen(bind.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(bind.engine, "before_cursor_execute", count)


def open_in(session, instance_id) -> HumanTask:
    return session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "open"))


def start_and_submit(session, username="t01"):
    author = user(session, username)
    task = documents.start_document(session, author, own_subject(session, username).id, "target", NOW)
    doc = session.get(Document, task.document_id)
    runtime.complete_task(session, author, task.id, {"document": filled(doc.data)}, NOW)
    session.flush()
    review = open_in(session, task.instance_id)
    return author, task, review


def test_a_task_in_a_group_tells_every_member_but_not_the_author_of_the_step(session):
    author = user(session, "t01")
    task = documents.start_document(session, author, own_subject(session, "t01").id, "target", NOW)
    assert told(session) == []  # t01's own first task: t01 started it
    doc = session.get(Document, task.document_id)
    with notification_inserts(session) as inserts:
        runtime.complete_task(session, author, task.id, {"document": filled(doc.data)}, NOW)
    assert len(inserts) == 1  # one INSERT for the whole group
    review = open_in(session, task.instance_id)
    got = told(session)
    assert [(u, k, link) for u, k, _, _, link in got] == [
        ("dzxy_reviewer", "task", f"/tasks/{review.id}"),
        ("dzxy_reviewer2", "task", f"/tasks/{review.id}"),
    ]
    assert got[0][2] == f"【新任务】二级学院审定：{review.title}" and "截止：2026-12-01 10:00" in got[0][3]


def test_the_person_who_acts_is_left_out_of_a_group_they_belong_to(session):
    _, _, review = start_and_submit(session)
    before = session.scalar(select(func.count()).select_from(Notification))
    dzxy = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "DZXY"))
    group = org.group_principal("reviewer", "unit", dzxy)
    notifications.task_arrived(session, [(review, [group])], user(session, "dzxy_reviewer").id, NOW)
    new = session.scalars(select(Notification).where(Notification.id > 0).order_by(Notification.id)).all()[before:]
    assert [n.user_id for n in new] == [user(session, "dzxy_reviewer2").id]


def test_a_return_tells_the_author_with_the_comment_and_marks_the_new_task(session):
    author, _, review = start_and_submit(session)
    reviewer = user(session, "dzxy_reviewer")
    runtime.complete_task(session, reviewer, review.id, {"decision": "return", "comment": "请补充量化指标"}, NOW)
    session.flush()
    again = open_in(session, review.instance_id)
    assert (again.kind, again.returned_by_id, again.return_comment) == ("edit", reviewer.id, "请补充量化指标")
    returned = told(session, kind="returned")
    assert [(u, link) for u, _, _, _, link in returned] == [("t01", f"/tasks/{again.id}")]
    assert "赵院审" in returned[0][3] and "请补充量化指标" in returned[0][3] and returned[0][2].startswith("【已退回】")
    assert told(session, user_id=author.id, kind="task") == []  # the return is the author's one notice
    assert told(session, user_id=reviewer.id, kind="returned") == []  # not the reviewer who returned it
    row = tasks.list_tasks(session, author).rows[0]
    assert row.id == again.id and row.returned and row.returned_by_name == "赵院审"
    assert row.return_comment == "请补充量化指标"

    # submitted again: the next review carries no mark, and the approval publishes and tells the author
    doc = session.get(Document, again.document_id)
    runtime.complete_task(session, author, again.id, {"document": filled(doc.data)}, NOW)
    second = open_in(session, review.instance_id)
    assert second.returned_by_id is None
    runtime.complete_task(session, user(session, "dzxy_reviewer2"), second.id, {"decision": "approve"}, NOW)
    published = told(session, kind="published")
    assert [(u, link) for u, _, _, _, link in published] == [("t01", f"/documents/{doc.id}")]
    assert "第1版" in published[0][3] and "吴院审" in published[0][3] and doc.title in published[0][2]


def test_an_approver_who_is_also_an_author_may_not_approve_and_nobody_is_told(session):
    # separation of duties (issue #14): an author (here: the reviewer made a member for the test) never
    # completes a review of their own document, so nothing is published and nobody is told
    import pytest

    from engine.core.errors import NotAllowed

    author, _, review = start_and_submit(session)
    reviewer = user(session, "dzxy_reviewer")
    doc = session.get(Document, review.document_id)
    from engine.models import SubjectMember

    session.add(SubjectMember(subject_id=doc.subject_id, user_id=reviewer.id, role="member"))
    session.flush()
    with pytest.raises(NotAllowed):
        runtime.complete_task(session, reviewer, review.id, {"decision": "approve"}, NOW)
    assert told(session, kind="published") == []


def test_a_bulk_year_start_tells_each_person_once_with_one_insert_per_batch(session):
    run = cycle.create_run(session, user(session, "zlc_admin"), 2026, ["person"], cycle.default_dues(2027, TZ), NOW)
    with notification_inserts(session) as inserts:
        cycle.process_run(session, run.id, NOW, batch=100)
    assert run.status == "finished" and run.done == 79
    assert len(inserts) <= 3  # the bulk path's one INSERT per subject type (teachers, students), the school's steps
    told = session.execute(
        select(User.username, Notification.link)
        .join(User, User.id == Notification.user_id)
        .where(Notification.kind == "task")
    ).all()
    school = session.scalars(select(HumanTask.id).where(HumanTask.process_key == cycle.SCHOOL_PROCESS)).all()
    lead = [(u, link) for u, link in told if int(link.rsplit("/", 1)[1]) in school]
    assert len(lead) == 6  # steps 2-3 at school level: each lead department told of its basic standards
    first = [row for row in told if row not in lead]
    assert len(first) == 79 and len({u for u, _ in first}) == 79  # one each: 39 of the 教师 level, 40 students
    for username, link in first:  # and each for their own task
        task = session.get(HumanTask, int(link.rsplit("/", 1)[1]))
        assert session.get(Subject, task.subject_id).user_id == user(session, username).id
