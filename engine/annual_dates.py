"""Due dates as the seed writes them ("11月18日", "2018年2月28日", "2017年上期", "全年常态运行") -> dates.

Never raises: a text that is not a real date (the seed's "2月31日") comes back with kind "invalid" and a
message for an administrator; text we cannot read comes back as "unknown".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
ONGOING = ("常态", "长期", "每学期", "每年", "持续", "全年", "努力建设")  # no deadline, an ongoing effort


@dataclass(frozen=True)
class DueDate:
    kind: str  # date / half / month / ongoing / invalid / unknown
    due: date | None
    start: date | None = None
    problem: str | None = None


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", (text or "").translate(FULL_WIDTH))


def _day(y: int, m: int, d: int, raw: str) -> DueDate:
    if not 1 <= m <= 12:
        return DueDate("invalid", None, None, f"日期无效：{raw}（没有{m}月）")
    last = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last:
        return DueDate("invalid", None, None, f"日期无效：{raw}（{y}年{m}月没有{d}日）")
    return DueDate("date", date(y, m, d))


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def parse_due(text: str, year: int) -> DueDate:
    """Read a due date as written; `year` is the year of the table the row belongs to."""
    raw = _clean(text)
    if not raw:
        return DueDate("unknown", None, None, "未填写完成时间")
    explicit = re.search(r"(20\d\d)年", raw)  # "2018年2月28日", also "争取2017年投入运行"
    y = int(explicit.group(1)) if explicit else year
    rest = raw[explicit.end() :] if explicit else raw
    if m := re.fullmatch(r"(\d{1,2})月(\d{1,2})[日号]?(前|底)?", rest):
        return _day(y, int(m.group(1)), int(m.group(2)), raw)
    if m := re.fullmatch(r"(\d{1,2})月(底|末|前|份)?", rest):
        month = int(m.group(1))
        if not 1 <= month <= 12:
            return DueDate("invalid", None, None, f"日期无效：{raw}（没有{month}月）")
        return DueDate("month", _month_end(y, month), date(y, month, 1))
    if m := re.fullmatch(r"(\d{1,2})月(上|中|下)旬", rest):
        month = int(m.group(1))
        if not 1 <= month <= 12:
            return DueDate("invalid", None, None, f"日期无效：{raw}（没有{month}月）")
        day = {"上": 10, "中": 20}.get(m.group(2)) or calendar.monthrange(y, month)[1]
        return DueDate("month", date(y, month, day), date(y, month, 1))
    # "2017年上期初步投入运行": the period is the date, the rest of the cell is a remark
    if re.match(r"(上期|上半年|上学期|春季学期)", rest):
        return DueDate("half", date(y, 6, 30), date(y, 1, 1))
    if re.match(r"(下期|下半年|下学期|秋季学期)", rest):
        return DueDate("half", date(y, 12, 31), date(y, 7, 1))
    if m := re.match(r"第(一|二)学期(开学初|初|中|末)?", rest):
        # the first term of a year starts in spring, the second in autumn
        first = m.group(1) == "一"
        if m.group(2) == "末":
            return DueDate("half", date(y, 7, 15) if first else date(y + 1, 1, 20), None)
        return DueDate("half", date(y, 3, 15) if first else date(y, 9, 30), None)
    if explicit and re.match(r"(年底|年末|全年|年内|投入运行|完成)", rest):
        return DueDate("year", date(y, 12, 31), date(y, 1, 1))
    if any(word in raw for word in ONGOING):
        return DueDate("ongoing", None)
    return DueDate("unknown", None, None, f"无法识别的完成时间：{raw}")


def due_at(d: DueDate, tz: str = "Asia/Shanghai") -> datetime | None:
    """The end of the due day in the school's time zone, as an aware UTC datetime."""
    if d.due is None:
        return None
    return datetime.combine(d.due, time(23, 59, 59), ZoneInfo(tz)).astimezone(UTC)
