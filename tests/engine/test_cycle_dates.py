"""The dates of a year: the due grammar with a fallback, cycle steps declared in BPMN, the year-start check."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from engine import cycle
from engine.core.errors import InvalidInput
from engine.documents import service as documents
from engine.workflow.bpmn.compiler import InvalidBpmn, compile_bpmn, valid_due
from tests.conftest import NOW, TZ, own_subject, user

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
TEACHER = (WORKFLOWS / "chain_teacher.bpmn").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("P14D", True), ("PT12H", True), ("=due_diagnosis", True), ("=step_due|P14D", True),
        ("=step_due|PT1H", True), ("=step_due|", False), ("=step_due|14", False), ("=1x|P1D", False),
        ("=|P1D", False), ("14D", False), ("=a|P1D|P2D", False),
    ],
)  # fmt: skip
def test_the_due_grammar(text, ok):
    assert valid_due(text) is ok


def test_the_shipped_author_task_takes_the_step_date_inside_a_cycle_and_14_days_alone():
    meta = compile_bpmn(TEACHER).meta
    assert meta["tasks"]["edit_document"]["due"] == "=step_due|P14D"
    bad = TEACHER.replace('due="=step_due|P14D"', 'due="=step_due|soon"', 1)
    with pytest.raises(InvalidBpmn) as err:
        compile_bpmn(bad)
    assert any(p.element_id == "edit_document" and "=step_due|P14D" in p.message for p in err.value.problems)


def test_cycle_steps_are_declared_on_tasks_and_call_activities(session):
    from engine.workflow import deploy

    xml = (WORKFLOWS / "cycle_person.bpmn").read_text(encoding="utf-8")
    meta = deploy.compile_for_deploy(session, xml).meta
    assert {k: v["step"] for k, v in meta["calls"].items()} == {
        "call_target_teacher": 1, "call_target_student": 1, "call_standard_teacher": 4,
        "call_standard_student": 4, "call_plan_teacher": 5, "call_plan_student": 5,
    }  # fmt: skip
    assert {k: v["step"] for k, v in meta["tasks"].items()} == {
        "task_target_optimise": 1, "task_implementation": 6,
        "task_diagnosis": 7, "task_report": 8, "task_upper_review_teacher": 9, "task_upper_review_student": 9,
        "task_school_review": 9, "task_feedback_write": 11, "task_feedback": 11,
    }  # fmt: skip
    wrong = xml.replace('zhengai:step="7"', 'zhengai:step="12"', 1)
    with pytest.raises(InvalidBpmn) as err:
        deploy.compile_for_deploy(session, wrong)
    assert any(p.element_id == "task_diagnosis" and "1 到 11" in p.message for p in err.value.problems)


def test_a_chain_started_from_my_documents_keeps_14_days(session):
    task = documents.start_document(session, user(session, "t01"), own_subject(session, "t01").id, "target", NOW)
    assert task.due_at == NOW + timedelta(days=14) and task.step is None


def dates(**changes) -> dict:
    base = {
        "target": "2026-11-24", "basic_standard": "2026-11-24", "templates": "2026-11-30", "standard": "2026-12-10",
        "plan": "2026-12-20", "implementation": "2027-01-10",
        "diagnosis": "2027-01-20", "report": "2027-01-25", "upper_review": "2027-02-01", "school_review": "2027-02-10",
        "quality_report": "2027-02-20", "feedback": "2027-02-28",
    }  # fmt: skip
    base.update(changes)
    return {k: cycle.end_of_day(date.fromisoformat(v), TZ).isoformat() for k, v in base.items()}


def test_step_dates_are_today_or_later_and_in_the_order_of_the_steps():
    today = date(2026, 11, 24)
    assert cycle.check_dues(dates(), today, TZ) == {}  # today itself is fine
    past = cycle.check_dues(dates(target="2026-11-23"), today, TZ)
    assert list(past) == ["due_target"] and past["due_target"][0]["params"] == {"today": "2026-11-24"}
    backwards = cycle.check_dues(dates(diagnosis="2027-01-05"), today, TZ)  # self-diagnosis before implementation
    assert list(backwards) == ["due_diagnosis"]
    assert backwards["due_diagnosis"][0]["params"] == {"step": "6 诊改实施", "date": "2027-01-10"}
    review_first = cycle.check_dues(dates(upper_review="2027-01-21"), today, TZ)  # upper review before the report
    assert list(review_first) == ["due_upper_review"]
    assert review_first["due_upper_review"][0]["params"]["step"] == "8 撰写自我诊断报告"
    sampling_first = cycle.check_dues(dates(school_review="2027-01-31"), today, TZ)  # sampling before the upper review
    assert list(sampling_first) == ["due_school_review"]
    assert sampling_first["due_school_review"][0]["params"]["step"] == "9 上一级复核性诊断"
    # steps 2-3 run at school level beside step 1: the basic standards may fall before the targets (the seed's
    # 3月31日 and 4月30日), the templates not before the basic standards, the subjects' standards not before both
    assert cycle.check_dues(dates(target="2026-12-05"), today, TZ) == {}
    templates_first = cycle.check_dues(dates(basic_standard="2026-12-01"), today, TZ)
    assert list(templates_first) == ["due_templates"]
    assert templates_first["due_templates"][0]["params"] == {"step": "2 制定基本标准", "date": "2026-12-01"}
    late_templates = cycle.check_dues(dates(templates="2026-12-11"), today, TZ)
    assert late_templates["due_standard"][0]["params"] == {"step": "3 研制模板", "date": "2026-12-11"}


def test_a_refused_year_start_starts_nothing(session):
    from sqlalchemy import func, select

    from engine.models import CycleRun

    with pytest.raises(InvalidInput) as err:
        cycle.create_run(session, None, 2026, ["person"], dates(feedback="2026-01-15"), NOW)
    assert set(err.value.fields) == {"due_feedback"}
    with pytest.raises(InvalidInput) as err:
        cycle.create_run(session, None, 2026, [], {}, NOW)
    assert "levels" in err.value.fields and "due_target" in err.value.fields
    assert session.scalar(select(func.count()).select_from(CycleRun)) == 0


def test_versions_deployed_before_steps_were_declared_still_give_steps(session):
    """Instances keep their version: one compiled before `zhengai:step` takes the number its cycle's names carry."""
    import copy

    from engine.workflow import readmodel, runtime

    instance = cycle.start_for_subject(
        session, own_subject(session, "t06"), 2026, cycle.default_dues(2027, TZ), None, NOW
    )
    wf, meta = runtime.load_workflow(session, instance)
    old = copy.deepcopy(meta)
    old.pop("calls")
    for info in old["tasks"].values():
        info.pop("step", None)
    task = readmodel.ready_human_tasks(wf)[0]
    assert readmodel.step_of(task, readmodel.task_meta(task, old), old) == 1
    assert readmodel.step_of(task, readmodel.task_meta(task, meta), meta) == 1


