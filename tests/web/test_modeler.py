"""The modeler over HTTP: only owners get in, every rejection changes nothing, deploys and rollbacks show up."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from engine.models import AuditEntry, ProcessDraft, ProcessVersion
from tests.engine.test_modeling import TEACHER, with_extra_review


def deploy(client, xml: str, note: str, key: str = "chain_teacher"):
    """What the modeler does: save the diagram as the draft, then confirm the deploy on its page."""
    saved = client.post(f"/processes/{key}/draft", json={"xml": xml}).get_json()
    assert saved["ok"], saved
    page = client.get(f"/processes/{key}/deploy").get_data(as_text=True)
    assert f'name="lock" value="{saved["lock"]}"' in page or 'data-testid="deploy-problems"' in page
    return client.post(f"/processes/{key}/deploy", data={"note": note, "lock": saved["lock"]})


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
        assert client.post("/processes/chain_teacher/deploy", data={"note": "x", "lock": "1"}).status_code == 404
        assert client.get("/processes/chain_teacher/deploy").status_code == 404
        assert client.post("/processes/chain_teacher/draft", json={"xml": TEACHER}).status_code == 404
        assert client.get("/processes/chain_teacher/versions/1/rollback").status_code == 404
        assert client.post("/processes/chain_teacher/versions/1/rollback", data={"reason": "x"}).status_code == 404
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
    assert options["scopes"]["function:human_resources"] == "职能：人力资源处"  # lanes name functions, not units
    assert options["scopes"]["committee:work_committee"] == "诊改组织：诊改工作委员会"  # or a committee's members
    assert options["roles"]["director"] == "组织角色：主任委员" and options["roles"]["any"] == "组织：全体成员"
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
    refused = deploy(client, xml, "试试")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'data-testid="deploy-problems"' in page and "lane_rsc" in page
    assert 'data-testid="deploy-form"' not in page  # nothing to confirm while the check fails
    assert versions_of(session) == 1


def test_deploy_history_export_and_rollback(login_as, session):
    client = login_as("rsc_reviewer")
    saved = client.post("/processes/chain_teacher/draft", json={"xml": with_extra_review()}).get_json()
    assert saved["ok"] and saved["problems"] == []
    assert "草稿" in client.get("/processes/chain_teacher").get_data(as_text=True)
    deployed = deploy(client, with_extra_review(), "增加人事处复核")
    assert deployed.status_code == 302 and deployed.headers["Location"].endswith("/processes/chain_teacher/versions")
    history = client.get("/processes/chain_teacher/versions").get_data(as_text=True)
    assert "已部署为第 2 版" in history and "增加人事处复核" in history and "人事处审核员" in history
    exported = client.get("/processes/chain_teacher/versions/2.bpmn")
    assert 'id="review_rsc"' in exported.get_data(as_text=True)
    assert "chain_teacher_v2.bpmn" in exported.headers["Content-Disposition"]
    assert 'id="review_rsc"' not in client.get("/processes/chain_teacher/working.bpmn?from=1").get_data(as_text=True)
    assert "从 v1 开始编辑" in client.get("/processes/chain_teacher?from=1").get_data(as_text=True)
    compared = client.get("/processes/chain_teacher/compare?a=1&b=2").get_data(as_text=True)
    assert "review_rsc" in compared and "新增" in compared

    assert "/processes/chain_teacher/versions/1/rollback" in history  # a link to the confirmation, not a form
    back = client.post("/processes/chain_teacher/versions/1/rollback", data={"reason": "复核环节暂缓"})
    assert back.status_code == 302
    assert versions_of(session) == 3
    assert "回滚到 v1：复核环节暂缓" in client.get("/processes/chain_teacher/versions").get_data(as_text=True)
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == "chain_teacher")))
    assert {"process.draft_save", "process.deploy", "process.rollback"} <= actions


def test_deploy_is_confirmed_on_its_own_page_with_a_note(login_as, session):
    client = login_as("rsc_reviewer")
    empty = client.get("/processes/chain_teacher/deploy").get_data(as_text=True)
    assert 'data-testid="no-draft"' in empty and 'data-testid="deploy-form"' not in empty
    editor = client.get("/processes/chain_teacher").get_data(as_text=True)
    assert 'href="/processes/chain_teacher/deploy" data-testid="deploy-open"' in editor  # works without script

    saved = client.post("/processes/chain_teacher/draft", json={"xml": with_extra_review()}).get_json()
    page = client.get("/processes/chain_teacher/deploy").get_data(as_text=True)
    assert 'data-testid="next-version">v2<' in page and "确认部署为第 2 版" in page
    added = [row for row in page.split("<tr")[1:] if 'data-change="added"' in row]
    assert any("review_rsc" in row and "人事处复核" in row for row in added)
    assert "0 个，保持原版本" in page

    no_note = client.post("/processes/chain_teacher/deploy", data={"note": " ", "lock": saved["lock"]})
    body = no_note.get_data(as_text=True)
    assert no_note.status_code == 400 and 'data-testid="error-note"' in body and "请填写变更说明" in body
    assert 'data-testid="deploy-form"' in body and versions_of(session) == 1
    assert session.scalar(select(ProcessDraft)) is not None  # the draft is still there

    # another owner saves over the draft while this one looks at the confirmation page
    client.post("/processes/chain_teacher/draft", json={"xml": with_extra_review(scope="unit:JWC")})
    stale = client.post("/processes/chain_teacher/deploy", data={"note": "增加复核", "lock": saved["lock"]})
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "草稿在您确认期间已被他人修改" in body
    assert ">增加复核</textarea>" in body and versions_of(session) == 1  # the note typed is kept
    unconfirmed = client.post("/processes/chain_teacher/deploy", data={"note": "增加复核"})
    assert unconfirmed.status_code == 400 and versions_of(session) == 1

    draft = session.scalar(select(ProcessDraft))
    done = client.post("/processes/chain_teacher/deploy", data={"note": "增加复核", "lock": draft.lock_version})
    assert done.status_code == 302 and versions_of(session) == 2
    assert 'data-testid="no-draft"' in client.get("/processes/chain_teacher/deploy").get_data(as_text=True)


def test_a_draft_equal_to_the_current_version_is_not_deployed(login_as, session):
    client = login_as("rsc_reviewer")
    current = client.get("/processes/chain_teacher/working.bpmn").get_data(as_text=True)
    saved = client.post("/processes/chain_teacher/draft", json={"xml": current}).get_json()
    page = client.get("/processes/chain_teacher/deploy").get_data(as_text=True)
    assert 'data-testid="unchanged"' in page and 'data-testid="deploy-form"' not in page
    same = client.post("/processes/chain_teacher/deploy", data={"note": "再部署一次", "lock": saved["lock"]})
    assert same.status_code == 409 and "无需部署" in same.get_data(as_text=True) and versions_of(session) == 1


def test_rollback_asks_for_a_reason_and_does_nothing_for_the_current_version(login_as, session):
    client = login_as("rsc_reviewer")
    assert deploy(client, with_extra_review(), "增加人事处复核").status_code == 302

    page = client.get("/processes/chain_teacher/versions/1/rollback").get_data(as_text=True)
    assert 'data-testid="rollback-form"' in page and "确认回滚，部署为第 3 版" in page
    removed = [row for row in page.split("<tr")[1:] if 'data-change="removed"' in row]
    assert any("review_rsc" in row for row in removed)  # going back drops the review added in v2

    no_reason = client.post("/processes/chain_teacher/versions/1/rollback", data={"reason": ""})
    body = no_reason.get_data(as_text=True)
    assert no_reason.status_code == 400 and 'data-testid="error-reason"' in body and "请填写回滚原因" in body
    assert versions_of(session) == 2

    done = client.post("/processes/chain_teacher/versions/1/rollback", data={"reason": "复核环节暂缓"})
    assert done.status_code == 302 and versions_of(session) == 3
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "process.rollback"))
    assert entry.note == "回滚到 v1：复核环节暂缓" and entry.after == {"version": 3, "from_version": 1}

    for number in (3, 1):  # v3 is current; v1 is the same diagram as v3
        current = client.get(f"/processes/chain_teacher/versions/{number}/rollback").get_data(as_text=True)
        assert 'data-testid="already-current"' in current and 'data-testid="rollback-form"' not in current
        again = client.post(f"/processes/chain_teacher/versions/{number}/rollback", data={"reason": "再回滚"},
                            follow_redirects=True)  # fmt: skip
        assert f"第 {number} 版已是当前版本，无需回滚" in again.get_data(as_text=True)
    assert versions_of(session) == 3
    assert (
        session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "process.rollback")) == 1
    )


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
    deploy(client, with_extra_review(), "增加人事处复核")
    page = client.get("/processes/chain_teacher/migrate").get_data(as_text=True)
    assert f'value="{first.instance_id}"' in page and "可以迁移" in page
    done = client.post("/processes/chain_teacher/migrate", data={"instance_id": [str(first.instance_id)]})
    assert done.status_code == 302  # the results are a page of their own: reloading it moves nothing again
    done = client.get(done.headers["Location"])
    assert "已迁移 1 个实例" in done.get_data(as_text=True)
    assert "没有运行在旧版本上的实例" in done.get_data(as_text=True)


def test_the_expression_check_refuses_constants_beyond_the_bounds(login_as):
    client = login_as("rsc_reviewer")
    for text, words in [('decision == "%0999999999d" % 1', "格式宽度过大"), ("P99999999Y", "时长过长")]:
        answer = client.post("/processes/chain_teacher/check-expression", json={"expression": text}).get_json()
        assert answer["ok"] is False and words in answer["message"], answer
