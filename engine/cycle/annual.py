"""The annual task table (seed 附件): instantiate a school year, edit rows, mark rows done with evidence.

The seed's 2016-2018 tables are data in workflows/annual_tasks.json; a later year is instantiated from
the 2017 table (the first full "build" year) with its dates moved to that year. Every row with a real
due date gets its reminders, due moment and escalation as scheduled effects; a row whose date is not a
date (e.g. "2月31日") is kept, flagged for an administrator, and never crashes anything.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import org
from ..core import audit, settings
from ..core.errors import N_, Conflict, InvalidInput, NotFound, object_id
from ..core.text import limited_text
from ..models import AnnualTask, OrgUnit, User
from ..org import policy
from ..workflow import deadlines
from .annual_dates import due_at, parse_due

SEED = Path(__file__).resolve().parents[2] / "workflows" / "annual_tasks.json"
TEMPLATE_YEAR = 2017
GENERIC_UNITS = {"职能部门": "functional", "二级学院": "college"}  # a row naming these means every such unit


@cache
def seed_table() -> dict:
    if not SEED.exists():
        raise NotFound(N_("附件任务表数据尚未导入"))
    return json.loads(SEED.read_text(encoding="utf-8"))


def available(year: int) -> bool:
    """Whether the seed's transcription can make this year's table (its own year, or the 2017 template)."""
    if not SEED.exists():
        return False
    years = seed_table()["years"]
    return str(year) in years or str(TEMPLATE_YEAR) in years


def _rebase(text: str, source_year: int, year: int) -> str:
    """Move explicit years of a template row ("2018年2月28日") by the distance between the years."""
    return re.sub(r"(20\d\d)(?=年)", lambda m: str(int(m.group(1)) - source_year + year), text)


def _unit_ids(session: Session, names: list[str]) -> list[int]:
    units = dict(session.execute(select(OrgUnit.name, OrgUnit.id)).all())
    return [units[n] for n in names if n in units]


@dataclass
class Preview:
    """What generating a year would make, computed without writing anything."""

    year: int
    source_year: int
    rows: list[AnnualTask]  # not added to the session
    status: dict[int, str]  # by row number, as the board would show it on the day of generation
    original: dict[int, str]  # the seed's date text, by row number, where the year moved it
    unmatched: list[str]  # responsible departments (as written) that match no department

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(BOARD_STATUSES, 0)
        for st in self.status.values():
            out[st] += 1
        return out


def preview(session: Session, year: int, now: datetime, table: dict | None = None) -> Preview:
    """The rows of the year's table as `instantiate` would make them now, each with its status that day."""
    if session.scalar(select(AnnualTask.id).where(AnnualTask.year == year).limit(1)):
        raise Conflict(N_("该年度的任务表已存在"))
    years = (table or seed_table())["years"]
    source_year = year if str(year) in years else TEMPLATE_YEAR
    if str(source_year) not in years:
        raise NotFound(N_("附件任务表数据尚未导入"))
    units = dict(session.execute(select(OrgUnit.name, OrgUnit.id)).all())
    today = local_today(session, now)
    rows, original, unmatched = [], {}, {}
    for r in years[str(source_year)]:
        text = _rebase(r["due_text"], source_year, year)
        parsed = parse_due(text, year)
        unit_ids = [units[n] for n in r["responsible"] if n in units]
        row = AnnualTask(
            year=year, no=r["no"], category=r["category"], task=r["task"], responsible=r["responsible"],
            cooperating=r.get("cooperating", []), responsible_unit_ids=unit_ids,
            due_text=text, due_kind=parsed.kind, due_date=parsed.due, problem=parsed.problem,
            note=r.get("note", ""), status="open", generated_at=now,
        )  # fmt: skip
        row.late_at_generation = board_status(row, today) == "overdue"
        if text != r["due_text"]:
            original[row.no] = r["due_text"]
        unmatched.update(dict.fromkeys(n for n in r["responsible"] if n not in units and n not in GENERIC_UNITS))
        rows.append(row)
    status = {r.no: board_status(r, today) for r in rows}
    return Preview(year, source_year, rows, status, original, list(unmatched))


def instantiate(
    session: Session, year: int, actor_id: int | None, now: datetime, table: dict | None = None
) -> list[AnnualTask]:
    """Create the year's rows (once) from the seed's table (or `table`) and schedule their milestones.

    Rows already past due today are marked `late_at_generation`: they announce nothing one by one (their
    overdue notice goes with the next daily digest, engine/notify/digests.py) and their warnings count from now.
    """
    made = preview(session, year, now, table)
    tz = settings.of(session).timezone
    rows = made.rows
    session.add_all(rows)
    session.flush()
    dues = [(row.id, due_at(parse_due(row.due_text, year), tz)) for row in rows if row.due_date]
    deadlines.plan_new(session, "annual_task", dues, now)
    audit.record(
        session, actor_id=actor_id, action="annual.instantiate", object_type="annual_task", object_id=year, now=now,
        after={"year": year, "rows": len(rows), "from": made.source_year, "flagged": sum(1 for r in rows if r.problem),
               "late": sum(1 for r in rows if r.late_at_generation)},
    )  # fmt: skip
    return rows


