"""Seed table 39 (管理过程信息采集参考模板) as data: its 24 rows, each a warning type with its case, lead department
(a function key, engine/org/functions.py), 信息源 and provider, the figure-11 case it belongs to (a KINDS key),
the basic standard it measures (by key, forms/basic_standards.json) and the feed key its data arrives by.

The "没有达到基本标准" rules are pure functions here: `check_below` takes plain (subject_id, occurred_on, values)
tuples and a standard's criteria (as engine.standards.criteria_for returns them) and returns one finding per
subject and period whose aggregated value fails a criterion. No database, no Flask.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ..core.errors import N_
from ..models import FunctionKey as F


@dataclass(frozen=True)
class Measure:
    """One criterion of the standard (by its indicator) read from one field of the feed's values."""

    indicator: str
    field: str
    agg: str = "mean"  # mean / sum / min / last over the period's records


@dataclass(frozen=True)
class WarningType:
    key: str
    case: str  # the row's 信息 (the warning's name)
    kind: str  # figure 11's case: a KINDS key
    lead: tuple[str, ...]  # lead department(s) by function
    source: str  # 信息源
    provider: str  # "" where the seed leaves it blank (a school sets it: WarningTypeProvider)
    standard: str | None = None  # basic standard key
    feed: str | None = None  # the feed whose values the rule reads (table 37, engine.feeds)
    measures: tuple[Measure, ...] = field(default=())
    period: str = "year"  # the period a warning covers: one warning per subject and period


