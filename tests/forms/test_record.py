"""The self-diagnosis record's layout, its 吻合度 and its Excel/Word exports (forms/record*.py)."""

from __future__ import annotations

from io import BytesIO

import pytest
from docx import Document as WordDocument
from openpyxl import load_workbook

from forms import record
from forms.cycle_templates import ITEM_STEPS, RATINGS
from forms.record_exports import to_docx, to_xlsx


@pytest.mark.parametrize(
    ("ratings", "score"),
    [
        (["met", "met"], 100),  # all agree
        (["met", "met", "met"], 100),
        (["met", "partly"], 50),  # one step apart
        (["partly", "unmet"], 50),
        (["met", "unmet"], 0),  # opposite
        (["met", "met", "partly"], 66.7),  # three ratings: the mean of the three pairs (100, 50, 50)
        (["met", "partly", "unmet"], 33.3),  # (50, 0, 50)
        (["met", "", None], None),  # only one rating
        (["met"], None),
        ([], None),  # none
        (["met", "excellent"], None),  # an unknown value is no rating
    ],
)
def test_item_agreement(ratings, score):
    assert record.item_agreement(ratings) == score


def test_a_subjects_agreement_is_the_mean_over_its_counted_items():
    assert record.subject_agreement([100, 50, None]) == 75
    assert record.subject_agreement([None, None]) is None
    assert record.subject_agreement([]) is None


def _definition(doc_type: str) -> dict:
    title, columns = ITEM_STEPS[doc_type]
    return {"title": title, "doc_type": doc_type, "header": [], "columns": columns, "sections": SECTIONS}


SECTIONS = [
    {"key": "goal_a", "label": "招生目标",
     "items": [{"key": "a1", "label": "招生计划"}, {"key": "a2", "label": "生源"}]},
    {"key": "goal_b", "label": "就业目标", "items": [{"key": "b1", "label": "就业率"}]},
]  # fmt: skip
PLAN = {
    "title": "诊改计划", "doc_type": "plan", "header": [], "sections": SECTIONS,
    "columns": [{"key": k, "label": k} for k in ("performance", "assurance", "process", "status_quo", "problem",
                                                 "measures", "assessment")],
}  # fmt: skip


def _rows(cells_by_id: dict, included=("a1", "a2", "b1")) -> dict:
    sections = {"a1": "goal_a", "a2": "goal_a", "b1": "goal_b"}
    return {"rows": [{"id": rid, "section": sections[rid], "label": rid, "included": rid in included,
                      "cells": cells_by_id.get(rid, {})} for rid in ("a1", "a2", "b1")]}  # fmt: skip


def _parts():
    plan = _rows({"a1": {"performance": "=SUM(A1)", "measures": "建台账"}, "b1": {"performance": "就业率 95%"}})
    diagnosis = _rows({
        "a1": {"conclusion": "基本达成", "next_measures": "补齐短板", "expected_effect": "明年达标", "rating": "met"},
        "a2": {"conclusion": "达成", "rating": "partly"}, "b1": {"rating": "met"},
    })  # fmt: skip
    upper = _rows({"a1": {"opinion": "同意", "rating": "met"}, "a2": {"opinion": "偏高", "rating": "unmet"}})
    school = _rows({"a1": {"opinion": "抽查属实", "rating": "partly"}})
    definitions = {"plan": PLAN, **{t: _definition(t) for t in ("diagnosis", "upper_review", "school_review")}}
    return definitions, {"plan": plan, "diagnosis": diagnosis, "upper_review": upper, "school_review": school}


