"""A call activity binds the latest deployed version of the process it calls when the instance starts.

The teacher chain is redeployed through the modeler's service with a renamed first step and a new
人事处复核 step: cycles started afterwards (one by one, or by the year start in bulk) run the new chain
at steps 1, 4 and 5; a cycle started before keeps the old one for good (reloads, wakes, later steps).
"""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from engine import cycle, modeling, workflow
from engine.models import CycleInstance, ProcessDefinition, ProcessInstance, ProcessVersion
from engine.workflow import binding, runtime
from tests.conftest import NOW, own_subject, user
from tests.engine.test_modeling import TEACHER, start_teacher, with_extra_review
from tests.workflows.test_cycle import do, future_dues, open_tasks

NEW_FIRST_STEP = "填写并提交（新版）"
TEACHER_V2 = with_extra_review().replace('name="填写并提交"', f'name="{NEW_FIRST_STEP}"', 1)
OLD_CHAIN = ["填写并提交", "二级学院审定"]
NEW_CHAIN = [NEW_FIRST_STEP, "二级学院审定", "人事处复核"]


def definition(session, key: str) -> ProcessDefinition:
    return session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key))


def redeploy_teacher_chain(session, xml: str = TEACHER_V2, now=NOW) -> ProcessVersion:
    """What 人事处 does in the modeler: save the diagram as the draft, then deploy the draft it confirmed."""
    owner, chain = user(session, "rsc_reviewer"), definition(session, "chain_teacher")
    draft = modeling.save_draft(session, owner, chain, xml, now)
    assert not draft.problems, draft.problems
    return modeling.deploy_draft(session, owner, chain, "首个环节改名，增加人事处复核", draft.lock_version, now)


def start_cycle(session, username: str) -> ProcessInstance:
    return cycle.start_for_subject(session, own_subject(session, username), 2026, future_dues(), None, NOW)


def walk_step(session, instance_id: int, step: int) -> list[str]:
    """Do every task of a cycle step; the names of the tasks done, in order."""
    names = []
    while (tasks := open_tasks(session, instance_id)) and tasks[0].step == step:
        names.append(tasks[0].name)
        do(session, tasks[0])
    return names


def forget_everything_cached(session) -> None:
    """What a restarted worker knows: nothing but the database."""
    session.expire_all()
    binding.BUNDLES.discard(lambda key: True)
    binding.SPECS.discard(lambda key: True)


def test_a_chain_redeployed_in_the_modeler_reaches_the_next_cycle_and_not_the_running_one(session):
    student_chain = definition(session, "chain_student").latest_version_id
    old = start_cycle(session, "t01")
    v1 = definition(session, "chain_teacher").latest_version_id
    v2 = redeploy_teacher_chain(session)
    new = start_cycle(session, "t02")

    assert old.bindings == {"chain_teacher": v1, "chain_student": student_chain}
    assert new.bindings == {"chain_teacher": v2.id, "chain_student": student_chain}
    assert new.version_id == old.version_id  # the cycle itself was not redeployed
    assert [t.name for t in open_tasks(session, new.id)] == [NEW_FIRST_STEP]
    assert [t.name for t in open_tasks(session, old.id)] == ["填写并提交"]

    assert walk_step(session, new.id, 1) == NEW_CHAIN
    assert walk_step(session, old.id, 1) == OLD_CHAIN
    # later steps start the chain again: each cycle still runs the version it started with
    assert walk_step(session, new.id, 4) == NEW_CHAIN
    assert walk_step(session, old.id, 4) == OLD_CHAIN


def test_a_running_cycle_keeps_its_chain_after_a_reload_and_a_wake(session):
    old = start_cycle(session, "t01")
    redeploy_teacher_chain(session)
    forget_everything_cached(session)
    assert runtime.wake_instance(session, old.id, NOW + timedelta(days=1)) == "sent"
    forget_everything_cached(session)
    assert walk_step(session, old.id, 1) == OLD_CHAIN
    for step in (4, 5):
        assert walk_step(session, old.id, step) == OLD_CHAIN
    # at step 6 a timer waits for the step's date: waking it after the date escalates, on the old chain's state
    forget_everything_cached(session)
    later = NOW + timedelta(days=60)
    assert runtime.wake_instance(session, old.id, later) == "sent"
    assert open_tasks(session, old.id)[0].step == 6


def test_the_year_start_in_bulk_binds_the_chain_deployed_at_its_start(session):
    before = cycle.create_run(session, None, 2026, ["person"], future_dues(), NOW)
    # a first batch (25 of the 教师 level, in roster order: the 职员 first, then t01-t04) on the old chain
    cycle.process_run(session, before.id, NOW, batch=25)
    first_batch = set(session.scalars(select(CycleInstance.instance_id).where(CycleInstance.run_id == before.id)))
    v2 = redeploy_teacher_chain(session)
    while cycle.process_run(session, before.id, NOW, batch=25).status != "finished":
        pass
    by_teacher = {
        username: session.scalar(
            select(ProcessInstance)
            .join(CycleInstance, CycleInstance.instance_id == ProcessInstance.id)
            .where(CycleInstance.subject_id == own_subject(session, username).id)
        )
        for username in ("t01", "t10")
    }
    started_late = [u for u, inst in by_teacher.items() if inst.id not in first_batch]
    started_early = [u for u, inst in by_teacher.items() if inst.id in first_batch]
    assert started_late and started_early, (first_batch, by_teacher)
    for username in started_late:
        instance = by_teacher[username]
        assert instance.bindings["chain_teacher"] == v2.id
        assert walk_step(session, instance.id, 1) == NEW_CHAIN
    for username in started_early:
        instance = by_teacher[username]
        assert instance.bindings["chain_teacher"] != v2.id
        assert walk_step(session, instance.id, 1) == OLD_CHAIN


