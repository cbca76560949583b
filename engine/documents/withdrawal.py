"""Authors undo their own mistakes: withdraw (撤回) a submission nobody has taken up, cancel a chain they
started from 我的文档 (开始填写 or 修订) before anybody else acted.

Withdraw uses SpiffWorkflow's own reset (`BpmnWorkflow.reset_from_task_id`): the author's completed edit
task becomes READY again, the review tasks after it are dropped from the workflow. Inside a call
activity (a chain called by the annual cycle) Spiff resets the task in the subprocess and puts the call
activity back to STARTED, so the same works for both kinds of chain; the edit task keeps its id, so the
author's read-model row is reopened rather than copied. The review rows are cancelled by a conditional
UPDATE (open and unclaimed), and the instance's optimistic lock decides a race with a reviewer who
completes at the same moment: exactly one of them wins, the other gets a Conflict (409). Rows are taken
in one order (document, tasks, instance) and a task another transaction is writing is not waited for
(FOR UPDATE NOWAIT on PostgreSQL): a reviewer who returns takes the document first, one who approves
takes the task first, so waiting could deadlock against either.

Cancel ends a standalone chain (never a cycle's step: the cycle needs it done). A document that was
never published is removed - nothing refers to it once the chain is cancelled, its last content is kept
in the audit log, and 开始填写 makes a fresh one from the current template - while a revision of a
published document goes back to its last published version.

Every function works in the caller's transaction, never commits, and writes the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.util.task import TaskState as SpiffTaskState
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import org, workflow
from ..core import audit
from ..core.errors import N_, Conflict, NotAllowed
from ..models import (
    Attachment,
    CycleInstance,
    Document,
    DocumentShare,
    DocumentStatus,
    DocumentVersion,
    HumanTask,
    InstanceStatus,
    ProcessInstance,
    Subject,
    TaskState,
    User,
)
from ..workflow import deadlines, runtime, tasks
from .team import may_submit

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: FOR UPDATE NOWAIT met a row another transaction is writing
CYCLE_STEP = N_("这是年度诊改周期中的步骤，必须完成，不能取消；如有误可修改后再提交")


@dataclass
class WithdrawOffer:
    """What the confirmation page says: the document and the steps that would be taken back."""

    task: HumanTask
    document: Document
    waiting: list[HumanTask]
    status_after: str


@dataclass
class CancelOffer:
    """What the confirmation page says: the document and whether it is removed or restored."""

    task: HumanTask
    document: Document
    restores_version: int  # 0: a new document, removed; n: a revision, back to published version n


# -- withdraw -----------------------------------------------------------------------------------------


def withdraw_offer(session: Session, user: User, task_id, principals: list[str] | None = None) -> WithdrawOffer:
    """Check, from the read model, that the user may withdraw this submission now; Conflict says why not."""
    ht = tasks.get_task(session, user, task_id, principals)
    if ht.kind != "edit" or not ht.document_id:
        raise Conflict(N_("只有提交文档的任务可以撤回"))
    if ht.state == TaskState.OPEN:
        raise Conflict(N_("该文档尚未提交，无需撤回"))
    if ht.state != TaskState.COMPLETED or ht.completed_by_id != user.id:
        raise Conflict(N_("只有提交人可以撤回自己的提交"))
    instance = session.get(ProcessInstance, ht.instance_id)
    if instance.status != InstanceStatus.RUNNING:
        raise Conflict(workflow.BLOCKED.get(instance.status, N_("流程已结束，不能撤回")))
    doc = session.get(Document, ht.document_id)
    if doc is None or doc.instance_id != instance.id or doc.status != DocumentStatus.IN_REVIEW:
        raise Conflict(N_("文档已不在审核中，不能撤回"))
    later = session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.id > ht.id).order_by(HumanTask.id)
    ).all()
    if any(t.state == TaskState.COMPLETED for t in later):
        raise Conflict(N_("审核人已经处理了您的提交，不能撤回"))
    waiting = [t for t in later if t.state == TaskState.OPEN]
    if not waiting:
        raise Conflict(N_("文档已不在审核中，不能撤回"))
    claimed = next((t for t in waiting if t.claimant_id is not None), None)
    if claimed is not None:
        who = session.get(User, claimed.claimant_id)
        raise Conflict(N_("%(name)s已签收审核任务，不能撤回"), name=who.display_name if who else "?")
    return WithdrawOffer(task=ht, document=doc, waiting=waiting, status_after=_status_before_submit(session, ht))


def may_withdraw(session: Session, user: User, ht: HumanTask, principals: list[str] | None = None) -> bool:
    """Whether to show the 撤回 button (the page; the action checks again against the workflow)."""
    if ht.kind != "edit" or ht.state != TaskState.COMPLETED or ht.completed_by_id != user.id:
        return False
    try:
        withdraw_offer(session, user, ht.id, principals)
    except Conflict:
        return False
    return True


def withdraw(session: Session, user: User, task_id, now: datetime, principals: list[str] | None = None) -> HumanTask:
    """Take a submission back while its review is still unclaimed; return the author's reopened edit task."""
    offer = withdraw_offer(session, user, task_id, principals)
    ht, doc = offer.task, offer.document
    taken_back = N_("审核人刚刚签收或处理了该任务，不能撤回，请刷新页面")
    try:
        # The document first, then the reviewers' tasks without waiting, then the instance (module docstring).
        moved = session.execute(
            update(Document)
            .where(
                Document.id == doc.id,
                Document.instance_id == ht.instance_id,
                Document.status == DocumentStatus.IN_REVIEW,
            )
            .values(status=offer.status_after, updated_at=now, updated_by_id=user.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise Conflict(N_("文档已不在审核中，不能撤回"))
        session.expire(doc)
        ids = [t.id for t in offer.waiting]
        _lock_nowait(session, ids, taken_back)

        instance = runtime.load_instance(session, ht.instance_id)
        wf, meta = runtime.load_workflow(session, instance)
        edit = runtime.spiff_task(wf, ht.spiff_task_id)
        if edit is None or edit.state != SpiffTaskState.COMPLETED:
            raise Conflict(N_("文档已不在审核中，不能撤回"))
        after = [t for t in edit if t is not edit and t.task_spec.manual]
        ready = {str(t.id) for t in after if t.state == SpiffTaskState.READY}
        if any(t.state == SpiffTaskState.COMPLETED for t in after) or {t.spiff_task_id for t in offer.waiting} != ready:
            raise Conflict(N_("审核人已经处理了您的提交，不能撤回"))

        # Only if nobody claimed or completed them since the page was shown: a conditional UPDATE, so a
        # claim committed a moment ago makes this one match fewer rows.
        taken = session.execute(
            update(HumanTask)
            .where(HumanTask.id.in_(ids), HumanTask.state == TaskState.OPEN, HumanTask.claimant_id.is_(None))
            .values(state=TaskState.CANCELLED, completed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != len(ids):
            raise Conflict(taken_back)
        for t in offer.waiting:
            session.expire(t)
        deadlines.cancel(session, "human_task", ids)

        wf.reset_from_task_id(edit.id)
        before = {"state": ht.state, "completed_at": ht.completed_at.isoformat() if ht.completed_at else None}
        ht.state, ht.completed_at, ht.completed_by_id, ht.decision = TaskState.OPEN, None, None, None
        ht.claimant_id, ht.claimed_at = None, None
        # the reopened task keeps its due date; its reminders are planned again (fired ones are not repeated)
        deadlines.replan_task(session, ht.id, ht.due_at, now, ht.remind)
        subject = session.get(Subject, instance.subject_id) if instance.subject_id else None
        with runtime.step_of_instance(instance.id, taken_back):
            runtime.advance(session, instance, wf, meta, subject, user.id, now)  # stores the reset state
        audit.record(
            session, actor_id=user.id, action="task.withdraw", object_type="human_task", object_id=ht.id,
            instance_id=instance.id, now=now, before=before, after={"state": TaskState.OPEN, "cancelled_tasks": ids},
        )  # fmt: skip
        audit.record(
            session, actor_id=user.id, action="document.withdraw", object_type="document", object_id=doc.id,
            instance_id=instance.id, now=now, before={"status": DocumentStatus.IN_REVIEW},
            after={"status": offer.status_after},
        )  # fmt: skip
        session.flush()
    except (StaleDataError, IntegrityError):
        raise Conflict(taken_back) from None
    return ht


def _lock_nowait(session: Session, task_ids: list[int], message: str) -> None:
    """Lock the tasks now or give up (PostgreSQL; SQLite has one writer at a time and no row locks)."""
    try:
        session.execute(select(HumanTask.id).where(HumanTask.id.in_(task_ids)).with_for_update(nowait=True)).all()
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise Conflict(message) from None
        raise


def document_offers(session: Session, user: User, slots, principals: list[str] | None = None) -> tuple[dict, dict]:
    """For 我的文档: {document id: submission to withdraw} and {open task id: "new" or "revision" to cancel}."""
    if principals is None:
        principals = org.principals_of(session, user.id)
    withdraw, cancel = {}, {}
    for slot in slots:
        doc = slot.document
        if doc is None or doc.instance_id is None:
            continue
        if slot.open_task_id:
            try:
                offer = cancel_offer(session, user, slot.open_task_id, principals)
            except (Conflict, NotAllowed):
                continue
            cancel[slot.open_task_id] = "revision" if offer.restores_version else "new"
        elif doc.status == DocumentStatus.IN_REVIEW:
            submitted = session.scalar(
                select(HumanTask)
                .where(
                    HumanTask.instance_id == doc.instance_id,
                    HumanTask.document_id == doc.id,
                    HumanTask.kind == "edit",
                    HumanTask.state == TaskState.COMPLETED,
                    HumanTask.completed_by_id == user.id,
                )
                .order_by(HumanTask.id.desc())
                .limit(1)
            )
            if submitted is not None and may_withdraw(session, user, submitted, principals):
                withdraw[doc.id] = submitted.id
    return withdraw, cancel


def _status_before_submit(session: Session, ht: HumanTask) -> str:
    """A first submission goes back to draft; a resubmission after a return goes back to returned."""
    returned = session.scalar(
        select(func.count())
        .select_from(HumanTask)
        .where(
            HumanTask.instance_id == ht.instance_id,
            HumanTask.document_id == ht.document_id,
            HumanTask.decision == "return",
            HumanTask.id < ht.id,
        )
    )
    return DocumentStatus.RETURNED if returned else DocumentStatus.DRAFT


# -- cancel -------------------------------------------------------------------------------------------


def cancel_offer(session: Session, user: User, task_id, principals: list[str] | None = None) -> CancelOffer:
    """Check that the author may cancel the chain of this open edit task; Conflict says why not."""
    if principals is None:
        principals = org.principals_of(session, user.id)
    ht = tasks.get_task(session, user, task_id, principals)
    if ht.kind != "edit" or not ht.document_id:
        raise Conflict(N_("只有填写文档的任务可以取消"))
    tasks.check_actionable(session, ht, user, principals)
    instance = session.get(ProcessInstance, ht.instance_id)
    if instance.status != InstanceStatus.RUNNING:
        raise Conflict(workflow.BLOCKED.get(instance.status, N_("流程已结束，不能取消")))
    if in_cycle(session, instance.id) or instance.document_id != ht.document_id:
        raise Conflict(CYCLE_STEP)
    doc = session.get(Document, ht.document_id)
    if not may_submit(session, user, doc.subject_id):
        raise NotAllowed(N_("团队成员可以保存草稿，由负责人提交或取消"))
    acted = session.scalar(
        select(func.count())
        .select_from(HumanTask)
        .where(HumanTask.instance_id == instance.id, HumanTask.state == TaskState.COMPLETED)
    )
    if acted:
        raise Conflict(N_("审核人已经处理过该文档，不能取消；请按审核意见修改后提交"))
    return CancelOffer(task=ht, document=doc, restores_version=doc.published_version)


def in_cycle(session: Session, instance_id: int) -> bool:
    return session.scalar(select(CycleInstance.id).where(CycleInstance.instance_id == instance_id)) is not None


def cancel(session: Session, user: User, task_id, now: datetime, principals: list[str] | None = None) -> CancelOffer:
    """End the chain: tasks and reminders cancelled; a new document removed, a revision back to its last version."""
    offer = cancel_offer(session, user, task_id, principals)
    ht, doc = offer.task, offer.document
    instance = session.get(ProcessInstance, ht.instance_id)
    try:
        # The document first (as a submission from another tab takes it), then the tasks, then the instance.
        held = session.execute(
            update(Document)
            .where(Document.id == doc.id, Document.instance_id == instance.id)
            .values(updated_at=now, updated_by_id=user.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        ids = list(
            session.scalars(
                select(HumanTask.id).where(HumanTask.instance_id == instance.id, HumanTask.state == TaskState.OPEN)
            )
        )
        if held != 1 or ht.id not in ids:
            raise Conflict(N_("该文档刚刚已提交或已被处理，不能取消，请刷新页面"))
        session.execute(
            update(HumanTask)
            .where(HumanTask.id.in_(ids), HumanTask.state == TaskState.OPEN)
            .values(state=TaskState.CANCELLED, completed_at=now)
            .execution_options(synchronize_session="fetch")
        )
        deadlines.cancel(session, "human_task", ids)
        deadlines.schedule_wake(session, instance.id, None)
        instance.status = InstanceStatus.CANCELLED
        instance.ended_at = now
        instance.next_timer_at = None
        audit.record(
            session, actor_id=user.id, action="instance.cancel", object_type="process_instance",
            object_id=instance.id, instance_id=instance.id, now=now, before={"status": InstanceStatus.RUNNING},
            after={"status": InstanceStatus.CANCELLED, "cancelled_tasks": ids},
        )  # fmt: skip
        if doc.published_version:
            _restore_published(session, user, doc, instance, now)
        else:
            _discard(session, user, doc, instance, now)
        session.flush()
    except (StaleDataError, IntegrityError):
        raise Conflict(N_("该流程刚刚被他人处理，请刷新页面")) from None
    return offer


def _restore_published(session: Session, user: User, doc: Document, instance: ProcessInstance, now) -> None:
    last = session.scalar(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == doc.id)
        .order_by(DocumentVersion.version.desc())
        .limit(1)
    )
    before = {"status": doc.status, "instance_id": doc.instance_id}
    doc.data = last.data
    doc.template_key, doc.template_version = last.template_key, last.template_version
    doc.status = DocumentStatus.PUBLISHED
    doc.instance_id = None
    doc.updated_at, doc.updated_by_id = now, user.id
    audit.record(
        session, actor_id=user.id, action="document.revert", object_type="document", object_id=doc.id,
        instance_id=instance.id, now=now, before=before,
        after={"status": DocumentStatus.PUBLISHED, "version": last.version},
    )  # fmt: skip


def _discard(session: Session, user: User, doc: Document, instance: ProcessInstance, now) -> None:
    """Remove a never-published document; the cancelled chain and its tasks keep their titles, not the link."""
    audit.record(
        session, actor_id=user.id, action="document.discard", object_type="document", object_id=doc.id,
        instance_id=instance.id, now=now,
        before={"title": doc.title, "status": doc.status, "period": doc.period, "subject_id": doc.subject_id,
                "template": f"{doc.template_key}@v{doc.template_version}", "data": doc.data},
        after=None,
    )  # fmt: skip
    session.execute(
        update(HumanTask)
        .where(HumanTask.document_id == doc.id)
        .values(document_id=None)
        .execution_options(synchronize_session="fetch")
    )
    session.execute(
        update(ProcessInstance)
        .where(ProcessInstance.document_id == doc.id, ProcessInstance.id != instance.id)
        .values(document_id=None)
        .execution_options(synchronize_session="fetch")
    )
    instance.document_id = None
    session.execute(delete(Attachment).where(Attachment.document_id == doc.id))
    session.execute(delete(DocumentShare).where(DocumentShare.document_id == doc.id))
    session.flush()
    session.delete(doc)
