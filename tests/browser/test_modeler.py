"""Real Chromium: a process owner adds a review lane and step in the modeler, deploys, and the step is used."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import fill_descriptions, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Shapes are created through the modeler's own API (what the palette's drag and drop ends in); every
# property is then set through our side panel, as an owner would.
ADD_LANE_AND_TASK = """() => {
  const m = window.zgModeler;
  const registry = m.get('elementRegistry'), modeling = m.get('modeling');
  const lastLane = registry.get('lane_1');
  const lane = modeling.addLane(lastLane, 'bottom');
  const task = modeling.createShape({ type: 'bpmn:UserTask' },
    { x: lane.x + 420, y: lane.y + lane.height / 2 }, registry.get('pool_chain_teacher'));
  const approve = registry.get('flow_review_college_approve');
  modeling.reconnectEnd(approve, task, { x: task.x, y: task.y + task.height / 2 });
  modeling.connect(task, registry.get('publish'));
  return { lane: lane.id, task: task.id };
}"""


def select_element(page, element_id: str) -> None:
    page.evaluate("id => { const m = window.zgModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }",
                  element_id)  # fmt: skip


def test_owner_adds_review_step_deploys_and_it_reaches_the_right_inbox(page, live_server):
    base = live_server
    log_in(page, base, "rsc_reviewer")
    page.click("[data-testid=manage-menu]")  # 流程设计 sits in the 管理 menu
    page.click("text=流程设计")
    expect(page.locator("[data-testid=process-list]", has_text="教师发展目标")).to_be_visible()
    page.locator("[data-testid=process-list] tr", has_text="chain_teacher").locator("a", has_text="编辑").click()
    page.wait_for_selector("#zg-modeler[data-ready='1']")
    assert page.locator(".djs-element[data-element-id=review_college]").count() == 1

    ids = page.evaluate(ADD_LANE_AND_TASK)
    panel = page.locator("[data-testid=properties-panel]")

    # the server's check marks the new lane (no role yet) on the diagram, the message in Chinese
    page.click("[data-testid=validate]")
    page.wait_for_selector(f".djs-element.zg-error[data-element-id={ids['lane']}]")
    problems = page.locator("[data-testid=problems]").inner_text()
    assert "泳道必须有名称" in problems and "任务必须有名称" in problems and "没有指定办理角色" in problems
    assert "不在任何泳道中" not in problems
    shot(page, "19_modeler_problem_highlighted")

    select_element(page, ids["lane"])
    panel.locator("[data-field=name]").fill("人事处复核")
    panel.locator("[data-field=name]").press("Tab")
    panel.locator("label", has_text="审核人").click()
    panel.locator("[data-field=scope]").select_option("unit:RSC")

    select_element(page, ids["task"])
    panel.locator("[data-field=name]").fill("人事处复核")
    panel.locator("[data-field=name]").press("Tab")
    panel.locator("[data-field=kind]").select_option("review")
    panel.locator("[data-field=form]").select_option("document")
    panel.locator("[data-field=due]").fill("P5D")
    panel.locator("[data-field=due]").press("Tab")
    panel.locator("[data-field=vertical]").select_option("supervision")

    # a gateway condition is checked as it is typed
    select_element(page, "flow_review_college_approve")
    panel.locator("[data-field=condition]").fill("decision == ")
    page.wait_for_selector("[data-testid=condition-feedback].text-danger")
    panel.locator("[data-field=condition]").fill('decision == "approve"')
    page.wait_for_selector("[data-testid=condition-feedback].text-success")
    panel.locator("[data-field=condition]").press("Tab")

    page.click("[data-testid=validate]")
    page.wait_for_selector("[data-testid=modeler-status].alert-success")
    shot(page, "20_modeler_new_review_step")

    # deploying saves the unsaved diagram as the draft, then asks for confirmation on its own page
    page.click("[data-testid=deploy-open]")
    page.wait_for_url(base + "/processes/chain_teacher/deploy")
    assert page.locator("[data-testid=changes] tr[data-change=added]", has_text="人事处复核").count() >= 1
    shot(page, "22_modeler_deploy_confirm")
    page.click("[data-testid=deploy]")  # no note yet: the browser's own check keeps the form here
    assert page.url == base + "/processes/chain_teacher/deploy"
    page.fill("[data-testid=deploy-note]", "增加人事处复核环节")
    page.click("[data-testid=deploy]")
    page.wait_for_url(base + "/processes/chain_teacher/versions")
    assert page.locator(".alert-success", has_text="已部署为第 2 版").count() == 1
    assert page.locator("[data-testid=versions] tr", has_text="增加人事处复核环节").count() == 1
    shot(page, "23_modeler_versions")

    # a rollback asks why, on its own page
    page.click("[data-testid=rollback-1]")
    page.wait_for_url(base + "/processes/chain_teacher/versions/1/rollback")
    assert page.locator("[data-testid=changes] tr[data-change=removed]", has_text="人事处复核").count() >= 1
    shot(page, "24_modeler_rollback_confirm")
    page.goto(base + "/processes/chain_teacher/versions")
    page.goto(base + "/processes/chain_teacher/compare?a=1&b=2")
    page.wait_for_selector("[data-testid=viewer-new][data-ready='1']")
    assert page.locator(f"[data-testid=viewer-new] .djs-element.zg-added[data-element-id={ids['task']}]").count() == 1
    shot(page, "21_modeler_compare_versions")

    # a teacher's new document runs on v2: after the college approves, the new step waits at 人事处
    log_in(page, base, "t01")
    page.goto(base + "/my-documents")
    page.locator("tr", has_text="教师发展目标").locator("button", has_text="开始填写").click()
    page.wait_for_selector("[data-testid=task-name]")
    fill_descriptions(page, "新版本")
    page.click("[data-testid=submit-document]")
    page.wait_for_url(base + "/tasks")

    log_in(page, base, "dzxy_reviewer")
    page.locator("[data-testid=task-table] tr", has_text="张伟").locator("a", has_text="办理").click()
    page.check("#decision-approve")
    page.fill("textarea[name=comment]", "同意")
    page.click("[data-testid=submit-review]")
    page.wait_for_url(base + "/tasks")

    log_in(page, base, "rsc_reviewer")
    row = page.locator("[data-testid=task-table] tr", has_text="人事处复核")
    assert row.count() == 1 and "张伟" in row.inner_text()
    shot(page, "22_new_step_in_rsc_inbox")

    log_in(page, base, "jwc_reviewer")  # another department's owner neither sees the task nor the process
    assert page.locator("[data-testid=task-table] tr", has_text="人事处复核").count() == 0
    assert page.goto(base + "/processes/chain_teacher").status == 404


def test_a_step_and_a_lane_added_from_the_keyboard(page, live_server):
    """No mouse on the canvas: the side panel's element list chooses the start, a button appends a task after it,
    the name is typed; a lane is added below the chosen lane."""
    log_in(page, live_server, "rsc_reviewer")
    page.goto(live_server + "/processes/chain_teacher")
    page.wait_for_selector("#zg-modeler[data-ready='1']")
    chooser = page.locator("[data-testid=element-chooser]")
    chooser.focus()
    of_type = "t => window.zgModeler.get('elementRegistry').filter(e => e.type === t)"
    start = page.evaluate(f"() => ({of_type})('bpmn:StartEvent')[0].id")
    label = chooser.locator(f"option[value={start}]").inner_text()
    while chooser.evaluate("s => s.options[s.selectedIndex].text") != label:
        page.keyboard.press("ArrowDown")
    expect(page.locator("[data-testid=append-task]")).to_be_visible()
    before = page.evaluate(f"() => ({of_type})('bpmn:UserTask').length")
    page.locator("[data-testid=append-task]").focus()
    page.keyboard.press("Enter")
    name = page.locator("[data-testid=properties-panel] [data-field=name]")
    expect(name).to_be_focused()
    page.keyboard.type("键盘添加的任务")
    page.keyboard.press("Tab")
    tasks = page.evaluate(
        "() => window.zgModeler.get('elementRegistry').filter(e => e.type === 'bpmn:UserTask')"
        ".map(e => e.businessObject.name)"
    )
    assert len(tasks) == before + 1 and "键盘添加的任务" in tasks

    lanes = page.evaluate("() => window.zgModeler.get('elementRegistry').filter(e => e.type === 'bpmn:Lane').length")
    chooser.select_option(index=1)  # lanes and the pool come first in the list
    page.locator("[data-testid=add-lane]").focus()
    page.keyboard.press("Enter")
    expect(name).to_be_focused()
    after = page.evaluate("() => window.zgModeler.get('elementRegistry').filter(e => e.type === 'bpmn:Lane').length")
    assert after == lanes + 1
