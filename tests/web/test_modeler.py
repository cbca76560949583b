"""The modeler over HTTP: only owners get in, every rejection changes nothing, deploys and rollbacks show up."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from engine.models import AuditEntry, ProcessDraft, ProcessVersion
from tests.engine.test_modeling import TEACHER, with_extra_review


def versions_of(session, key="chain_teacher") -> int:
    from engine.models import ProcessDefinition

    return session.scalar(
        select(func.count()).select_from(ProcessVersion).join(ProcessDefinition).where(ProcessDefinition.key == key)
    )


def test_non_owners_get_404_everywhere(login_as, session):
    for username in ("jwc_reviewer", "t01", "dzxy_reviewer"):
        client = login_as(username)
        assert client.get("/processes/chain_teacher").status_code == 404
        assert client.get("/processes/chain_teacher/versions/1.bpmn").status_code == 404
        deploy = client.post("/processes/chain_teacher/deploy", json={"xml": with_extra_review(), "note": "x"})
        assert deploy.status_code == 404
        assert client.post("/processes/chain_teacher/draft", json={"xml": TEACHER}).status_code == 404
        assert client.post("/processes/chain_teacher/versions/1/rollback").status_code == 404
    assert login_as("t01").get("/processes").status_code == 404
    assert login_as("rsc_reviewer").get("/processes/no_such_process").status_code == 404
    assert versions_of(session) == 1 and session.scalar(select(ProcessDraft)) is None


def test_owner_sees_their_processes_and_the_modeler_page(login_as):
    client = login_as("rsc_reviewer")
    page = client.get("/processes").get_data(as_text=True)
    assert "chain_teacher" in page and "chain_faculty_team" in page and "chain_course" not in page
    editor = client.get("/processes/chain_teacher").get_data(as_text=True)
    assert 'id="zg-modeler"' in editor and "bpmn-modeler.production.min.js" in editor and "部署新版本" in editor
    options = client.get("/processes/chain_teacher/options.json").get_json()
    assert options["verticals"]["supervision"] == "监督控制" and any(u["code"] == "RSC" for u in options["units"])
    assert client.get("/processes/chain_teacher/working.bpmn").get_data(as_text=True).startswith("<bpmn:definitions")


def test_a_script_in_a_draft_is_refused_with_the_element_named(login_as, session):
    evil = TEACHER.replace(
        '<bpmn:serviceTask id="publish"',
        '<bpmn:scriptTask id="evil" name="脚本"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
        '<bpmn:serviceTask id="publish"', 1,
    )  # fmt: skip
    response = login_as("rsc_reviewer").post("/processes/chain_teacher/draft", json={"xml": evil})
    assert response.status_code == 400
    problems = response.get_json()["problems"]
    assert problems[0]["element_id"] == "evil" and "脚本任务不允许使用" in problems[0]["message"]
    assert session.scalar(select(ProcessDraft)) is None


def test_expression_check_as_you_type(login_as):
    client = login_as("rsc_reviewer")
    ok = client.post("/processes/chain_teacher/check-expression", json={"expression": 'decision == "approve"'})
    bad = client.post("/processes/chain_teacher/check-expression", json={"expression": "__import__('os')"})
    assert ok.get_json()["ok"] is True
    assert bad.get_json()["ok"] is False and bad.get_json()["message"]


def test_validate_ties_problems_to_elements_and_deploy_refuses_them(login_as, session):
    client = login_as("rsc_reviewer")
    xml = with_extra_review(role="school_leader")
    checked = client.post("/processes/chain_teacher/validate", json={"xml": xml}).get_json()
    assert checked["ok"] is False and checked["problems"][0]["element_id"] == "lane_rsc"
    refused = client.post("/processes/chain_teacher/deploy", json={"xml": xml, "note": "试试"})
    assert refused.status_code == 400 and refused.get_json()["problems"][0]["element_id"] == "lane_rsc"
    assert versions_of(session) == 1


def test_deploy_history_export_and_rollback(login_as, session):
    client = login_as("rsc_reviewer")
    saved = client.post("/processes/chain_teacher/draft", json={"xml": with_extra_review()}).get_json()
    assert saved["ok"] and saved["problems"] == []
    assert "草稿" in client.get("/processes/chain_teacher").get_data(as_text=True)
    body = {"xml": with_extra_review(), "note": "增加人事处复核"}
    deployed = client.post("/processes/chain_teacher/deploy", json=body)
    assert deployed.status_code == 200 and deployed.get_json()["version"] == 2
    history = client.get("/processes/chain_teacher/versions").get_data(as_text=True)
    assert "增加人事处复核" in history and "人事处审核员" in history
    exported = client.get("/processes/chain_teacher/versions/2.bpmn")
    assert 'id="review_rsc"' in exported.get_data(as_text=True)
    assert "chain_teacher_v2.bpmn" in exported.headers["Content-Disposition"]
    assert 'id="review_rsc"' not in client.get("/processes/chain_teacher/working.bpmn?from=1").get_data(as_text=True)
    assert "从 v1 开始编辑" in client.get("/processes/chain_teacher?from=1").get_data(as_text=True)
    compared = client.get("/processes/chain_teacher/compare?a=1&b=2").get_data(as_text=True)
    assert "review_rsc" in compared and "新增" in compared

    back = client.post("/processes/chain_teacher/versions/1/rollback", data={"note": "复核环节暂缓"})
    assert back.status_code == 302
    assert versions_of(session) == 3
    assert "复核环节暂缓" in client.get("/processes/chain_teacher/versions").get_data(as_text=True)
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == "chain_teacher")))
    assert {"process.draft_save", "process.deploy", "process.rollback"} <= actions


def test_import_goes_through_the_same_checks(login_as, session):
    client = login_as("rsc_reviewer")
    head = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
    doctype = head + TEACHER.split("\n", 1)[1]
    refused = client.post("/processes/chain_teacher/import",
                          data={"file": (io.BytesIO(doctype.encode()), "evil.bpmn")})  # fmt: skip
    assert refused.status_code == 400 and "DOCTYPE" in refused.get_data(as_text=True)
    huge = client.post("/processes/chain_teacher/import",
                       data={"file": (io.BytesIO(b"<x/>" * 300_000), "huge.bpmn")}, follow_redirects=True)  # fmt: skip
    assert "文件过大" in huge.get_data(as_text=True)
    assert session.scalar(select(ProcessDraft)) is None

    upload = {"file": (io.BytesIO(with_extra_review().encode()), "v2.bpmn")}
    ok = client.post("/processes/chain_teacher/import", data=upload, follow_redirects=True)
    assert "已导入为草稿" in ok.get_data(as_text=True)
    assert "review_rsc" in client.get("/processes/chain_teacher/working.bpmn").get_data(as_text=True)


def test_admin_can_edit_any_process(login_as):
    assert login_as("admin").get("/processes/chain_course").status_code == 200


def test_migration_page_moves_compatible_instances(login_as, session):
    from tests.engine.test_modeling import start_teacher

    first = start_teacher(session)
    client = login_as("rsc_reviewer")
    client.post("/processes/chain_teacher/deploy", json={"xml": with_extra_review(), "note": "增加人事处复核"})
    page = client.get("/processes/chain_teacher/migrate").get_data(as_text=True)
    assert f'value="{first.instance_id}"' in page and "可以迁移" in page
    done = client.post("/processes/chain_teacher/migrate", data={"instance_id": [str(first.instance_id)]})
    assert "已迁移 1 个实例" in done.get_data(as_text=True)
    assert "没有运行在旧版本上的实例" in done.get_data(as_text=True)
