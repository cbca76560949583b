"""What administrators watch: open and overdue tasks in aggregate, and figures for /metrics."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import case, extract, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, aliased

from .. import org
from ..core import paging
from ..core.errors import N_, InvalidInput
from ..core.paging import Page
from ..models import HumanTask, OrgUnit, ProcessInstance, SchedulerLease, Subject, TaskState, User
from ..org import policy

BUCKETS = ("due_soon", "late_1_7", "late_8_30", "late_30_plus")
BUCKET_LABELS = {
    "due_soon": N_("三天内到期"),
    "late_1_7": N_("逾期1-7天"),
    "late_8_30": N_("逾期8-30天"),
    "late_30_plus": N_("逾期30天以上"),
}


MAX_PARALLEL = 3  # connections one dashboard may use at once

# Step latency histogram (/metrics): upper bounds in seconds, 1 hour to 30 days.
LATENCY_BUCKETS = (3600, 6 * 3600, 86400, 3 * 86400, 7 * 86400, 14 * 86400, 30 * 86400)


def watch_scope(user: User, principals: list[str]) -> list[int] | None:
    """Who watches what: None for the whole school (monitors), else the departments the user heads;
    NotFound for anybody else (engine/org/policy/)."""
    return policy.watch_scope(policy.viewer(user, principals))


def epoch_seconds(session: Session, column):
    """Seconds since 1970 of a (naive UTC) datetime column, the same on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(column) - 2440587.5) * 86400.0
    return extract("epoch", column)


def _bucket(now: datetime):
    return case(
        (HumanTask.due_at < now - timedelta(days=30), "late_30_plus"),
        (HumanTask.due_at < now - timedelta(days=7), "late_8_30"),
        (HumanTask.due_at < now, "late_1_7"),
        (HumanTask.due_at < now + timedelta(days=3), "due_soon"),
        else_="later",
    )


def run_concurrently(session: Session, queries: dict) -> dict[str, list]:
    """Run independent read-only aggregates, each on its own pooled connection when the session is
    bound to an engine (SQLite and PostgreSQL both run them in parallel); else one after the other.

    The figures of a dashboard may come from snapshots a few milliseconds apart; nothing writes here.
    """
    bind = session.get_bind()
    in_memory = isinstance(bind, Engine) and bind.url.database in (None, "", ":memory:")
    if not isinstance(bind, Engine) or in_memory or len(queries) < 2:
        return {k: session.execute(q).all() for k, q in queries.items()}

    def run(query):
        with bind.connect() as conn:
            return conn.execute(query).all()

    with ThreadPoolExecutor(max_workers=min(len(queries), MAX_PARALLEL)) as pool:
        futures = {k: pool.submit(run, q) for k, q in queries.items()}
        return {k: f.result() for k, f in futures.items()}


