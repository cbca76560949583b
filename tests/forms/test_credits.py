"""The credits' validators (forms/credits.py): what a school types for an item's points and a claim's date."""

from __future__ import annotations

from datetime import date

import pytest

from forms.credits import validate_claim, validate_item, validate_step

ITEM = {"code": "K01", "title": "技能大赛获奖", "category": "competition", "direction": "add", "points": "4",
        "evidence_required": "on", "evidence_note": "获奖证书", "active": "on"}  # fmt: skip


@pytest.mark.parametrize(
    "points, expected",
    [("4", 4.0), ("0.5", 0.5), ("20", 20.0), (" 2.5 ", 2.5), ("0", None), ("20.5", None), ("2.25", None),
     ("-1", None), ("abc", None), ("", None), ("1e1", None), ("nan", None)],
)  # fmt: skip
def test_points_are_positive_with_one_decimal_at_most(points, expected):
    if expected is None:
        with pytest.raises(ValueError) as exc:
            validate_item({**ITEM, "points": points})
        assert list(exc.value.args[0]) == ["points"]
    else:
        assert validate_item({**ITEM, "points": points})["points"] == expected


def test_an_item_s_code_is_unique_and_plain():
    with pytest.raises(ValueError) as exc:
        validate_item({**ITEM, "code": "K 01"}, taken_codes={"K02"})
    assert exc.value.args[0]["code"] == ["编号只能使用字母、数字、- 和 _"]
    with pytest.raises(ValueError) as exc:
        validate_item(ITEM, taken_codes={"K01"})
    assert exc.value.args[0]["code"] == ["编号已被其他项目使用"]
    assert validate_item({**ITEM, "evidence_required": "", "evidence_note": "", "active": ""}) == {
        **ITEM, "points": 4.0, "evidence_required": False, "evidence_note": "", "active": False}  # fmt: skip


def test_a_claim_names_an_offered_item_a_classmate_and_a_past_day():
    ok = {"item": "3", "student": "7", "occurred_on": "2026-11-20", "description": " 志愿服务 "}
    assert validate_claim(ok, {3}, {7}, date(2026, 11, 24)) == {
        "item": 3, "student": 7, "occurred_on": date(2026, 11, 20), "description": "志愿服务"}  # fmt: skip
    with pytest.raises(ValueError) as exc:
        validate_claim({**ok, "item": "4", "student": "8", "occurred_on": "2026-11-25", "description": ""}, {3}, {7},
                       date(2026, 11, 24))  # fmt: skip
    assert set(exc.value.args[0]) == {"item", "student", "occurred_on", "description"}


@pytest.mark.parametrize(
    "step, payload, error",
    [("counselor_review", {"decision": "recognise"}, None), ("counselor_review", {"decision": "return"}, "comment"),
     ("counselor_review", {"decision": "reject", "comment": " "}, "comment"),
     ("counselor_review", {"decision": "resubmit"}, "decision"), ("student_revise", {"decision": "withdraw"}, None)],
)  # fmt: skip
def test_returning_or_rejecting_needs_a_reason(step, payload, error):
    if error is None:
        assert validate_step(step, payload)["decision"] == payload["decision"]
    else:
        with pytest.raises(ValueError) as exc:
            validate_step(step, payload)
        assert list(exc.value.args[0]) == [error]
