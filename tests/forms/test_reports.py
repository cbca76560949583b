"""A report type's headings and a report's text as people post them (forms/reports.py)."""

from __future__ import annotations

import pytest

from forms.report_exports import chapter_number
from forms.reports import validate_body, validate_headings, validate_text, validate_year

FUNCTIONS = {"academic_affairs", "quality_office"}


def test_new_headings_get_keys_and_emptied_ones_are_deleted():
    rows = [{"key": "teaching", "title": " 教学 ", "function": "academic_affairs"},
            {"key": "s1", "title": "", "function": ""}, {"key": "", "title": "附录", "function": ""},
            {"key": "", "title": "", "function": ""}]  # fmt: skip
    assert validate_headings(rows, FUNCTIONS, {"teaching"}) == [
        {"key": "teaching", "title": "教学", "function": "academic_affairs"},
        {"key": "s2", "title": "附录", "function": ""},  # s1 was the deleted heading's: never reused in one save
    ]


@pytest.mark.parametrize(
    "rows, locked, field, message",
    [
        ([{"key": "teaching", "title": "", "function": ""}, {"key": "x", "title": "其他"}], {"teaching"}, "title_0",
         "不能删除"),
        ([{"title": "教学"}, {"title": "教学"}], set(), "title_1", "章节标题重复"),
        ([{"title": "教" * 61}], set(), "title_0", "最多 60 个字"),
        ([{"title": "教学", "function": "nobody"}], set(), "function_0", "请选择撰写部门"),
        ([{"title": ""}], set(), "sections", "至少保留一个章节"),
        ("not a list", set(), "sections", "至少保留一个章节"),
    ],
)  # fmt: skip
def test_bad_headings_are_refused_at_the_field(rows, locked, field, message):
    with pytest.raises(ValueError) as exc:
        validate_headings(rows, FUNCTIONS, locked)
    assert message in "".join(exc.value.args[0][field])


def test_text_body_and_year():
    assert validate_text("  第一段\r\n第二段 ") == "第一段\n第二段"
    with pytest.raises(ValueError):
        validate_text(" ")
    assert validate_text("", required=False) == ""
    with pytest.raises(ValueError) as exc:
        validate_body([{"key": "a"}, {"key": "b"}], {"section_a": "有内容"}, required=True)
    assert list(exc.value.args[0]) == ["section_b"]
    assert validate_year(" 2026 ") == 2026
    for bad in ("明年", "1999", None):
        with pytest.raises(ValueError):
            validate_year(bad)


@pytest.mark.parametrize("n, text", [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三")])
def test_chapter_numbers(n, text):
    assert chapter_number(n) == text