def overdue_dashboard(session: Session, now: datetime, unit_ids: list[int] | None = None) -> dict:
    """Open tasks by department, process, step, person and age bucket; `unit_ids` limits to departments.

    Each figure walks one covering index of open tasks in the order of its group key (migration 0008);
    overdue counts per step are index range counts. bench/dashboard.py times them with 200,000 tasks.
    """

    def open_tasks(t=HumanTask):
        where = [t.state == TaskState.OPEN, t.due_at.is_not(None)]
        if (watched := policy.task_watched(unit_ids, t)) is not None:
            where.append(watched)
        return where

    base = open_tasks()
    count, overdue = func.count(), func.sum(case((HumanTask.due_at < now, 1), else_=0))

    # Per step: count the group, then count its overdue tasks as a range of the same index.
    late = aliased(HumanTask)
    late_in_step = (
        select(func.count())
        .where(
            *open_tasks(late),
            late.process_name == HumanTask.process_name,
            late.name == HumanTask.name,
            late.due_at < now,
        )  # fmt: skip
        .scalar_subquery()
    )
    queries = {"steps": (
        select(HumanTask.process_name, HumanTask.name, count, late_in_step)
        .where(*base)
        .group_by(HumanTask.process_name, HumanTask.name)
    )}  # fmt: skip

    # Only tasks due within three days fall in a bucket: a range of the (state, due_at) index.
    bucket = _bucket(now).label("bucket")
    queries["buckets"] = select(bucket, count).where(*base, HumanTask.due_at < now + timedelta(days=3)).group_by(bucket)

    per_subject = (
        select(HumanTask.subject_id.label("subject_id"), count.label("n"), overdue.label("o"))
        .where(*base)
        .group_by(HumanTask.subject_id)
        .subquery()
    )
    queries["by_dept"] = (
        select(OrgUnit.name, func.sum(per_subject.c.n), func.sum(per_subject.c.o))
        .select_from(per_subject)
        .outerjoin(Subject, Subject.id == per_subject.c.subject_id)
        .outerjoin(OrgUnit, OrgUnit.id == Subject.org_unit_id)
        .group_by(OrgUnit.name)
    )

    # A person is the claimant of a claimed task, else the candidates' label (a group or a subject's
    # authors). The two kinds never merge, so the top 50 of each side contain the top 50 of all.
    claimed = (
        select(HumanTask.claimant_id.label("user_id"), count.label("n"), overdue.label("o"))
        .where(*base, HumanTask.claimant_id.is_not(None))
        .group_by(HumanTask.claimant_id)
        .subquery()
    )
    queries["claimants"] = (
        select(User.display_name, claimed.c.n, claimed.c.o)
        .join(User, User.id == claimed.c.user_id)
        .order_by(claimed.c.o.desc(), claimed.c.n.desc())
        .limit(50)
    )
    queries["groups"] = (
        select(HumanTask.candidates_label, count, overdue)
        .where(*base, HumanTask.claimant_id.is_(None))
        .group_by(HumanTask.candidates_label)
        .order_by(overdue.desc(), count.desc())
        .limit(50)
    )
    results = run_concurrently(session, queries)
    steps, by_dept = results["steps"], results["by_dept"]
    buckets = dict(results["buckets"])
    people = results["claimants"] + results["groups"]
    processes: dict[str, list[int]] = {}
    for process, _, n, o in steps:
        totals = processes.setdefault(process, [0, 0])
        totals[0] += n
        totals[1] += o

    def ranked(rows):
        return sorted(rows, key=lambda r: (-r[-1], -r[-2], tuple(str(x) for x in r[:-2])))

    return {
        "open": sum(n for n, _ in processes.values()),
        "overdue": sum(o for _, o in processes.values()),
        "by_department": ranked([(name or "—", int(n), int(o or 0)) for name, n, o in by_dept]),
        "by_process": ranked([(p, n, o) for p, (n, o) in processes.items()])[:50],
        "by_step": ranked([(p, name, n, o) for p, name, n, o in steps])[:50],
        "by_person": ranked([(name or "—", int(n), int(o or 0)) for name, n, o in people])[:50],
        "buckets": {b: buckets.get(b, 0) for b in BUCKETS},
    }


def metrics(session: Session, now: datetime) -> str:
    """Prometheus text exposition of the figures an operator alerts on."""
    open_tasks = session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.state == TaskState.OPEN))
    overdue = session.scalar(
        select(func.count()).select_from(HumanTask).where(HumanTask.state == TaskState.OPEN, HumanTask.due_at < now)
    )
    statuses = session.execute(select(ProcessInstance.status, func.count()).group_by(ProcessInstance.status)).all()
    last_tick = session.scalar(select(SchedulerLease.last_tick_at).where(SchedulerLease.name == "scheduler"))
    lag = (now - last_tick).total_seconds() if last_tick else -1
    lines = [
        "# HELP zhengai_open_tasks Open human tasks.", "# TYPE zhengai_open_tasks gauge",
        f"zhengai_open_tasks {open_tasks}",
        "# HELP zhengai_overdue_tasks Open human tasks past their due time.", "# TYPE zhengai_overdue_tasks gauge",
        f"zhengai_overdue_tasks {overdue}",
        "# HELP zhengai_instances Process instances by status.", "# TYPE zhengai_instances gauge",
    ]  # fmt: skip
    lines += [f'zhengai_instances{{status="{status}"}} {n}' for status, n in statuses]
    lines += _latency_histogram(session, now)
    lines += [
        "# HELP zhengai_scheduler_lag_seconds Seconds since the scheduler's last tick (-1: never ran).",
        "# TYPE zhengai_scheduler_lag_seconds gauge",
        f"zhengai_scheduler_lag_seconds {lag:.0f}",
    ]
    return "\n".join(lines) + "\n"


