"""The modeler's server side: validation tied to elements, deploy checks, version pinning, rollback, migration."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from engine import modeling
from engine.core.errors import Conflict, InvalidInput, NotFound
from engine.documents import service as documents
from engine.models import AuditEntry, HumanTask, ProcessDefinition, ProcessDraft, ProcessInstance
from engine.workflow import runtime
from engine.workflow.bpmn.compiler import BPMN, NSMAP, ZG
from tests.conftest import NOW, filled, own_subject, user

TEACHER = (Path(__file__).resolve().parents[2] / "workflows" / "chain_teacher.bpmn").read_text(encoding="utf-8")


def definition(session, key="chain_teacher") -> ProcessDefinition:
    return session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key))


def with_extra_review(xml: str = TEACHER, role="reviewer", scope="unit:RSC", form="document") -> str:
    """The teacher chain with a 人事处复核 lane and step between the college's approval and publishing."""
    root = etree.fromstring(xml.encode("utf-8"))
    process = root.find("bpmn:process", NSMAP)
    lane_set = process.find("bpmn:laneSet", NSMAP)
    lane = etree.SubElement(lane_set, f"{{{BPMN}}}lane", id="lane_rsc", name="人事处复核")
    ext = etree.SubElement(lane, f"{{{BPMN}}}extensionElements")
    etree.SubElement(ext, f"{{{ZG}}}assignment", role=role, scope=scope)
    etree.SubElement(lane, f"{{{BPMN}}}flowNodeRef").text = "review_rsc"
    task = etree.SubElement(process, f"{{{BPMN}}}userTask", id="review_rsc", name="人事处复核")
    text = etree.SubElement(task, f"{{{BPMN}}}extensionElements")
    etree.SubElement(text, f"{{{ZG}}}task", kind="review", form=form, due="P5D")
    approve = process.find("bpmn:sequenceFlow[@id='flow_review_college_approve']", NSMAP)
    approve.set("targetRef", "review_rsc")
    flow = etree.SubElement(process, f"{{{BPMN}}}sequenceFlow", id="flow_rsc_publish")
    flow.set("sourceRef", "review_rsc")
    flow.set("targetRef", "publish")
    return etree.tostring(root, encoding="unicode")


def owner(session):
    return user(session, "rsc_reviewer")


def ps(session, who):
    from engine import org

    return org.principals_of(session, who.id)


def start_teacher(session, username="t01", doc_type="target") -> HumanTask:
    author = user(session, username)
    return documents.start_document(session, author, own_subject(session, username).id, doc_type, NOW)


def submit(session, task: HumanTask, username="t01") -> HumanTask:
    data = filled(session.get(documents.Document, task.document_id).data)
    runtime.complete_task(session, user(session, username), task.id, {"document": data}, NOW)
    return session.scalar(select(HumanTask).where(HumanTask.instance_id == task.instance_id, HumanTask.state == "open"))


def approve(session, task: HumanTask, username: str) -> HumanTask | None:
    runtime.complete_task(session, user(session, username), task.id, {"decision": "approve", "comment": "同意"}, NOW)
    return session.scalar(select(HumanTask).where(HumanTask.instance_id == task.instance_id, HumanTask.state == "open"))


# --- who may edit -------------------------------------------------------------------------------


def test_only_owners_and_admins_can_open_a_process(session):
    rsc, jwc, admin, teacher = (user(session, u) for u in ("rsc_reviewer", "jwc_reviewer", "admin", "t01"))
    assert modeling.get_editable(session, rsc, ps(session, rsc), "chain_teacher").key == "chain_teacher"
    assert modeling.get_editable(session, admin, ps(session, admin), "chain_teacher").key == "chain_teacher"
    for who in (jwc, teacher):
        with pytest.raises(NotFound):
            modeling.get_editable(session, who, ps(session, who), "chain_teacher")
    assert {d.key for d in modeling.editable_definitions(session, rsc, ps(session, rsc))} == {
        "chain_teacher", "chain_faculty_team", "assessment_campaign"}  # fmt: skip
    assert modeling.editable_definitions(session, teacher, ps(session, teacher)) == []


# --- validation ---------------------------------------------------------------------------------


def test_a_script_task_is_refused_even_as_a_draft_and_nothing_is_stored(session):
    evil = TEACHER.replace(
        '<bpmn:serviceTask id="publish"',
        '<bpmn:scriptTask id="evil" name="脚本"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
        '<bpmn:serviceTask id="publish"', 1,
    )  # fmt: skip
    with pytest.raises(modeling.InvalidBpmnInput) as err:
        modeling.save_draft(session, owner(session), definition(session), evil, NOW)
    assert any(p["element_id"] == "evil" and "脚本" in p["message"] for p in err.value.problems)
    assert session.scalar(select(ProcessDraft)) is None


