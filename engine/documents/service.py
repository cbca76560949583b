"""Documents of subjects: start and revise them through their approval chain, publish versions.

What the workflow does to a document is registered with it (`register`): the `edit` task kind submits
the author's document, the `review` kind marks a returned one, the `publish_document` service publishes
the approved content as the next immutable version, each in the step's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from forms import carry, work_standards
from forms.documents import Compiled, compile_definition, validate_document
from forms.templates import empty_document

from .. import org, workflow
from ..core import audit, periods, settings
from ..core.db import write_row
from ..core.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound, object_id
from ..models import (
    Document,
    DocumentStatus,
    DocumentVersion,
    FormTemplate,
    HumanTask,
    ProcessInstance,
    Subject,
    SubjectMember,
    TaskCandidate,
    TaskState,
    User,
)
from ..notify import notifications
from ..workflow import kinds, readmodel, services, tasks
from . import sharing, team, templates

CHAIN_DOC_TYPES = ("target", "standard", "plan")  # started by authors, approved along the subject's chain
DOC_TYPE_LABELS = {
    "target": N_("目标"),
    "standard": N_("质量标准"),
    "plan": N_("诊改计划"),
    "implementation": N_("诊改实施记录"),
    "diagnosis": N_("自我诊断"),
    "report": N_("自我诊断报告"),
    "upper_review": N_("上一级复核性诊断"),
    "school_review": N_("学校抽样复核"),
    "quality_report": N_("人才培养质量报告"),
    "feedback": N_("复核性诊断结论反馈"),
    # work standards (table 9): forms/work_standards.py CATEGORIES, spelled out here to be translated
    "ws_duty": N_("部门职责"),
    "ws_post": N_("岗位标准"),
    "ws_management": N_("管理标准"),
    "ws_venue": N_("场地标准"),
    "ws_technical": N_("技术标准"),
    "ws_process": N_("流程标准"),
    "ws_record": N_("记录标准"),
    "basic_standard": N_("基本标准"),
}
STATUS_LABELS = {
    DocumentStatus.DRAFT: N_("草稿"), DocumentStatus.IN_REVIEW: N_("审核中"), DocumentStatus.RETURNED: N_("已退回"),
    DocumentStatus.PUBLISHED: N_("已发布"),
}  # fmt: skip
SUBJECT_TYPE_LABELS = {
    "functional_dept": N_("职能部门"),
    "college": N_("二级学院"),
    "major": N_("专业"),
    "course": N_("课程"),
    "faculty_team": N_("师资队伍"),
    "teacher": N_("教师"),
    "student_cultivation": N_("专业学生综合素质培养"),
    "student": N_("学生"),
    "basic_standard": N_("基本标准"),  # a basic standard is the subject of its own document (engine/standards)
}


def chain_key(subject_type: str) -> str:
    return f"chain_{subject_type}"


def latest_template(session: Session, subject_type: str, doc_type: str) -> FormTemplate | None:
    return session.scalar(
        select(FormTemplate)
        .where(FormTemplate.subject_type == subject_type, FormTemplate.doc_type == doc_type)
        .order_by(FormTemplate.version.desc())
        .limit(1)
    )


_TEMPLATE_OF = select(FormTemplate).where(
    FormTemplate.key == bindparam("key"), FormTemplate.version == bindparam("version")
)  # built once: a submission's hot path


def template_of(session: Session, doc: Document) -> FormTemplate:
    return session.scalar(_TEMPLATE_OF, {"key": doc.template_key, "version": doc.template_version})


def document_title(session: Session, document_id: int) -> str | None:
    return session.scalar(select(Document.title).where(Document.id == document_id))


def authored_subjects(session: Session, user: User) -> list[Subject]:
    return list(
        session.scalars(
            select(Subject)
            .join(SubjectMember, SubjectMember.subject_id == Subject.id)
            .where(SubjectMember.user_id == user.id)
            .order_by(Subject.type, Subject.name)
        )
    )


@dataclass
class DocumentSlot:
    """One document a user can work on: a subject, a document type, the current period."""

    subject: Subject
    doc_type: str
    period: str
    template: FormTemplate | None
    document: Document | None
    open_task_id: int | None


def my_documents(session: Session, user: User, now: datetime):
    cfg = settings.of(session)
    subjects = authored_subjects(session, user)
    if not subjects:
        return []
    docs = session.scalars(select(Document).where(Document.subject_id.in_([s.id for s in subjects]))).all()
    by_key = {(d.subject_id, d.doc_type, d.period): d for d in docs}
    open_tasks = open_tasks_of(session, user)
    slots = []
    for s in subjects:
        for doc_type in ("target", "standard", "plan"):
            period = periods.period_for(doc_type, now, cfg)
            doc = by_key.get((s.id, doc_type, period))
            slots.append(
                DocumentSlot(
                    subject=s,
                    doc_type=doc_type,
                    period=period,
                    template=latest_template(session, s.type, doc_type),
                    document=doc,
                    open_task_id=open_tasks.get(doc.id) if doc else None,
                )
            )
    return slots


def open_tasks_of(session: Session, user: User) -> dict[int, int]:
    """The user's own open task on each document (document id -> task id)."""
    me = org.user_principal(user.id)
    return dict(
        session.execute(
            select(HumanTask.document_id, func.max(HumanTask.id))
            .join(TaskCandidate, TaskCandidate.task_id == HumanTask.id)
            .where(HumanTask.state == TaskState.OPEN, TaskCandidate.principal == me, HumanTask.document_id.is_not(None))
            .group_by(HumanTask.document_id)
        ).all()
    )