LATENCY_WINDOW = timedelta(days=30)


def _latency_histogram(session: Session, now: datetime) -> list[str]:
    """Human tasks completed in the last 30 days: time from arrival to completion, per process key.

    A window (read through the (state, completed_at) index), so a scrape costs the same after years of
    history; use it for the distribution, not for rates.
    """
    duration = epoch_seconds(session, HumanTask.completed_at) - epoch_seconds(session, HumanTask.created_at)
    cols = [func.sum(case((duration <= b, 1), else_=0)) for b in LATENCY_BUCKETS]
    rows = session.execute(
        select(HumanTask.process_key, func.count(), func.sum(duration), *cols)
        .where(HumanTask.state == TaskState.COMPLETED, HumanTask.completed_at >= now - LATENCY_WINDOW)
        .group_by(HumanTask.process_key)
        .order_by(HumanTask.process_key)
    ).all()
    name = "zhengai_step_latency_seconds"
    lines = [f"# HELP {name} Time from a human task's arrival to its completion (completed in the last 30 days).",
             f"# TYPE {name} histogram"]  # fmt: skip
    for key, count, total, *cumulative in rows:
        label = f'process="{key}"'
        pairs = zip(LATENCY_BUCKETS, cumulative, strict=True)
        lines += [f'{name}_bucket{{{label},le="{b}"}} {n or 0}' for b, n in pairs]
        lines += [f'{name}_bucket{{{label},le="+Inf"}} {count}', f"{name}_sum{{{label}}} {float(total or 0):.0f}",
                  f"{name}_count{{{label}}} {count}"]  # fmt: skip
    return lines


FILTERS = ("department", "process", "step", "bucket", "overdue", "assignee")
NO_DEPARTMENT = "—"  # what the dashboard shows (and links with) for tasks whose subject has no department


def find_user(session: Session, text: str) -> User:
    """The user a filter names, by user name or by display name (left users included: their tasks matter)."""
    text = (text or "").strip()[:100]
    if not text:
        raise InvalidInput(N_("请输入用户名或姓名"), fields={"assignee": [N_("请输入用户名或姓名")]})
    found = session.scalar(select(User).where(User.username == text))
    if found is not None:
        return found
    named = session.scalars(select(User).where(User.display_name == text).order_by(User.id).limit(2)).all()
    if len(named) == 1:
        return named[0]
    if named:
        message = N_("有多个名为“%(name)s”的用户，请输入用户名")
        raise InvalidInput(message, fields={"assignee": [N_("有多个同名用户，请输入用户名")]}, name=text)
    missing = [N_("找不到该用户，请输入用户名或姓名")]
    raise InvalidInput(N_("找不到用户“%(name)s”"), fields={"assignee": missing}, name=text)


