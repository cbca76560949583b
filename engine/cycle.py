"""The 11-step annual cycle (seed §五, figure 2): start it per school year, prepare each step's document.

One BPMN process per subject level (workflows/cycle_*.bpmn). Steps 1, 4 and 5 call the subject's
approval chain; in the second and third year of a target period step 1 carries the published targets
forward. Steps 6-11 are tasks on documents derived from the published plan.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms.cycle_templates import rows_from_plan

from . import audit, documents, periods, runtime
from .errors import N_, InvalidInput, NotFound
from .models import CycleInstance, CycleRun, Document, DocumentVersion, HumanTask, ProcessInstance, Subject

LEVELS = {
    "unit": ("cycle_unit", ("functional_dept", "college"), "职能部门 / 二级学院"),
    "program": ("cycle_program", ("major", "course"), "专业 / 课程"),
    "team": ("cycle_team", ("faculty_team", "student_cultivation"), "师资队伍 / 专业学生综合素质培养"),
    "person": ("cycle_person", ("teacher", "student"), "教师 / 学生"),
}
STEPS = [
    ("target", "确定目标"), ("basic_standard", "制定基本标准"), ("templates", "研制模板"), ("standard", "制定标准"),
    ("plan", "制定诊改计划"), ("implementation", "诊改实施"), ("diagnosis", "自我诊断"),
    ("report", "撰写自我诊断报告"), ("school_review", "学校复核诊断"), ("quality_report", "撰写人才培养质量报告"),
    ("feedback", "学校复核诊断结论反馈"),
]  # fmt: skip
# Due dates when the annual task table of the year gives none: (month, day, years after the cycle year).
DEFAULT_DUES = {
    "target": (3, 31, 0), "standard": (4, 30, 0), "plan": (5, 31, 0), "implementation": (11, 30, 0),
    "diagnosis": (12, 10, 0), "report": (12, 20, 0), "school_review": (12, 31, 0), "quality_report": (12, 31, 0),
    "feedback": (1, 15, 1),
}  # fmt: skip
TZ = ZoneInfo("Asia/Shanghai")


def level_of(subject_type: str) -> str:
    return next(level for level, (_, types, _) in LEVELS.items() if subject_type in types)


def end_of_day(d: date) -> datetime:
    return datetime.combine(d, time(23, 59, 59), TZ)


def default_dues(year: int) -> dict[str, str]:
    return {k: end_of_day(date(year + dy, m, d)).isoformat() for k, (m, d, dy) in DEFAULT_DUES.items()}


def _mid_year(year: int) -> datetime:
    return datetime(year, 7, 1, 4, 0, tzinfo=TZ)


def start_for_subject(
    session: Session,
    subject: Subject,
    year: int,
    dues: dict,
    actor,
    now: datetime,
    base_year: int = periods.DEFAULT_BASE_YEAR,
    run_id: int | None = None,
) -> ProcessInstance:
    """Start the subject's cycle of `year` (once per subject and year)."""
    if session.scalar(
        select(CycleInstance.id).where(CycleInstance.year == year, CycleInstance.subject_id == subject.id)
    ):
        raise InvalidInput(N_("该主体本年度的诊改周期已启动"))
    data = {"year": year, "base_year": base_year, "subject_type": subject.type, "subject_id": subject.id}
    data.update({f"due_{k}": v for k, v in dues.items()})
    instance = runtime.start_instance(
        session, process_key=LEVELS[level_of(subject.type)][0], actor=actor, now=now, subject=subject, data=data
    )
    session.add(CycleInstance(year=year, subject_id=subject.id, instance_id=instance.id, run_id=run_id))
    return instance


