"""The 11-step annual cycle walked end to end, with a clock passed in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine import cycle, scheduler
from engine.core.errors import InvalidInput
from engine.cycle import progress as cycle_progress
from engine.models import Document, HumanTask, Notification, ProcessInstance, SamplingDraw, User
from engine.notify import digests
from engine.workflow import runtime
from tests.conftest import NOW, SETTINGS, TZ, filled, own_subject, user
from tests.workflows.test_chain_paths import actor_for

# Step dates a year start accepts on NOW (2026-11-24): today or later, in the order of the steps.
FORM_DATES = {
    "target": "2026-12-01", "basic_standard": "2026-11-30", "templates": "2026-12-05", "standard": "2026-12-10",
    "plan": "2026-12-20", "implementation": "2027-01-10",
    "diagnosis": "2027-01-20", "report": "2027-01-25", "upper_review": "2027-02-01", "school_review": "2027-02-10",
    "quality_report": "2027-02-20",
    "feedback": "2027-02-28",
}  # fmt: skip


def dues_after_now() -> dict[str, str]:
    """2026's default dates with steps 6-8 still ahead of NOW (2026-11-24): 6 on 11-30, 7 on 12-10, 8 on 12-20."""
    later = {"implementation": date(2026, 11, 30), "diagnosis": date(2026, 12, 10), "report": date(2026, 12, 20)}
    return {**cycle.default_dues(2026, TZ), **{k: cycle.end_of_day(d, TZ).isoformat() for k, d in later.items()}}


def future_dues() -> dict[str, str]:
    return {k: cycle.end_of_day(date.fromisoformat(v), TZ).isoformat() for k, v in FORM_DATES.items()}


def draw(session, year: int, sampled=(), now=NOW) -> SamplingDraw:
    """A recorded sampling draw of `year` taking `sampled` (subject ids); the cycles read the latest."""
    row = SamplingDraw(year=year, seed="test", config={"sizes": {}}, drawn_at=now, subjects={"test": sorted(sampled)},
                       note="")  # fmt: skip
    session.add(row)
    session.flush()
    return row


def open_tasks(session, instance_id):
    return session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "open").order_by(HumanTask.id)
    ).all()


def actor(session, task: HumanTask) -> User:
    return actor_for(session, task)


def do(session, task, now=NOW):
    who = actor(session, task)
    if task.kind == "edit":
        doc = session.get(Document, task.document_id)
        payload = {"document": filled(doc.data)}
    elif task.kind == "review":
        payload = {"decision": "approve", "comment": ""}
    elif task.kind == "confirm":
        payload = {"decision": "unchanged", "comment": f"本年无需修订：{task.name}"}
    else:
        payload = {"comment": "已知悉"}
    runtime.complete_task(session, who, task.id, payload, now)
    session.flush()
    return who