def _open_task_query(
    session: Session,
    now: datetime,
    unit_ids: list[int] | None,
    *,
    department: str | None = None,
    process: str | None = None,
    step: str | None = None,
    bucket: str | None = None,
    overdue: bool = False,
    assignee: User | None = None,
):
    stmt = (
        select(
            HumanTask.id,
            HumanTask.name,
            HumanTask.title,
            HumanTask.process_name,
            HumanTask.subject_name,
            HumanTask.candidates_label,
            User.display_name,
            HumanTask.due_at,
            OrgUnit.name,
            HumanTask.instance_id,
        )  # fmt: skip
        .outerjoin(Subject, Subject.id == HumanTask.subject_id)
        .outerjoin(OrgUnit, OrgUnit.id == Subject.org_unit_id)
        .outerjoin(User, User.id == HumanTask.claimant_id)
        .where(HumanTask.state == TaskState.OPEN, HumanTask.due_at.is_not(None))
    )
    if (watched := policy.task_watched(unit_ids)) is not None:
        stmt = stmt.where(watched)
    if department == NO_DEPARTMENT:
        stmt = stmt.where(OrgUnit.id.is_(None))
    elif department:
        stmt = stmt.where(OrgUnit.name == department)
    if process:
        stmt = stmt.where(HumanTask.process_name == process)
    if step:
        stmt = stmt.where(HumanTask.name == step)
    if bucket in BUCKETS:
        stmt = stmt.where(_bucket(now) == bucket)
    if overdue:
        stmt = stmt.where(HumanTask.due_at < now)
    if assignee is not None:  # claimed by them, or unclaimed and waiting for them or a position they hold
        stmt = stmt.where(policy.task_waiting_for(assignee.id, org.principals_of(session, assignee.id)))
    return stmt


def _task_rows(rows, now: datetime) -> list[dict]:
    return [
        {"id": r[0], "name": r[1], "title": r[2], "process": r[3], "subject": r[4] or "",
         "assignee": r[6] or r[5] or "", "due_at": r[7], "department": r[8] or "",
         "days_late": max(0, (now - r[7]).days) if r[7] < now else 0, "instance_id": r[9]}
        for r in rows
    ]  # fmt: skip


def open_tasks(
    session: Session, now: datetime, unit_ids: list[int] | None = None, *, limit: int = 500, **filters
) -> list[dict]:
    """The open tasks behind a figure of the dashboard (drill-down), most overdue first.

    `filters`: department (name, or "—" for none), process (name), step (task name), bucket, overdue
    (only past their due time), assignee (a User: claimed by them, or unclaimed and offered to them).
    """
    stmt = _open_task_query(session, now, unit_ids, **filters)
    rows = session.execute(stmt.order_by(HumanTask.due_at, HumanTask.id).limit(limit)).all()
    return _task_rows(rows, now)


def open_task_page(
    session: Session, now: datetime, unit_ids: list[int] | None = None, *, page: int = 1, per_page: int = 50,
    **filters,
) -> Page:  # fmt: skip
    """One page of `open_tasks`, with the total for the pager."""
    per_page = max(1, min(int(per_page), 200))
    page = max(1, int(page))
    stmt = _open_task_query(session, now, unit_ids, **filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.execute(
        stmt.order_by(HumanTask.due_at, HumanTask.id).limit(per_page).offset(paging.offset(page, per_page))
    ).all()
    return Page(rows=_task_rows(rows, now), total=total or 0, page=page, per_page=per_page)


def filter_options(session: Session, unit_ids: list[int] | None, process: str | None = None) -> dict:
    """Choices of the task list's filter form: the departments in the user's scope, and the processes and
    steps that have open tasks (distinct keys of the (state, process_name, name) index, school-wide)."""
    units = select(OrgUnit.name).where(OrgUnit.kind != "school").order_by(OrgUnit.kind, OrgUnit.code)
    if unit_ids is not None:
        units = units.where(OrgUnit.id.in_(unit_ids or [-1]))
    steps = session.execute(
        select(HumanTask.process_name, HumanTask.name)
        .where(HumanTask.state == TaskState.OPEN, HumanTask.due_at.is_not(None))
        .distinct()
        .order_by(HumanTask.process_name, HumanTask.name)
    ).all()
    return {
        "departments": list(dict.fromkeys(session.scalars(units))),
        "processes": list(dict.fromkeys(p for p, _ in steps)),
        "steps": list(dict.fromkeys(n for p, n in steps if not process or p == process)),
    }
