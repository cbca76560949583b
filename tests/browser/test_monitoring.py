"""Real Chromium: the overdue dashboard's charts, an instance diagram with its highlighted token, a heat map."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from engine.core.db import make_engine
from engine.models import Document, HumanTask, ProcessInstance
from engine.workflow import runtime
from tests.browser.conftest import log_in, shot
from tests.conftest import NOW, SETTINGS, filled, fresh_database, make_app, seed, user
from tests.engine.test_deadlines import submit_target

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CLOCK = NOW + timedelta(days=12)


def open_task(session, instance_id) -> HumanTask:
    return session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "open"))


@pytest.fixture(scope="module")
def overdue_server(tmp_path_factory):
    """Like `live_server`, with three teachers' targets in review and the clock 12 days later (overdue)."""
    url = fresh_database(tmp_path_factory.mktemp("monitoring"), "monitoring")
    seed(url)
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        first = submit_target(s, "t01")  # returned once, resubmitted: the review waits since day 2
        runtime.complete_task(s, user(s, "dzxy_reviewer"), first.id,
                              {"decision": "return", "comment": "请写具体"}, NOW + timedelta(days=1))  # fmt: skip
        edit = open_task(s, first.instance_id)
        data = filled(s.get(Document, edit.document_id).data, "修改稿")
        runtime.complete_task(s, user(s, "t01"), edit.id, {"document": data}, NOW + timedelta(days=2))
        submit_target(s, "t02")
        done = submit_target(s, "t06")
        runtime.complete_task(s, user(s, "rjxy_reviewer"), done.id, {"decision": "approve"}, NOW + timedelta(days=3))
        submit_target(s, "t07")
        s.commit()
        ids = {"instance": first.instance_id, "task": open_task(s, first.instance_id).id,
               "version": s.get(ProcessInstance, first.instance_id).version_id}  # fmt: skip
    eng.dispose()
    app = make_app(DATABASE_URL=url, TESTING=False, WTF_CSRF_ENABLED=True, ZHENGAI_CLOCK=lambda: CLOCK)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()


def test_dashboard_charts_instance_diagram_and_heat_map(page, overdue_server):
    base, ids = overdue_server
    log_in(page, base, "zlc_admin")
    page.goto(base + "/monitor")
    page.wait_for_selector("#zg-charts[data-ready='1']")
    for chart in ("department", "process", "buckets"):
        assert page.locator(f"[data-testid=chart-{chart}] canvas").count() == 1, chart
    assert page.locator("[data-testid=overdue-total]").inner_text() == "3"
    shot(page, "monitoring_01_dashboard_charts")
    # a bar drills down to the tasks behind it, like the links in the tables
    x, y = page.evaluate("""() => {
        const el = document.querySelector("[data-testid=chart-buckets]");
        const [px, py] = echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [1, 1.5]);
        const box = el.getBoundingClientRect();
        return [box.left + px, box.top + py];
    }""")
    page.mouse.click(x, y)
    page.wait_for_url("**/monitor/tasks?bucket=late_1_7")

    # the reviewer opens the diagram from the task page
    log_in(page, base, "dzxy_reviewer")
    page.goto(f"{base}/tasks/{ids['task']}")
    page.click("[data-testid=instance-link]")
    page.wait_for_selector("#zg-diagram[data-ready='1']")
    review = page.locator("g.djs-element[data-element-id='review_college']")
    assert "zg-current" in review.get_attribute("class") and "zg-overdue" in review.get_attribute("class")
    for done in ("edit_document", "flow_review_college_return"):  # a shape and a flow of the path taken
        assert "zg-done" in page.locator(f"g.djs-element[data-element-id='{done}']").get_attribute("class"), done
    assert page.locator(".djs-overlay .zg-badge-overdue", has_text="逾期 1").count() == 1
    assert page.locator(".djs-overlay .zg-badge-done", has_text="×2").count() == 1  # submitted twice
    assert page.locator("[data-testid=history] tr", has_text="请写具体").count() == 1
    shot(page, "monitoring_02_instance_diagram")

    log_in(page, base, "zlc_admin")
    page.goto(f"{base}/monitor/versions")
    page.locator("[data-testid=versions] tr", has_text="教师发展目标").locator("a", has_text="热力图").click()
    page.wait_for_selector("#zg-diagram[data-ready='1']")
    hot = page.locator("g.djs-element[data-element-id='review_college']")
    assert "zg-bottleneck" in hot.get_attribute("class") and "zg-heat-4" in hot.get_attribute("class")
    assert page.locator(".djs-overlay .zg-badge-bottleneck").count() == 1
    shot(page, "monitoring_03_heat_map")


def test_task_list_filters_and_a_refused_batch_keep_what_was_typed(page, overdue_server):
    base, ids = overdue_server
    log_in(page, base, "zlc_admin")
    page.goto(base + "/monitor/tasks")
    page.select_option("#zg-f-department", "电子与物联网学院")
    page.check("#zg-f-overdue")
    page.click("[data-testid=apply-filters]")
    page.wait_for_url("**/monitor/tasks?department=*overdue=1*")
    rows = page.locator("[data-testid=monitor-tasks] tbody tr[data-task-id]")
    assert rows.count() == 2  # 张伟 and 王芳; 杨磊's college is filtered out

    row = page.locator(f"[data-testid=monitor-tasks] tr[data-task-id='{ids['task']}']")
    row.locator("[data-testid=select-task]").check()
    page.fill("input[name=due_date]", "2026-12-31")
    page.click("[data-testid=batch-extend]")  # no reason: refused, the list comes back as it was
    page.wait_for_selector("[data-testid=error-extend_reason]")
    assert row.locator("[data-testid=select-task]").is_checked()
    assert page.input_value("input[name=due_date]") == "2026-12-31"
    assert page.locator("#zg-f-department").input_value() == "电子与物联网学院"
    shot(page, "monitoring_04_batch_refused")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "monitoring_04_batch_refused_390")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.fill("input[name=extend_reason]", "等待补充材料")
    page.click("[data-testid=batch-extend]")
    page.wait_for_url("**/monitor/tasks/batch/*")
    summary = page.locator("[data-testid=batch-summary]").inner_text()
    assert "成功 1 项，失败 0 项" in summary and "张伟" in page.locator("[data-testid=batch-results]").inner_text()
    page.reload()  # a plain page: nothing is posted again
    assert "成功 1 项" in page.locator("[data-testid=batch-summary]").inner_text()
    shot(page, "monitoring_05_batch_result")
    page.click("[data-testid=back-to-list]")
    page.wait_for_url("**/monitor/tasks?department=*")
    assert page.locator("#zg-f-overdue").is_checked()
    assert page.locator(f"tr[data-task-id='{ids['task']}']").count() == 0  # no longer overdue

    page.goto(f"{base}/tasks/{ids['task']}")
    extended = page.locator("[data-testid=admin-events] [data-event=extend]")
    assert "2026-12-31 23:59" in extended.inner_text() and "等待补充材料" in extended.inner_text()
    shot(page, "monitoring_06_task_history")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/monitor/tasks?department=电子与物联网学院")
    shot(page, "monitoring_07_task_list_390")
