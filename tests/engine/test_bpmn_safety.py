"""Uploaded BPMN is checked before anything runs: no Python, no DOCTYPE, only supported elements."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.workflow import deploy, expressions
from engine.workflow.bpmn.compiler import InvalidBpmn, compile_bpmn
from engine.workflow.bpmn.scripting import SafeScriptEngine, ScriptsForbidden

TEACHER = (Path(__file__).resolve().parents[2] / "workflows" / "chain_teacher.bpmn").read_text(encoding="utf-8")


def problems_of(xml: str) -> list:
    with pytest.raises(InvalidBpmn) as err:
        compile_bpmn(xml)
    return err.value.problems


def test_shipped_chain_compiles():
    compiled = compile_bpmn(TEACHER)
    assert compiled.process_id == "chain_teacher"
    assert {t["kind"] for t in compiled.meta["tasks"].values()} == {"edit", "review"}


def test_python_in_a_condition_is_rejected_naming_the_flow(tmp_path):
    marker = tmp_path / "pwned"
    evil = TEACHER.replace('decision == "approve"', f"__import__('os').system('touch {marker}')", 1)
    problems = problems_of(evil)
    assert any(p.element_id and p.element_id.startswith("flow_") for p in problems), problems
    assert any("条件表达式无效" in p.message for p in problems)
    assert not marker.exists()


def test_script_task_is_rejected_naming_the_element():
    evil = TEACHER.replace(
        '<bpmn:serviceTask id="publish"',
        '<bpmn:scriptTask id="evil_script" name="脚本"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
        '<bpmn:serviceTask id="publish"',
        1,
    )
    problems = problems_of(evil)
    assert any(p.element_id == "evil_script" for p in problems)


def test_doctype_and_entities_are_rejected_before_parsing():
    evil = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n' + TEACHER.split("\n", 1)[1]
    problems = problems_of(evil)
    assert "DOCTYPE" in problems[0].message


def test_malformed_xml_names_the_line():
    problems = problems_of(TEACHER[: len(TEACHER) // 2])
    assert "XML" in problems[0].message and problems[0].line


def test_unknown_service_is_rejected():
    evil = TEACHER.replace('serviceTaskOperator id="publish_document"', 'serviceTaskOperator id="os_system"', 1)
    problems = problems_of(evil)
    assert any(p.element_id == "publish" for p in problems)


def test_deploy_refuses_unknown_department(session):
    evil = TEACHER.replace('scope="subject_unit"', 'scope="unit:NOPE"', 1)
    assert evil != TEACHER
    with pytest.raises(InvalidBpmn) as err:
        deploy.compile_for_deploy(session, evil)
    assert any("NOPE" in p.message for p in err.value.problems)


def test_script_engine_refuses_to_execute():
    engine = SafeScriptEngine()
    with pytest.raises(ScriptsForbidden):
        engine.environment.execute("import os", {})


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os')",
        "().__class__.__bases__",
        "decision.upper()",
        "[x for x in range(10)]",
        "lambda: 1",
        "2 ** 1000000",
        "'a' * 100000000",
        "open('/etc/passwd')",
    ],
)
def test_expression_language_rejects_python(source):
    with pytest.raises(expressions.ExpressionError):
        expressions.evaluate(source, {"decision": "approve"})


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ('decision == "approve"', {"decision": "approve"}, True),
        ('decision == "approve" and score >= 60', {"decision": "approve", "score": 59}, False),
        ("decision in ('return', 'reject')", {"decision": "return"}, True),
        ("not done", {"done": False}, True),
        ("len(items) > 2", {"items": [1, 2, 3]}, True),
    ],
)
def test_expression_language_evaluates_conditions(source, data, expected):
    assert expressions.evaluate(source, data) is expected
