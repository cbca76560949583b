"""The self-diagnosis record (自我诊断记录, seed tables 29-36): the year's plan, self-diagnosis, upper-level
review and school sampling review side by side, one row per plan item, and their 吻合度 (agreement).

Pure layout: `compose` takes each part's template definition and content (whichever exist) and returns
the record's rows grouped by the plan's sections; `agreement_of` scores the ratings. No database.
"""

from __future__ import annotations

from itertools import combinations

from .columns import display
from .exports import table_rows


def N_(text: str) -> str:  # marks a string for the catalog; translated where it is shown
    return text


PARTS = ("plan", "diagnosis", "upper_review", "school_review")  # the documents a record is made of
# (group heading, [(document, column key or a composed cell, heading)]) in the seed's order; the headings
# are the record's, not the documents' (自我诊断结论 is the diagnosis's 诊断结论).
GROUPS = [
    (N_("标准"), [("plan", "performance", N_("绩效")), ("plan", "assurance", N_("保障")),
                  ("plan", "process", N_("流程"))]),
    (N_("诊改计划"), [("plan", "status_quo", N_("现状")), ("plan", "problem", N_("问题")),
                      ("plan", "measures", N_("改进措施")), ("plan", "assessment", N_("考核标准"))]),
    (N_("自我诊断"), [("diagnosis", "conclusion", N_("自我诊断结论")),
                      ("diagnosis", "next_and_effect", N_("下一步改进措施与预计成效")),
                      ("diagnosis", "rating", N_("自评达成度"))]),
    (N_("上一级复核意见"), [("upper_review", "opinion", N_("复核意见")),
                            ("upper_review", "rating", N_("复核达成度"))]),
    (N_("学校抽样复核结论"), [("school_review", "opinion", N_("复核结论")),
                              ("school_review", "rating", N_("抽样复核达成度"))]),
]  # fmt: skip
AGREEMENT_HEADING = N_("吻合度")
EFFECT = "预计成效"  # inside a cell's text: the record's content, in the school's language
RATED_BY = ("diagnosis", "upper_review", "school_review")  # the parties whose 达成度 make the 吻合度
STEP = {"met": 0, "partly": 1, "unmet": 2}  # 达成 / 基本达成 / 未达成, one step apart each


def pair_score(a: str, b: str) -> int:
    """100 when two ratings agree, 50 one step apart (达成/基本达成, 基本达成/未达成), 0 otherwise."""
    return {0: 100, 1: 50}.get(abs(STEP[a] - STEP[b]), 0)


def item_agreement(ratings) -> float | None:
    """The mean over every pair of the ratings given (unknown or empty ones left out); None under two."""
    given = [r for r in ratings if r in STEP]
    if len(given) < 2:
        return None
    scores = [pair_score(a, b) for a, b in combinations(given, 2)]
    return round(sum(scores) / len(scores), 1)


def subject_agreement(scores) -> float | None:
    """A subject's 吻合度: the mean over its counted items (None when no item was rated twice)."""
    counted = [s for s in scores if s is not None]
    return round(sum(counted) / len(counted), 1) if counted else None


def agreement_of(parts: dict[str, dict]) -> dict:
    """{"items": {row id: score or None}, "subject": score or None} from the parts' content (`data`)."""
    ratings: dict[str, list] = {}
    order: list[str] = []
    for doc_type in RATED_BY:
        data = parts.get(doc_type)
        for row in (data or {}).get("rows", []):
            if not row.get("included", True):
                continue
            if row["id"] not in ratings:
                ratings[row["id"]] = []
                order.append(row["id"])
            ratings[row["id"]].append((row.get("cells") or {}).get("rating"))
    items = {rid: item_agreement(ratings[rid]) for rid in order}
    return {"items": items, "subject": subject_agreement(items.values())}


def columns() -> list[dict]:
    """The record's value columns, each with its group, heading and source document."""
    return [{"group": g, "label": label, "part": part, "key": key} for g, cols in GROUPS for part, key, label in cols]


def _cell(part: str, key: str, cells: dict, definitions: dict) -> str:
    if part == "diagnosis" and key == "next_and_effect":
        measures, effect = cells.get("next_measures") or "", cells.get("expected_effect") or ""
        return f"{measures}\n{EFFECT}：{effect}" if effect else measures
    col = next((c for c in (definitions.get(part) or {}).get("columns", []) if c["key"] == key), None)
    return display(col, cells.get(key))


def compose(definitions: dict[str, dict], parts: dict[str, dict]) -> dict:
    """The record: {"sections": [{"label", "rows": [{"id", "label", "cells": [...], "agreement"}]}],
    "agreement": subject score, "present": the parts shown}.

    Rows follow the plan (else the first part there is); each part's cells are matched by item id.
    """
    present = [p for p in PARTS if parts.get(p) is not None and definitions.get(p) is not None]
    if not present:
        return {"sections": [], "agreement": None, "present": []}
    base = present[0]
    by_id = {p: {r["id"]: r.get("cells") or {} for r in parts[p].get("rows", [])} for p in present}
    scores = agreement_of({p: parts[p] for p in present})
    sections: list[dict] = []
    for row in table_rows(definitions[base], parts[base]):
        if row["first_in_section"] or not sections:
            sections.append({"label": row["section_label"], "rows": []})
        rid = row["id"]
        cells = [_cell(c["part"], c["key"], by_id.get(c["part"], {}).get(rid, {}), definitions) for c in columns()]
        sections[-1]["rows"].append(
            {"id": rid, "label": row["label"], "cells": cells, "agreement": scores["items"].get(rid)}
        )
    return {"sections": sections, "agreement": scores["subject"], "present": present}


def percent(score: float | None) -> str:
    """A 吻合度 as shown: "66.7%", "—" when there is none."""
    if score is None:
        return "—"
    return f"{score:g}%"
