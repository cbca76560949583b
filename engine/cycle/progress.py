"""Where a school year's cycles stand: levels x the eleven steps, laggards first, from the read model.

Every figure comes from `cycle_instance`, `process_instance`, `subject`, `org_unit` and the open task
rows (`human_task.step`, written when a task is created): no workflow is loaded and nothing is parsed
from names. A subject is *at* step S while it has an open (or suspended) task of step S; it is *past*
step S when its current step is later or its cycle is complete. Steps 2 and 3 run at school level (one
task per lead department in the year's school process, `school_steps`), so no subject is ever at them.

One pass over the year's cycle instances (`_per_instance`: each instance with its current step, whether
it is overdue and its task, through the (instance_id, state, step, due_at) index) feeds everything: the
page's figures are one GROUP BY over it; a list page sorts it and joins the details of 50 rows.
bench/cycle_start.py times them with 20,000 students.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..core import paging, settings
from ..core.paging import Page
from ..models import CycleInstance, HumanTask, InstanceStatus, OrgUnit, ProcessInstance, Subject, TaskState, User
from .school import school_instance
from .steps import LEVELS, STEP_NUMBER, STEPS, level_of

STEP_NUMBERS = range(1, len(STEPS) + 1)
SPECIAL = ("done", "none")  # list filter: cycles complete / running with no current step task
PER_PAGE = 50
# A cycle with no open task but a timer set waits at step 9 for the school's sampling draw (the cycle's only
# intermediate timer, workflows/generate_cycles.py `school_sampling`); the task timers are on open tasks.
WAITING_STEP = STEP_NUMBER["school_review"]
ALL = "all"  # the row of all levels together


def _per_instance(year: int, now: datetime, *where):
    """Each cycle instance of the year with its subject, status, current step, lateness, task and due date."""
    waiting = and_(
        HumanTask.instance_id == CycleInstance.instance_id,
        HumanTask.state.in_((TaskState.OPEN, TaskState.SUSPENDED)),
        HumanTask.step.is_not(None),
    )
    late = case((and_(HumanTask.state == TaskState.OPEN, HumanTask.due_at < now), 1), else_=0)
    return (
        select(
            CycleInstance.instance_id.label("iid"),
            Subject.id.label("sid"),
            Subject.name.label("name"),
            Subject.type.label("type"),
            Subject.org_unit_id.label("unit"),
            ProcessInstance.status.label("status"),
            func.coalesce(
                func.min(HumanTask.step),
                case((func.max(ProcessInstance.next_timer_at).is_not(None), WAITING_STEP)),
            ).label("step"),
            func.max(late).label("late"),
            func.min(HumanTask.id).label("task_id"),
            func.min(HumanTask.due_at).label("due"),
        )
        .select_from(CycleInstance)
        .join(Subject, Subject.id == CycleInstance.subject_id)
        .join(ProcessInstance, ProcessInstance.id == CycleInstance.instance_id)
        .outerjoin(HumanTask, waiting)
        .where(CycleInstance.year == year, *where)
        .group_by(CycleInstance.instance_id, Subject.id, ProcessInstance.status)
        .subquery("cur")
    )


@dataclass
class Matrix:
    """Levels x steps: `at[level][step]`, `late[level][step]`, `past[level][step]` (per cent); ALL sums up."""

    levels: list[str]
    total: dict[str, int]
    done: dict[str, int]
    idle: dict[str, int]  # running, but no task at any step (e.g. an errored step)
    at: dict[str, dict[int, int]]
    late: dict[str, dict[int, int]]
    past: dict[str, dict[int, int]]

    @property
    def any(self) -> bool:
        return bool(self.total[ALL])


def overview(session: Session, year: int, now: datetime, department: int | None = None) -> tuple[Matrix, list]:
    """The progress page's figures in one GROUP BY: the matrix (of one department, or the school) and the
    table of departments (subjects, complete, overdue; the most overdue first)."""
    cur = _per_instance(year, now)
    groups = session.execute(
        select(cur.c.type, cur.c.unit, cur.c.status, cur.c.step, func.count(), func.sum(cur.c.late)).group_by(
            cur.c.type, cur.c.unit, cur.c.status, cur.c.step
        )
    ).all()
    units = dict(session.execute(select(OrgUnit.id, OrgUnit.name)).all()) if groups else {}
    levels = list(LEVELS)
    rows = [*levels, ALL]
    total, done = dict.fromkeys(rows, 0), dict.fromkeys(rows, 0)
    at = {lv: dict.fromkeys(STEP_NUMBERS, 0) for lv in rows}
    late = {lv: dict.fromkeys(STEP_NUMBERS, 0) for lv in rows}
    depts: dict[int | None, dict] = {}
    for subject_type, unit, status, step, n, overdue in groups:
        overdue = int(overdue or 0)
        d = depts.setdefault(unit, {"id": unit, "name": units.get(unit, "—"), "total": 0, "done": 0, "late": 0})
        d["total"] += n
        d["done"] += n if status == InstanceStatus.COMPLETED else 0
        d["late"] += overdue
        if department is not None and unit != department:
            continue
        for lv in (level_of(subject_type), ALL):
            total[lv] += n
            if status == InstanceStatus.COMPLETED:
                done[lv] += n
            elif step is not None:
                at[lv][step] += n
                late[lv][step] += overdue
    idle = {lv: total[lv] - done[lv] - sum(at[lv].values()) for lv in rows}
    past = {
        lv: {s: _percent(done[lv] + sum(n for t, n in at[lv].items() if t > s), total[lv]) for s in STEP_NUMBERS}
        for lv in rows
    }
    for d in depts.values():
        d["percent"] = _percent(d["done"], d["total"])
    table = sorted(depts.values(), key=lambda d: (-d["late"], d["percent"], d["name"]))
    return Matrix(levels, total, done, idle, at, late, past), table


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def departments(session: Session) -> list[tuple[int, str]]:
    """The units a subject can belong to, for the filter."""
    return session.execute(
        select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind != "school").order_by(OrgUnit.kind, OrgUnit.name)
    ).all()


@dataclass
class Filters:
    """The drill-down's filters, parsed leniently (an unknown value means "all")."""

    year: int
    level: str | None = None
    step: str | None = None  # "1".."11", "done", "none"
    passed: int | None = None  # past this step (the per cent figures)
    department: int | None = None
    overdue: bool = False
    q: str | None = None

    @classmethod
    def parse(cls, args, year: int) -> Filters:
        def number(name, low, high):
            try:
                value = int(args.get(name) or "")
            except ValueError:
                return None
            return value if low <= value <= high else None

        step = args.get("step") or None
        if step not in SPECIAL and number("step", 1, len(STEPS)) is None:
            step = None
        level = args.get("level") if args.get("level") in LEVELS else None
        q = (args.get("q") or "").strip()[:50] or None
        return cls(year=year, level=level, step=step, passed=number("passed", 1, len(STEPS)),
                   department=number("department", 1, 2**31 - 1), overdue=args.get("overdue") == "1", q=q)  # fmt: skip

    def args(self) -> dict:
        """As query arguments for links (paging, export), without the empty ones."""
        out = {"year": self.year, "level": self.level, "step": self.step, "passed": self.passed,
               "department": self.department, "overdue": "1" if self.overdue else None, "q": self.q}  # fmt: skip
        return {k: v for k, v in out.items() if v is not None}


