"""The 11-step annual cycle (seed §五, figure 2): start it per school year, prepare each step's document.

One BPMN process per subject level (workflows/cycle_*.bpmn). Steps 1, 4 and 5 call the subject's
approval chain; in the second and third year of a target period step 1 carries the published targets
forward. Steps 6-11 are tasks on documents derived from the published plan.

A step is never skipped past an unpublished document: a step whose document of the period is already
published is done (the next step is made from it); one that is a draft or under review in a chain
started from 我的文档 is taken over by the cycle (engine/cycle/takeover.py); anything else runs the
step's chain. Every task of a cycle stores its step number (`human_task.step`), for the progress matrix
(engine/cycle/progress.py). The cycle registers `prepare_document` with the workflow (`register`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms.carry import plan_from_last_year
from forms.cycle_templates import rows_from_plan
from forms.templates import empty_document

from .. import documents, workflow
from ..core import audit, periods, settings
from ..core.errors import N_, InvalidInput, NotFound
from ..models import CycleInstance, CycleRun, Document, DocumentStatus, DocumentVersion, ProcessInstance, Subject
from ..workflow import services
from . import bulk, review, school, takeover
from .steps import DEFAULT_DUES, LEVELS, check_dues, due_data, level_of, mid_year, step_data


def start_for_subject(
    session: Session,
    subject: Subject,
    year: int,
    dues: dict,
    actor,
    now: datetime,
    run_id: int | None = None,
) -> ProcessInstance:
    """Start the subject's cycle of `year` (once per subject and year)."""
    if session.scalar(
        select(CycleInstance.id).where(CycleInstance.year == year, CycleInstance.subject_id == subject.id)
    ):
        raise InvalidInput(N_("该主体本年度的诊改周期已启动"))
    data = {"year": year, "subject_type": subject.type, "subject_id": subject.id}
    data.update(due_data(dues))
    instance = workflow.start_instance(
        session, process_key=LEVELS[level_of(subject.type)][0], actor=actor, now=now, subject=subject, data=data
    )
    session.add(CycleInstance(year=year, subject_id=subject.id, instance_id=instance.id, run_id=run_id))
    return instance


def prepare_document(
    session: Session, instance, subject, doc_type: str, data: dict, now: datetime, revise: bool = False
):
    """The step's document (created if missing, carried from the published previous one); needs_chain?

    Steps 1, 4, 5: a document already published for the period is done; one a chain of its own is
    working on is taken over (its content and place kept); the chain's author task takes the step's
    date (`step_due`, read by the chains' `due="=step_due|P14D"`). Targets published in an earlier year
    of their three-year period are offered for optimisation (`data["optimise"]`, task 1 目标优化); with
    `revise` the published target is opened as a revision for the chain (the author chose to optimise).
    """
    if subject is None:
        raise NotFound(N_("主体不存在"))
    cfg = settings.of(session)
    year = int(data.get("year") or periods.local_year(now, cfg.timezone))
    in_year = mid_year(year, cfg.timezone)
    period = periods.period_for(doc_type, in_year, cfg)
    step_data(doc_type, data)
    doc = session.scalar(
        select(Document).where(
            Document.subject_id == subject.id, Document.doc_type == doc_type, Document.period == period
        )
    )
    if revise and doc is not None and doc.status == DocumentStatus.PUBLISHED:
        doc.instance_id = instance.id  # the published target, opened as a revision in this cycle's chain
        doc.status = DocumentStatus.DRAFT
        audit.record(
            session, actor_id=None, action="document.revise", object_type="document", object_id=doc.id, now=now,
            instance_id=instance.id, after={"reason": "目标优化", "year": year},
        )  # fmt: skip
        return doc, True
    if doc is not None and doc.published_version and doc_type in documents.CHAIN_DOC_TYPES:
        # done: the published version is what the next step is made from (a standard or plan the authors
        # published before the cycle got here); targets published in an earlier year of their period are
        # offered for optimisation (目标优化, seed annex 2018) rather than silently reused
        if doc_type == "target" and doc.status == DocumentStatus.PUBLISHED:
            data["optimise"] = _published_before(session, doc, year, cfg.timezone)
        return doc, False
    if doc is not None and doc.instance_id not in (None, instance.id):
        data["takeover"] = takeover.take_over(session, instance, subject, doc, now)
    template = documents.latest_template(session, subject.type, doc_type)
    if template is None:
        raise NotFound(N_("此类文档暂无模板"))
    if doc is None:
        if doc_type in documents.CHAIN_DOC_TYPES:
            content, _source = documents.initial_data(session, subject, doc_type, template, in_year)
            if doc_type == "plan":  # the spiral closes: last year's diagnosis and review start this plan
                last = {t: _published(session, subject.id, t, str(year - 1))
                        for t in ("diagnosis", "school_review", "upper_review")}  # fmt: skip
                content = plan_from_last_year(content, *(v.data if v else None for v in last.values()))
        else:
            content = _cycle_content(session, subject, doc_type, template.definition, str(year))
        doc = Document(
            subject_id=subject.id, doc_type=doc_type, period=period,
            title=f"{template.title}（{period}）· {subject.name}", template_key=template.key,
            template_version=template.version, status=DocumentStatus.DRAFT, data=content, created_at=now,
            updated_at=now,
        )  # fmt: skip
        session.add(doc)
        session.flush()
        audit.record(
            session, actor_id=None, action="document.create", object_type="document", object_id=doc.id, now=now,
            instance_id=instance.id, after={"title": doc.title, "template": f"{template.key}@v{template.version}"},
        )  # fmt: skip
    doc.instance_id = instance.id
    if doc.status == DocumentStatus.PUBLISHED:
        doc.status = DocumentStatus.DRAFT
    return doc, True