def test_python_in_a_condition_is_refused_naming_the_flow(session):
    evil = TEACHER.replace('decision == "approve"', "__import__('os').getcwd()", 1)
    problems = modeling.validate(session, definition(session), evil)
    assert [p["element_id"] for p in problems if p["fatal"]] == ["flow_review_college_approve"]


def test_an_unfinished_draft_is_saved_with_its_problems(session):
    unfinished = with_extra_review(role="", scope="")
    draft = modeling.save_draft(session, owner(session), definition(session), unfinished, NOW)
    assert draft.problems and all(p["element_id"] == "lane_rsc" for p in draft.problems)
    assert modeling.working_copy(session, definition(session))["draft"] is True


def test_saving_over_somebody_elses_newer_draft_is_a_conflict(session):
    d = definition(session)
    first = modeling.save_draft(session, owner(session), d, with_extra_review(), NOW)
    lock = first.lock_version
    modeling.save_draft(session, user(session, "admin"), d, with_extra_review(), NOW, lock=lock)
    with pytest.raises(Conflict):
        modeling.save_draft(session, owner(session), d, TEACHER, NOW, lock=lock)


def test_deploy_refuses_a_lane_nobody_can_work_in(session):
    xml = with_extra_review(role="school_leader", scope="unit:RSC")  # nobody is 校领导 of 人事处
    with pytest.raises(modeling.InvalidBpmnInput) as err:
        modeling.deploy(session, owner(session), definition(session), xml, "新环节", NOW)
    assert [(p["element_id"], "找不到办理人" in p["message"]) for p in err.value.problems] == [("lane_rsc", True)]
    assert definition(session).latest_version_id == runtime.latest_version(session, "chain_teacher").id
    assert runtime.latest_version(session, "chain_teacher").version == 1


def test_deploy_refuses_an_unknown_form(session):
    with pytest.raises(modeling.InvalidBpmnInput) as err:
        modeling.deploy(session, owner(session), definition(session), with_extra_review(form="no_such_form"), "x", NOW)
    assert any(p["element_id"] == "review_rsc" and "未知的表单" in p["message"] for p in err.value.problems)


def test_deploy_refuses_a_call_to_a_missing_process(session):
    xml = with_extra_review().replace(
        '<bpmn:userTask id="review_rsc"',
        '<bpmn:callActivity id="call_x" name="子流程" calledElement="no_such_process"/><bpmn:userTask id="review_rsc"',
        1,
    )  # fmt: skip
    with pytest.raises(modeling.InvalidBpmnInput) as err:
        modeling.deploy(session, owner(session), definition(session), xml, "x", NOW)
    assert any(p["element_id"] == "call_x" and "no_such_process" in p["message"] for p in err.value.problems)


def test_deploy_refuses_a_different_process_id_and_needs_a_note(session):
    with pytest.raises(modeling.InvalidBpmnInput) as err:
        other = TEACHER.replace('"chain_teacher"', '"other"')
        modeling.deploy(session, owner(session), definition(session), other, "x", NOW)
    assert "流程 ID 必须保持为 chain_teacher" in err.value.problems[0]["message"]
    with pytest.raises(InvalidInput):
        modeling.deploy(session, owner(session), definition(session), with_extra_review(), "  ", NOW)


# --- versions -----------------------------------------------------------------------------------


def test_an_instance_started_on_v1_finishes_on_v1_after_v2_is_deployed(session):
    old = start_teacher(session)
    v2 = modeling.deploy(session, owner(session), definition(session), with_extra_review(), "增加人事处复核", NOW)
    assert v2.version == 2
    new = start_teacher(session, doc_type="standard")
    assert session.get(ProcessInstance, old.instance_id).version.version == 1
    assert session.get(ProcessInstance, new.instance_id).version.version == 2

    review = submit(session, old)
    assert approve(session, review, "dzxy_reviewer") is None  # v1: published right after the college
    assert session.get(ProcessInstance, old.instance_id).status == "completed"

    review = submit(session, new, "t01")
    extra = approve(session, review, "dzxy_reviewer")
    assert extra.name == "人事处复核" and extra.candidates_label.startswith("人力资源处")
    assert approve(session, extra, "rsc_reviewer") is None
    assert session.get(ProcessInstance, new.instance_id).status == "completed"


