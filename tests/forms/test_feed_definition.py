"""The feed definition form: one field per line, every bad line named with its number, nothing kept on error."""

from __future__ import annotations

import pytest

from forms.feeds import fields_text, parse_definition


def test_a_good_definition_round_trips():
    text = "rate | 出勤率 | number | % | 95 |\nnote | 说明 | text"
    clean, errors = parse_definition({"provider": " 考勤系统 ", "fields": text})
    assert errors == {}
    assert clean == {"provider": "考勤系统", "fields": [
        {"key": "rate", "label": "出勤率", "type": "number", "unit": "%", "min": 95, "max": None},
        {"key": "note", "label": "说明", "type": "text", "unit": "", "min": None, "max": None},
    ]}  # fmt: skip
    assert parse_definition({"provider": "x", "fields": fields_text(clean["fields"])})[0] == {**clean, "provider": "x"}


@pytest.mark.parametrize(
    "line, message",
    [
        ("Rate | 出勤率 | number", "第 %(n)s 行：数据项键只能用小写字母、数字和下划线，以字母开头"),
        ("rate |  | number", "第 %(n)s 行：名称必填，最多 40 字"),
        ("rate | 出勤率 | date", "第 %(n)s 行：类型应为 number（数字）或 text（文字）"),
        ("rate | 出勤率 | number | % | abc", "第 %(n)s 行：下限、上限应为数字"),
        ("rate | 出勤率 | number | % | 9 | 1", "第 %(n)s 行：下限不能大于上限"),
        ("note | 说明 | text | | 1", "第 %(n)s 行：文字项不能设下限、上限"),
    ],
)
def test_each_bad_line_is_named(line, message):
    clean, errors = parse_definition({"provider": "p", "fields": "ok | 好 | number\n" + line})
    assert errors == {"fields": [{"message": message, "params": {"n": 2}}]}


def test_a_repeated_key_and_a_missing_provider_are_refused():
    _clean, errors = parse_definition({"provider": "", "fields": "a | 甲 | number\na | 乙 | number"})
    assert errors["provider"] == ["请填写信息提供方"]
    assert errors["fields"] == [{"message": "第 %(n)s 行：数据项键重复", "params": {"n": 2}}]
    assert parse_definition({"provider": "p", "fields": " "})[1] == {"fields": ["至少定义一个数据项"]}
