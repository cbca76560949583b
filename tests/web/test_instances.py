"""The instance page (diagram, tokens, history) and the heat map of a process version, as people see them."""

from __future__ import annotations

from datetime import timedelta

from engine.models import ProcessInstance
from engine.workflow import runtime
from tests.conftest import NOW, user
from tests.engine.test_deadlines import submit_target


def test_participants_monitors_heads_and_owners_see_the_instance_others_get_404(login_as, session):
    review = submit_target(session, "t01")
    url = f"/instances/{review.instance_id}"
    # author, a candidate reviewer of the college (group), 诊改办公室, the process owner (人事处 owns the teacher chain)
    for name in ("t01", "dzxy_reviewer2", "zlc_admin", "rsc_reviewer"):
        page = login_as(name).get(url)
        assert page.status_code == 200, name
        assert "教师发展目标、标准、诊改计划审核上传流程" in page.get_data(as_text=True)
    for name in ("t06", "rjxy_reviewer", "jwc_reviewer", "s01"):
        assert login_as(name).get(url).status_code == 404, name
        assert login_as(name).get(url + "/diagram.xml").status_code == 404, name
    assert login_as("zlc_admin").get("/instances/999999").status_code == 404
    assert login_as("zlc_admin").get("/instances/abc").status_code == 404
    xml = login_as("t01").get(url + "/diagram.xml")
    assert xml.mimetype == "application/xml" and b'id="review_college"' in xml.data


def test_task_page_links_to_the_diagram(login_as, session):
    review = submit_target(session, "t01")
    page = login_as("dzxy_reviewer").get(f"/tasks/{review.id}").get_data(as_text=True)
    assert f'href="/instances/{review.instance_id}"' in page


def test_highlight_lists_the_completed_path_and_the_current_token(login_as, session, clock):
    review = submit_target(session, "t01")  # one step done: the teacher submitted, the college reviews
    state = login_as("t01").get(f"/instances/{review.instance_id}/state.json").get_json()
    assert state["completed"] == {"start": 1, "edit_document": 1}
    assert state["flows"] == ["flow_start", "flow_to_review_college"]
    [token] = state["current"]
    assert (token["id"], token["open"], token["overdue"]) == ("review_college", 1, 0)
    assert token["tasks"][0]["name"] == "二级学院审定" and "审核人" in token["tasks"][0]["who"]
    assert state["overdue"] == [] and state["timers"] == []

    page = login_as("t01").get(f"/instances/{review.instance_id}").get_data(as_text=True)
    assert 'id="zg-diagram"' in page and "data-highlight='{" in page and "bpmn-navigated-viewer" in page
    assert 'data-element="review_college"' in page  # the "current position" list

    clock.advance(timedelta(days=8))  # the review was due after 7 days
    later = login_as("t01").get(f"/instances/{review.instance_id}/state.json").get_json()
    assert later["overdue"] == ["review_college"] and later["current"][0]["overdue"] == 1


def test_a_return_loop_counts_each_pass(login_as, session):
    review = submit_target(session, "t01")
    runtime.complete_task(session, user(session, "dzxy_reviewer"), review.id,
                          {"decision": "return", "comment": "请补充"}, NOW)  # fmt: skip
    session.flush()
    state = login_as("t01").get(f"/instances/{review.instance_id}/state.json").get_json()
    assert state["completed"] == {"start": 1, "edit_document": 1, "review_college": 1, "gw_review_college": 1}
    assert "flow_review_college_return" in state["flows"]
    assert [c["id"] for c in state["current"]] == ["edit_document"]


def test_comment_and_document_link_hidden_from_who_may_not_read_the_document(login_as, session):
    review = submit_target(session, "t01")
    runtime.complete_task(session, user(session, "dzxy_reviewer"), review.id,
                          {"decision": "return", "comment": "请把科研目标写具体"}, NOW)  # fmt: skip
    session.flush()
    url = f"/instances/{review.instance_id}"
    author = login_as("t01").get(url).get_data(as_text=True)
    assert "请把科研目标写具体" in author and 'data-testid="doc-link"' in author
    assert 'data-testid="restricted"' not in author
    # 人事处 owns the teacher chain and may follow the process, but a draft is not theirs to read
    owner = login_as("rsc_reviewer").get(url).get_data(as_text=True)
    assert "请把科研目标写具体" not in owner and 'data-testid="doc-link"' not in owner
    assert 'data-testid="restricted"' in owner and "退回修改" in owner and "赵院审" in owner