def test_the_migration_gives_running_cycle_tasks_their_step(session):
    """Migration 0013 backfills `human_task.step` for tasks written before it: by BPMN id and by document."""
    import importlib.util

    from sqlalchemy import select, update

    from engine.models import HumanTask
    from tests.workflows.test_cycle import do, open_tasks

    spec = importlib.util.spec_from_file_location(
        "m0013", Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0013_cycle_steps.py"
    )
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    instance = cycle.start_for_subject(
        session, own_subject(session, "t07"), 2026, cycle.default_dues(2027, TZ), None, NOW
    )
    for _ in range(7):  # steps 1, 4 and 5 through the teacher chain, then 6
        do(session, open_tasks(session, instance.id)[0])
    stored = dict(session.execute(select(HumanTask.id, HumanTask.step)).all())
    assert sorted(v for v in stored.values() if v) == [1, 1, 4, 4, 5, 5, 6, 7]
    session.execute(update(HumanTask).values(step=None))
    migration.backfill_steps(session.execute)
    session.expire_all()
    assert dict(session.execute(select(HumanTask.id, HumanTask.step)).all()) == stored


def test_the_cycle_processes_name_all_eleven_steps_as_the_seed_does(session):
    """Seed §五: 确定目标、制定基本标准、研制模板、制定标准、制定诊改计划、诊改实施、自我诊断、撰写自我诊断报告、
    学校复核诊断、撰写人才培养质量报告、学校复核诊断结论反馈; steps 2-3 in the school process, the rest per level."""
    from engine.workflow import deploy

    seed = ("确定目标 制定基本标准 研制模板 制定标准 制定诊改计划 诊改实施 自我诊断 撰写自我诊断报告 学校复核诊断 "
            "撰写人才培养质量报告 学校复核诊断结论反馈").split()  # fmt: skip
    assert [cycle.step_name(n) for n in range(1, 12)] == seed
    named: dict[int, set[str]] = {}
    for path in sorted(WORKFLOWS.glob("cycle_*.bpmn")):
        meta = deploy.compile_for_deploy(session, path.read_text(encoding="utf-8")).meta
        for info in [*meta["tasks"].values(), *meta["calls"].values()]:
            if info.get("step"):
                named.setdefault(info["step"], set()).add(info["name"])
    assert sorted(named) == list(range(1, 12))
    # step 9 is the seed's review path (§三(四)): the upper-level review, then the school's sampling review of the
    # sampled subjects; step 11 the written conclusion (issued by 质量管理处 for a sampled one) and its acknowledgement
    tasks = {9: {"9 上一级复核性诊断", "9 学校抽样复核"}, 11: {"11 书面结论反馈", "11 确认结论反馈"}}
    for number, names in named.items():
        if number in tasks:
            assert names == tasks[number], (number, names)
        else:
            assert any(n.startswith(f"{number} {seed[number - 1]}") for n in names), (number, names)
