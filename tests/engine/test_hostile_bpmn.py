"""BPMN that passes the check must not run for minutes or take a gigabyte (issue #14, first section).

The evaluator refuses an operation before it would exceed its bounds, the compiler refuses constant
expressions and durations beyond them at deploy, call activities may not call each other round in a
circle, and a step that exceeds its budget fails like any other without stopping the scheduler.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import scheduler
from engine.core.errors import StepFailed
from engine.models import AuditEntry, ProcessInstance, ScheduledEffect
from engine.workflow import deploy, expressions, incidents, runtime
from engine.workflow.bpmn.compiler import InvalidBpmn, compile_bpmn
from tests.conftest import NOW
from tests.engine.test_bpmn_safety import TEACHER

LATER = NOW + timedelta(days=3650)  # beyond the wall clock, which Spiff compares its timers with


def process(pid="probe", timer="at", kind="timeDate", condition="spin == 1", call=None) -> str:
    """start → timer → gateway; the gateway loops through a throw event while `condition` holds."""
    middle = (
        f'<bpmn:callActivity id="call" calledElement="{call}"/>'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="call"/>'
        '<bpmn:sequenceFlow id="f0b" sourceRef="call" targetRef="wait"/>'
        if call
        else '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="wait"/>'
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
    targetNamespace="http://zhengai.cn/test">
  <bpmn:process id="{pid}" name="{pid}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    {middle}
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition><bpmn:{kind}>{timer}</bpmn:{kind}></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:exclusiveGateway id="gw" default="to_end"/>
    <bpmn:intermediateThrowEvent id="again"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="gw"/>
    <bpmn:sequenceFlow id="loop" sourceRef="gw" targetRef="again">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="back" sourceRef="again" targetRef="gw"/>
    <bpmn:sequenceFlow id="to_end" sourceRef="gw" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def refused(xml, session=None) -> str:
    with pytest.raises(InvalidBpmn) as err:
        deploy.compile_for_deploy(session, xml) if session is not None else compile_bpmn(xml)
    return " ".join(p.message for p in err.value.problems)


# -- the evaluator refuses before the operation ------------------------------------------------------------

HOSTILE = {
    "sum([[0]*9999]*2000, [])": "结果过大",
    "[0]*9999*2000": "结果过大",
    "len([[0]*9999]*2000)": "结果过大",
    '"ab"*6000 + "c"': "结果过大",
    "round(1, -1000000000000000000)": "round 的位数",
    "round(1.5, 1000000000000000000)": "round 的位数",
    '"%0999999999d" % 1': "格式宽度过大",
    '"%.999999999f" % 1.5': "格式宽度过大",
    '"%*d" % [999999999, 1]': "格式宽度过大",
    '"%(a)0999999999d" % {"a": 1}': "格式宽度过大",
    "999999999999 * 999999999999": "数值过大",
}


@pytest.mark.parametrize("source", HOSTILE)
def test_the_evaluator_refuses_an_operation_beyond_its_bounds_before_running_it(source):
    with pytest.raises(expressions.BoundExceeded, match=HOSTILE[source]):
        expressions.evaluate(source, {})


def test_every_evaluation_has_a_step_budget():
    big = list(range(9000))
    text = " and ".join(["x == x"] * 12)
    with pytest.raises(expressions.BoundExceeded, match="计算步骤过多"):
        expressions.evaluate(text, {"x": big})
    assert expressions.evaluate("x == x and len(x) == 9000", {"x": big}) is True  # within it


@pytest.mark.parametrize(
    ("source", "value"),
    [("round(2.567, 2)", 2.57), ('"%05d" % 3', "00003"), ("sum([1, 2, 3])", 6), ("len([[1]*100]*50)", 50),
     ('sum([[1], [2]], [])', [1, 2]), ('"年度" + "报告"', "年度报告")],
)  # fmt: skip
def test_ordinary_expressions_still_evaluate(source, value):
    assert expressions.evaluate(source, {}) == value


# -- the compiler refuses at deploy --------------------------------------------------------------------


@pytest.mark.parametrize(
    "condition",
    ["sum([[0]*9999]*2000, []) == []", "spin == round(1, -1000000000000000000)", '"%0999999999d" % 1 == spin'],
)
def test_a_constant_expression_beyond_the_bounds_is_refused_at_deploy(condition):
    with pytest.raises(InvalidBpmn) as err:
        compile_bpmn(process(condition=condition))
    assert [p.element_id for p in err.value.problems] == ["loop"]
    assert "条件表达式无效" in err.value.problems[0].message


def test_the_modeler_check_says_a_constant_expression_exceeds_the_bounds():
    with pytest.raises(expressions.BoundExceeded):
        expressions.check('x == "%0999999999d" % 1')
    expressions.check("x == 1")  # a data-driven one is checked when it runs


@pytest.mark.parametrize(
    ("kind", "timer"),
    [("timeDuration", "P99999999D"), ("timeDuration", "P99999999Y"), ("timeDuration", "P11Y"),
     ("timeDuration", '"P99999999D"'), ("timeDuration", "PT99999999999H"), ("timeCycle", "R/P1D"),
     ("timeCycle", "R5/PT0S"), ("timeCycle", "R99999/P1D"), ("timeCycle", "R3/P99999999Y")],
)  # fmt: skip
def test_an_out_of_range_duration_is_refused_at_deploy(kind, timer):
    message = refused(process(kind=kind, timer=timer))
    assert "定时器表达式无效" in message and ("时长过长" in message or "循环定时器" in message), message


def test_a_ten_year_timer_is_accepted():
    compile_bpmn(process(kind="timeDuration", timer="P10Y"))
    compile_bpmn(process(kind="timeCycle", timer="R12/P1M"))


def test_an_out_of_range_due_or_reminder_is_refused_at_deploy():
    assert 'due="P7D"' in TEACHER and 'remind="P2D,P1D"' in TEACHER
    assert "期限无效" in refused(TEACHER.replace('due="P7D"', 'due="P99999999D"', 1))
    assert "期限无效" in refused(TEACHER.replace('remind="P2D,P1D"', 'remind="P99999999Y"', 1))
    assert "期限无效" in refused(TEACHER.replace("=step_due|P14D", "=step_due|P99999999D", 1))


def test_a_data_driven_duration_beyond_the_bounds_fails_the_step(session):
    deploy.deploy(session, process(kind="timeDuration", timer="wait_for"), actor_id=None, now=NOW)
    with pytest.raises(StepFailed) as err:  # today: Spiff counts 1.2 billion months, one by one
        runtime.start_instance(session, process_key="probe", actor=None, now=NOW, data={"wait_for": "P99999999Y"})
    plain, _ = incidents.describe_failure(err.value.cause)
    assert "时长过长（最多 10 年）" in plain, plain


# -- call activities that call each other ----------------------------------------------------------------


def test_a_process_that_calls_itself_is_refused_at_deploy(session):
    assert "循环调用" in refused(process("selfish", call="selfish"), session)


def test_call_activities_that_call_each_other_are_refused_at_deploy(session):
    deploy.deploy(session, process("leaf"), actor_id=None, now=NOW)
    deploy.deploy(session, process("middle", call="leaf"), actor_id=None, now=NOW)
    deploy.deploy(session, process("top", call="middle"), actor_id=None, now=NOW)
    message = refused(process("leaf", call="top"), session)  # leaf → top → middle → leaf
    assert "循环调用" in message and "leaf → top → middle → leaf" in message
    assert "循环调用" in refused(process("leaf", call="middle"), session)
    deploy.deploy(session, process("other", call="top"), actor_id=None, now=NOW)  # no circle: fine


# -- a step over its budget fails like any other; the scheduler goes on ------------------------------------


def test_a_poisoned_instance_is_errored_and_the_scheduler_wakes_the_others(session):
    deploy.deploy(session, process(), actor_id=None, now=NOW)
    at = LATER.isoformat()
    poisoned = runtime.start_instance(session, process_key="probe", actor=None, now=NOW, data={"at": at, "spin": 1})
    healthy = runtime.start_instance(session, process_key="probe", actor=None, now=NOW, data={"at": at, "spin": 0})
    session.commit()

    counts = scheduler.tick(session, LATER + timedelta(minutes=1))
    session.commit()
    assert counts.get("sent") == 1 and counts.get("failed") == 1, counts
    session.expire_all()
    assert session.get(ProcessInstance, healthy.id).status == "completed"
    broken = session.get(ProcessInstance, poisoned.id)
    assert broken.status == "error"
    assert "步骤过多" in broken.incident and "不等待任何人的循环" in broken.incident
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "instance.error"))
    assert entry.instance_id == poisoned.id

    # after a restart nothing is left to hang on: the poisoned instance's wake is spent
    pending = session.scalars(select(ScheduledEffect).where(ScheduledEffect.fired_at.is_(None))).all()
    assert all(e.object_id != poisoned.id for e in pending if e.object_type == "process_instance")
    again = scheduler.tick(session, LATER + timedelta(minutes=2))
    assert "failed" not in again and "sent" not in again
