"""The annual cycle (诊改周期) and the annual task table (年度任务).

steps (levels, the eleven steps, their dates), service (start a year, prepare each step's document; it
registers `prepare_document` with the workflow), bulk (the year start a batch at a time), takeover (a
document its authors already work on joins the cycle), progress (levels × steps), annual and
annual_dates (the seed's task table, its rows and their due dates), school (steps 2 and 3 at school
level).
"""

from .school import SCHOOL_PROCESS, school_instance, start_school_year
from .service import create_run, prepare_document, process_run, register, start_for_subject, subjects_of
from .steps import (
    DATES,
    DEFAULT_DUES,
    LEVELS,
    NO_TASKS,
    SCHOOL_STEPS,
    STEP_NUMBER,
    STEPS,
    check_dues,
    default_dues,
    due_dates_for,
    end_of_day,
    level_of,
    mid_year,
    step_data,
    step_name,
)

__all__ = [
    "DATES", "DEFAULT_DUES", "LEVELS", "NO_TASKS", "SCHOOL_PROCESS", "SCHOOL_STEPS", "STEPS", "STEP_NUMBER",
    "check_dues",
    "create_run", "default_dues", "due_dates_for", "end_of_day", "level_of", "mid_year", "prepare_document",
    "process_run", "register",
    "school_instance", "start_for_subject", "start_school_year", "step_data", "step_name", "subjects_of",
]  # fmt: skip