def test_rollback_deploys_the_old_diagram_as_a_new_version_and_everything_is_audited(session):
    d = definition(session)
    modeling.save_draft(session, owner(session), d, with_extra_review(), NOW)
    modeling.deploy(session, owner(session), d, with_extra_review(), "增加人事处复核", NOW)
    assert modeling.draft_of(session, d) is None  # the deployed draft is gone
    with pytest.raises(InvalidInput):
        modeling.rollback(session, owner(session), d, 1, " ", NOW)  # a reason is required
    modeling.save_draft(session, owner(session), d, with_extra_review(scope="unit:JWC"), NOW)
    v3 = modeling.rollback(session, owner(session), d, 1, "复核暂缓", NOW)
    history = modeling.versions(session, d)
    assert [(r["version"], r["note"]) for r in history][:2] == [(3, "回滚到 v1：复核暂缓"), (2, "增加人事处复核")]
    assert modeling.draft_of(session, d) is not None  # somebody's work in the modeler is kept
    assert v3.checksum == modeling.get_version(session, d, 1).checksum
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == "chain_teacher").order_by(AuditEntry.id)
    ).all()
    assert actions[-4:] == ["process.deploy", "process.draft_save", "process.deploy", "process.rollback"]
    assert modeling.rollback(session, owner(session), d, 3, "", NOW) is None  # already current: nothing happens
    assert modeling.rollback(session, owner(session), d, 1, "again", NOW) is None  # v1's diagram is v3's
    assert len(modeling.versions(session, d)) == 3


def test_compare_names_added_changed_and_removed_elements():
    changes = {(c.element_id, c.change) for c in modeling.compare(TEACHER, with_extra_review())}
    assert {("lane_rsc", "added"), ("review_rsc", "added"), ("flow_rsc_publish", "added"),
            ("flow_review_college_approve", "changed")} <= changes  # fmt: skip
    assert ("review_college", "changed") not in changes
    back = {(c.element_id, c.change) for c in modeling.compare(with_extra_review(), TEACHER)}
    assert ("review_rsc", "removed") in back


# --- migration ----------------------------------------------------------------------------------


def test_a_compatible_instance_moves_to_the_new_version_keeping_its_task(session):
    d = definition(session)
    first = start_teacher(session)  # waiting at 填写并提交, which v2 still has
    v2 = modeling.deploy(session, owner(session), d, with_extra_review(), "增加人事处复核", NOW)
    plan = {row["instance"].id: row for row in modeling.migration_plan(session, d, v2)}
    assert plan[first.instance_id]["ok"] is True

    results = modeling.migrate(session, owner(session), d, [first.instance_id], v2, NOW)
    assert results == [{"id": first.instance_id, "ok": True, "reason": ""}]
    instance = session.get(ProcessInstance, first.instance_id)
    assert instance.version_id == v2.id
    still = session.get(HumanTask, first.id)
    assert still.state == "open"  # the same task row, claim and due date kept

    extra = approve(session, submit(session, still), "dzxy_reviewer")
    assert extra.name == "人事处复核"  # the rest of the way follows v2
    audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "instance.migrate"))
    assert audit.before == {"version": 1} and audit.after == {"version": 2}


def test_an_instance_whose_current_step_was_removed_is_listed_with_the_reason_and_stays(session):
    d = definition(session)
    waiting = submit(session, start_teacher(session))  # at 二级学院审定
    renamed = TEACHER.replace('"review_college"', '"review_college_v2"').replace(
        ">review_college<", ">review_college_v2<")  # fmt: skip
    v2 = modeling.deploy(session, owner(session), d, renamed, "重做审定步骤", NOW)
    row = next(r for r in modeling.migration_plan(session, d, v2) if r["instance"].id == waiting.instance_id)
    assert row["ok"] is False and "二级学院审定" in row["reasons"][0]

    results = modeling.migrate(session, owner(session), d, [waiting.instance_id, 999999], v2, NOW)
    assert [r["ok"] for r in results] == [False, False]
    assert "已删除" in results[0]["reason"] and "不存在" in results[1]["reason"]
    assert session.get(ProcessInstance, waiting.instance_id).version.version == 1
    assert approve(session, session.get(HumanTask, waiting.id), "dzxy_reviewer") is None  # still runs on v1


def test_every_shipped_process_passes_the_deploy_check_unchanged(session):
    definitions = session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key)).all()
    assert len(definitions) == 21  # 8 chains, the basic-standard chain, 4 subject-level cycles, the school cycle,
    # the service request (table 38), the quality-credit claim, the assessment campaign (table 40), 4 school reports
    for d in definitions:
        xml = modeling.working_copy(session, d)["xml"]
        assert modeling.validate(session, d, xml) == [], d.key
