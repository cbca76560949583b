"""What administrators watch: open and overdue tasks in aggregate, and figures for /metrics."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from .models import HumanTask, OrgUnit, ProcessInstance, SchedulerLease, Subject, User

BUCKETS = ("due_soon", "late_1_7", "late_8_30", "late_30_plus")
BUCKET_LABELS = {
    "due_soon": "三天内到期",
    "late_1_7": "逾期1-7天",
    "late_8_30": "逾期8-30天",
    "late_30_plus": "逾期30天以上",
}


def _bucket(now: datetime):
    return case(
        (HumanTask.due_at < now - timedelta(days=30), "late_30_plus"),
        (HumanTask.due_at < now - timedelta(days=7), "late_8_30"),
        (HumanTask.due_at < now, "late_1_7"),
        (HumanTask.due_at < now + timedelta(days=3), "due_soon"),
        else_="later",
    )


def overdue_dashboard(session: Session, now: datetime, unit_ids: list[int] | None = None) -> dict:
    """Open tasks by department, process, step, person and age bucket; `unit_ids` limits to departments."""
    base = [HumanTask.state == "open", HumanTask.due_at.is_not(None)]
    dept = Subject.org_unit_id
    joined = select().select_from(HumanTask).outerjoin(Subject, Subject.id == HumanTask.subject_id)
    if unit_ids is not None:
        base.append(dept.in_(unit_ids or [-1]))
    bucket = _bucket(now).label("bucket")
    overdue = func.sum(case((HumanTask.due_at < now, 1), else_=0))

    def grouped(*cols):
        stmt = joined.add_columns(*cols, func.count(), overdue).where(*base).group_by(*cols)
        return [tuple(r) for r in session.execute(stmt.order_by(overdue.desc(), func.count().desc()).limit(50))]

    by_dept = session.execute(
        joined.add_columns(OrgUnit.name, func.count(), overdue)
        .outerjoin(OrgUnit, OrgUnit.id == dept)
        .where(*base)
        .group_by(OrgUnit.name)
        .order_by(overdue.desc())
    ).all()
    by_person = session.execute(
        joined.add_columns(func.coalesce(User.display_name, HumanTask.candidates_label), func.count(), overdue)
        .outerjoin(User, User.id == HumanTask.claimant_id)
        .where(*base)
        .group_by(func.coalesce(User.display_name, HumanTask.candidates_label))
        .order_by(overdue.desc())
        .limit(50)
    ).all()
    buckets = dict(session.execute(joined.add_columns(bucket, func.count()).where(*base).group_by(bucket)).all())
    totals = session.execute(joined.add_columns(func.count(), overdue).where(*base)).one()
    return {
        "open": totals[0] or 0,
        "overdue": totals[1] or 0,
        "by_department": [(name or "—", n, o or 0) for name, n, o in by_dept],
        "by_process": grouped(HumanTask.process_name),
        "by_step": grouped(HumanTask.process_name, HumanTask.name),
        "by_person": [(name or "—", n, o or 0) for name, n, o in by_person],
        "buckets": {b: buckets.get(b, 0) for b in BUCKETS},
    }


def metrics(session: Session, now: datetime) -> str:
    """Prometheus text exposition of the figures an operator alerts on."""
    open_tasks = session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.state == "open"))
    overdue = session.scalar(
        select(func.count()).select_from(HumanTask).where(HumanTask.state == "open", HumanTask.due_at < now)
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
    lines += [
        "# HELP zhengai_scheduler_lag_seconds Seconds since the scheduler's last tick (-1: never ran).",
        "# TYPE zhengai_scheduler_lag_seconds gauge",
        f"zhengai_scheduler_lag_seconds {lag:.0f}",
    ]
    return "\n".join(lines) + "\n"


def open_tasks(
    session: Session,
    now: datetime,
    unit_ids: list[int] | None = None,
    *,
    department: str | None = None,
    process: str | None = None,
    step: str | None = None,
    bucket: str | None = None,
    limit: int = 500,
) -> list[dict]:
    """The open tasks behind a figure of the dashboard (drill-down), most overdue first."""
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
        )  # fmt: skip
        .outerjoin(Subject, Subject.id == HumanTask.subject_id)
        .outerjoin(OrgUnit, OrgUnit.id == Subject.org_unit_id)
        .outerjoin(User, User.id == HumanTask.claimant_id)
        .where(HumanTask.state == "open", HumanTask.due_at.is_not(None))
    )
    if unit_ids is not None:
        stmt = stmt.where(Subject.org_unit_id.in_(unit_ids or [-1]))
    if department:
        stmt = stmt.where(OrgUnit.name == department)
    if process:
        stmt = stmt.where(HumanTask.process_name == process)
    if step:
        stmt = stmt.where(HumanTask.name == step)
    if bucket in BUCKETS:
        stmt = stmt.where(_bucket(now) == bucket)
    rows = session.execute(stmt.order_by(HumanTask.due_at, HumanTask.id).limit(limit)).all()
    return [
        {"id": r[0], "name": r[1], "title": r[2], "process": r[3], "subject": r[4] or "",
         "assignee": r[6] or r[5] or "", "due_at": r[7], "department": r[8] or "",
         "days_late": max(0, (now - r[7]).days) if r[7] < now else 0}
        for r in rows
    ]  # fmt: skip
