"""Every form of due date the seed's annual task table uses."""

from __future__ import annotations

from datetime import date

import pytest

from engine.annual_dates import due_at, parse_due


@pytest.mark.parametrize(
    ("text", "kind", "due"),
    [
        ("11月18日", "date", date(2016, 11, 18)),
        ("12月31日", "date", date(2016, 12, 31)),
        ("4 月 30 日", "date", date(2016, 4, 30)),
        ("１２月３１日", "date", date(2016, 12, 31)),
        ("2018年2月28日", "date", date(2018, 2, 28)),
        ("2018年1月15日", "date", date(2018, 1, 15)),
        ("2017年上期", "half", date(2017, 6, 30)),
        ("2017年上期初步投入运行", "half", date(2017, 6, 30)),
        ("2016年下学期末", "half", date(2016, 12, 31)),
        ("2017年第一学期开学初", "half", date(2017, 3, 15)),
        ("争取2017年投入运行", "year", date(2017, 12, 31)),
        ("3月", "month", date(2016, 3, 31)),
        ("2月29日", "date", date(2016, 2, 29)),  # 2016 is a leap year
        ("全年常态运行", "ongoing", None),
    ],
)
def test_seed_forms(text, kind, due):
    parsed = parse_due(text, 2016)
    assert (parsed.kind, parsed.due, parsed.problem) == (kind, due, None)


@pytest.mark.parametrize(("text", "year"), [("2月31日", 2016), ("2月29日", 2017), ("13月1日", 2017)])
def test_impossible_dates_are_flagged_not_raised(text, year):
    parsed = parse_due(text, year)
    assert parsed.kind == "invalid" and parsed.due is None and text in parsed.problem


def test_unreadable_text_is_reported():
    parsed = parse_due("待定", 2017)
    assert parsed.kind == "unknown" and "待定" in parsed.problem


def test_due_at_is_the_end_of_the_day_in_shanghai():
    assert due_at(parse_due("12月31日", 2017)).isoformat() == "2017-12-31T15:59:59+00:00"
    assert due_at(parse_due("全年常态运行", 2017)) is None