def test_teacher_cycle_end_to_end(session):
    subject = own_subject(session, "t01")
    instance = cycle.start_for_subject(session, subject, 2026, cycle.default_dues(2026, TZ), None, NOW)
    walked = []
    for _ in range(30):
        tasks = open_tasks(session, instance.id)
        if not tasks:
            break
        task = tasks[0]
        who = do(session, task)
        walked.append((task.name, who.username))
    assert session.get(ProcessInstance, instance.id).status == "running"  # waiting for the school's sampling draw
    draw(session, 2026, sampled=[])  # t01 not sampled
    scheduler.tick(session, NOW + timedelta(days=1, minutes=1))  # the cycle asks again the next day
    for _ in range(5):
        tasks = open_tasks(session, instance.id)
        if not tasks:
            break
        walked.append((tasks[0].name, do(session, tasks[0]).username))
    assert session.get(ProcessInstance, instance.id).status == "completed"
    names = [n for n, _ in walked]
    assert names == [
        "填写并提交", "二级学院审定",  # 1 targets through the teacher chain
        "填写并提交", "二级学院审定",  # 4 standard
        "填写并提交", "二级学院审定",  # 5 plan
        "6 诊改实施", "7 自我诊断", "8 撰写自我诊断报告", "9 上一级复核性诊断", "11 确认结论反馈",
    ]  # fmt: skip
    assert dict(walked)["9 上一级复核性诊断"] == dict(walked)["二级学院审定"]  # the teacher's 教研室 reviews
    docs = {d.doc_type: d for d in session.scalars(select(Document).where(Document.subject_id == subject.id))}
    assert set(docs) == {"target", "standard", "plan", "implementation", "diagnosis", "report", "upper_review",
                         "feedback"}  # fmt: skip
    assert all(d.status == "published" and d.published_version == 1 for d in docs.values())
    plan_ids = {r["id"] for r in docs["plan"].data["rows"] if r["included"]}
    assert {r["id"] for r in docs["diagnosis"].data["rows"]} == plan_ids  # traceable item by item
    review_rows = docs["upper_review"].data["rows"]
    assert review_rows[0]["cells"]["self_conclusion"].startswith("已填写")  # carried from the diagnosis

    # the next year of the target period asks for 目标优化 on the published targets; 无需优化 is recorded
    second = cycle.start_for_subject(session, subject, 2027, cycle.default_dues(2027, TZ), None, NOW)
    optimise = open_tasks(session, second.id)[0]
    assert (optimise.name, optimise.kind, optimise.step) == ("1 目标优化", "confirm", 1)
    assert optimise.document_id == docs["target"].id and optimise.due_at.astimezone(TZ).date() == date(2027, 4, 30)
    with pytest.raises(InvalidInput) as refused:  # no reason, nothing changes
        runtime.complete_task(session, user(session, "t01"), optimise.id, {"decision": "unchanged"}, NOW)
    assert "comment" in refused.value.fields
    do(session, optimise)
    assert (optimise.decision, optimise.comment) == ("unchanged", "本年无需修订：1 目标优化")
    first_task = open_tasks(session, second.id)[0]
    doc = session.get(Document, first_task.document_id)
    assert doc.doc_type == "standard" and doc.period == "2027"
    assert session.get(Document, docs["target"].id).published_version == 1  # the target is kept as it was
    do(session, first_task)
    do(session, open_tasks(session, second.id)[0])  # the standard approved
    plan_task = open_tasks(session, second.id)[0]
    plan = session.get(Document, plan_task.document_id)
    assert plan.doc_type == "plan" and plan.period == "2027"
    # 诊断与改进相衔接: last year's review opinion and next measures start this year's plan, marked as carried
    row = next(r for r in plan.data["rows"] if r["id"] in plan_ids)
    assert row["cells"]["problem"] == f"〔上年延续〕已填写：{row['label']}"  # the upper-level review's opinion
    assert row["cells"]["measures"] == f"〔上年延续〕已填写：{row['label']}"  # the self-diagnosis' next measures


def test_optimising_the_targets_opens_the_published_target_as_a_revision(session):
    subject = own_subject(session, "t03")
    first = cycle.start_for_subject(session, subject, 2026, cycle.default_dues(2026, TZ), None, NOW)
    for _ in range(2):
        do(session, open_tasks(session, first.id)[0])  # the targets written and approved
    target = session.scalar(select(Document).where(Document.subject_id == subject.id, Document.doc_type == "target"))
    assert target.status == "published"
    session.get(ProcessInstance, first.id).status = "completed"  # last year's cycle is over
    second = cycle.start_for_subject(session, subject, 2027, cycle.default_dues(2027, TZ), None, NOW)
    optimise = open_tasks(session, second.id)[0]
    runtime.complete_task(session, user(session, "t03"), optimise.id,
                          {"decision": "revised", "comment": "提高科研目标"}, NOW)  # fmt: skip
    edit = open_tasks(session, second.id)[0]
    assert (edit.kind, edit.document_id, edit.step) == ("edit", target.id, 1)
    assert target.status == "draft" and target.published_version == 1  # a revision of the published target
    do(session, edit)
    do(session, open_tasks(session, second.id)[0])
    assert target.status == "published" and target.published_version == 2
    assert session.get(Document, open_tasks(session, second.id)[0].document_id).doc_type == "standard"