def subjects(session: Session, f: Filters, now: datetime, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of subjects behind a figure, the longest overdue first, with the total: one query."""
    on_subject = []
    if f.level:
        on_subject.append(Subject.type.in_(LEVELS[f.level][1]))
    if f.department:
        on_subject.append(Subject.org_unit_id == f.department)
    if f.q:
        on_subject.append(or_(Subject.name.contains(f.q, autoescape=True), Subject.code.contains(f.q, autoescape=True)))
    cur = _per_instance(f.year, now, *on_subject)
    where = []
    if f.step == "done":
        where.append(cur.c.status == InstanceStatus.COMPLETED)
    elif f.step == "none":
        where += [cur.c.step.is_(None), cur.c.status != InstanceStatus.COMPLETED]
    elif f.step:
        where += [cur.c.step == int(f.step), cur.c.status != InstanceStatus.COMPLETED]
    if f.passed:
        where.append(or_(cur.c.status == InstanceStatus.COMPLETED, cur.c.step > f.passed))
    if f.overdue:
        where.append(cur.c.late == 1)
    per_page = max(1, min(int(per_page), 50_000))
    page = max(1, int(page))
    order = (cur.c.due.is_(None), cur.c.due, cur.c.name, cur.c.sid)
    # the total comes with the page (a window count over the filtered rows): one pass, not two
    chosen = (
        select(cur, func.count().over().label("total"))
        .where(*where)
        .order_by(*order)
        .limit(per_page)
        .offset(paging.offset(page, per_page))
        .subquery("page")
    )
    task, who = aliased(HumanTask), aliased(User)
    stmt = (
        select(
            chosen.c.sid,
            chosen.c.name,
            chosen.c.type,
            OrgUnit.name,
            chosen.c.iid,
            chosen.c.status,
            chosen.c.step,
            task.id,
            task.name,
            task.state,
            task.due_at,
            task.candidates_label,
            who.display_name,
            chosen.c.total,
        )
        .outerjoin(OrgUnit, OrgUnit.id == chosen.c.unit)
        .outerjoin(task, task.id == chosen.c.task_id)
        .outerjoin(who, who.id == task.claimant_id)
        .order_by(chosen.c.due.is_(None), chosen.c.due, chosen.c.name, chosen.c.sid)
    )
    tz = settings.of(session).timezone
    today = now.astimezone(tz).date()
    rows, total = [], None
    for row in session.execute(stmt):
        sid, name, stype, dept, iid, status, step, tid, tname, tstate, due, label, claimant, total = row
        late = tstate == TaskState.OPEN and due is not None and due < now
        rows.append({
            "subject_id": sid, "subject": name, "type": stype, "level": level_of(stype), "department": dept or "",
            "instance_id": iid, "status": status, "step": step, "task_id": tid, "task": tname or "",
            "suspended": tstate == TaskState.SUSPENDED, "assignee": claimant or label or "", "due_at": due,
            "days_late": max(1, (today - due.astimezone(tz).date()).days) if late else 0,
            "waiting": tid is None and step == WAITING_STEP and status != InstanceStatus.COMPLETED,
        })  # fmt: skip
    programs = [r["subject_id"] for r in rows if r["type"] in ("major", "course")]
    if programs:  # 诊改试点 majors and courses carry a mark (subject.attrs, set at 系统管理)
        marked = session.execute(select(Subject.id, Subject.attrs).where(Subject.id.in_(programs))).all()
        pilots = {sid for sid, attrs in marked if (attrs or {}).get("pilot")}
        for r in rows:
            r["pilot"] = r["subject_id"] in pilots
    if total is None:  # an empty page: count only when it lies past the end of a list that has rows
        total = session.scalar(select(func.count()).select_from(cur).where(*where)) if page > 1 else 0
    return Page(rows=rows, total=total, page=page, per_page=per_page)


@dataclass
class SchoolSteps:
    """Steps 2 and 3 of a year at school level: the school process and its tasks (one per lead department)."""

    instance_id: int
    status: str
    tasks: list[HumanTask]
    completed_by: dict[int, str]  # user id -> display name


def school_steps(session: Session, year: int) -> SchoolSteps | None:
    """The year's school-level steps 2 and 3 (engine/cycle/school.py), from the task rows; None if not started."""
    instance = school_instance(session, year)
    if instance is None:
        return None
    rows = session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id == instance.id, HumanTask.state != TaskState.CANCELLED)
        .order_by(HumanTask.step, HumanTask.id)
    ).all()
    ids = {t.completed_by_id for t in rows if t.completed_by_id}
    names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}
    return SchoolSteps(instance.id, instance.status, list(rows), names)
