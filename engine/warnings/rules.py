"""Rules that raise warnings from the data; `evaluate` runs them all with an explicit `now`.

1. Annual task table (seed 附件): an open row of 工作标准制定/优化 (or a task "制定…工作标准") whose due
   day has passed raises 工作标准制定未落实 for each responsible department; 基本标准制定/优化 rows (or
   "制定…基本标准") raise 基本标准制定未落实. "职能部门" and "二级学院" in a row stand for every
   functional department and every college. Rows of one department, case and due day go overdue
   together, so they make one warning (rule key `<case>:annual:<year>:<unit>:<due day>`).
2. 未达到基本标准 is no rule over text any more: a structured 规定性诊断 with a failing criterion raises it
   when it is saved (engine/diagnosis/prescriptive.py, rule key `below_basic_standard:diagnosis:<id>`).
3. Table 39's "没有达到基本标准" types with a feed compare the collected values with their basic standard's
   criteria (engine/warnings/catalogue.py `run_feeds`, rule key `t39:<type>:<subject>:<period>`).

Idempotence: a rule key is unique, so a rule never raises the same warning twice. A milestone warning
resolves itself when none of its rows is still overdue and open (marked done - the evidence becomes the
closing note - or given a later date); if a row of the same key goes overdue later, the warning is
extended, or reopened if it was resolved. A person may resolve a milestone warning early, with a note.
A below-standard warning stays until a person resolves it: only people know the improvement worked.
Open rule warnings turn red when their condition has lasted more than 30 days; for a milestone that was
already past due when its year's table was generated, the condition starts at the generation.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..core import audit, settings
from ..cycle.annual import GENERIC_UNITS
from ..cycle.annual_dates import DueDate, due_at
from ..models import (
    AnnualTask,
    OrgUnit,
    QualityWarning,
    WarningLevel,
    WarningStatus,
)
from . import catalogue
from .service import KINDS, RED_AFTER, add_note_entry, close, create, level_for, note_entry, notify

BELOW = re.compile(r"(未|没有|没)(能)?达到.{0,12}?标准|未达标|不达标")
REVIEW_CURSOR = "school_review"
LATE_COMMITS = timedelta(days=1)  # versions committed out of id order are re-read for this long


def evaluate(session: Session, now: datetime) -> dict[str, int]:
    """Run every rule once; returns what changed (raised, extended, reopened, resolved, escalated)."""
    out: Counter = Counter()
    annual_milestones(session, now, settings.of(session).timezone, out)
    catalogue.run_feeds(session, now, out)
    escalate(session, now, out)
    return dict(out)


# -- 1. the annual task table ------------------------------------------------------------------------


def milestone_kind(row: AnnualTask) -> str | None:
    if row.category.startswith("工作标准") or re.search(r"制定.*工作标准", row.task):
        return "work_standard_missing"
    if row.category.startswith("基本标准") or re.search(r"制定.*基本标准", row.task):
        return "basic_standard_missing"
    return None


def _units_of(row: AnnualTask, units_by_kind: dict[str, list[int]]) -> list[int]:
    ids = set(row.responsible_unit_ids or [])
    for name in row.responsible or []:
        if name in GENERIC_UNITS:
            ids.update(units_by_kind.get(GENERIC_UNITS[name], []))
    return sorted(ids)


def _due_moment(d: date, tz: ZoneInfo) -> datetime:
    return due_at(DueDate("date", d), tz)


def _row_line(row: AnnualTask) -> str:
    return f"第{row.no}项 {row.task}（{row.category}，完成时间：{row.due_text}）"


def annual_milestones(session: Session, now: datetime, tz: ZoneInfo, out: Counter) -> None:
    today = now.astimezone(tz).date()
    units = session.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.kind)).all()
    names = {u.id: u.name for u in units}
    by_kind: dict[str, list[int]] = {}
    for u in units:
        by_kind.setdefault(u.kind, []).append(u.id)

    groups: dict[str, dict] = {}
    candidates = session.scalars(
        select(AnnualTask)
        .where(AnnualTask.status == "open", AnnualTask.due_date.is_not(None), AnnualTask.due_date < today)
        .order_by(AnnualTask.year, AnnualTask.no)
    ).all()
    for row in candidates:
        kind = milestone_kind(row)
        if kind is None:
            continue
        for unit_id in _units_of(row, by_kind):
            key = f"{kind}:annual:{row.year}:{unit_id}:{row.due_date.isoformat()}"
            g = groups.setdefault(key, {"kind": kind, "unit": unit_id, "year": row.year, "due": row.due_date,
                                        "rows": []})  # fmt: skip
            g["rows"].append(row)

    existing = {
        w.rule_key: w
        for w in session.scalars(
            select(QualityWarning).where(
                QualityWarning.object_type == "annual_task",
                or_(
                    QualityWarning.status != WarningStatus.RESOLVED, QualityWarning.rule_key.in_(list(groups) or ["-"])
                ),
            )
        )
    }
    raised = []
    for key, g in groups.items():
        w = existing.get(key)
        ids = [r.id for r in g["rows"]]
        if w is None:
            # A table generated after the due day counts from its generation, not from the old date.
            since = max([_due_moment(g["due"], tz)] + [r.generated_at for r in g["rows"] if r.generated_at])
            label = KINDS[g["kind"]]
            first = g["rows"][0].task + (f"等{len(ids)}项" if len(ids) > 1 else "")
            w = create(
                session, kind=g["kind"], level=level_for(since, now), title=f"{label}：{first}",
                description=f"{names[g['unit']]}：{g['year']}年度任务表中以下任务已逾期未完成：\n"
                + "\n".join(_row_line(r) for r in g["rows"]),
                org_unit_id=g["unit"], now=now, since=since, rule_key=key, object_type="annual_task",
                object_id=ids[0], details={"year": g["year"], "rows": ids, "due_date": g["due"].isoformat()},
                send=False,
            )  # fmt: skip
            raised.append(w)
            out["raised"] += 1
            continue
        new = [r for r in g["rows"] if r.id not in (w.details or {}).get("rows", [])]
        if not new:
            continue
        before = {"status": w.status, "rows": list(w.details.get("rows", []))}
        w.details = {**w.details, "rows": before["rows"] + [r.id for r in new]}
        text = "\n".join(_row_line(r) for r in new)
        if w.status == WarningStatus.RESOLVED:
            w.status, w.resolved_at, w.resolved_by_id = WarningStatus.RAISED, None, None
            w.acknowledged_at = w.acknowledged_by_id = None
            add_note_entry(w, note_entry(None, "reopen", text, now))
            out["reopened"] += 1
        else:
            add_note_entry(w, note_entry(None, "update", text, now))
            out["extended"] += 1
        audit.record(session, actor_id=None, action="warning.update", object_type="warning", object_id=w.id,
                     now=now, before=before, after={"status": w.status, "rows": w.details["rows"]})  # fmt: skip

    cleared = [w for k, w in existing.items() if k not in groups and w.status != WarningStatus.RESOLVED]
    if cleared:
        row_ids = {i for w in cleared for i in (w.details or {}).get("rows", [])}
        rows = {r.id: r for r in session.scalars(select(AnnualTask).where(AnnualTask.id.in_(row_ids)))}
        for w in cleared:
            lines = []
            for i in w.details.get("rows", []):
                r = rows.get(i)
                if r is not None and r.status == "done":
                    lines.append(f"第{r.no}项 {r.task}：已完成。{r.evidence or ''}")
                elif r is not None:
                    lines.append(f"第{r.no}项 {r.task}：不再逾期（完成时间：{r.due_text}）")
            close(session, w, None, "auto_resolve", "\n".join(lines)[:2000], now)
            out["resolved"] += 1
    notify(session, raised, now)


# -- levels ------------------------------------------------------------------------------------------


def escalate(session: Session, now: datetime, out: Counter) -> None:
    """Open rule warnings whose condition has lasted more than 30 days turn red."""
    for w in session.scalars(
        select(QualityWarning).where(
            QualityWarning.source == "rule",
            QualityWarning.level == WarningLevel.YELLOW,
            QualityWarning.status.in_((WarningStatus.RAISED, WarningStatus.ACKNOWLEDGED)),
            QualityWarning.since_at < now - RED_AFTER,
        )
    ):
        w.level = WarningLevel.RED
        add_note_entry(w, note_entry(None, "escalate", "", now))
        audit.record(session, actor_id=None, action="warning.escalate", object_type="warning", object_id=w.id,
                     now=now, before={"level": WarningLevel.YELLOW}, after={"level": WarningLevel.RED})  # fmt: skip
        out["escalated"] += 1
