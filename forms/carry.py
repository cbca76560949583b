"""Carry a subject's published document forward: targets -> standard -> plan, item by item.

A standard's sections are the target's items (same keys); a plan's rows are the standard's rows (same
keys) with the standard's 绩效/保障/流程 filled in. Rows the next template does not know become the
subject's own rows, so nothing the subject wrote is dropped.
"""

from __future__ import annotations

from .templates import template_items

STANDARD_COLUMNS = ("performance", "assurance", "process")


def _custom_key(key: str) -> str:
    return key if key.startswith("c") else ("c" + key)[:31]


def standard_from_target(std_def: dict, target_data: dict) -> dict:
    """A new standard whose sections are the included items of the published target."""
    columns = [c["key"] for c in std_def["columns"]]
    template_sections = {s["key"]: s for s in std_def["sections"]}
    rows, custom_sections = [], []
    for target_row in target_data.get("rows", []):
        if not target_row.get("included", True):
            continue
        section = template_sections.get(target_row["id"])
        if section is None:
            custom_sections.append({"key": _custom_key(target_row["id"]), "label": target_row["label"]})
            continue
        for item in section["items"]:
            rows.append(
                {"id": item["key"], "section": section["key"], "label": item["label"], "custom": False,
                 "included": True, "cells": {c: "" for c in columns}}
            )  # fmt: skip
    return {"header": {}, "rows": rows, "sections": custom_sections}


def plan_from_standard(plan_def: dict, std_def: dict, std_data: dict) -> dict:
    """A new plan with the standard's rows and its 绩效/保障/流程 carried into the 标准 columns."""
    columns = [c["key"] for c in plan_def["columns"]]
    plan_items = template_items(plan_def)
    plan_sections = {s["key"] for s in plan_def["sections"]}
    std_labels = {s["key"]: s.get("label") or "" for s in std_def["sections"]}
    std_labels.update({s["key"]: s["label"] for s in std_data.get("sections", [])})
    rows, custom_sections = [], {}
    for row in std_data.get("rows", []):
        if not row.get("included", True):
            continue
        section = row["section"]
        if section not in plan_sections:  # a section of the subject's own, or one the plan template lacks
            section = _custom_key(section)
            custom_sections.setdefault(section, std_labels.get(row["section"]) or row["section"])
        known = row["id"] in plan_items and not row.get("custom")
        cells = {c: "" for c in columns}
        for c in STANDARD_COLUMNS:
            if c in cells:
                cells[c] = row["cells"].get(c, "")
        rows.append(
            {"id": row["id"] if known or row["id"].startswith("c") else _custom_key(row["id"]),
             "section": plan_items[row["id"]]["section"] if known else section, "label": row["label"],
             "custom": not known, "included": True, "cells": cells}
        )  # fmt: skip
    sections = [{"key": k, "label": v} for k, v in custom_sections.items()]
    return {"header": {}, "rows": rows, "sections": sections}


CARRIED = "〔上年延续〕"  # marks a plan cell that starts from last year's diagnosis or review (诊断与改进相衔接)


def plan_from_last_year(
    plan_data: dict, diagnosis: dict | None, review: dict | None, upper: dict | None = None
) -> dict:
    """Last year's 下一步改进措施 (self-diagnosis) and review conclusions as this year's plan's starting cells,
    row by row (the cycle's documents keep the plan's row ids): 问题 from the upper-level review's opinion
    (上一级复核意见) and the school's sampling conclusion (学校抽样复核结论), else the self-diagnosis
    conclusion; 改进措施 from the next measures; marked `CARRIED`."""
    diag_rows = {r["id"]: r["cells"] for r in (diagnosis or {}).get("rows", []) if r.get("included", True)}
    review_rows = {r["id"]: r["cells"] for r in (review or {}).get("rows", []) if r.get("included", True)}
    upper_rows = {r["id"]: r["cells"] for r in (upper or {}).get("rows", []) if r.get("included", True)}
    for row in plan_data.get("rows", []):
        cells = row["cells"]
        diag, rev, up = diag_rows.get(row["id"], {}), review_rows.get(row["id"], {}), upper_rows.get(row["id"], {})
        opinions = [(c.get("opinion") or "").strip() for c in (up, rev)]
        problem = "；".join(o for o in opinions if o) or (diag.get("conclusion") or "").strip()
        measures = (diag.get("next_measures") or "").strip()
        if problem and "problem" in cells and not cells["problem"]:
            cells["problem"] = (CARRIED + problem)[:2000]
        if measures and "measures" in cells and not cells["measures"]:
            cells["measures"] = (CARRIED + measures)[:2000]
    return plan_data