def test_step_timer_escalates_when_a_step_is_late(session):
    subject = own_subject(session, "t02")
    dues = dues_after_now()
    instance = cycle.start_for_subject(session, subject, 2026, dues, None, NOW)
    while True:
        task = open_tasks(session, instance.id)[0]
        if task.name == "6 诊改实施":
            break
        do(session, task)
    assert task.due_at.isoformat().startswith("2026-11-30T15:59:59")
    late = task.due_at + timedelta(minutes=5)
    session.refresh(session.get(ProcessInstance, instance.id))
    assert session.get(ProcessInstance, instance.id).next_timer_at == task.due_at
    result = scheduler.tick(session, late)  # wakes the instance: the BPMN timer fires 逾期督办
    assert result.get("sent", 0) >= 1
    scheduler.tick(session, digests.next_slot(late, SETTINGS))  # sends what the timer queued, with the day's digest
    kinds = {n.kind for n in session.scalars(select(Notification))}
    assert "overdue" in kinds and "digest" in kinds
    assert open_tasks(session, instance.id)[0].id == task.id  # the step is still open, only escalated


def test_start_a_school_year_in_batches(session):
    run = cycle.create_run(session, user(session, "zlc_admin"), 2026, ["person"], future_dues(), NOW)
    assert run.total == 79  # 39 of the 教师 level (10 teachers, 2 辅导员, 27 职员) and 40 students
    assert {own_subject(session, u).type for u in ("t01", "c01", "dzb_staff")} == {"teacher"}  # 教师（辅导员、职员）
    cycle.process_run(session, run.id, NOW, batch=20)
    assert (run.status, run.done) == ("running", 20)
    while run.status != "finished":
        cycle.process_run(session, run.id, NOW, batch=20)
    assert run.done == 79 and run.skipped == []
    assert cycle.school_instance(session, 2026) is not None  # starting the year started steps 2 and 3
    progress, _ = cycle_progress.overview(session, 2026, NOW)
    assert progress.total["person"] == 79 and progress.at["person"][1] == 79
    page = cycle_progress.subjects(session, cycle_progress.Filters(year=2026, level="person"), NOW)
    assert page.total == 79 and {r["task"] for r in page.rows} == {"填写并提交"}
    again = cycle.create_run(session, None, 2026, ["person"], future_dues(), NOW)
    cycle.process_run(session, again.id, NOW)
    assert again.status == "finished"  # nobody is started twice


LEVEL_SUBJECTS = {
    "unit": [("college", "DZXY"), ("functional_dept", "JWC")],
    "program": [("major", "510203"), ("course", "RJ1001")],
    "team": [("faculty_team", "DZXY-SZ"), ("student_cultivation", "510205-XS")],
    "person": [("student", "s33")],
}


def _walk(session, instance_id):
    names = []
    for _ in range(40):
        tasks = open_tasks(session, instance_id)
        if not tasks:
            break
        names.append(tasks[0].name)
        do(session, tasks[0])
    return names


def test_every_level_walks_to_the_end(session):
    from engine.models import Subject

    found = {t: session.scalar(select(Subject).where(Subject.type == t, Subject.code == c))
             for subjects in LEVEL_SUBJECTS.values() for t, c in subjects}  # fmt: skip
    sampled = {found[subjects[0][0]].id for subjects in LEVEL_SUBJECTS.values()}  # the first of each level
    draw(session, 2026, sampled)
    for level, subjects in LEVEL_SUBJECTS.items():
        for subject_type, _code in subjects:
            subject = found[subject_type]
            instance = cycle.start_for_subject(session, subject, 2026, cycle.default_dues(2026, TZ), None, NOW)
            assert instance.process_key == cycle.LEVELS[level][0]
            names = _walk(session, instance.id)
            assert session.get(ProcessInstance, instance.id).status == "completed", (subject_type, names)
            steps = [n for n in names if n[0].isdigit()]
            expected = ["6 诊改实施", "7 自我诊断", "8 撰写自我诊断报告", "9 上一级复核性诊断"]
            if subject.id in sampled:
                expected.append("9 学校抽样复核")
            if subject_type == "college":
                expected.append("10 撰写人才培养质量报告")
            if subject.id in sampled:
                expected.append("11 书面结论反馈")
            assert steps == expected + ["11 确认结论反馈"], subject_type
            published = session.scalars(
                select(Document.doc_type).where(Document.subject_id == subject.id, Document.status == "published")
            ).all()
            assert {"target", "standard", "plan", "diagnosis", "upper_review", "feedback"} <= set(published)
            assert ("school_review" in published) == (subject.id in sampled)


