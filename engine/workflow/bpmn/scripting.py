"""The only script engine our workflows ever get: our expression language, no `exec`, no `eval`."""

from __future__ import annotations

import json

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .. import expressions, services
from . import spiff_fixes  # noqa: F401 - Spiff 3.2's behaviour mended where ours depends on it

# Service tasks may call only the registered services (engine/workflow/services.py). The runtime binds a
# handler that performs them inside the step's database transaction; without a handler (validation,
# tests) calls are only recorded.


class ScriptsForbidden(RuntimeError):
    """BPMN tried to execute a script; never allowed."""


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    def __init__(self, effects: list | None = None):
        super().__init__({})
        self.effects = effects if effects is not None else []
        self.handler = None  # callable(operation, params, task data) -> dict
        self.failure = None
        self.budget = None  # an engine run's budget (expressions.Budget), shared by its evaluations
        self.now = None  # the step's clock (engine/workflow/runtime.py `advance`): timers are due against it

    def evaluate(self, expression, context, external_context=None):
        data = dict(external_context or {})
        data.update(context or {})
        value = expressions.evaluate(expression, data, self.budget)
        if isinstance(value, str):
            expressions.check_time(value)  # a data-driven timer gets the bounds a literal one gets at deploy
        return value

    def execute(self, script, context, external_context=None):
        raise ScriptsForbidden("脚本不允许执行")

    def call_service(self, context, operation_name=None, operation_params=None, **_kwargs):
        if operation_name not in services.service_labels():
            raise ScriptsForbidden(f"未知的服务：{operation_name}")
        params = {k: v.get("value") for k, v in (operation_params or {}).items()}
        if self.handler is not None:
            try:
                return json.dumps(self.handler(operation_name, params, context))
            except Exception as exc:
                self.failure = exc  # Spiff re-wraps service errors badly; the runtime re-raises this one
                raise
        self.effects.append((operation_name, params))
        return json.dumps({"queued": operation_name})


class SafeScriptEngine(PythonScriptEngine):
    """Evaluates with `SafeEnvironment`; collects service calls as effects for the runtime."""

    def __init__(self, effects: list | None = None):
        super().__init__(environment=SafeEnvironment(effects))

    @property
    def effects(self) -> list:
        return self.environment.effects

    def validate(self, expression):
        expressions.compile_expression(expression)


def run_engine(wf) -> None:
    """`wf.do_engine_steps()` within bounds: at most `MAX_ENGINE_STEPS` tasks before the workflow waits for a
    person or a timer (a loop of gateways and services that never waits fails the step with a clear error
    instead of running on), and `MAX_RUN_STEPS` work units for all of the run's expressions together."""
    env = wf.script_engine.environment
    count = 0

    def will_complete(_task):
        nonlocal count
        count += 1
        if count > expressions.MAX_ENGINE_STEPS:
            raise expressions.BoundExceeded(
                f"流程一次推进执行的步骤过多（超过 {expressions.MAX_ENGINE_STEPS} 步），可能存在不等待任何人的循环"
            )

    outer = env.budget
    env.budget = outer or expressions.Budget(expressions.MAX_RUN_STEPS)
    try:
        wf.do_engine_steps(will_complete_task=will_complete)
    finally:
        env.budget = outer
