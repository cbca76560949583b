"""Authors withdraw an unclaimed submission and cancel a mistaken 开始填写 / 修订 (engine/documents/withdrawal.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine import cycle
from engine.core.errors import Conflict, NotAllowed
from engine.documents import service as documents
from engine.documents import withdrawal
from engine.models import (
    AuditEntry,
    Document,
    DocumentVersion,
    HumanTask,
    ProcessInstance,
    ScheduledEffect,
    Subject,
    SubjectMember,
    User,
)
from engine.workflow import runtime
from tests.conftest import NOW, TZ, document_of, filled, open_task, own_subject, publish_document, user


def start(session, username="t01", doc_type="target"):
    return documents.start_document(session, user(session, username), own_subject(session, username).id, doc_type, NOW)


def submit(session, task, username="t01", text="已填写"):
    data = filled(document_of(session, task).data, text)
    runtime.complete_task(session, user(session, username), task.id, {"document": data}, NOW)
    session.flush()
    return data


def open_rows(session, instance_id):
    return session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "open").order_by(HumanTask.id)
    ).all()


def pending_effects(session, task_id):
    return session.scalar(
        select(func.count())
        .select_from(ScheduledEffect)
        .where(
            ScheduledEffect.object_type == "human_task",
            ScheduledEffect.object_id == task_id,
            ScheduledEffect.fired_at.is_(None),
        )
    )


def actions(session, instance_id):
    return [a for (a,) in session.execute(
        select(AuditEntry.action).where(AuditEntry.instance_id == instance_id).order_by(AuditEntry.id)
    )]  # fmt: skip


# -- withdraw -----------------------------------------------------------------------------------------------


def test_withdraw_reopens_the_edit_task_with_the_submitted_content(session):
    first = start(session)
    submitted = submit(session, first, text="提交稿")
    review = open_task(session, "dzxy_reviewer", kind="review")
    assert review is not None and pending_effects(session, review.id) > 0
    assert pending_effects(session, first.id) == 0  # a completed task has no reminders left

    later = NOW + timedelta(hours=2)
    back = withdrawal.withdraw(session, user(session, "t01"), first.id, later)
    session.flush()

    assert back.id == first.id and back.state == "open" and back.completed_at is None
    assert open_task(session, "dzxy_reviewer") is None  # gone from the reviewers' inbox
    assert session.get(HumanTask, review.id).state == "cancelled"
    assert pending_effects(session, review.id) == 0
    assert pending_effects(session, first.id) > 0  # the author's reminders are planned again, same due date
    assert open_task(session, "t01", kind="edit").id == first.id
    doc = document_of(session, first)
    assert doc.status == "draft" and doc.data["rows"] == submitted["rows"]
    assert actions(session, first.instance_id)[-2:] == ["task.withdraw", "document.withdraw"]

    # the workflow really is back at the edit step: submitting again reaches the reviewer, who approves
    submit(session, open_task(session, "t01", kind="edit"), text="修改稿")
    again = open_task(session, "dzxy_reviewer", kind="review")
    assert again.id != review.id
    runtime.complete_task(session, user(session, "dzxy_reviewer"), again.id, {"decision": "approve"}, later)
    assert document_of(session, first).status == "published"
    assert session.get(ProcessInstance, first.instance_id).status == "completed"


def test_no_withdraw_once_a_reviewer_claimed_or_decided(session):
    first = start(session)
    submit(session, first)
    teacher = user(session, "t01")
    review = open_task(session, "dzxy_reviewer", kind="review")
    runtime.claim_task(session, user(session, "dzxy_reviewer"), review.id, NOW)
    assert not withdrawal.may_withdraw(session, teacher, first)
    with pytest.raises(Conflict) as err:
        withdrawal.withdraw(session, teacher, first.id, NOW)
    assert "已签收" in str(err.value)
    runtime.complete_task(session, user(session, "dzxy_reviewer"), review.id, {"decision": "approve"}, NOW)
    with pytest.raises(Conflict):
        withdrawal.withdraw(session, teacher, first.id, NOW)
    assert document_of(session, first).status == "published"


def test_resubmission_after_a_return_withdraws_to_returned(session):
    first = start(session)
    submit(session, first)
    review = open_task(session, "dzxy_reviewer", kind="review")
    runtime.complete_task(
        session, user(session, "dzxy_reviewer"), review.id, {"decision": "return", "comment": "请具体"}, NOW
    )
    second = open_task(session, "t01", kind="edit")
    submit(session, second)
    teacher = user(session, "t01")
    assert not withdrawal.may_withdraw(session, teacher, first)  # the old submission is history
    assert withdrawal.may_withdraw(session, teacher, session.get(HumanTask, second.id))
    withdrawal.withdraw(session, teacher, second.id, NOW)
    assert document_of(session, first).status == "returned"
    session.refresh(second)
    assert second.state == "open" and second.return_comment == "请具体"  # the return is still on the task


def test_only_the_submitter_withdraws_and_only_a_submission(session):
    first = start(session)
    with pytest.raises(Conflict):  # not submitted yet
        withdrawal.withdraw(session, user(session, "t01"), first.id, NOW)
    submit(session, first)
    review = open_task(session, "dzxy_reviewer", kind="review")
    with pytest.raises(Conflict):  # a review task is not a submission
        withdrawal.withdraw(session, user(session, "dzxy_reviewer"), review.id, NOW)
    with pytest.raises(Exception) as err:  # somebody else's submission: not even visible
        withdrawal.withdraw(session, user(session, "t02"), first.id, NOW)
    assert type(err.value).__name__ == "NotFound"
    assert open_task(session, "dzxy_reviewer", kind="review").id == review.id


def test_withdraw_inside_the_annual_cycle_resets_the_called_chain(session):
    subject = own_subject(session, "t01")
    instance = cycle.start_for_subject(session, subject, 2026, cycle.default_dues(2026, TZ), None, NOW)
    edit = open_rows(session, instance.id)[0]
    assert edit.kind == "edit" and edit.process_key == "cycle_person"
    submit(session, edit, text="周期提交稿")
    review = open_rows(session, instance.id)[0]
    assert review.kind == "review"

    withdrawal.withdraw(session, user(session, "t01"), edit.id, NOW)
    session.flush()
    assert [t.id for t in open_rows(session, instance.id)] == [edit.id]
    assert session.get(HumanTask, review.id).state == "cancelled"
    doc = session.get(Document, edit.document_id)
    assert doc.status == "draft" and doc.instance_id == instance.id

    # the cycle carries on from there: submit, approve, and the next step (4 制定标准) comes up
    submit(session, session.get(HumanTask, edit.id))
    review = open_rows(session, instance.id)[0]
    runtime.complete_task(session, user(session, "dzxy_reviewer"), review.id, {"decision": "approve"}, NOW)
    session.flush()
    assert doc.status == "published"
    nxt = open_rows(session, instance.id)[0]
    assert nxt.kind == "edit" and session.get(Document, nxt.document_id).doc_type == "standard"
    assert session.get(ProcessInstance, instance.id).status == "running"


# -- cancel -------------------------------------------------------------------------------------------------


def test_cancel_a_new_document_removes_it_and_start_works_again(session):
    first = start(session)
    doc_id, instance_id = first.document_id, first.instance_id
    teacher = user(session, "t01")
    offer = withdrawal.cancel(session, teacher, first.id, NOW)
    session.flush()
    session.expire_all()
    assert offer.restores_version == 0
    assert session.get(Document, doc_id) is None
    instance = session.get(ProcessInstance, instance_id)
    assert instance.status == "cancelled" and instance.ended_at is not None and instance.document_id is None
    assert session.get(HumanTask, first.id).state == "cancelled" and pending_effects(session, first.id) == 0
    assert open_task(session, "t01") is None
    discard = session.scalar(select(AuditEntry).where(AuditEntry.action == "document.discard"))
    assert discard.before["title"] and discard.before["data"]["rows"]  # the content is kept in the audit log
    assert actions(session, instance_id)[-2:] == ["instance.cancel", "document.discard"]

    again = start(session)  # a fresh document from the template (SQLite may hand out the freed id again)
    fresh = document_of(session, again)
    assert fresh.status == "draft" and fresh.published_version == 0
    assert all(not c for r in fresh.data["rows"] for c in r["cells"].values())


def test_cancel_a_revision_restores_the_published_version(session):
    doc = publish_document(
        session, "t01", "target", change=lambda d: d["rows"][0]["cells"].update(description="已发布的内容")
    )
    published = doc.data
    revision = start(session)
    assert revision.document_id == doc.id and doc.status == "draft"
    changed = filled(doc.data, "修订中")
    changed["rows"][0]["cells"]["description"] = "改了一半"
    documents.save_draft(session, user(session, "t01"), revision.id, changed, NOW)
    withdrawal.cancel(session, user(session, "t01"), revision.id, NOW)
    session.flush()
    assert doc.status == "published" and doc.instance_id is None and doc.published_version == 1
    assert doc.data == published and doc.data["rows"][0]["cells"]["description"] == "已发布的内容"
    assert (
        session.scalar(select(func.count()).select_from(DocumentVersion).where(DocumentVersion.document_id == doc.id))
        == 1
    )
    assert start(session).document_id == doc.id  # 修订 works again


def test_no_cancel_after_a_reviewer_acted_nor_within_the_cycle(session):
    first = start(session)
    submit(session, first)
    review = open_task(session, "dzxy_reviewer", kind="review")
    runtime.complete_task(
        session, user(session, "dzxy_reviewer"), review.id, {"decision": "return", "comment": "改"}, NOW
    )
    again = open_task(session, "t01", kind="edit")
    with pytest.raises(Conflict) as err:
        withdrawal.cancel(session, user(session, "t01"), again.id, NOW)
    assert "审核人已经处理过" in str(err.value)

    subject = own_subject(session, "t02")
    instance = cycle.start_for_subject(session, subject, 2026, cycle.default_dues(2026, TZ), None, NOW)
    step = open_rows(session, instance.id)[0]
    with pytest.raises(Conflict) as err:
        withdrawal.cancel(session, user(session, "t02"), step.id, NOW)
    assert "年度诊改" in str(err.value)
    assert session.get(ProcessInstance, instance.id).status == "running"


def test_cancel_after_withdraw_is_allowed_and_team_members_cannot_cancel(session):
    first = start(session)
    submit(session, first)
    withdrawal.withdraw(session, user(session, "t01"), first.id, NOW)
    withdrawal.cancel(session, user(session, "t01"), first.id, NOW)
    assert session.get(ProcessInstance, first.instance_id).status == "cancelled"

    major = session.scalar(select(Subject).where(Subject.type == "major", Subject.code == "510102"))
    roles = dict(
        session.execute(
            select(SubjectMember.role, SubjectMember.user_id).where(SubjectMember.subject_id == major.id)
        ).all()
    )
    leader, member = session.get(User, roles["leader"]), session.get(User, roles["member"])
    task = documents.start_document(session, member, major.id, "target", NOW)
    with pytest.raises(NotAllowed):
        withdrawal.cancel(session, member, task.id, NOW)
    withdrawal.cancel(session, leader, task.id, NOW)


def test_a_reviewer_who_comes_after_the_withdrawal_is_told_so(session):
    first = start(session)
    submit(session, first)
    review = open_task(session, "dzxy_reviewer", kind="review")
    withdrawal.withdraw(session, user(session, "t01"), first.id, NOW)
    session.flush()
    reviewer = user(session, "dzxy_reviewer")
    with pytest.raises(Conflict) as err:
        runtime.claim_task(session, reviewer, review.id, NOW)
    assert "已被处理" in str(err.value) or "不在待办" in str(err.value)
    with pytest.raises(Conflict):
        runtime.complete_task(session, reviewer, review.id, {"decision": "approve"}, NOW)