def test_bulk_start_matches_the_one_by_one_start_and_walks_to_the_end(session):
    from engine.models import CycleInstance, Subject, TaskCandidate

    one = cycle.start_for_subject(session, own_subject(session, "t01"), 2026, cycle.default_dues(2027, TZ), None, NOW)
    run = cycle.create_run(session, None, 2026, ["person"], cycle.default_dues(2027, TZ), NOW)
    cycle.process_run(session, run.id, NOW, batch=100)
    draw(session, 2026)  # nobody sampled
    assert run.status == "finished" and run.done == 79
    t02 = own_subject(session, "t02")
    bulk_id = session.scalar(select(CycleInstance.instance_id).where(CycleInstance.subject_id == t02.id))

    def first_task(instance_id):
        t = open_tasks(session, instance_id)[0]
        cands = sorted(session.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == t.id)))
        doc = session.get(Document, t.document_id)
        same_flow = doc.instance_id == instance_id
        return (t.name, t.kind, t.bpmn_id, t.due_at - t.created_at, t.process_name, len(cands), doc.status, same_flow)

    assert first_task(bulk_id) == first_task(one.id)
    names = _walk(session, bulk_id)
    assert session.get(ProcessInstance, bulk_id).status == "completed"
    assert names[-1] == "11 确认结论反馈"
    subjects = session.scalars(select(Subject).where(Subject.type.in_(["teacher", "student"]))).all()
    assert {s.id for s in subjects} == set(session.scalars(select(CycleInstance.subject_id)))


# Every step's date in the seed's tables (附件): 1, 4, 5 from 目标、标准、诊改计划制定 (2018: 目标优化、...), 2 from
# 基本标准制定/优化, 3 with the basic standards (no template row in 2017-2018), 6-8 before the upper-level review
# (上一级复核性诊断 11月30日), 9 学校抽样复核 12月31日, 10 with it (never the 人才培养质量报告制度 policy row),
# 11 the written feedback 2月28日 of the next year.
SEED_DUES = {
    2017: {"target": "2017-04-30", "basic_standard": "2017-03-31", "templates": "2017-03-31", "standard": "2017-04-30",
           "plan": "2017-04-30", "implementation": "2017-10-31", "diagnosis": "2017-11-10", "report": "2017-11-20",
           "upper_review": "2017-11-30", "school_review": "2017-12-31", "quality_report": "2017-12-31",
           "feedback": "2018-02-28"},
    2018: {"target": "2018-03-31", "basic_standard": "2018-03-31", "templates": "2018-03-31", "standard": "2018-03-31",
           "plan": "2018-03-31", "implementation": "2018-10-31", "diagnosis": "2018-11-10", "report": "2018-11-20",
           "upper_review": "2018-11-30", "school_review": "2018-12-31", "quality_report": "2018-12-31",
           "feedback": "2019-02-28"},
}  # fmt: skip


def test_step_dates_come_from_the_right_rows_of_the_annual_table(session):
    from engine.cycle import annual

    rows = annual.instantiate(session, 2017, None, NOW) + annual.instantiate(session, 2018, None, NOW)
    for year, expected in SEED_DUES.items():
        for shuffled in (rows, rows[::-1]):  # the rows come in no fixed order, the next year's among them
            dues = cycle.due_dates_for(year, TZ, shuffled)
            assert {k: v[:10] for k, v in dues.items()} == expected
            assert list(dues) == [key for key, _n, _l in cycle.DATES]  # every step has a date (step 9 two)
    upper_review = {r.due_date.isoformat() for r in rows if r.category == "上一级复核性诊断"}
    assert upper_review == {"2017-11-30", "2018-11-30"}
    for year in SEED_DUES:  # self-diagnosis and its report are due before the upper-level review
        assert SEED_DUES[year]["report"] < f"{year}-11-30"
    # the policy rows that used to date step 10 (6月30日 in 2017, 3月31日 in 2018) are not the step
    policy = {r.year: r.due_date.isoformat() for r in rows if r.task == "人才培养质量报告制度"}
    assert policy == {2017: "2017-06-30", 2018: "2018-03-31"}
    assert cycle.due_dates_for(2026, TZ, rows) == cycle.default_dues(2026, TZ)  # no table of its own: defaults
