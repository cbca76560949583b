"""Diagram state of a cycle instance (call activities, boundary timers) and the heat map of its version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import cycle, org
from engine.core.errors import NotFound
from engine.models import OrgUnit, RoleAssignment
from engine.oversight import heatmap, instance_view
from tests.conftest import NOW, own_subject, user
from tests.engine.test_deadlines import submit_target
from tests.workflows.test_cycle import do, dues_after_now, open_tasks


def start_cycle(session, username="t01"):
    return cycle.start_for_subject(session, own_subject(session, username), 2026, dues_after_now(), None, NOW)


def test_a_task_inside_a_called_chain_is_a_token_on_the_call_activity(session):
    instance = start_cycle(session)
    state = instance_view.diagram_state(session, instance, NOW)
    [token] = state["current"]
    assert token["id"] == "call_target_teacher"
    assert [t["name"] for t in token["tasks"]] == ["填写并提交"]  # the chain's first step, inside the call
    assert {"start", "prep_target", "gw_target_need", "gw_target_type"} <= set(state["completed"])
    assert "f_start_prep_target" in state["flows"] and "f_gw_target_type_call_target_teacher" in state["flows"]
    assert "f_gw_target_type_call_target_student" not in state["flows"]  # the branch not taken


def test_a_waiting_boundary_timer_is_listed_with_its_due_time(session):
    instance = start_cycle(session)
    for _ in range(6):  # targets, standard, plan: submit and approve each
        do(session, open_tasks(session, instance.id)[0])
    state = instance_view.diagram_state(session, instance, NOW)
    assert [c["id"] for c in state["current"]] == ["task_implementation"]
    [timer] = state["timers"]
    assert timer["id"] == "timer_implementation" and timer["due_at"] is not None and not timer["overdue"]
    assert {"call_target_teacher", "call_standard_teacher", "call_plan_teacher"} <= set(state["completed"])
    late = instance_view.diagram_state(session, instance, timer["due_at"] + timedelta(days=1))
    assert late["overdue"] == ["task_implementation"] and late["timers"][0]["overdue"]


def test_heat_map_lists_steps_of_called_chains_apart_from_the_diagram(session):
    instance = start_cycle(session)
    do(session, open_tasks(session, instance.id)[0])  # the teacher submits; the college review waits
    data = heatmap.version_heatmap(session, instance.version_id, NOW + timedelta(days=1))
    steps = {s["bpmn_id"]: s for s in data["steps"]}
    assert steps["review_college"]["open"] == 1 and not steps["review_college"]["in_diagram"]
    assert steps["edit_document"]["completed"] == 1 and steps["edit_document"]["avg_done_s"] == 0
    assert steps["task_implementation"]["in_diagram"] and steps["task_implementation"]["open"] == 0
    assert data["bottleneck"] == "review_college" and steps["review_college"]["level"] == 4
    assert abs(steps["review_college"]["avg_wait_s"] - 86400) < 1


def test_owners_are_process_owners_or_heads_of_the_owning_department():
    assert org.owned_unit_ids(["u:1", "g:process_owner:unit:5", "g:head:unit:7", "g:reviewer:unit:9"]) == {5, 7}


def test_the_head_of_the_subjects_department_sees_the_instance(session):
    review = submit_target(session, "t01")  # 电子与物联网学院
    t05 = user(session, "t05")  # a colleague of the same college, not on the chain
    with pytest.raises(NotFound):
        instance_view.get_instance(session, t05, org.principals_of(session, t05.id), review.instance_id)
    college = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "DZXY"))
    session.add(RoleAssignment(user_id=t05.id, role="head", scope_type="unit", scope_id=college))
    session.flush()
    principals = org.principals_of(session, t05.id)
    assert instance_view.get_instance(session, t05, principals, review.instance_id).id == review.instance_id