# Built once (starting a document asks them every time; building a statement costs more than running it).
_PERIOD_DOCUMENT = select(Document).where(
    Document.subject_id == bindparam("subject_id"), Document.doc_type == bindparam("doc_type"),
    Document.period == bindparam("period"),
)  # fmt: skip
_FIRST_TASK = (
    select(HumanTask)
    .join(TaskCandidate, TaskCandidate.task_id == HumanTask.id)
    .where(HumanTask.instance_id == bindparam("instance_id"), HumanTask.state == TaskState.OPEN,
           TaskCandidate.principal == bindparam("principal"))
)  # fmt: skip
_AUTHORED_SUBJECT = (
    select(Subject)
    .join(SubjectMember, SubjectMember.subject_id == Subject.id)
    .where(Subject.id == bindparam("subject_id"), SubjectMember.user_id == bindparam("user_id"))
)


def start_document(session: Session, user: User, subject_id, doc_type: str, now: datetime) -> HumanTask:
    """Start (or revise) the subject's document of the current period; return the author's first task."""
    with audit.collected(session), session.no_autoflush:  # one INSERT for the audit entries, flushes where due
        return _start_document(session, user, subject_id, doc_type, now)


def _start_document(session: Session, user: User, subject_id, doc_type: str, now: datetime) -> HumanTask:
    subject = _authored_subject(session, user, subject_id)
    # work standards (table 9) travel the unit's own chain like its targets, standards and plans
    if doc_type not in CHAIN_DOC_TYPES and not work_standards.is_work_standard(subject.type, doc_type):
        raise NotFound(N_("未知的文档类型"))
    period = periods.period_for(doc_type, now, settings.of(session))
    doc = session.scalar(_PERIOD_DOCUMENT, {"subject_id": subject.id, "doc_type": doc_type, "period": period})
    if doc is not None and doc.instance_id is not None:
        raise Conflict(N_("该文档已在流程中，请到待办中继续办理"))
    if doc is None:
        template = latest_template(session, subject.type, doc_type)
        if template is None:
            raise NotFound(N_("此类文档暂无模板"))
        doc = Document(
            subject_id=subject.id,
            doc_type=doc_type,
            period=period,
            title=f"{template.title}（{period}）· {subject.name}",
            template_key=template.key,
            template_version=template.version,
            status=DocumentStatus.DRAFT,
            data={},
            created_at=now,
            updated_at=now,
            updated_by_id=user.id,
        )
        doc.data, source = initial_data(session, subject, doc_type, template, now)
        session.add(doc)
        session.flush()
        audit.record(
            session, actor_id=user.id, action="document.create", object_type="document", object_id=doc.id,
            now=now, after={"title": doc.title, "template": f"{template.key}@v{template.version}", "from": source},
        )  # fmt: skip
    else:  # a published document: the revision starts from the last published content
        audit.record(
            session, actor_id=user.id, action="document.revise", object_type="document", object_id=doc.id,
            now=now, after={"from_version": doc.published_version},
        )  # fmt: skip
    instance = workflow.start_instance(
        session,
        process_key=chain_key(subject.type),
        actor=user,
        now=now,
        subject=subject,
        document_id=doc.id,
        data={"document_id": doc.id, "doc_type": doc_type, "subject_id": subject.id},
    )
    # the document changes once, with its instance (a revision goes back to draft)
    values = {"status": DocumentStatus.DRAFT, "updated_at": now, "updated_by_id": user.id, "instance_id": instance.id}
    write_row(session, doc, values)
    first = session.scalar(_FIRST_TASK, {"instance_id": instance.id, "principal": org.user_principal(user.id)})
    if first is None:
        raise Conflict(N_("流程已启动，但第一步不由您办理"))
    return first


