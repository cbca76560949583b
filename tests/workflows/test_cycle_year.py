"""Done when (issues #15, #16): a school year walked end to end with a clock, steps 2 and 3 at school level and
then every level's subject steps (self-diagnosis, the upper-level review by the right department, the school's
sampling review of the sampled ones, the written conclusion and its acknowledgement), every step's task due on
the seed's date of 2017 and of 2018."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from engine import cycle
from engine.cycle import annual
from engine.cycle import progress as cycle_progress
from engine.models import HumanTask, ProcessInstance, Subject
from tests.conftest import TZ, own_subject
from tests.workflows.test_cycle import SEED_DUES, do, draw, open_tasks

KEY_OF_STEP = {number: key for key, number in cycle.STEP_NUMBER.items()}
# one subject of every level (a college: the only one writing step 10's quality report)
SUBJECTS = [("college", "DZXY"), ("major", "510203"), ("faculty_team", "DZXY-SZ"), ("teacher", None)]
LEAD_DEPARTMENTS = {"质量管理处", "党政办公室", "人力资源处", "教务处", "党委学生工作部", "合作发展处"}
SAMPLED = ("college", "faculty_team")  # the draw takes these; the major and the teacher are not sampled
# the upper-level reviewer: the teacher's own unit (t06 belongs to the college itself, others to a 教研室 or 科室)
UPPER = {
    "college": "党政办公室",
    "major": "教务处",
    "faculty_team": "人力资源处",
    "teacher": "软件与信息技术学院 审核人",
}


def due_key(task: HumanTask) -> str:
    """The date a task of the cycle is due on: step 9 has two (the upper-level review, the sampling review)."""
    return "upper_review" if task.bpmn_id.startswith("task_upper_review") else KEY_OF_STEP[task.step]


def step_tasks(session, instance_id: int) -> list[HumanTask]:
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.id)).all()


def walk(session, instance_id: int, now: datetime) -> list[HumanTask]:
    for _ in range(60):
        tasks = open_tasks(session, instance_id)
        if not tasks:
            break
        do(session, tasks[0], now)
    assert session.get(ProcessInstance, instance_id).status == "completed"
    return step_tasks(session, instance_id)


def local_day(task: HumanTask) -> str:
    return task.due_at.astimezone(TZ).date().isoformat()


def run_year(session, year: int, subjects: list[Subject]) -> dict[str, list[HumanTask]]:
    now = datetime(year, 1, 3, 2, 0, tzinfo=UTC)  # the school year starts in January: every seed date is ahead
    rows = annual.instantiate(session, year, None, now)
    dues = cycle.due_dates_for(year, TZ, rows)
    assert cycle.check_dues(dues, now.astimezone(TZ).date(), TZ) == {}  # a year start would accept them
    school = cycle.start_school_year(session, year, dues, None, now)
    assert cycle.start_school_year(session, year, dues, None, now) is None  # once a year
    # steps 2 and 3 at school level: one task per lead department, the templates after the basic standards
    first = open_tasks(session, school.id)
    assert {t.step for t in first} == {2} and len(first) == 6
    assert {t.name.split("（")[1].rstrip("）") for t in first} == LEAD_DEPARTMENTS
    assert cycle_progress.school_steps(session, year).instance_id == school.id
    out = {"school": walk(session, school.id, now)}
    out["school_steps"] = [t.step for t in out["school"]]
    draw(session, year, [s.id for s in subjects if s.type in SAMPLED], now)
    for subject in subjects:
        instance = cycle.start_for_subject(session, subject, year, dues, None, now)
        out[subject.type] = walk(session, instance.id, now)
    return out


@pytest.mark.slow
def test_a_year_walks_end_to_end_on_the_seed_dates_in_2017_and_2018(session):
    subjects = [session.scalar(select(Subject).where(Subject.type == t, Subject.code == c)) for t, c in SUBJECTS]
    subjects[-1] = own_subject(session, "t06")
    for year in (2017, 2018):
        walked = run_year(session, year, subjects)
        expected = SEED_DUES[year]
        school = walked.pop("school")
        assert walked.pop("school_steps").count(3) == 5  # 合作发展处 owns no template
        assert all(t.decision == "unchanged" and t.comment for t in school)  # 本年无需修订, with the reason
        for t in school:
            assert local_day(t) == expected[KEY_OF_STEP[t.step]], (year, t.name)
        for subject_type, tasks in walked.items():
            own = [t for t in tasks if t.step and t.kind != "review"]  # the author's (or office's) task of each step
            steps = sorted({t.step for t in own})
            assert steps == ([1, 4, 5, 6, 7, 8, 9, 10, 11] if subject_type == "college" else [1, 4, 5, 6, 7, 8, 9, 11])
            for t in own:
                assert local_day(t) == expected[due_key(t)], (year, subject_type, t.name)
            path = [t.name for t in own if t.step >= 9]
            sampled = subject_type in SAMPLED
            assert path == ["9 上一级复核性诊断", *(["9 学校抽样复核"] if sampled else []),
                            *(["10 撰写人才培养质量报告"] if subject_type == "college" else []),
                            *(["11 书面结论反馈"] if sampled else []), "11 确认结论反馈"], subject_type  # fmt: skip
            upper = next(t for t in own if t.name == "9 上一级复核性诊断")
            assert UPPER[subject_type] in upper.candidates_label, upper.candidates_label
            if sampled:
                assert "专家委员会" in next(t for t in own if t.name == "9 学校抽样复核").candidates_label
                assert "质量管理处" in next(t for t in own if t.name == "11 书面结论反馈").candidates_label
            first = tasks[0]
            if year == 2018:  # the second year of the period's targets: 目标优化, not a silent carry
                assert (first.name, first.kind, first.decision) == ("1 目标优化", "confirm", "unchanged")
            else:
                assert first.kind == "edit" and first.step == 1
