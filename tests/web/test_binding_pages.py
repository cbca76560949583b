"""A chain redeployed in the modeler reaches the next annual cycle, and the pages say so.

人事处 redeploys the teacher chain through the modeler's pages (the deploy page names the cycles that
call it); 质量管理处 then starts the year for teachers and students from 年度诊改; a teacher's step-1 task
is the new chain's. A cycle started before keeps the old chain; its instance page says which version it
runs, the chain's history counts it, and the cycle's migration page offers to move it.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from engine import cycle
from engine.models import CycleInstance, HumanTask
from tests.conftest import NOW, own_subject
from tests.web.test_cycle_pages import FORM, page
from tests.web.test_modeler import deploy
from tests.workflows.test_cycle import future_dues

from ..engine.test_binding import NEW_FIRST_STEP, TEACHER_V2

CYCLE = "教师 / 学生年度诊改周期"
CHAIN = "教师发展目标、标准、诊改计划审核上传流程"


def cycle_of(session, username: str) -> int:
    return session.scalar(
        select(CycleInstance.instance_id).where(CycleInstance.subject_id == own_subject(session, username).id)
    )


def test_a_chain_redeployed_in_the_modeler_reaches_a_new_year_started_from_the_cycle_page(login_as, session):
    running = cycle.start_for_subject(session, own_subject(session, "t01"), 2026, future_dues(), None, NOW)
    session.flush()  # the pages read through a session of their own
    owner = login_as("rsc_reviewer")

    saved = owner.post("/processes/chain_teacher/draft", json={"xml": TEACHER_V2}).get_json()
    confirm = page(owner, "/processes/chain_teacher/deploy")
    callers = re.search(r'data-testid="callers">([^<]*)<', confirm).group(1)
    assert CYCLE in callers and "新启动的实例将使用此版本（v2）" in callers and "运行中的 1 个实例" in callers
    done = owner.post("/processes/chain_teacher/deploy", data={"note": "首个环节改名", "lock": saved["lock"]})
    assert done.status_code == 302
    history = page(owner, done.headers["Location"])
    assert CYCLE in history and "新启动的实例使用当前版本 v2" in history
    assert re.search(r'data-testid="bound-1">\s*另有 1 个在调用方流程中', history)  # t01's cycle still runs v1

    office = login_as("zlc_admin")
    assert office.post("/cycle/", data={"year": "2026", "levels": "person", **FORM}).status_code == 302
    teacher = login_as("t02")
    inbox = page(teacher, "/tasks")
    assert NEW_FIRST_STEP in inbox and "1 确定目标" in inbox
    task_id = session.scalar(
        select(HumanTask.id).where(HumanTask.instance_id == cycle_of(session, "t02"), HumanTask.state == "open")
    )
    assert NEW_FIRST_STEP in page(teacher, f"/tasks/{task_id}")
    new_page = page(office, f"/instances/{cycle_of(session, 't02')}")
    assert re.search(rf'data-testid="bound-chain_teacher">调用 {CHAIN} v2<', new_page)
    old_page = page(office, f"/instances/{running.id}")
    assert re.search(rf'data-testid="bound-chain_teacher">调用 {CHAIN} v1<', old_page)
    assert "填写并提交" in old_page and NEW_FIRST_STEP not in old_page


def test_the_cycles_migration_page_moves_a_running_cycle_onto_the_current_chain(login_as, session):
    running = cycle.start_for_subject(session, own_subject(session, "t01"), 2026, future_dues(), None, NOW)
    session.flush()  # the pages read through a session of their own
    assert deploy(login_as("rsc_reviewer"), TEACHER_V2, "首个环节改名").status_code == 302
    admin = login_as("admin")
    plan = page(admin, "/processes/cycle_person/migrate")
    assert f'value="{running.id}"' in plan and "可以迁移" in plan
    assert f"{CHAIN}：v1 → v2" in plan and "调用其他流程的实例同时改用被调用流程的当前版本" in plan
    done = admin.post("/processes/cycle_person/migrate", data={"instance_id": [str(running.id)]})
    result = page(admin, done.headers["Location"])
    assert "已迁移 1 个实例" in result and "没有运行在旧版本上的实例" in result
    assert re.search(rf'data-testid="bound-chain_teacher">调用 {CHAIN} v2<', page(admin, f"/instances/{running.id}"))
    task = session.scalar(select(HumanTask).where(HumanTask.instance_id == running.id, HumanTask.state == "open"))
    assert task.name == NEW_FIRST_STEP  # the open task follows the chain's new version (same task, same id)


def test_the_history_names_the_callers_only_of_a_called_process(login_as):
    chain = page(login_as("rsc_reviewer"), "/processes/chain_teacher/versions")
    assert re.search(rf'data-testid="callers">被以下流程调用：{CYCLE}。它们新启动的实例使用当前版本 v1', chain)
    assert 'data-testid="callers"' not in page(login_as("admin"), "/processes/cycle_person/versions")
