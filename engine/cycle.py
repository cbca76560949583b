"""The 11-step annual cycle (seed §五, figure 2): start it per school year, prepare each step's document.

One BPMN process per subject level (workflows/cycle_*.bpmn). Steps 1, 4 and 5 call the subject's
approval chain; in the second and third year of a target period step 1 carries the published targets
forward. Steps 6-11 are tasks on documents derived from the published plan.

A step is never skipped past an unpublished document: a step whose document of the period is already
published is done (the next step is made from it); one that is a draft or under review in a chain
started from 我的文档 is taken over by the cycle (engine/cycle_takeover.py); anything else runs the
step's chain. Every task of a cycle stores its step number (`human_task.step`), for the progress matrix
(engine/cycle_progress.py).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms.cycle_templates import rows_from_plan

from . import audit, documents, periods, runtime
from .db import savepoint
from .errors import N_, DomainError, InvalidInput, NotFound
from .models import CycleInstance, CycleRun, Document, DocumentVersion, ProcessInstance, Subject

LEVELS = {
    "unit": ("cycle_unit", ("functional_dept", "college"), N_("职能部门 / 二级学院")),
    "program": ("cycle_program", ("major", "course"), N_("专业 / 课程")),
    "team": ("cycle_team", ("faculty_team", "student_cultivation"), N_("师资队伍 / 专业学生综合素质培养")),
    "person": ("cycle_person", ("teacher", "student"), N_("教师 / 学生")),
}
STEPS = [
    ("target", N_("确定目标")), ("basic_standard", N_("制定基本标准")), ("templates", N_("研制模板")),
    ("standard", N_("制定标准")), ("plan", N_("制定诊改计划")), ("implementation", N_("诊改实施")),
    ("diagnosis", N_("自我诊断")), ("report", N_("撰写自我诊断报告")), ("school_review", N_("学校复核诊断")),
    ("quality_report", N_("撰写人才培养质量报告")), ("feedback", N_("学校复核诊断结论反馈")),
]  # fmt: skip
STEP_NUMBER = {key: i for i, (key, _) in enumerate(STEPS, start=1)}
NO_TASKS = (2, 3)  # 制定基本标准, 研制模板: school-wide work that has no task per subject yet
# Due dates when the annual task table of the year gives none: (month, day, years after the cycle year).
DEFAULT_DUES = {
    "target": (3, 31, 0), "standard": (4, 30, 0), "plan": (5, 31, 0), "implementation": (11, 30, 0),
    "diagnosis": (12, 10, 0), "report": (12, 20, 0), "school_review": (12, 31, 0), "quality_report": (12, 31, 0),
    "feedback": (1, 15, 1),
}  # fmt: skip
TZ = ZoneInfo("Asia/Shanghai")


def step_name(number: int) -> str:
    """The untranslated name of step `number` (1-11), e.g. 确定目标."""
    return STEPS[number - 1][1]


def level_of(subject_type: str) -> str:
    return next(level for level, (_, types, _) in LEVELS.items() if subject_type in types)


def end_of_day(d: date, tz: ZoneInfo = TZ) -> datetime:
    return datetime.combine(d, time(23, 59, 59), tz)


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
    """The step's document (created if missing, carried from the published previous one); needs_chain?

    Steps 1, 4, 5: a document already published for the period is done; one a chain of its own is
    working on is taken over (its content and place kept); the chain's author task takes the step's
    date (`step_due`, read by the chains' `due="=step_due|P14D"`).
    """
    if subject is None:
        raise NotFound(N_("主体不存在"))
    year = int(data.get("year") or periods.local_year(now))
    base_year = int(data.get("base_year") or periods.DEFAULT_BASE_YEAR)
    in_year = _mid_year(year)
    period = periods.period_for(doc_type, in_year, base_year)
    step_data(doc_type, data)
    doc = session.scalar(
        select(Document).where(
            Document.subject_id == subject.id, Document.doc_type == doc_type, Document.period == period
        )
    )
    if doc is not None and doc.published_version and doc_type in documents.CHAIN_DOC_TYPES:
        # done: the published version is what the next step is made from (targets in years two and three
        # of their period, or a standard or plan the authors published before the cycle got here)
        return doc, False
    if doc is not None and doc.instance_id not in (None, instance.id):
        from . import cycle_takeover

        data["takeover"] = cycle_takeover.take_over(session, instance, subject, doc, now)
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


def step_data(doc_type: str, data: dict) -> None:
    """What a step's preparation tells the rest of the step: the chain's author task is due on the step's
    date (`due="=step_due|P14D"` in workflows/chain_*.bpmn), and no take-over unless one is found."""
    data["takeover"] = None
    if doc_type in documents.CHAIN_DOC_TYPES:
        data["step_due"] = data.get(f"due_{doc_type}")


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


def check_dues(dues: dict, today: date, tz: ZoneInfo = TZ) -> dict:
    """Field errors of a year's step dates: each one today or later, none before the previous step's."""
    errors: dict[str, list] = {}
    previous = None
    for key, label in STEPS:
        if key not in dues:
            continue
        try:
            day = datetime.fromisoformat(dues[key]).astimezone(tz).date()
        except (TypeError, ValueError):
            errors[f"due_{key}"] = [N_("日期格式应为 YYYY-MM-DD")]
            continue
        if day < today:
            errors[f"due_{key}"] = [{"message": N_("该日期已过，请改为今天（%(today)s）或以后的日期"),
                                     "params": {"today": today.isoformat()}}]  # fmt: skip
        elif previous is not None and day < previous[1]:
            errors[f"due_{key}"] = [{"message": N_("不能早于上一步骤“%(step)s”的日期（%(date)s）"),
                                     "params": {"step": f"{STEP_NUMBER[previous[0]]} {previous[2]}",
                                                "date": previous[1].isoformat()}}]  # fmt: skip
        previous = (key, day, label)
    return errors


def create_run(
    session: Session, actor, year: int, levels: list[str], dues: dict, now: datetime, tz: ZoneInfo = TZ
) -> CycleRun:
    """Record the start of a school year for `levels`; the step dates are checked against today (in `tz`)."""
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
    run.status = "running"
    skipped = list(run.skipped or [])
    started = select(CycleInstance.subject_id).where(CycleInstance.year == run.year)
    pending = subjects_of(session, run.levels).where(Subject.id.not_in(started))
    if skipped:
        pending = pending.where(Subject.id.not_in([s["subject_id"] for s in skipped]))
    ids = session.scalars(pending.limit(batch)).all()
    subjects = session.scalars(select(Subject).where(Subject.id.in_(ids)).order_by(Subject.id)).all()
    from .cycle_bulk import start_batch

    for subject in start_batch(session, subjects, run.year, run.dues, run.id, now, periods.DEFAULT_BASE_YEAR):
        try:
            with savepoint(session):
                start_for_subject(session, subject, run.year, run.dues, None, now, run_id=run.id)
        except DomainError as exc:
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