def _published_before(session, doc: Document, year: int, tz) -> bool:
    """Whether the document's latest version was published before school year `year` (the school's zone)."""
    published_at = session.scalar(
        select(func.max(DocumentVersion.published_at)).where(DocumentVersion.document_id == doc.id)
    )
    return published_at is not None and periods.local_year(published_at, tz) < year


def _published(session, subject_id: int, doc_type: str, period: str):
    return session.scalar(
        select(DocumentVersion)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(Document.subject_id == subject_id, Document.doc_type == doc_type, Document.period == period)
        .order_by(DocumentVersion.version.desc())
        .limit(1)
    )


def _cycle_content(session, subject, doc_type: str, definition: dict, period: str) -> dict:
    """Steps 6-11 start from the published plan and what the earlier parties wrote (review.py carries it)."""
    plan = _published(session, subject.id, "plan", period)
    diagnosis = _published(session, subject.id, "diagnosis", period)
    if doc_type in ("implementation", "diagnosis", "upper_review", "school_review"):
        upper = _published(session, subject.id, "upper_review", period) if doc_type == "school_review" else None
        carry = review.carried_cells(doc_type, diagnosis.data if diagnosis else None, upper.data if upper else None)
        return rows_from_plan(definition, plan.data if plan else {"rows": []}, carry)
    content = empty_document(definition)
    if doc_type == "report" and diagnosis is not None:
        summary = "\n".join(
            f"{r['label']}：{r['cells'].get('conclusion', '')}" for r in diagnosis.data["rows"] if r.get("included")
        )
        for row in content["rows"]:
            if row["label"] == "目标与标准达成情况":
                row["cells"]["content"] = summary[:5000]
    if doc_type == "feedback":
        found = {t: _published(session, subject.id, t, period) for t in ("upper_review", "school_review")}
        texts = review.feedback_texts(
            diagnosis.data if diagnosis else None, *(v.data if v else None for v in found.values())
        )
        for row in content["rows"]:
            row["cells"]["content"] = texts.get(row["label"], "")[:5000]
    return content


# -- starting a whole school year, in batches -------------------------------------------------------


def subjects_of(session: Session, levels: list[str]):
    types = [t for level in levels for t in LEVELS[level][1]]
    return select(Subject.id).where(Subject.type.in_(types)).order_by(Subject.id)