def prepare_document(session: Session, instance, subject, doc_type: str, data: dict, now: datetime):
    """The step's document (created if missing, carried from the published previous one); needs_chain?"""
    if subject is None:
        raise NotFound(N_("主体不存在"))
    year = int(data.get("year") or periods.local_year(now))
    base_year = int(data.get("base_year") or periods.DEFAULT_BASE_YEAR)
    in_year = _mid_year(year)
    period = periods.period_for(doc_type, in_year, base_year)
    doc = session.scalar(
        select(Document).where(
            Document.subject_id == subject.id, Document.doc_type == doc_type, Document.period == period
        )
    )
    if doc is not None and doc.instance_id not in (None, instance.id):
        return doc, False  # the subject is already working on it in its own chain
    if doc is not None and doc.published_version and doc_type == "target":
        return doc, False  # years two and three of a target period carry the published targets forward
    template = documents.latest_template(session, subject.type, doc_type)
    if template is None:
        raise NotFound(N_("此类文档暂无模板"))
    if doc is None:
        if doc_type in documents.CHAIN_DOC_TYPES:
            content, _source = documents.initial_data(session, subject, doc_type, template, in_year, base_year)
        else:
            content = _cycle_content(session, subject, doc_type, template.definition, str(year))
        doc = Document(
            subject_id=subject.id, doc_type=doc_type, period=period,
            title=f"{template.title}（{period}）· {subject.name}", template_key=template.key,
            template_version=template.version, status="draft", data=content, created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(doc)
        session.flush()
        audit.record(
            session, actor_id=None, action="document.create", object_type="document", object_id=doc.id, now=now,
            instance_id=instance.id, after={"title": doc.title, "template": f"{template.key}@v{template.version}"},
        )  # fmt: skip
    doc.instance_id = instance.id
    if doc.status == "published":
        doc.status = "draft"
    return doc, True


def _published(session, subject_id: int, doc_type: str, period: str):
    return session.scalar(
        select(DocumentVersion)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(Document.subject_id == subject_id, Document.doc_type == doc_type, Document.period == period)
        .order_by(DocumentVersion.version.desc())
        .limit(1)
    )


def _cycle_content(session, subject, doc_type: str, definition: dict, period: str) -> dict:
    """Steps 6-10 start from the published plan (and the self-diagnosis where it helps)."""
    plan = _published(session, subject.id, "plan", period)
    diagnosis = _published(session, subject.id, "diagnosis", period)
    if doc_type in ("implementation", "diagnosis", "school_review"):
        carry = {}
        if doc_type == "school_review" and diagnosis is not None:
            carry = {r["id"]: {"self_conclusion": r["cells"].get("conclusion", "")} for r in diagnosis.data["rows"]}
        return rows_from_plan(definition, plan.data if plan else {"rows": []}, carry)
    from forms.templates import empty_document

    content = empty_document(definition)
    if doc_type == "report" and diagnosis is not None:
        summary = "\n".join(
            f"{r['label']}：{r['cells'].get('conclusion', '')}" for r in diagnosis.data["rows"] if r.get("included")
        )
        for row in content["rows"]:
            if row["label"] == "目标与标准达成情况":
                row["cells"]["content"] = summary[:5000]
    return content


# -- starting a whole school year, in batches -------------------------------------------------------


def subjects_of(session: Session, levels: list[str]):
    types = [t for level in levels for t in LEVELS[level][1]]
    return select(Subject.id).where(Subject.type.in_(types)).order_by(Subject.id)


def create_run(session: Session, actor, year: int, levels: list[str], dues: dict, now: datetime) -> CycleRun:
    levels = [lv for lv in levels if lv in LEVELS]
    if not levels:
        raise InvalidInput(N_("请检查填写的内容"), fields={"levels": [N_("请至少选择一个层级")]})
    if not 2000 <= int(year) <= 2100:
        raise InvalidInput(N_("请检查填写的内容"), fields={"year": [N_("年度无效")]})
    total = session.scalar(select(func.count()).select_from(subjects_of(session, levels).subquery()))
    run = CycleRun(year=int(year), levels=levels, dues=dues, total=total, done=0, status="pending",
                   started_by_id=actor.id if actor else None, created_at=now)  # fmt: skip
    session.add(run)
    session.flush()
    audit.record(
        session, actor_id=run.started_by_id, action="cycle.start", object_type="cycle_run", object_id=run.id,
        now=now, after={"year": run.year, "levels": levels, "subjects": total},
    )  # fmt: skip
    return run


def process_run(session: Session, run_id: int, now: datetime, batch: int = 500) -> CycleRun:
    """Start the next batch of a run's subjects (skipping those already started); the caller commits."""
    run = session.get(CycleRun, run_id)
    if run is None or run.status == "finished":
        return run
    run.status = "running"
    started = select(CycleInstance.subject_id).where(CycleInstance.year == run.year)
    ids = session.scalars(subjects_of(session, run.levels).where(Subject.id.not_in(started)).limit(batch)).all()
    subjects = session.scalars(select(Subject).where(Subject.id.in_(ids)).order_by(Subject.id)).all()
    from .cycle_bulk import start_batch

    for subject in start_batch(session, subjects, run.year, run.dues, run.id, now, periods.DEFAULT_BASE_YEAR):
        start_for_subject(session, subject, run.year, run.dues, None, now, run_id=run.id)
    run.done = session.scalar(
        select(func.count()).select_from(CycleInstance).where(CycleInstance.run_id == run.id)
    ) + session.scalar(
        select(func.count())
        .select_from(CycleInstance)
        .where(CycleInstance.year == run.year, CycleInstance.run_id != run.id)
    )
    run.done = min(run.done, run.total)
    if len(ids) < batch:
        run.status, run.finished_at, run.done = "finished", now, run.total
    return run


def progress(session: Session, year: int, level: str | None = None, now: datetime | None = None) -> list[dict]:
    """Where every subject's cycle of the year stands: current step(s), overdue or not."""
    stmt = (
        select(Subject.id, Subject.name, Subject.type, ProcessInstance.id, ProcessInstance.status)
        .join(CycleInstance, CycleInstance.subject_id == Subject.id)
        .join(ProcessInstance, ProcessInstance.id == CycleInstance.instance_id)
        .where(CycleInstance.year == year)
        .order_by(Subject.type, Subject.name)
    )
    if level in LEVELS:
        stmt = stmt.where(Subject.type.in_(LEVELS[level][1]))
    rows = session.execute(stmt.limit(2000)).all()
    ids = [r[3] for r in rows]
    open_tasks = {}
    if ids:
        for t in session.execute(
            select(HumanTask.instance_id, HumanTask.name, HumanTask.due_at, HumanTask.id).where(
                HumanTask.instance_id.in_(ids), HumanTask.state == "open"
            )
        ):
            open_tasks.setdefault(t.instance_id, []).append(t)
    out = []
    for _sid, name, stype, iid, status in rows:
        tasks = open_tasks.get(iid, [])
        overdue = bool(now and any(t.due_at and t.due_at < now for t in tasks))
        out.append({"subject": name, "type": stype, "instance_id": iid, "status": status, "overdue": overdue,
                    "steps": [t.name for t in tasks], "task_ids": [t.id for t in tasks]})  # fmt: skip
    return out


def due_dates_for(year: int, annual_rows=None) -> dict[str, str]:
    """Step due dates for a year: the annual task table's where a row matches a step, else the defaults."""
    dues = default_dues(year)
    # rows of the seed's table that carry a step's date (2017 and later: 目标、标准、诊改计划制定 by 4月30日,
    # 上一级复核性诊断 by 11月30日, 抽样复核结论反馈 by 2月28日 of the next year)
    keywords = {"target": "目标", "standard": "标准、诊改计划", "plan": "诊改计划", "diagnosis": "自我诊断",
                "report": "诊断报告", "school_review": "复核性诊断", "quality_report": "质量报告",
                "feedback": "结论反馈"}  # fmt: skip
    for row in annual_rows or []:
        if row.due_date is None:
            continue
        for step, word in keywords.items():
            if word in row.task and row.due_date.year in (year, year + 1):
                dues[step] = end_of_day(row.due_date).isoformat()
    if datetime.fromisoformat(dues["feedback"]) <= datetime.fromisoformat(dues["school_review"]):
        dues["feedback"] = (datetime.fromisoformat(dues["school_review"]) + timedelta(days=15)).isoformat()
    return dues