def test_migrating_a_cycle_moves_it_onto_the_current_chain(session):
    old = start_cycle(session, "t01")
    (author_task,) = open_tasks(session, old.id)
    do(session, author_task)  # now at 二级学院审定 of the old chain
    (review,) = open_tasks(session, old.id)
    v2 = redeploy_teacher_chain(session)
    cycle_def = definition(session, "cycle_person")
    target = workflow.latest_version(session, "cycle_person")

    plan = {row["instance"].id: row for row in modeling.migration_plan(session, cycle_def, target)}
    assert plan[old.id]["ok"] and [c["to"] for c in plan[old.id]["called"]] == [v2.version]
    new = start_cycle(session, "t02")
    assert new.id not in {r["instance"].id for r in modeling.migration_plan(session, cycle_def, target)}

    results = modeling.migrate(session, user(session, "admin"), cycle_def, [old.id], target, NOW)
    assert results == [{"id": old.id, "ok": True, "reason": ""}]
    assert old.bindings["chain_teacher"] == v2.id
    assert [t.id for t in open_tasks(session, old.id)] == [review.id]  # the open task keeps its id and claim
    forget_everything_cached(session)
    assert walk_step(session, old.id, 1) == ["二级学院审定", "人事处复核"]  # the rest of the way follows v2
    assert old.id not in {r["instance"].id for r in modeling.migration_plan(session, cycle_def, target)}


def test_a_caller_refuses_to_deploy_while_its_called_process_is_missing(session):
    xml = (Path(__file__).resolve().parents[2] / "workflows" / "cycle_person.bpmn").read_text(encoding="utf-8")
    missing = xml.replace('calledElement="chain_student"', 'calledElement="chain_nobody"')
    problems = modeling.validate(session, definition(session, "cycle_person"), missing)
    assert any("chain_nobody" in p["message"] for p in problems)


def test_a_step_parses_nothing_once_the_bundle_is_cached(session, monkeypatch):
    instance = start_cycle(session, "t01")
    loads = []
    real = binding.load_specs
    monkeypatch.setattr(binding, "load_specs", lambda spec_json: loads.append(1) or real(spec_json))
    walk_step(session, instance.id, 1)
    assert loads == []
    forget_everything_cached(session)
    walk_step(session, instance.id, 4)
    assert len(loads) == 3  # the cycle and its two chains, parsed once for all the steps after


def test_a_rolled_back_deploy_does_not_leave_its_chain_behind(session):
    """SQLite gives a rolled-back deploy's id to the next deploy: a cycle bound to that id must run the
    diagram deployed for good, not the one cached before the rollback."""
    nested = session.begin_nested()
    discarded = redeploy_teacher_chain(session, TEACHER.replace('name="填写并提交"', 'name="作废的版本"', 1))
    start_cycle(session, "t01")
    discarded_id = discarded.id
    nested.rollback()
    v2 = redeploy_teacher_chain(session)
    new = start_cycle(session, "t02")
    assert new.bindings["chain_teacher"] == v2.id
    if v2.id == discarded_id:  # SQLite: the id came back (PostgreSQL never reuses it)
        assert [t.name for t in open_tasks(session, new.id)] == [NEW_FIRST_STEP]
    assert walk_step(session, new.id, 1) == NEW_CHAIN


def test_the_upgrade_binds_running_instances_to_the_chain_their_cycle_embedded(session):
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0014_call_bindings.py"
    spec = importlib.util.spec_from_file_location("m0014", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    before = start_cycle(session, "t01")
    embedded = before.bindings  # the chains deployed before the cycle, which its version embedded
    redeploy_teacher_chain(session)  # deployed after the cycle: never embedded in it
    after = start_cycle(session, "t02")
    alone = start_teacher(session, "t03")  # a chain of its own calls nothing
    session.execute(update(ProcessInstance).values(bindings=None))
    migration.backfill_bindings(session.connection())
    session.expire_all()
    rows = dict(session.execute(select(ProcessInstance.id, ProcessInstance.bindings)).all())
    assert rows[before.id] == rows[after.id] == embedded
    assert rows[alone.instance_id] is None


@pytest.mark.parametrize("key", ["chain_teacher", "chain_student"])
def test_the_callers_of_a_chain_are_the_cycles_that_run_it(session, key):
    assert [d.key for d in workflow.callers(session, key)] == ["cycle_person"]
    assert workflow.callers(session, "cycle_person") == []


def test_a_server_worker_parses_every_latest_process_once_at_start_up(session):
    from engine.workflow.bpmn.serializer import SPECS

    SPECS.discard(lambda _key: True)
    latest = session.execute(
        select(ProcessVersion.id, ProcessVersion.checksum).join(
            ProcessDefinition, ProcessDefinition.latest_version_id == ProcessVersion.id
        )
    ).all()
    assert binding.warm(session) == len(latest) >= 12
    made = []
    for row in latest:  # every one is now a cache hit: nothing is parsed again
        SPECS.get((row.id, row.checksum), lambda: made.append(1))
    assert made == []