def create_run(session: Session, actor, year: int, levels: list[str], dues: dict, now: datetime) -> CycleRun:
    """Record the start of a school year for `levels`; the step dates are checked against the school's today."""
    tz = settings.of(session).timezone
    errors = {}
    levels = [lv for lv in levels if lv in LEVELS]
    if not levels:
        errors["levels"] = [N_("请至少选择一个层级")]
    if not 2000 <= int(year) <= 2100:
        errors["year"] = [N_("年度无效")]
    missing = [k for k in DEFAULT_DUES if not dues.get(k)]
    errors.update({f"due_{k}": [N_("请填写截止日期")] for k in missing})
    dated = {k: v for k, v in dues.items() if k in DEFAULT_DUES and v}
    errors.update(check_dues(dated, now.astimezone(tz).date(), tz))
    if errors:
        raise InvalidInput(N_("请检查填写的内容"), fields=errors)
    total = session.scalar(select(func.count()).select_from(subjects_of(session, levels).subquery()))
    run = CycleRun(year=int(year), levels=levels, dues=dues, total=total, done=0, status="pending",
                   started_by_id=actor.id if actor else None, created_at=now, skipped=[])  # fmt: skip
    session.add(run)
    session.flush()
    audit.record(
        session, actor_id=run.started_by_id, action="cycle.start", object_type="cycle_run", object_id=run.id,
        now=now, after={"year": run.year, "levels": levels, "subjects": total, "dues": dues},
    )  # fmt: skip
    return run


def process_run(session: Session, run_id: int, now: datetime, batch: int = 500) -> CycleRun:
    """Start the next batch of a run's subjects (skipping those already started); the caller commits.

    A subject that cannot start (e.g. its targets are still being approved in last year's cycle) is
    recorded in `run.skipped` with the reason, in a savepoint of its own, and the run goes on.
    """
    run = session.get(CycleRun, run_id)
    if run is None or run.status == "finished":
        return run
    if run.status == "pending":  # the first batch: steps 2 and 3 start at school level (once a year)
        school.start_school_year(session, run.year, run.dues, None, now, run_id=run.id)
    run.status = "running"
    skipped = list(run.skipped or [])
    started = select(CycleInstance.subject_id).where(CycleInstance.year == run.year)
    pending = subjects_of(session, run.levels).where(Subject.id.not_in(started))
    if skipped:
        pending = pending.where(Subject.id.not_in([s["subject_id"] for s in skipped]))
    ids = session.scalars(pending.limit(batch)).all()
    subjects = session.scalars(select(Subject).where(Subject.id.in_(ids)).order_by(Subject.id)).all()
    rest = bulk.start_batch(session, subjects, run.year, run.dues, run.id, now)

    def one(subject):
        start_for_subject(session, subject, run.year, run.dues, None, now, run_id=run.id)

    for outcome in workflow.each_in_savepoint(session, rest, one, now):
        if not outcome.ok:
            subject, exc = outcome.item, outcome.error
            skipped.append({"subject_id": subject.id, "name": subject.name, "message": exc.message,
                            "params": exc.params})  # fmt: skip
    run.skipped = skipped
    in_levels = select(func.count()).select_from(
        subjects_of(session, run.levels).where(Subject.id.in_(started)).subquery()
    )
    run.done = min(session.scalar(in_levels) + len(skipped), run.total)
    if len(ids) < batch:
        run.status, run.finished_at, run.done = "finished", now, run.total
    return run


def prepare_service(step: services.Step, params: dict, data: dict) -> dict:
    """`prepare_document`: the step's document for the cycle's subject (see `prepare_document`)."""
    doc, needs_chain = prepare_document(step.session, step.instance, step.subject, str(params.get("doc_type")), data,
                                        step.now, revise=params.get("revise") == "yes")  # fmt: skip
    data["document_id"] = doc.id
    data["needs_chain"] = needs_chain
    return {"document_id": doc.id, "needs_chain": needs_chain}


def register() -> None:
    services.register_service("prepare_document", "准备本期文档（沿用已发布的上一环节内容）", prepare_service)
    services.register_service("check_sampling", "查询本年度学校抽样结果（是否被抽中）", review.check_sampling)
    school.register()