def test_the_record_follows_the_plan_and_shows_each_partys_columns():
    definitions, parts = _parts()
    out = record.compose(definitions, parts)
    assert [s["label"] for s in out["sections"]] == ["招生目标", "就业目标"]
    a1 = out["sections"][0]["rows"][0]
    heads = [c["label"] for c in record.columns()]
    cell = dict(zip(heads, a1["cells"], strict=True))
    assert cell["绩效"] == "=SUM(A1)" and cell["改进措施"] == "建台账"
    assert cell["自我诊断结论"] == "基本达成"
    assert cell["下一步改进措施与预计成效"] == "补齐短板\n预计成效：明年达标"
    assert cell["自评达成度"] == "达成" and cell["复核达成度"] == "达成" and cell["抽样复核达成度"] == "基本达成"
    assert cell["复核意见"] == "同意" and cell["复核结论"] == "抽查属实"
    assert a1["agreement"] == 66.7  # met, met, partly
    a2 = out["sections"][0]["rows"][1]
    assert a2["agreement"] == 50  # 基本达成 / 未达成: one step apart
    assert out["agreement"] == record.subject_agreement([66.7, 50]) == 58.4  # b1 is not counted
    b1 = out["sections"][1]["rows"][0]
    assert b1["agreement"] is None  # only the subject rated it


def test_a_record_without_a_plan_follows_the_diagnosis_and_leaves_the_plan_columns_empty():
    definitions, parts = _parts()
    del parts["plan"]
    out = record.compose(definitions, parts)
    assert out["present"] == ["diagnosis", "upper_review", "school_review"]
    assert out["sections"][0]["rows"][0]["cells"][0] == ""
    assert record.compose({}, {}) == {"sections": [], "agreement": None, "present": []}


def test_excluded_items_are_left_out():
    definitions, parts = _parts()
    parts["plan"] = _rows({}, included=("a1", "b1"))
    out = record.compose(definitions, parts)
    assert [r["id"] for s in out["sections"] for r in s["rows"]] == ["a1", "b1"]


def test_the_excel_export_has_the_title_block_grouped_headers_sections_and_cells():
    definitions, parts = _parts()
    out = record.compose(definitions, parts)
    wb = load_workbook(BytesIO(to_xlsx(out, {"title": "自我诊断记录", "subject": "电子学院", "year": 2026})))
    ws = wb.active
    assert ws.cell(1, 1).value == "自我诊断记录"
    assert "电子学院" in ws.cell(2, 1).value and "2026" in ws.cell(2, 1).value and "吻合度" in ws.cell(2, 1).value
    groups = [ws.cell(3, c).value for c in range(1, ws.max_column + 1) if ws.cell(3, c).value]
    assert groups == ["项目", "标准", "诊改计划", "自我诊断", "上一级复核意见", "学校抽样复核结论", "吻合度"]
    assert [ws.cell(4, c).value for c in (2, 3, 4)] == ["绩效", "保障", "流程"]
    assert ws.cell(5, 1).value == "目标：招生目标"
    assert ws.cell(6, 1).value == "a1" and ws.cell(6, ws.max_column).value == "66.7%"
    assert ws.cell(6, 2).value == "=SUM(A1)" and ws.cell(6, 2).quotePrefix  # text, never a formula
    labels = {r[0].value for r in ws.iter_rows(min_row=5)}
    assert "目标：就业目标" in labels


def test_the_word_export_has_the_grouped_headers_and_the_cells():
    definitions, parts = _parts()
    out = record.compose(definitions, parts)
    doc = WordDocument(BytesIO(to_docx(out, {"title": "自我诊断记录", "subject": "电子学院", "year": 2026})))
    assert doc.paragraphs[0].text == "自我诊断记录" and "吻合度" in doc.paragraphs[1].text
    table = doc.tables[0]
    first = [c.text for c in table.rows[0].cells]
    assert first[0] == "项目" and first[1] == "标准" and first[-1] == "吻合度"
    assert "自评达成度" in [c.text for c in table.rows[1].cells]
    assert table.rows[2].cells[0].text == "目标：招生目标"
    assert table.rows[3].cells[0].text == "a1" and "基本达成" in [c.text for c in table.rows[3].cells]


def test_ratings_are_the_contracts():
    assert [r["value"] for r in RATINGS] == list(record.STEP)
