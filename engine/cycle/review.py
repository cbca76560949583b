"""Step 9 and 11 of the cycle (seed §三(四), §六(二)7(2)-(3)): the upper-level review, the school's sampling
review of the sampled subjects, and the written conclusion sent back.

Each party's document is prepared from the earlier parties' (`carried_cells`): the upper-level review gets the
self-diagnosis' conclusion and rating; the sampling review the conclusion and the upper-level opinion. The
cycle asks the year's latest sampling draw (engine/cycle/sampling.py) whether its subject is sampled
(`check_sampling`); without a draw it waits a day on a timer and asks again, and once the sampling review's
date has passed without one the subject counts as not sampled. The conclusion (`feedback`) is prefilled
from the reviews (`feedback_texts`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..models import SamplingDraw
from ..workflow import services

RETRY = timedelta(days=1)  # without a draw yet, the cycle asks again a day later (the scheduler wakes it)
RATING_LABELS = {"met": "达成", "partly": "基本达成", "unmet": "未达成"}


def carried_cells(doc_type: str, diagnosis: dict | None, upper: dict | None) -> dict[str, dict]:
    """Row id -> the cells a step's document starts with, copied from the earlier parties' documents."""
    diag = {r["id"]: r["cells"] for r in (diagnosis or {}).get("rows", [])}
    up = {r["id"]: r["cells"] for r in (upper or {}).get("rows", [])}
    if doc_type == "upper_review":
        return {
            i: {"self_conclusion": c.get("conclusion", ""), "self_rating": c.get("rating", "")} for i, c in diag.items()
        }
    if doc_type == "school_review":
        ids = list(dict.fromkeys([*diag, *up]))
        return {
            i: {
                "self_conclusion": diag.get(i, {}).get("conclusion", ""),
                "upper_opinion": up.get(i, {}).get("opinion", ""),
            }
            for i in ids
        }
    return {}


def _included(data: dict | None) -> list[dict]:
    return [r for r in (data or {}).get("rows", []) if r.get("included", True)]


def feedback_texts(diagnosis: dict | None, upper: dict | None, school: dict | None) -> dict[str, str]:
    """The conclusion's headings (forms/cycle_templates.py REPORTS["feedback"]) prefilled from the reviews:
    总体结论 each item's upper-level opinion (and the sampling conclusion of a sampled subject), 主要问题 the
    items a reviewer rated 基本达成 or 未达成, 改进要求 the self-diagnosis' next measures."""
    sampled = {r["id"]: r["cells"] for r in _included(school)}
    overall, problems = [], []
    for row in _included(upper):
        cells, own = row["cells"], sampled.get(row["id"], {})
        line = f"{row['label']}：上一级复核意见：{cells.get('opinion', '')}"
        if own:
            line += f"；学校抽样复核结论：{own.get('opinion', '')}"
        overall.append(line)
        rating = own.get("rating") or cells.get("rating")
        if rating in ("partly", "unmet"):
            problems.append(
                f"{row['label']}（{RATING_LABELS[rating]}）：{own.get('opinion') or cells.get('opinion', '')}"
            )
    measures = [
        f"{r['label']}：{r['cells'].get('next_measures', '')}"
        for r in _included(diagnosis)
        if r["cells"].get("next_measures")
    ]
    return {
        "总体结论": "\n".join(overall),
        "主要问题": "\n".join(problems) or "未发现需要整改的主要问题。",
        "改进要求": "\n".join(measures),
    }


def sampled(session, year: int, subject_id: int, now: datetime, due: str | None) -> bool | None:
    """Whether the year's latest sampling draw took the subject; None while there is no draw and the sampling
    review's date (`due`) has not passed (then the cycle waits), False once it has."""
    latest = session.scalar(
        select(SamplingDraw).where(SamplingDraw.year == year).order_by(SamplingDraw.id.desc()).limit(1)
    )
    if latest is not None:
        return any(subject_id in ids for ids in (latest.subjects or {}).values())
    if due and now > datetime.fromisoformat(due):
        return False
    return None


def check_sampling(step: services.Step, params: dict, data: dict) -> dict:
    """`check_sampling`: sets `sampled` (True / False / None: no draw yet) and, while waiting,
    `sampling_retry_at` (a day after the step's clock: the timer is a date, never the wall clock)."""
    found = sampled(step.session, int(data["year"]), step.subject.id, step.now, data.get("due_school_review"))
    data["sampled"] = found
    data["sampling_retry_at"] = (step.now + RETRY).isoformat() if found is None else None
    return {"sampled": found}
