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
NO_TASKS = (2, 3)  # 制定基本标准, 研制模板: school-wide work that has no task per subject yet
# Due dates when the annual task table of the year gives none: (month, day, years after the cycle year).
DEFAULT_DUES = {
    "target": (3, 31, 0), "standard": (4, 30, 0), "plan": (5, 31, 0), "implementation": (11, 30, 0),
    "diagnosis": (12, 10, 0), "report": (12, 20, 0), "school_review": (12, 31, 0), "quality_report": (12, 31, 0),
    "feedback": (1, 15, 1),
}  # fmt: skip
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


def step_data(doc_type: str, data: dict) -> None:
    """What a step's preparation tells the rest of the step: the chain's author task is due on the step's
    date (`due="=step_due|P14D"` in workflows/chain_*.bpmn), and no take-over unless one is found."""
    data["takeover"] = None
    if doc_type in CHAIN_DOC_TYPES:
        data["step_due"] = data.get(f"due_{doc_type}")


def check_dues(dues: dict, today: date, tz: ZoneInfo) -> dict:
    """Field errors of a year's step dates: each one today or later, none before the previous step's."""
    errors: dict[str, list] = {}
    previous = None
    for key, label in STEPS:
        if key not in dues:
            continue
        try:
            day = datetime.fromisoformat(dues[key]).astimezone(tz).date()
        except (TypeError, ValueError):
            errors[f"due_{key}"] = [N_("日期格式应为 YYYY-MM-DD")]
            continue
        if day < today:
            errors[f"due_{key}"] = [{"message": N_("该日期已过，请改为今天（%(today)s）或以后的日期"),
                                     "params": {"today": today.isoformat()}}]  # fmt: skip
        elif previous is not None and day < previous[1]:
            errors[f"due_{key}"] = [{"message": N_("不能早于上一步骤“%(step)s”的日期（%(date)s）"),
                                     "params": {"step": f"{STEP_NUMBER[previous[0]]} {previous[2]}",
                                                "date": previous[1].isoformat()}}]  # fmt: skip
        previous = (key, day, label)
    return errors


def due_dates_for(year: int, tz: ZoneInfo, annual_rows=None) -> dict[str, str]:
    """Step due dates for a year: the annual task table's where a row matches a step, else the defaults."""
    dues = default_dues(year, tz)
    # rows of the seed's table that carry a step's date (2017 and later: 目标、标准、诊改计划制定 by 4月30日,
    # 上一级复核性诊断 by 11月30日, 抽样复核结论反馈 by 2月28日 of the next year)
    keywords = {"target": "目标", "standard": "标准、诊改计划", "plan": "诊改计划", "diagnosis": "自我诊断",
                "report": "诊断报告", "school_review": "复核性诊断", "quality_report": "质量报告",
                "feedback": "结论反馈"}  # fmt: skip
    for row in annual_rows or []:
        if row.due_date is None:
            continue
        for step, word in keywords.items():
            if word in row.task and row.due_date.year in (year, year + 1):
                dues[step] = end_of_day(row.due_date, tz).isoformat()
    if datetime.fromisoformat(dues["feedback"]) <= datetime.fromisoformat(dues["school_review"]):
        dues["feedback"] = (datetime.fromisoformat(dues["school_review"]) + timedelta(days=15)).isoformat()
    return dues
