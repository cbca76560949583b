"""Where SpiffWorkflow 3.2 does not do what our workflows need, mended in one place (imported by scripting.py,
which every workflow we run uses).

- A date timer is due against the step's clock, not the wall clock: time is a parameter.
- A task removed from the tree (`reset_from_task_id`, as withdrawal does) leaves the workflow's event manager
  too. Spiff 3.2 keeps a removed boundary timer there, and the next engine run updates a task that no longer
  has a parent (AttributeError on its data): withdrawing a submission whose review has a boundary timer failed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition, TimerEventDefinition
from SpiffWorkflow.workflow import Workflow


def _date_timer_fired(self, my_task):
    """Spiff's `TimeDateEventDefinition.has_fired`, against the step's clock (`SafeEnvironment.now`) rather
    than the wall clock when the runtime gives one: time is a parameter (a timer the step computed from its
    own clock, e.g. the cycle's 次日再查 wait for the sampling draw, is not due at once because the wall
    clock is ahead of it)."""
    event_value = my_task._get_internal_data("event_value")
    if event_value is None:
        event_value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        my_task._set_internal_data(event_value=event_value)
    now = getattr(my_task.workflow.script_engine.environment, "now", None) or datetime.now(UTC)
    if TimerEventDefinition.parse_time_or_duration(event_value) < now:
        my_task._set_internal_data(event_fired=True)
    return my_task._get_internal_data("event_fired", False)


TimeDateEventDefinition.has_fired = _date_timer_fired


_notify_removed = Workflow._task_removed_notify


def _forget_removed_task(self, task):
    """Spiff's removal notice, and the removed task no longer waits for an event."""
    top = getattr(self, "top_workflow", None)
    if top is not None:
        top.event_manager.remove_task(task)
    _notify_removed(self, task)


Workflow._task_removed_notify = _forget_removed_task
