"""Choice and readonly columns (forms/columns.py): validated, kept, and shown by their labels."""

from __future__ import annotations

import copy

import pytest
from marshmallow import ValidationError

from forms.columns import display, row_display
from forms.documents import validate_document
from forms.exports import table_rows
from forms.templates import builtin_templates, empty_document

UPPER = builtin_templates()["teacher_upper_review"]
DIAGNOSIS = builtin_templates()["teacher_diagnosis"]


def _stored() -> dict:
    doc = empty_document(UPPER)
    for row in doc["rows"]:
        row["cells"].update(self_conclusion=f"自评：{row['label']}", self_rating="partly")
    return doc


def _posted(stored: dict) -> dict:
    doc = copy.deepcopy(stored)
    for row in doc["rows"]:
        row["cells"].update(opinion="同意", rating="met")
    return doc


def test_a_choice_outside_its_list_is_refused_with_the_columns_name():
    posted = _posted(_stored())
    posted["rows"][1]["cells"]["rating"] = "excellent"
    with pytest.raises(ValidationError) as err:
        validate_document(UPPER, posted, submit=False, stored=_stored())
    assert err.value.messages == {"rows.1.cells.rating": ["请从列表中选择“复核达成度”"]}


def test_a_required_choice_must_be_chosen_on_submission():
    definition = copy.deepcopy(DIAGNOSIS)
    rating = next(c for c in definition["columns"] if c["key"] == "rating")
    rating["required"] = True
    doc = empty_document(definition)
    for row in doc["rows"]:
        row["cells"].update(conclusion="达成", next_measures="继续")
    with pytest.raises(ValidationError) as err:
        validate_document(definition, doc, submit=True)
    assert err.value.messages["rows.0.cells.rating"] == ["请填写“自评达成度”"]
    assert validate_document(definition, doc, submit=False)["rows"][0]["cells"]["rating"] == ""


def test_readonly_columns_keep_the_stored_value_whatever_is_posted():
    stored = _stored()
    posted = _posted(stored)
    posted["rows"][0]["cells"].update(self_conclusion="篡改的结论", self_rating="met")
    del posted["rows"][1]["cells"]["self_conclusion"]  # a field left out keeps its value too
    clean = validate_document(UPPER, posted, submit=True, stored=stored)
    assert clean["rows"][0]["cells"]["self_conclusion"] == stored["rows"][0]["cells"]["self_conclusion"]
    assert clean["rows"][0]["cells"]["self_rating"] == "partly"
    assert clean["rows"][1]["cells"]["self_conclusion"] == stored["rows"][1]["cells"]["self_conclusion"]
    assert clean["rows"][0]["cells"]["rating"] == "met" and clean["rows"][0]["cells"]["opinion"] == "同意"


def test_a_new_own_row_has_nothing_in_its_readonly_columns():
    stored = _stored()
    posted = _posted(stored)
    section = posted["rows"][0]["section"]
    posted["rows"].append({"id": "cnew1", "section": section, "label": "自加项目", "included": True,
                           "cells": {"self_conclusion": "伪造", "opinion": "新增", "rating": "unmet"}})  # fmt: skip
    clean = validate_document(UPPER, posted, submit=True, stored=stored)
    assert clean["rows"][-1]["cells"]["self_conclusion"] == "" and clean["rows"][-1]["cells"]["rating"] == "unmet"


def test_choices_are_shown_by_their_labels_everywhere():
    rating = next(c for c in UPPER["columns"] if c["key"] == "rating")
    assert display(rating, "partly") == "基本达成"
    assert display(rating, "") == "" and display(rating, None) == ""
    assert display(rating, "old text") == "old text"  # a value from before the column was a choice
    doc = _posted(_stored())
    assert row_display(UPPER, doc["rows"][0]["cells"])[1:] == ["基本达成", "同意", "达成"]
    assert table_rows(UPPER, doc)[0]["cells"][1] == "基本达成"  # what the Excel and Word exports write