BELOW = "below_basic_standard"
T = WarningType
M = Measure
TYPES: tuple[WarningType, ...] = (
    T("work_standard", N_("工作标准制定未落实"), "work_standard_missing", (F.PARTY_OFFICE,), N_("职能部门、二级学院"),
      N_("职能部门、二级学院")),
    T("basic_standard", N_("基本标准制定未落实"), "basic_standard_missing", (F.PARTY_OFFICE,), N_("职能部门"),
      N_("职能部门")),
    T("staff_accident", N_("职员质量事故"), "quality_accident", (F.PARTY_OFFICE,), N_("职员"), N_("党政办公室"),
      "BS01"),
    T("staff_attendance", N_("职员出勤没有达到基本标准"), BELOW, (F.HUMAN_RESOURCES,), N_("职员"), N_("考勤系统"),
      "BS04", "staff_attendance", (M("出勤率", "attendance_rate"), M("无故缺勤", "absent_days", "sum"))),
    T("teaching_workload", N_("教学工作量没有达到基本标准"), BELOW, (F.HUMAN_RESOURCES,), N_("教师"), N_("教务系统"),
      "BS05", "teaching_workload", (M("年教学工作量", "hours", "sum"),)),
    T("research_workload", N_("科研工作量没有达到基本标准"), BELOW, (F.HUMAN_RESOURCES,), N_("教师"),
      N_("科研管理系统"), "BS05", "research_workload", (M("年科研工作量", "points", "sum"),)),
    T("faculty_team", N_("专业师资队伍没有达到基本标准"), BELOW, (F.HUMAN_RESOURCES,), N_("专业建设团队"),
      N_("人力资源处"), "BS06"),
    T("teacher_training", N_("师资培训没有达到基本标准"), BELOW, (F.HUMAN_RESOURCES,), N_("教师"), N_("人力资源处"),
      "BS07", "teacher_training", (M("年培训学时", "hours", "sum"),)),
    T("safety_hazard", N_("安全隐患"), "safety_hazard", (F.SECURITY_OFFICE,), N_("部门、教职工、学生"), N_("保卫处"),
      "BS02"),
    T("teacher_accident", N_("教师质量事故"), "quality_accident",
      (F.QUALITY_OFFICE, F.ACADEMIC_AFFAIRS, F.HUMAN_RESOURCES), N_("教师"), N_("质量管理处、教务处、人力资源处"),
      "BS03"),
    T("student_cultivation", N_("分专业/专业群学生综合素质培养没有达到基本标准"), BELOW, (F.STUDENT_AFFAIRS,),
      N_("二级学院"), N_("党委学生工作部"), "BS26"),
    T("counselor_education", N_("辅导员对学生教育没有达到基本标准"), BELOW, (F.STUDENT_AFFAIRS,), N_("辅导员"),
      N_("党委学生工作部"), "BS25", "counselor_work",
      (M("深入学生寝室", "dorm_visits_per_week"), M("主题班会", "class_meetings_per_month"))),
    T("counselor_accident", N_("辅导员质量事故"), "quality_accident", (F.STUDENT_AFFAIRS,), N_("辅导员"),
      N_("党委学生工作部")),
    T("major_setup", N_("设置专业没有达到基本标准"), BELOW, (F.ACADEMIC_AFFAIRS,), N_("二级学院"), N_("教务处"),
      "BS08"),
    T("major_term", N_("专业建设期满没有达到建设基本标准"), BELOW, (F.ACADEMIC_AFFAIRS,), N_("二级学院"), "", "BS09"),
    T("course_setup", N_("开设课程没有达到基本标准"), BELOW, (F.ACADEMIC_AFFAIRS,), N_("二级学院"), "", "BS10"),
    T("course_term", N_("课程建设期满没有达到建设基本标准"), BELOW, (F.ACADEMIC_AFFAIRS,), N_("二级学院"), "", "BS11"),
    T("course_teaching", N_("课程教学没有达到教学基本标准"), BELOW, (F.ACADEMIC_AFFAIRS,), N_("教师"), "", "BS12",
      "teaching_evaluation", (M("学生评教得分", "score"),)),
    T("training_conditions", N_("专业实训条件没有达到基本标准"), BELOW, (F.ACADEMIC_AFFAIRS,), N_("二级学院"), "",
      "BS13"),
    T("classroom_learning", N_("学生课堂学习没有达到基本标准"), BELOW, (F.ACADEMIC_AFFAIRS,), N_("学生"),
      N_("学习委员"), "BS16", "classroom_learning", (M("课堂作业完成率", "homework_rate"),)),
    T("internship", N_("实习管理没有达到基本标准"), BELOW, (F.ACADEMIC_AFFAIRS,), N_("实习指导老师"), N_("教务处"),
      "BS14", "internship", (M("实习周志提交率", "journal_rate"),)),
    T("graduation", N_("毕业生毕业时没有达到基本标准"), BELOW, (F.ACADEMIC_AFFAIRS,), N_("学生"), N_("教务处"), "BS18",
      "graduation", (M("修满学分", "credits", "last"), M("职业资格证书", "certificates", "last"))),
    T("cooperation", N_("专业校企合作没有达到基本标准"), BELOW, (F.COOPERATION,), N_("专业建设团队"), N_("合作发展处"),
      "BS19"),
    T("supervision", N_("人才培养监督控制没有达到基本标准"), BELOW, (F.QUALITY_OFFICE,), N_("二级学院"),
      N_("质量管理处"), "BS27"),
)  # fmt: skip
BY_KEY = {t.key: t for t in TYPES}
BY_STANDARD = {t.standard: t for t in TYPES if t.kind == BELOW and t.standard}  # a diagnosis's type
FEED_KEYS = sorted({t.feed for t in TYPES if t.feed})

# Quality accidents by whom they concern (table 39): 职员 -> 党政办公室, 辅导员 -> 党委学生工作部, a teacher's by
# its kind: teaching -> 教务处, 师德师风 -> 人力资源处, any other -> 质量管理处.
CONCERNS = {
    "staff": ("staff_accident", F.PARTY_OFFICE, N_("职员")),
    "teacher_teaching": ("teacher_accident", F.ACADEMIC_AFFAIRS, N_("教师（教学事故）")),
    "teacher_ethics": ("teacher_accident", F.HUMAN_RESOURCES, N_("教师（师德师风）")),
    "teacher_other": ("teacher_accident", F.QUALITY_OFFICE, N_("教师（其他质量事故）")),
    "counselor": ("counselor_accident", F.STUDENT_AFFAIRS, N_("辅导员")),
}