def local_today(session: Session, now: datetime) -> date:
    """The school's calendar day."""
    return settings.of(session).today(now)


def _row(session: Session, row_id) -> AnnualTask:
    row = session.get(AnnualTask, object_id(row_id, N_("任务不存在")))
    if row is None:
        raise NotFound(N_("任务不存在"))
    return row


def update_row(session: Session, user, principals, row_id, fields: dict, now: datetime) -> AnnualTask:
    """An administrator corrects a row: due date as written, responsible departments, note."""
    if not org.is_monitor(user, principals):
        raise NotFound(N_("任务不存在"))
    row = _row(session, row_id)
    before = {"due_text": row.due_text, "responsible": row.responsible, "note": row.note}
    text = (fields.get("due_text") or "").strip()
    if not text or len(text) > 60:
        raise InvalidInput(N_("请检查填写的内容"), fields={"due_text": [N_("请填写完成时间")]})
    responsible = [x.strip() for x in re.split(r"[、，,\s]+", fields.get("responsible") or "") if x.strip()]
    if not responsible:
        raise InvalidInput(N_("请检查填写的内容"), fields={"responsible": [N_("请填写责任部门")]})
    parsed = parse_due(text, row.year)
    row.due_text, row.due_kind, row.due_date, row.problem = text, parsed.kind, parsed.due, parsed.problem
    row.responsible, row.responsible_unit_ids = responsible, _unit_ids(session, responsible)
    row.note = limited_text(fields.get("note"), 2000, "note")
    due = due_at(parsed, settings.of(session).timezone) if parsed.due else None
    deadlines.schedule(session, "annual_task", row.id, due, now)
    audit.record(
        session, actor_id=user.id, action="annual.update", object_type="annual_task", object_id=row.id, now=now,
        before=before, after={"due_text": text, "responsible": responsible, "note": row.note},
    )  # fmt: skip
    return row


def may_complete(user, principals, row: AnnualTask) -> bool:
    return policy.may_complete_annual_row(policy.viewer(user, principals), row.responsible_unit_ids)


def mark_done(session: Session, user, principals, row_id, evidence: str, now: datetime) -> AnnualTask:
    """The responsible department marks a row done, with its evidence."""
    row = _row(session, row_id)
    if not may_complete(user, principals, row):
        raise NotFound(N_("任务不存在"))
    evidence = limited_text(evidence, 5000, "evidence")
    if not evidence:
        raise InvalidInput(N_("请检查填写的内容"), fields={"evidence": [N_("请填写完成情况或佐证材料")]})
    if row.status == "done":
        raise Conflict(N_("该任务已标记完成"))
    row.status, row.done_at, row.done_by_id, row.evidence = "done", now, user.id, evidence
    deadlines.cancel(session, "annual_task", [row.id])
    audit.record(
        session, actor_id=user.id, action="annual.done", object_type="annual_task", object_id=row.id, now=now,
        after={"evidence": row.evidence},
    )  # fmt: skip
    return row


def board_status(row: AnnualTask, today: date) -> str:
    """done / flagged / ongoing / overdue / due_soon / not_due, for the board and its colours."""
    if row.status == "done":
        return "done"
    if row.problem:
        return "flagged"
    if row.due_date is None:
        return "ongoing"
    if row.due_date < today:
        return "overdue"
    if (row.due_date - today).days <= 7:
        return "due_soon"
    return "not_due"


def rows_of(session: Session, year: int) -> list[AnnualTask]:
    return list(session.scalars(select(AnnualTask).where(AnnualTask.year == year).order_by(AnnualTask.no)))


BOARD_STATUSES = ("not_due", "due_soon", "overdue", "done", "ongoing", "flagged")


def board(rows: list[AnnualTask], today: date) -> dict:
    """The milestone board: each row's status, and status counts by category and by responsible department.

    A row with several responsible departments counts once under each of them (names as written).
    """
    status = {r.id: board_status(r, today) for r in rows}
    totals = dict.fromkeys(BOARD_STATUSES, 0)
    categories: dict[str, dict[str, int]] = {}
    departments: dict[str, dict[str, int]] = {}
    for r in rows:
        st = status[r.id]
        totals[st] += 1
        categories.setdefault(r.category, dict.fromkeys(BOARD_STATUSES, 0))[st] += 1
        for name in r.responsible or ["—"]:
            departments.setdefault(name, dict.fromkeys(BOARD_STATUSES, 0))[st] += 1
    return {
        "status": status,
        "totals": totals,
        "categories": list(categories.items()),
        "departments": sorted(departments.items(), key=lambda kv: (-kv[1]["overdue"], kv[0])),
    }


def filter_rows(rows: list[AnnualTask], status: dict[int, str], *, state=None, category=None, department=None):
    """The rows of one board cell: a status, a category, a responsible department (any may be None)."""
    return [
        r
        for r in rows
        if (not state or status[r.id] == state)
        and (not category or r.category == category)
        and (not department or department in (r.responsible or []))
    ]


def done_by_names(session: Session, rows: list[AnnualTask]) -> dict[int, str]:
    """Who marked the done rows done, in one query."""
    ids = {r.done_by_id for r in rows if r.done_by_id}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