def header_values(doc: Document, definition: dict, data: dict) -> dict[str, str]:
    """Every header field of the document's table as shown: resolved from the subject, or typed in."""
    subject = doc.subject
    values = {}
    for h in definition["header"]:
        source = h.get("source", "input")
        if source == "subject":
            value = subject.name
        elif source == "unit":
            value = subject.org_unit.name if subject.org_unit else ""
        elif source == "code":
            value = subject.code or ""
        elif source == "class":
            value = subject.school_class.name if subject.class_id and subject.school_class else ""
        elif source.startswith("attr:"):
            value = str((subject.attrs or {}).get(source[5:], ""))
        elif source == "period":
            value = doc.period
        else:
            value = (data.get("header") or {}).get(h["key"], "")
        values[h["key"]] = value
    return values


_INSERT_VERSION = insert(DocumentVersion.__table__)  # built once: its cache key costs more than the INSERT


def published_predecessor(session: Session, subject: Subject, doc_type: str, now: datetime):
    """The latest published version of the document this one is made from (target -> standard -> plan)."""
    previous = {"standard": "target", "plan": "standard"}.get(doc_type)
    if previous is None:
        return None
    return session.scalar(
        select(DocumentVersion)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(
            Document.subject_id == subject.id,
            Document.doc_type == previous,
            Document.period == periods.period_for(previous, now, settings.of(session)),
        )
        .order_by(DocumentVersion.version.desc())
        .limit(1)
    )


def initial_data(session: Session, subject: Subject, doc_type: str, template: FormTemplate, now):
    """A new document's content: carried forward from its published predecessor, else the template's items."""
    source = published_predecessor(session, subject, doc_type, now)
    if source is None:
        return empty_document(template.definition), None
    source_template = session.scalar(
        select(FormTemplate).where(
            FormTemplate.key == source.template_key, FormTemplate.version == source.template_version
        )
    )
    if doc_type == "standard":
        data = carry.standard_from_target(template.definition, source.data)
    else:
        data = carry.plan_from_standard(template.definition, source_template.definition, source.data)
    return data, f"{source_template.title} v{source.version}"


def _authored_subject(session: Session, user: User, subject_id) -> Subject:
    subject_id = object_id(subject_id, N_("主体不存在"))
    subject = session.scalar(_AUTHORED_SUBJECT, {"subject_id": subject_id, "user_id": user.id})
    if subject is None:
        raise NotFound(N_("主体不存在"))
    return subject


def _clean(session: Session, doc: Document, payload, *, submit: bool, compiled: Compiled | None = None) -> dict:
    """The document validated against its template (`compiled`: as engine/documents/templates.py keeps it)."""
    compiled = compiled or compile_definition(template_of(session, doc).definition)
    try:
        return validate_document(None, payload, submit=submit, stored=doc.data, compiled=compiled)
    except ValidationError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.messages) from None


def save_draft(session: Session, user: User, task_id, payload, now: datetime) -> Document:
    """Save the author's work in progress on an open edit task; the workflow does not move."""
    ht = tasks.actionable_task(session, user, task_id)
    if ht.kind != "edit" or not ht.document_id:
        raise Conflict(N_("该任务不能保存草稿"))
    doc = session.get(Document, ht.document_id)
    clean = _clean(session, doc, payload, submit=False)
    doc.data = clean
    doc.updated_at, doc.updated_by_id = now, user.id
    audit.record(
        session, actor_id=user.id, action="document.save_draft", object_type="document", object_id=doc.id,
        instance_id=ht.instance_id, now=now, after={"rows": len(clean["rows"])},
    )  # fmt: skip
    return doc