# -- thresholds ------------------------------------------------------------------------------------------

THRESHOLD = re.compile(r"^\s*(≥|>=|≤|<=|=|==|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
OPS = {
    "≥": lambda v, t: v >= t, ">=": lambda v, t: v >= t, "≤": lambda v, t: v <= t, "<=": lambda v, t: v <= t,
    "=": lambda v, t: v == t, "==": lambda v, t: v == t, ">": lambda v, t: v > t, "<": lambda v, t: v < t,
}  # fmt: skip
PRESENT = ("有",)  # a threshold that asks for something to exist


def parse_threshold(text: str):
    """A test `value -> bool` for a criterion's threshold ("≥ 280", "= 0", "有"), or None when it is a rule
    people apply (e.g. "按处分等级 5-20"): such a criterion is not checked by a rule."""
    text = (text or "").strip()
    if text in PRESENT:
        return lambda v: v not in (None, "", 0, "无", "否", False)
    m = THRESHOLD.match(text)
    if not m:
        return None
    op, bound = OPS[m.group(1)], float(m.group(2))
    return lambda v: isinstance(v, int | float) and not isinstance(v, bool) and op(float(v), bound)


def period_of(t: WarningType, day: date) -> str:
    return f"{day.year}" if t.period == "year" else f"{day.year}-{day.month:02d}"


def period_end(t: WarningType, period: str) -> date:
    year = int(period[:4])
    if t.period == "year":
        return date(year, 12, 31)
    month = int(period[5:7])
    return date(year + (month == 12), month % 12 + 1, 1)


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def _aggregate(agg: str, values: list):
    nums = [n for n in (_number(v) for v in values) if n is not None]
    if agg == "last":
        return values[-1] if values and _number(values[-1]) is None else (nums[-1] if nums else None)
    if not nums:
        return None
    if agg == "sum":
        return sum(nums)
    if agg == "min":
        return min(nums)
    return round(sum(nums) / len(nums), 2)


@dataclass
class Finding:
    """A subject whose values in a period fail one or more criteria: (indicator, value, threshold, unit)."""

    type_key: str
    subject_id: int
    period: str
    failed: list[tuple[str, object, str, str]]

    @property
    def rule_key(self) -> str:
        return f"t39:{self.type_key}:{self.subject_id}:{self.period}"


def check_below(
    t: WarningType, rows: Iterable[tuple[int | None, date, dict]], criteria: list[dict], today: date
) -> list[Finding]:
    """The findings of type `t` over the tuples: per subject and period, each measure aggregated over the
    period's records and tested against its criterion of `criteria` (basic requirements only: level None).
    A period whose measure sums is judged only once it has ended (before `today`); records without a subject
    are skipped; a criterion the standard no longer has, or a rule people apply, is not checked."""
    tests = {}
    for c in criteria:
        if c.get("level") is None and (test := parse_threshold(c.get("threshold", ""))) is not None:
            tests[c["indicator"]] = (test, c.get("threshold", ""), c.get("unit", ""))
    measures = [m for m in t.measures if m.indicator in tests]
    if not measures:
        return []
    grouped: dict[tuple[int, str], list[tuple[date, dict]]] = {}
    for subject_id, occurred_on, values in rows:
        if subject_id is None or not isinstance(values, dict):
            continue
        grouped.setdefault((subject_id, period_of(t, occurred_on)), []).append((occurred_on, values))
    out = []
    for (subject_id, period), records in sorted(grouped.items()):
        records.sort(key=lambda r: r[0])
        failed = []
        for m in measures:
            if m.agg == "sum" and period_end(t, period) >= today:
                continue  # a total is known once its period is over
            present = [v[m.field] for _, v in records if m.field in v]
            if not present:
                continue
            value = _aggregate(m.agg, present)
            test, threshold, unit = tests[m.indicator]
            if value is not None and not test(value):
                failed.append((m.indicator, value, threshold, unit))
        if failed:
            out.append(Finding(t.key, subject_id, period, failed))
    return out
