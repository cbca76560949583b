"""Every form of due date the seed's annual task table uses, and the edges around them."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from engine.cycle.annual_dates import DueDate, due_at, parse_due
from tests.conftest import TZ


@pytest.mark.parametrize(
    ("text", "year", "kind", "due", "start"),
    [
        # days, in the row's year unless the text names one
        ("11月18日", 2016, "date", date(2016, 11, 18), None),
        ("12月31日", 2017, "date", date(2017, 12, 31), None),
        ("4 月 30 日", 2016, "date", date(2016, 4, 30), None),
        ("11月 30日", 2018, "date", date(2018, 11, 30), None),
        ("2018年2月28日", 2017, "date", date(2018, 2, 28), None),
        ("2018年1月15日", 2016, "date", date(2018, 1, 15), None),
        ("2018 年 1 月\n15 日", 2016, "date", date(2018, 1, 15), None),
        ("１２月３１日", 2016, "date", date(2016, 12, 31), None),
        ("　12月 31日 ", 2016, "date", date(2016, 12, 31), None),
        ("2月29日", 2016, "date", date(2016, 2, 29), None),
        ("2000年2月29日", 2017, "date", date(2000, 2, 29), None),
        ("12月30日前", 2016, "date", date(2016, 12, 30), None),
        # a month with its year is that month's last day
        ("2018年6月", 2017, "date", date(2018, 6, 30), None),
        ("2019年6月", 2018, "date", date(2019, 6, 30), None),
        ("2016年2月", 2016, "date", date(2016, 2, 29), None),
        # a month alone
        ("3月", 2016, "month", date(2016, 3, 31), date(2016, 3, 1)),
        ("3月底", 2017, "month", date(2017, 3, 31), date(2017, 3, 1)),
        ("2月", 2017, "month", date(2017, 2, 28), date(2017, 2, 1)),
        ("3月上旬", 2017, "month", date(2017, 3, 10), date(2017, 3, 1)),
        ("3月中旬", 2017, "month", date(2017, 3, 20), date(2017, 3, 1)),
        ("4月下旬", 2017, "month", date(2017, 4, 30), date(2017, 4, 1)),
        # halves and terms
        ("2017年上期", 2016, "half", date(2017, 6, 30), date(2017, 1, 1)),
        ("2017年上期初步投入运行", 2016, "half", date(2017, 6, 30), date(2017, 1, 1)),
        ("下期", 2017, "half", date(2017, 12, 31), date(2017, 7, 1)),
        ("上半年", 2018, "half", date(2018, 6, 30), date(2018, 1, 1)),
        ("2018年下半年", 2017, "half", date(2018, 12, 31), date(2018, 7, 1)),
        ("2016年下学期末", 2016, "half", date(2016, 12, 31), date(2016, 7, 1)),
        ("2017年第一学期开学初", 2016, "month", date(2017, 3, 10), date(2017, 3, 1)),
        ("2017年第二学期初", 2017, "month", date(2017, 9, 10), date(2017, 9, 1)),
        ("第一学期末", 2017, "half", date(2017, 6, 30), date(2017, 1, 1)),
        # a whole year
        ("争取2017年投入运行", 2016, "year", date(2017, 12, 31), date(2017, 1, 1)),
        ("2017年底", 2016, "year", date(2017, 12, 31), date(2017, 1, 1)),
        # no deadline
        ("全年常态运行", 2017, "ongoing", None, None),
        ("全年常态\n运行", 2018, "ongoing", None, None),
        ("常态运行", 2017, "ongoing", None, None),
        ("长期", 2017, "ongoing", None, None),
        ("每学期", 2017, "ongoing", None, None),
        ("努力建设", 2018, "ongoing", None, None),
    ],
)
def test_forms(text, year, kind, due, start):
    assert parse_due(text, year) == DueDate(kind, due, start, None)


@pytest.mark.parametrize(
    ("text", "year", "shown"),
    [
        ("2月31日", 2016, "2月31日"),  # the seed's own
        ("2 月 31 日", 2016, "2月31日"),
        ("2月29日", 2017, "2月29日"),  # 2017 is not a leap year
        ("2017年2月29日", 2016, "2017年2月29日"),
        ("1900年2月29日", 2016, "1900年2月29日"),
        ("4月31日", 2017, "4月31日"),
        ("13月1日", 2017, "13月1日"),
        ("0月5日", 2017, "0月5日"),
        ("3月0日", 2017, "3月0日"),
        ("13月", 2017, "13月"),
        ("２月３１日", 2016, "2月31日"),
    ],
)
def test_impossible_dates_are_flagged_not_raised(text, year, shown):
    parsed = parse_due(text, year)
    assert (parsed.kind, parsed.due, parsed.start) == ("invalid", None, None)
    assert parsed.problem.startswith("日期无效：") and shown in parsed.problem


def test_the_seed_message_says_what_is_wrong():
    assert parse_due("2月31日", 2016).problem == "日期无效：2月31日（2016年2月没有31日）"


@pytest.mark.parametrize("text", ["待定", "尽快", "12/31", "abc", "月日", "2017", "下周三"])
def test_unreadable_text_is_reported(text):
    parsed = parse_due(text, 2017)
    assert (parsed.kind, parsed.due) == ("unknown", None)
    assert parsed.problem == f"无法识别的完成时间：{text}"


@pytest.mark.parametrize("text", ["", "   ", None])
def test_a_blank_cell_is_reported(text):
    assert parse_due(text, 2017) == DueDate("unknown", None, None, "未填写完成时间")


def test_due_at_is_the_last_second_of_the_day_in_shanghai():
    assert due_at(parse_due("12月31日", 2017), TZ).isoformat() == "2017-12-31T15:59:59+00:00"
    assert due_at(parse_due("2017年上期", 2016), TZ).isoformat() == "2017-06-30T15:59:59+00:00"
    assert due_at(parse_due("11月18日", 2016), ZoneInfo("UTC")).isoformat() == "2016-11-18T23:59:59+00:00"
    assert due_at(parse_due("全年常态运行", 2017), TZ) is None
    assert due_at(parse_due("2月31日", 2016), TZ) is None
    assert due_at(parse_due("11月18日", 2016), TZ).utcoffset().total_seconds() == 0
