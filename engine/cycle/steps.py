"""The annual cycle's levels, its eleven steps and their dates: definitions every cycle module reads."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..core.errors import N_
from ..documents import CHAIN_DOC_TYPES

LEVELS = {
    "unit": ("cycle_unit", ("functional_dept", "college"), N_("职能部门 / 二级学院")),
    "program": ("cycle_program", ("major", "course"), N_("专业 / 课程")),
    "team": ("cycle_team", ("faculty_team", "student_cultivation"), N_("师资队伍 / 专业学生综合素质培养")),
    "person": ("cycle_person", ("teacher", "student"), N_("教师 / 学生")),
}
STEPS = [
    ("target", N_("确定目标")), ("basic_standard", N_("制定基本标准")), ("templates", N_("研制模板")),
    ("standard", N_("制定标准")), ("plan", N_("制定诊改计划")), ("implementation", N_("诊改实施")),
    ("diagnosis", N_("自我诊断")), ("report", N_("撰写自我诊断报告")), ("school_review", N_("学校复核诊断")),
    ("quality_report", N_("撰写人才培养质量报告")), ("feedback", N_("学校复核诊断结论反馈")),
]  # fmt: skip
STEP_NUMBER = {key: i for i, (key, _) in enumerate(STEPS, start=1)}
# The dates a year start asks for, in order: one per step, and step 9 has two (seed §三(四)): the upper-level
# review (上一级复核性诊断, every subject) and the school's sampling review (学校抽样复核, the sampled ones).
DATES = (
    [(key, STEP_NUMBER[key], label) for key, label in STEPS[:8]]
    + [("upper_review", 9, N_("上一级复核性诊断")), ("school_review", 9, N_("学校抽样复核"))]
    + [(key, STEP_NUMBER[key], label) for key, label in STEPS[9:]]
)
DATE_LABELS = {key: f"{number} {label}" for key, number, label in DATES}
SCHOOL_STEPS = (2, 3)  # 制定基本标准, 研制模板: school-level work of the lead departments (cycle_school.bpmn)
NO_TASKS: tuple[int, ...] = ()  # every step has tasks (steps 2 and 3 in the school process)
# A step's date may not fall before the dates of the steps it follows. Steps 2-3 run at school level beside
# step 1 (the annual table dates the basic standards 3月31日, the targets 4月30日): the templates follow the
# basic standards, and the subjects' standards (4) follow both their targets and the templates.
PREVIOUS = {
    "target": (), "basic_standard": (), "templates": ("basic_standard",), "standard": ("target", "templates"),
    "plan": ("standard",), "implementation": ("plan",), "diagnosis": ("implementation",), "report": ("diagnosis",),
    "upper_review": ("report",), "school_review": ("upper_review",), "quality_report": ("school_review",),
    "feedback": ("quality_report",),
}  # fmt: skip
# The annual table's categories (seed 附件, 2017 建设 and 2018 完善 years) that date each step. Only these
# rows count: a 监督控制制度 policy row (e.g. 人才培养质量报告制度) is about writing a policy, not the step.
STEP_ROWS = {
    "target": ("目标、标准、诊改计划制定", "目标优化、标准、诊改计划制定"),
    "standard": ("目标、标准、诊改计划制定", "目标优化、标准、诊改计划制定"),
    "plan": ("目标、标准、诊改计划制定", "目标优化、标准、诊改计划制定"),
    "basic_standard": ("基本标准制定", "基本标准优化"),
    "school_review": ("学校抽样复核",),
    "feedback": ("学校抽样复核结论反馈",),
}  # fmt: skip
UPPER_REVIEW_ROWS = ("上一级复核性诊断",)  # 11月30日: self-diagnosis and its report are due before it
# Due dates when the annual task table of the year gives none: (month, day, years after the cycle year).
DEFAULT_DUES = {
    "target": (4, 30, 0), "basic_standard": (3, 31, 0), "templates": (3, 31, 0), "standard": (4, 30, 0),
    "plan": (4, 30, 0), "implementation": (10, 31, 0), "diagnosis": (11, 10, 0), "report": (11, 20, 0),
    "upper_review": (11, 30, 0), "school_review": (12, 31, 0), "quality_report": (12, 31, 0), "feedback": (2, 28, 1),
}  # fmt: skip
UPPER_REVIEW_DEFAULT = (11, 30)
# Steps without rows of their own, counted back from the upper-level review (上一级复核性诊断): the
# implementation record, the self-diagnosis and its report are in before the lead departments review.
BEFORE_UPPER_REVIEW = {"implementation": 30, "diagnosis": 20, "report": 10}
# Dates are the school's (`Settings.timezone`): every function here that makes a moment takes the zone.


def step_name(number: int) -> str:
    """The untranslated name of step `number` (1-11), e.g. 确定目标."""
    return STEPS[number - 1][1]


def level_of(subject_type: str) -> str:
    return next(level for level, (_, types, _) in LEVELS.items() if subject_type in types)


def end_of_day(d: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, time(23, 59, 59), tz)


def default_dues(year: int, tz: ZoneInfo) -> dict[str, str]:
    return {k: end_of_day(date(year + dy, m, d), tz).isoformat() for k, (m, d, dy) in DEFAULT_DUES.items()}


def mid_year(year: int, tz: ZoneInfo) -> datetime:
    """A moment in the middle of a school year, for the periods its documents belong to."""
    return datetime(year, 7, 1, 4, 0, tzinfo=tz)


def due_data(dues: dict) -> dict:
    """A cycle's dates as its data (`due_<key>`); a year started before step 9 had its upper-level review
    date (a run's stored dates) has it on the sampling review's date."""
    out = {f"due_{k}": v for k, v in dues.items()}
    if "due_upper_review" not in out and "due_school_review" in out:
        out["due_upper_review"] = out["due_school_review"]
    return out


def step_data(doc_type: str, data: dict) -> None:
    """What a step's preparation tells the rest of the step: the chain's author task is due on the step's
    date (`due="=step_due|P14D"` in workflows/chain_*.bpmn), and no take-over unless one is found."""
    data["takeover"] = None
    if doc_type == "target":
        data["optimise"] = False  # 目标优化 is offered only on targets published in an earlier year of the period
    if doc_type in CHAIN_DOC_TYPES:
        data["step_due"] = data.get(f"due_{doc_type}")


def check_dues(dues: dict, today: date, tz: ZoneInfo) -> dict:
    """Field errors of a year's step dates: each one today or later, none before the steps it follows."""
    errors: dict[str, list] = {}
    days: dict[str, date] = {}
    for key, _number, _label in DATES:
        if key not in dues:
            continue
        try:
            days[key] = datetime.fromisoformat(dues[key]).astimezone(tz).date()
        except (TypeError, ValueError):
            errors[f"due_{key}"] = [N_("日期格式应为 YYYY-MM-DD")]
    for key, day in days.items():
        before = [p for p in PREVIOUS[key] if p in days and day < days[p]]
        if day < today:
            errors[f"due_{key}"] = [{"message": N_("该日期已过，请改为今天（%(today)s）或以后的日期"),
                                     "params": {"today": today.isoformat()}}]  # fmt: skip
        elif before:
            prev = max(before, key=lambda p: days[p])
            errors[f"due_{key}"] = [{"message": N_("不能早于上一步骤“%(step)s”的日期（%(date)s）"),
                                     "params": {"step": DATE_LABELS[prev],
                                                "date": days[prev].isoformat()}}]  # fmt: skip
    return errors


def _row_date(rows, year: int, categories: tuple[str, ...]) -> date | None:
    """The latest date of the year's own rows in `categories` (rows of other years never count)."""
    days = [r.due_date for r in rows if r.year == year and r.category in categories and r.due_date is not None]
    return max(days) if days else None


def due_dates_for(year: int, tz: ZoneInfo, annual_rows=None) -> dict[str, str]:
    """Step due dates for a year from its annual task table (`STEP_ROWS`), else the defaults.

    Steps 6-8 count back from the upper-level review (`BEFORE_UPPER_REVIEW`); step 3 (templates) has no
    row in the 2017-2018 tables and falls due with the basic standards it follows; step 10 (quality
    report) with the school's sampling review. The written feedback (step 11) is on the feedback row's
    month and day of the next year (the seed's 2018 table repeats "2018年2月28日" from 2017).
    """
    rows = list(annual_rows or [])
    days = {k: date(year + dy, m, d) for k, (m, d, dy) in DEFAULT_DUES.items()}
    for step, categories in STEP_ROWS.items():
        if found := _row_date(rows, year, categories):
            days[step] = found
    upper = _row_date(rows, year, UPPER_REVIEW_ROWS) or date(year, *UPPER_REVIEW_DEFAULT)
    days["upper_review"] = upper
    for step, back in BEFORE_UPPER_REVIEW.items():
        days[step] = upper - timedelta(days=back)
    days["templates"] = days["basic_standard"]
    days["quality_report"] = days["school_review"]
    feedback = days["feedback"]
    days["feedback"] = date(year + 1, feedback.month, min(feedback.day, 28 if feedback.month == 2 else feedback.day))
    return {k: end_of_day(days[k], tz).isoformat() for k in DEFAULT_DUES}
