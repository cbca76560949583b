"""An instance lives through hundreds of return loops (issue #14): Spiff silently stops looking for ready
tasks 1000 levels below the root (its TaskIterator's max_depth), and every loop adds levels. The stored
state is compacted (engine/workflow/bpmn/compaction.py), so the tree's depth stays what the diagram needs
however often the chain loops, and the 600th return still offers the next task and the chain finishes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.models import Document, ProcessInstance
from engine.workflow import runtime
from tests.conftest import filled, user
from tests.engine.test_deadlines import submit_target
from tests.engine.test_state_compaction import open_tasks

pytestmark = pytest.mark.slow

LOOPS = 600


def depth(instance: ProcessInstance, session) -> int:
    """The deepest task below the root of the workflow restored from the stored state, as a step sees it."""
    wf, _meta = runtime.load_workflow(session, instance)
    deepest = 0
    for task in wf.get_tasks():
        level, parent = 0, task.parent
        while parent is not None:
            level, parent = level + 1, parent.parent
        deepest = max(deepest, level)
    return deepest


def test_six_hundred_returns_still_offer_the_next_task_and_the_chain_finishes(session, clock):
    review = submit_target(session, "t01")
    instance_id = review.instance_id
    author, reviewer = user(session, "t01"), user(session, "dzxy_reviewer")
    depths = []
    for loop in range(LOOPS):
        clock.advance(timedelta(hours=1))
        offered = open_tasks(session, instance_id)
        assert [t.kind for t in offered] == ["review"], f"after {loop} returns"
        review = offered[0]
        runtime.complete_task(session, reviewer, review.id, {"decision": "return", "comment": "请补充"}, clock.now)
        clock.advance(timedelta(hours=1))
        offered = open_tasks(session, instance_id)
        assert [t.kind for t in offered] == ["edit"], f"after {loop + 1} returns: the author is offered nothing"
        edit = offered[0]
        assert edit.returned_by_id == reviewer.id
        data = filled(session.get(Document, edit.document_id).data)
        runtime.complete_task(session, author, edit.id, {"document": data}, clock.now)
        if loop % 100 == 0 or loop == LOOPS - 1:
            session.expire_all()  # the next step reads the committed state, as a new request does
            depths.append(depth(runtime.load_instance(session, instance_id), session))
    # bounded by the diagram, not by the loops: far from Spiff's 1000 levels, the same after 600 as after 1
    assert max(depths) == depths[0] < 50, depths

    [review] = open_tasks(session, instance_id)
    runtime.complete_task(session, reviewer, review.id, {"decision": "approve", "comment": "同意"}, clock.now)
    session.flush()
    instance = session.get(ProcessInstance, instance_id)
    doc = session.get(Document, instance.document_id)
    assert instance.status == "completed" and doc.status == "published"
    assert not open_tasks(session, instance_id)