def test_heat_map_counts_against_a_hand_counted_fixture(login_as, session, clock):
    reviews = [submit_target(session, name) for name in ("t01", "t02", "t06")]  # at NOW
    approver = {"t01": "dzxy_reviewer", "t06": "rjxy_reviewer"}
    for review, name in ((reviews[0], "t01"), (reviews[2], "t06")):
        runtime.complete_task(session, user(session, approver[name]), review.id, {"decision": "approve"},
                              NOW + timedelta(days=2))  # fmt: skip
    session.flush()
    clock.advance(timedelta(days=9))  # t02's review waits 9 days, 2 days late
    version_id = session.get(ProcessInstance, reviews[0].instance_id).version_id
    office = login_as("zlc_admin")
    page = office.get(f"/monitor/versions/{version_id}/heatmap").get_data(as_text=True)
    assert 'data-testid="open-review_college">1<' in page and 'data-testid="done-review_college">2<' in page
    assert 'data-testid="open-edit_document">0<' in page and 'data-testid="done-edit_document">3<' in page
    assert "9.0天" in page and "2.0天" in page  # t02 waits 9 days; the two approvals took 2 days each
    assert 'data-testid="bottleneck"' in page
    assert f'href="/instances/{reviews[1].instance_id}"' in page  # the longest wait links to its instance

    assert login_as("rsc_reviewer").get(f"/monitor/versions/{version_id}/heatmap").status_code == 200
    for name in ("dzxy_reviewer", "t01", "jwc_reviewer"):
        assert login_as(name).get(f"/monitor/versions/{version_id}/heatmap").status_code == 404, name
    versions = login_as("rsc_reviewer").get("/monitor/versions").get_data(as_text=True)
    assert "教师发展目标、标准、诊改计划审核上传流程" in versions and "专业" not in versions
    assert login_as("t01").get("/monitor/versions").status_code == 404
    assert login_as("dzxy_reviewer").get("/monitor/versions").status_code == 404  # a head who owns no process
    assert 'data-testid="heatmap-link"' not in login_as("dzxy_reviewer").get("/monitor").get_data(as_text=True)


def test_dashboard_carries_chart_data_with_drill_down_links(login_as, session, clock):
    for name in ("t01", "t02", "t06"):
        submit_target(session, name)
    clock.advance(timedelta(days=10))
    page = login_as("zlc_admin").get("/monitor").get_data(as_text=True)
    assert 'id="zg-charts"' in page and "monitor_charts.js" in page and "echarts/dist/echarts.common.min.js" in page
    assert '"url": "/monitor/tasks?department=%E7%94%B5' in page  # 电子与物联网学院's bar drills down
    assert '"url": "/monitor/tasks?bucket=late_1_7", "value": 3' in page
    assert "<script>" not in page  # CSP: no inline scripts


def test_metrics_has_the_step_latency_histogram(app, login_as, session):
    review = submit_target(session, "t01")
    runtime.complete_task(session, user(session, "dzxy_reviewer"), review.id, {"decision": "approve"},
                          NOW + timedelta(hours=30))  # fmt: skip
    session.flush()
    body = login_as("zlc_admin").get("/metrics").get_data(as_text=True)
    assert "# TYPE zhengai_step_latency_seconds histogram" in body
    # the submission took no time, the review 30 hours
    assert 'zhengai_step_latency_seconds_bucket{process="chain_teacher",le="3600"} 1' in body
    assert 'zhengai_step_latency_seconds_bucket{process="chain_teacher",le="86400"} 1' in body
    assert 'zhengai_step_latency_seconds_bucket{process="chain_teacher",le="259200"} 2' in body
    assert 'zhengai_step_latency_seconds_bucket{process="chain_teacher",le="+Inf"} 2' in body
    assert 'zhengai_step_latency_seconds_count{process="chain_teacher"} 2' in body
    assert 'zhengai_step_latency_seconds_sum{process="chain_teacher"} 108000' in body
    assert "zhengai_open_tasks" in body and "zhengai_scheduler_lag_seconds" in body


def test_the_latency_histogram_covers_the_last_30_days(app, login_as, session, clock):
    review = submit_target(session, "t01")
    runtime.complete_task(session, user(session, "dzxy_reviewer"), review.id, {"decision": "approve"}, NOW)
    session.flush()
    admin = login_as("zlc_admin")
    body = admin.get("/metrics").get_data(as_text=True)
    assert 'zhengai_step_latency_seconds_count{process="chain_teacher"} 2' in body
    clock.advance(timedelta(days=31))  # a month later both steps have left the window
    assert 'process="chain_teacher"' not in admin.get("/metrics").get_data(as_text=True)


def test_monitors_act_on_an_instance_from_its_page(login_as, session):
    review = submit_target(session, "t01")
    page = login_as("zlc_admin").get(f"/instances/{review.instance_id}").get_data(as_text=True)
    assert f"/monitor/instances/{review.instance_id}/suspend" in page and 'data-testid="instance-terminate"' in page
    teacher = login_as("t01").get(f"/instances/{review.instance_id}").get_data(as_text=True)
    assert "/suspend" not in teacher  # a participant sees the diagram, not the actions