def submit_from_task(session: Session, ht: HumanTask, user: User, payload, now: datetime, read: tuple) -> Document:
    """Submit the edit task's document; `read`: what the completion's one read brought along for it
    (`team.submission_columns`; the document itself is in the session)."""
    doc, text = session.get(Document, ht.document_id), read[-1]
    if not team.allowed(read):
        raise NotAllowed(N_("团队成员可以保存草稿，由负责人提交审核"))
    clean = _clean(session, doc, payload, submit=True, compiled=templates.compiled(text) if text else None)
    before = {"status": doc.status}
    values = {"data": clean, "status": DocumentStatus.IN_REVIEW, "updated_at": now, "updated_by_id": user.id}
    write_row(session, doc, values)  # one UPDATE now, no unit of work (the completion path)
    audit.record(
        session, actor_id=user.id, action="document.submit", object_type="document", object_id=doc.id,
        instance_id=ht.instance_id, now=now, before=before, after={"status": DocumentStatus.IN_REVIEW},
    )  # fmt: skip
    return doc


def after_review(session: Session, ht: HumanTask, now: datetime) -> None:
    if ht.decision == "return":
        doc = session.get(Document, ht.document_id)
        write_row(session, doc, {"status": DocumentStatus.RETURNED, "updated_at": now})


# -- what the workflow does to documents (registered in engine/wiring.py) ---------------------------


def take_edit(session: Session, ht: HumanTask, user: User, payload: dict, now: datetime, read: tuple) -> dict:
    """An author's edit task completes by submitting its document (`read`: the completion read what that needs)."""
    if not ht.document_id:
        raise Conflict(N_("该任务没有关联文档"))
    submit_from_task(session, ht, user, payload.get("document"), now, read)
    readmodel.record_outcome(ht, decision="submit")
    return {"decision": None, "comment": ""}


def take_review(session: Session, ht: HumanTask, user: User, payload: dict, now: datetime) -> dict:
    """A reviewer's decision; a return sends the document back to its authors."""
    data = kinds.review_decision(ht, payload)
    if ht.document_id:
        after_review(session, ht, now)
    return data


def publish_service(step: services.Step, params: dict, data: dict) -> dict:
    """The chain approved: `publish_document` publishes the document the instance carries."""
    publish_from_instance(step.session, step.instance, step.actor_id, step.now, document_id=data.get("document_id"))
    return {"published": True}


def register() -> None:
    # the completion's one read brings the document each works on, and a submission's template and team
    services.register_task_kind("edit", "填写文档", take_edit, document="task", read=team.submission_columns)
    services.register_task_kind("review", "审核", take_review, document="instance")
    services.register_service("publish_document", "发布文档（上传诊改信息平台）", publish_service)


def publish_from_instance(
    session: Session, instance: ProcessInstance, actor_id: int | None, now: datetime, document_id: int | None = None
) -> None:
    """The chain approved the document: store its content as the next immutable version.

    Written inside the approval's step (engine/workflow/runtime.py): the authors are told before the
    document changes, so no query on the way flushes it early; the version row is one Core INSERT.
    """
    doc = session.get(Document, document_id or instance.document_id)
    if doc is None:
        raise NotFound(N_("文档不存在"))
    version = doc.published_version + 1
    notifications.document_published(session, doc, version, actor_id, now)
    session.execute(
        _INSERT_VERSION,
        {"document_id": doc.id, "version": version, "data": doc.data, "template_key": doc.template_key,
         "template_version": doc.template_version, "instance_id": instance.id, "published_at": now,
         "approved_by_id": actor_id},
    )  # fmt: skip
    before = {"status": doc.status, "published_version": doc.published_version}
    values = {"published_version": version, "status": DocumentStatus.PUBLISHED, "instance_id": None, "updated_at": now}
    write_row(session, doc, values)
    audit.record(
        session, actor_id=actor_id, action="document.publish", object_type="document", object_id=doc.id,
        instance_id=instance.id, now=now, before=before, after={"status": DocumentStatus.PUBLISHED, "version": version},
    )  # fmt: skip


def get_document(session: Session, user: User, doc_id, principals: list[str] | None = None) -> Document:
    """A document the user may see at all (see engine/documents/sharing.py), or NotFound."""
    return sharing.access(session, user, doc_id, principals)[0]


def versions(session: Session, doc: Document) -> list[DocumentVersion]:
    return list(
        session.scalars(
            select(DocumentVersion).where(DocumentVersion.document_id == doc.id).order_by(DocumentVersion.version)
        )
    )


def get_version(session: Session, doc: Document, version) -> DocumentVersion:
    version = object_id(version, N_("版本不存在"))
    v = session.scalar(
        select(DocumentVersion).where(DocumentVersion.document_id == doc.id, DocumentVersion.version == version)
    )
    if v is None:
        raise NotFound(N_("版本不存在"))
    return v
