"""A completion writes the document and the instance with Core statements, not the ORM's unit of work
(engine/core/db.py `write_row`); the session must still say what the database says, and a lost race on
the instance's optimistic lock must still be a conflict that changes nothing."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm.exc import StaleDataError

from engine.core.db import write_row
from engine.documents import service as documents
from engine.models import Document, HumanTask, Notification, ProcessInstance
from engine.workflow import batch, runtime
from tests.conftest import NOW, document_of, filled, own_subject, user


def start(session, username="t01"):
    return documents.start_document(session, user(session, username), own_subject(session, username).id, "target", NOW)


def submit(session, task, username="t01"):
    data = filled(document_of(session, task).data)
    runtime.complete_task(session, user(session, username), task.id, {"document": data}, NOW)


def review_of(session, instance_id) -> HumanTask:
    return session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "open"))


def in_database(session, column, row_id):
    return session.connection().execute(select(column).where(column.table.c.id == row_id)).scalar_one()


def test_a_completion_flushes_nothing_and_the_session_says_what_the_database_says(session):
    task = start(session)
    submit(session, task)
    review = review_of(session, task.instance_id)
    doc = session.get(Document, review.document_id)
    instance = session.get(ProcessInstance, review.instance_id)
    reviewer = user(session, "dzxy_reviewer")
    flushed = []

    def unit_of_work(s, *_):
        flushed.append(list(s.dirty) + list(s.new))

    event.listen(session, "before_flush", unit_of_work)
    try:
        runtime.complete_task(session, reviewer, review.id, {"decision": "approve"}, NOW)
    finally:
        event.remove(session, "before_flush", unit_of_work)
    assert flushed == [] and not session.dirty  # no unit of work: every row was written with Core
    # what the objects say (without a reload) is what was written
    assert (doc.status, doc.published_version, doc.instance_id) == ("published", 1, None)
    assert in_database(session, Document.status, doc.id) == "published"
    assert in_database(session, Document.published_version, doc.id) == 1
    assert (instance.status, instance.ended_at) == ("completed", NOW)
    assert in_database(session, ProcessInstance.status, instance.id) == "completed"
    assert instance.lock_version == in_database(session, ProcessInstance.lock_version, instance.id)
    assert (review.state, review.decision) == ("completed", "approve")
    assert in_database(session, HumanTask.decision, review.id) == "approve"


def test_write_row_checks_the_version_it_loaded(session):
    task = start(session)
    instance = session.get(ProcessInstance, task.instance_id)
    loaded = instance.lock_version
    session.execute(  # another step on the instance committed meanwhile
        update(ProcessInstance.__table__).where(ProcessInstance.id == instance.id).values(lock_version=loaded + 1)
    )
    with pytest.raises(StaleDataError):  # what the commit point and the batches turn into a 409 / a retry
        write_row(session, instance, {"next_timer_at": NOW})
    assert instance.lock_version == loaded and instance.next_timer_at is None  # nothing was set on it


def test_a_batch_item_that_loses_the_race_leaves_the_document_as_the_database_has_it(session, monkeypatch):
    task = start(session)
    submit(session, task)
    review = review_of(session, task.instance_id)
    doc = session.get(Document, review.document_id)  # the session holds it during the batch
    real = runtime.load_workflow

    def another_step_commits_meanwhile(session_, instance):
        loaded = real(session_, instance)
        session_.execute(
            update(ProcessInstance.__table__)
            .where(ProcessInstance.id == instance.id)
            .values(lock_version=ProcessInstance.lock_version + 1)
        )
        return loaded

    monkeypatch.setattr(runtime, "load_workflow", another_step_commits_meanwhile)
    (result,) = batch.complete_many(session, user(session, "dzxy_reviewer"), [review.id], {"decision": "approve"}, NOW)
    assert not result["ok"] and result["message"] == runtime.RACED
    # the document was published by Core inside the rolled-back savepoint: the session must not say so
    assert (doc.status, doc.published_version) == ("in_review", 0)
    assert session.get(HumanTask, review.id).state == "open"


@contextmanager
def reads(session):
    """The SELECTs the block runs, each named by the table of its first column."""
    seen = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement.split()[1].split(".")[0])

    engine = session.connection().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_each_completion_reads_once_and_asks_only_who_comes_next(session):
    """A submission's document, template and team come with the task's one read; a return finds the authors
    and whether they are active in one statement; an approval tells the authors with an INSERT ... SELECT."""
    task = start(session)
    data = filled(document_of(session, task).data)
    author, reviewer = user(session, "t01"), user(session, "dzxy_reviewer")
    principals = {u.id: runtime.org.principals_of(session, u.id) for u in (author, reviewer)}
    with reads(session) as seen:
        runtime.complete_task(session, author, task.id, {"document": data}, NOW, principals[author.id])
    assert seen == ["human_task", "role_assignment"]  # the task with everything; the reviewers behind the group
    review = review_of(session, task.instance_id)
    with reads(session) as seen:
        runtime.complete_task(session, reviewer, review.id, {"decision": "return", "comment": "补充"}, NOW,
                              principals[reviewer.id])  # fmt: skip
    assert seen == ["human_task", "subject_member"]
    assert document_of(session, task).status == "returned"
    again = review_of(session, task.instance_id)
    runtime.complete_task(session, author, again.id, {"document": data}, NOW, principals[author.id])
    review = review_of(session, task.instance_id)
    with reads(session) as seen:
        runtime.complete_task(session, reviewer, review.id, {"decision": "approve"}, NOW, principals[reviewer.id])
    assert seen == ["human_task"]
    assert document_of(session, task).status == "published"
    told = session.scalars(select(Notification.user_id).where(Notification.kind == "published")).all()
    assert told == [author.id]
