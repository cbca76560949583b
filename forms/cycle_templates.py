"""Templates of the cycle's later steps, derived from each subject type's improvement-plan template.

Implementation records, self-diagnosis (seed tables 29-36) and the school's review list the plan's
items with their own columns, so every step stays traceable to the plan item by item; the reports are
written by heading.
"""

from __future__ import annotations

import copy

# 达成度: the verdict each party gives an item; the three verdicts make the record's 吻合度 (agreement).
RATINGS = [
    {"value": "met", "label": "达成"}, {"value": "partly", "label": "基本达成"}, {"value": "unmet", "label": "未达成"},
]  # fmt: skip
# Each party writes only its own columns; "readonly" columns are copied in from the earlier party's
# document when the step's document is prepared, shown as text and kept as stored whatever is posted.
ITEM_STEPS = {
    "implementation": ("诊改实施记录", [
        {"key": "progress", "label": "实施进展", "required": True, "max": 2000},
        {"key": "evidence", "label": "佐证材料（说明或链接）", "max": 1000},
        {"key": "completion", "label": "完成情况", "max": 200},
    ]),
    "diagnosis": ("自我诊断", [
        {"key": "conclusion", "label": "诊断结论", "required": True, "max": 2000},
        {"key": "next_measures", "label": "下一步改进措施", "required": True, "max": 2000},
        {"key": "expected_effect", "label": "预期效果", "max": 2000},
        {"key": "rating", "label": "自评达成度", "type": "choice", "choices": RATINGS},
    ]),
    "upper_review": ("上一级复核性诊断", [
        {"key": "self_conclusion", "label": "自我诊断结论", "readonly": True, "max": 2000},
        {"key": "self_rating", "label": "自评达成度", "readonly": True, "type": "choice", "choices": RATINGS},
        {"key": "opinion", "label": "上一级复核意见", "required": True, "max": 2000},
        {"key": "rating", "label": "复核达成度", "type": "choice", "choices": RATINGS},
    ]),
    "school_review": ("学校抽样复核", [
        {"key": "self_conclusion", "label": "自我诊断结论", "readonly": True, "max": 2000},
        {"key": "upper_opinion", "label": "上一级复核意见", "readonly": True, "max": 2000},
        {"key": "opinion", "label": "学校抽样复核结论", "required": True, "max": 2000},
        {"key": "rating", "label": "抽样复核达成度", "type": "choice", "choices": RATINGS},
    ]),
}  # fmt: skip
REPORTS = {
    "report": ("自我诊断报告", ["基本情况", "目标与标准达成情况", "诊改计划实施情况", "存在的主要问题", "原因分析",
                                "改进措施与下一步计划"]),
    "quality_report": ("人才培养质量报告", ["学生发展", "教学建设与改革", "政策保障", "服务贡献", "国际合作",
                                            "面临的挑战与对策"]),
    # step 11: the written conclusion the school sends back (书面结论反馈), prefilled from the reviews
    "feedback": ("复核性诊断结论反馈", ["总体结论", "主要问题", "改进要求"]),
}  # fmt: skip
REPORT_COLUMNS = [{"key": "content", "label": "内容", "required": True, "max": 5000}]


def derived_templates(plans: dict[str, dict]) -> dict[str, dict]:
    """The cycle templates of every subject type that has a plan template."""
    out = {}
    for plan in plans.values():
        if plan.get("doc_type") != "plan":
            continue
        st = plan["subject_type"]
        for doc_type, (title, columns) in ITEM_STEPS.items():
            d = copy.deepcopy(plan)
            d.update(key=f"{st}_{doc_type}", doc_type=doc_type, title=title, columns=columns)
            d.update(seed_table=f"由{plan['seed_table']}派生", allow_custom_items=True, allow_custom_sections=True)
            out[d["key"]] = d
        for doc_type, (title, headings) in REPORTS.items():
            if doc_type == "quality_report" and st != "college":
                continue
            prefix = f"{st}_{doc_type}"
            out[prefix] = {
                "key": prefix, "subject_type": st, "doc_type": doc_type, "title": title,
                "seed_table": "诊改报告", "header": plan["header"], "columns": REPORT_COLUMNS,
                "sections": [{"key": prefix, "label": None,
                              "items": [{"key": f"{prefix}_{i + 1}", "label": h} for i, h in enumerate(headings)]}],
                "allow_custom_items": True, "allow_custom_sections": False,
            }  # fmt: skip
    return out


def rows_from_plan(definition: dict, plan_data: dict, carry: dict[str, dict] | None = None) -> dict:
    """A cycle document over the plan's included rows; `carry` maps row id -> cells to prefill."""
    columns = [c["key"] for c in definition["columns"]]
    rows = []
    for row in plan_data.get("rows", []):
        if not row.get("included", True):
            continue
        cells = {c: "" for c in columns}
        cells.update({k: v for k, v in (carry or {}).get(row["id"], {}).items() if k in cells})
        rows.append({"id": row["id"], "section": row["section"], "label": row["label"],
                     "custom": row.get("custom", False), "included": True, "cells": cells})  # fmt: skip
    return {"header": {}, "rows": rows, "sections": list(plan_data.get("sections", []))}
