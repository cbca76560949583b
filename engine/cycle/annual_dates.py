"""Read a due date as the annual task table writes it ("11月18日", "2018年2月28日", "2017年上期") into dates.

`parse_due` never raises. A text that names no real day (the seed's "2月31日") comes back as kind
"invalid" with a message for an administrator; a text it cannot read comes back as "unknown".

Kinds: "date" (a day; "2018年6月" is the last day of that month), "month" ("3月", "3月底", "3月上旬"),
"half" (a half year or term: "2017年上期", "2016年下学期末"), "year" ("争取2017年投入运行"),
"ongoing" ("全年常态运行", "努力建设": no deadline), "invalid", "unknown".

Terms: 上期/上半年/上学期/第一学期 is the spring half (Jan 1 - Jun 30), 下期/下半年/下学期/第二学期 the
autumn half (Jul 1 - Dec 31); "开学初" of a term is the first ten days of March or September.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

ONGOING_WORDS = ("常态", "长期", "每学期", "每年", "每月", "持续", "全年", "努力建设")
FIRST_HALF = r"上期|上半年|上学期|第一学期|春季学期"
SECOND_HALF = r"下期|下半年|下学期|第二学期|秋季学期"
YEAR = r"(?:(?P<year>\d{4})年)?"


@dataclass(frozen=True)
class DueDate:
    kind: str
    due: date | None
    start: date | None = None
    problem: str | None = None


def _normalize(text: str) -> str:
    """Full-width digits and letters to ASCII (NFKC), all whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _invalid(shown: str, why: str) -> DueDate:
    return DueDate("invalid", None, None, f"日期无效：{shown}（{why}）")


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _year(m: re.Match, default: int) -> int:
    return int(m.group("year")) if m.group("year") else default


def parse_due(text: str, year: int) -> DueDate:
    """Parse `text`; a date without a year belongs to `year`, the year of the table the row is in."""
    s = _normalize(text)
    if not s:
        return DueDate("unknown", None, None, "未填写完成时间")

    # a day: "11月18日", "2018年2月28日", "12月30日前"
    if m := re.fullmatch(YEAR + r"(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?(?:之?前)?", s):
        y, mo, d = _year(m, year), int(m["m"]), int(m["d"])
        if not 1 <= mo <= 12:
            return _invalid(s, f"没有{mo}月")
        if not 1 <= d <= calendar.monthrange(y, mo)[1]:
            return _invalid(s, f"{y}年{mo}月没有{d}日")
        return DueDate("date", date(y, mo, d))

    # a month: "3月", "3月底", "3月上旬"; with its year ("2018年6月") it is that month's last day
    if m := re.fullmatch(YEAR + r"(?P<m>\d{1,2})月(?P<part>底|末|份|上旬|中旬|下旬)?(?:之?前)?", s):
        y, mo, part = _year(m, year), int(m["m"]), m["part"]
        if not 1 <= mo <= 12:
            return _invalid(s, f"没有{mo}月")
        if part in ("上旬", "中旬"):
            return DueDate("month", date(y, mo, 10 if part == "上旬" else 20), date(y, mo, 1))
        if m.group("year") and part != "下旬":
            return DueDate("date", _month_end(y, mo))
        return DueDate("month", _month_end(y, mo), date(y, mo, 1))

    # a half year or term; the rest of the cell is a remark ("2017年上期初步投入运行")
    if m := re.match(YEAR + rf"(?P<half>{FIRST_HALF}|{SECOND_HALF})(?P<rest>.*)", s):
        y, first = _year(m, year), re.fullmatch(FIRST_HALF, m["half"]) is not None
        if m["rest"].startswith("开学") or m["rest"] in ("初", "期初"):  # not "初步投入运行"
            mo = 3 if first else 9
            return DueDate("month", date(y, mo, 10), date(y, mo, 1))
        if first:
            return DueDate("half", date(y, 6, 30), date(y, 1, 1))
        return DueDate("half", date(y, 12, 31), date(y, 7, 1))

    # a whole year: "2017年", "2017年底", "争取2017年投入运行"
    if m := re.fullmatch(r"(?:争取|力争|计划)?(?P<year>\d{4})年(?:底|末|内|全年)?(?:投入运行|完成|建成)?", s):
        y = int(m["year"])
        return DueDate("year", date(y, 12, 31), date(y, 1, 1))

    if any(word in s for word in ONGOING_WORDS):
        return DueDate("ongoing", None)
    return DueDate("unknown", None, None, f"无法识别的完成时间：{(text or '').strip()}")


def due_at(d: DueDate, tz: ZoneInfo) -> datetime | None:
    """The last second of the due day in the school's time zone (`Settings.timezone`), as an aware UTC datetime."""
    if d.due is None:
        return None
    return datetime.combine(d.due, time(23, 59, 59), tzinfo=tz).astimezone(UTC)
