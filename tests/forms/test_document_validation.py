"""Template-driven validation of documents: errors per cell, drafts lenient, submissions complete."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from forms.documents import parse_form, validate_document
from forms.review import validate_review
from forms.templates import builtin_templates, empty_document

TARGET = builtin_templates()["teacher_target"]
PLAN = builtin_templates()["teacher_plan"]


def test_empty_draft_is_fine_but_submission_needs_descriptions():
    doc = empty_document(TARGET)
    assert validate_document(TARGET, doc, submit=False)["rows"][0]["cells"]["description"] == ""
    with pytest.raises(ValidationError) as err:
        validate_document(TARGET, doc, submit=True)
    assert err.value.messages["rows.0.cells.description"] == ["请填写“描述”"]
    assert len(err.value.messages) == len(doc["rows"])


def test_excluded_items_need_nothing_and_at_least_one_item_is_needed():
    doc = empty_document(TARGET)
    for row in doc["rows"]:
        row["included"] = False
    with pytest.raises(ValidationError) as err:
        validate_document(TARGET, doc, submit=True)
    assert list(err.value.messages) == ["rows"]
    doc["rows"][2]["included"] = True
    doc["rows"][2]["cells"]["description"] = "主讲两门课程"
    clean = validate_document(TARGET, doc, submit=True)
    assert [r["included"] for r in clean["rows"]].count(True) == 1


def test_own_rows_unknown_rows_and_labels_cannot_be_forged():
    doc = empty_document(TARGET)
    for row in doc["rows"]:
        row["cells"]["description"] = "已填"
    doc["rows"][0]["label"] = "被篡改的项目名"
    doc["rows"].append({"id": "cown1", "section": doc["rows"][0]["section"], "label": "指导竞赛",
                        "cells": {"description": "省赛一项"}})  # fmt: skip
    clean = validate_document(TARGET, doc, submit=True)
    assert clean["rows"][0]["label"] == "个人发展定位目标"  # template labels come from the template
    own = clean["rows"][-1]
    assert (own["id"], own["label"], own["custom"], own["included"]) == ("cown1", "指导竞赛", True, True)
    assert own["cells"] == {"description": "省赛一项", "remark": ""}
    doc["rows"].append({"id": "../../etc", "section": "x", "cells": {}})
    with pytest.raises(ValidationError) as err:
        validate_document(TARGET, doc, submit=True)
    assert f"rows.{len(doc['rows']) - 1}.id" in err.value.messages


def test_plan_requires_performance_and_measures_and_caps_lengths():
    doc = empty_document(PLAN)
    doc["rows"][0]["cells"].update(performance="x" * 2001, measures="")
    with pytest.raises(ValidationError) as err:
        validate_document(PLAN, doc, submit=True)
    assert err.value.messages["rows.0.cells.performance"] == ["最多 2000 个字（当前 2001 个）"]
    assert err.value.messages["rows.0.cells.measures"] == ["请填写“改进措施”"]


def test_shape_errors_are_flattened():
    with pytest.raises(ValidationError) as err:
        validate_document(TARGET, {"rows": "nope"}, submit=False)
    assert "rows" in err.value.messages


def test_parse_form_round_trip():
    form = {
        "header-approver": "李校长",
        "rows-0-id": "t1",
        "rows-0-section": "s",
        "rows-0-label": "",
        "rows-0-included": "on",
        "rows-0-cells-description": "描述",
        "rows-1-id": "t2",
        "rows-1-section": "s",
    }
    parsed = parse_form(form)
    assert parsed["header"] == {"approver": "李校长"}
    assert parsed["rows"][0]["included"] is True and parsed["rows"][1]["included"] is False
    assert parsed["rows"][0]["cells"] == {"description": "描述"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "decision"), ({"decision": "maybe"}, "decision"), ({"decision": "return", "comment": "  "}, "comment")],
)
def test_review_decisions(payload, field):
    with pytest.raises(ValidationError) as err:
        validate_review(payload)
    assert field in err.value.messages


def test_review_approve_needs_no_comment():
    assert validate_review({"decision": "approve"}) == {"decision": "approve", "comment": ""}
