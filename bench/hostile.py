"""Hostile BPMN (issue #14): how long the worst accepted condition and duration take, and what is refused.

Prints the slowest of a set of conditions and durations that sit just inside the evaluator's bounds
(target: under 50 ms each), the time an engine run that never waits takes to fail, and shows that the
hostile ones are refused when the BPMN is compiled for deploy, before anything runs.

Run: `.venv/bin/python bench/hostile.py`.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition  # noqa: E402

from engine.workflow import expressions  # noqa: E402
from engine.workflow.bpmn.compiler import InvalidBpmn, compile_bpmn  # noqa: E402
from engine.workflow.bpmn.scripting import run_engine  # noqa: E402
from engine.workflow.bpmn.serializer import load_specs  # noqa: E402
from engine.workflow.runtime import new_workflow  # noqa: E402
from tests.engine.test_hostile_bpmn import NOW, process  # noqa: E402

TARGET_MS = 50
BIG = list(range(9000))  # task data as large as a value may be

# the heaviest conditions we could think of that stay inside the bounds
ACCEPTED_CONDITIONS = {
    "len([[0]*99]*99) == 99": {},
    '"%01000d" % 1 != s': {"s": ""},
    "sum([[0]*4990, [0]*4990], []) == x": {"x": []},
    "[[0]*99]*99 == [[0]*99]*99": {},
    " and ".join(["x == x"] * 10): {"x": BIG},
    " and ".join(["max(x) > 0"] * 10): {"x": BIG},
    " and ".join(["sum(x) > 0"] * 10): {"x": BIG},
    " and ".join(["8999 in x"] * 10): {"x": BIG},
    '"a"*4999 in "b"*4999 + "a"*4999': {},
    " + ".join(["len(str(x))"] * 18) + " > 0": {"x": 10**18},
}
HOSTILE_CONDITIONS = [
    "sum([[0]*9999]*2000, []) == []",
    "spin == round(1, -1000000000000000000)",
    '"%0999999999d" % 1 == spin',
    '"%.999999999f" % 1.5 == spin',
    "[0]*9999*2000 == spin",
]
ACCEPTED_DURATIONS = ["P10Y", "P120M", "P3660D", "P520W", "PT87840H", "P9Y11M30DT23H59M59S", "R1000/P1D", "R12/P10Y"]
HOSTILE_DURATIONS = [
    ("timeDuration", "P99999999D"),
    ("timeDuration", "P99999999Y"),
    ("timeDuration", '"P99999999Y"'),
    ("timeDuration", "P11Y"),
    ("timeCycle", "R/PT0S"),
    ("timeCycle", "R99999/P1D"),
]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def worst(label: str, samples: dict[str, float]) -> bool:
    text, ms = max(samples.items(), key=lambda kv: kv[1])
    ok = ms < TARGET_MS
    print(f"{label}: worst {ms:.2f} ms (target < {TARGET_MS} ms) {'OK' if ok else 'TOO SLOW'}: {text[:70]}")
    return ok


def duration_of(text: str) -> timedelta:
    """What the engine does with a duration (and a cycle's interval): Spiff counts the months one by one."""
    expressions.check_time(text)
    parsed = TimerEventDefinition.parse_iso_duration(text.split("/")[-1])
    return TimerEventDefinition.get_timedelta_from_start(parsed, NOW)


def refused_at_deploy(xml: str) -> str | None:
    try:
        compile_bpmn(xml)
    except InvalidBpmn as exc:
        return exc.problems[0].message
    return None


def main() -> int:
    ok = True
    conditions = {}
    for text, data in ACCEPTED_CONDITIONS.items():
        compile_bpmn(process(condition=text.replace("&", "&amp;").replace("<", "&lt;")))  # deploys
        conditions[text] = timed(lambda text=text, data=data: expressions.evaluate(text, data))
    ok &= worst("accepted condition", conditions)
    ok &= worst("accepted duration", {d: timed(lambda d=d: duration_of(d)) for d in ACCEPTED_DURATIONS})

    spec, subs = load_specs(compile_bpmn(process()).spec_json)
    wf = new_workflow(spec, subs, {"at": "2000-01-01T00:00:00+00:00", "spin": 1})  # its timer is due

    def spin():
        try:
            run_engine(wf)
        except expressions.BoundExceeded as exc:
            print(f"  {exc}")

    print(f"an engine run that never waits (a gateway loop): fails after {timed(spin):.1f} ms")

    print("refused at deploy:")
    for text in HOSTILE_CONDITIONS:
        message = refused_at_deploy(process(condition=text))
        ok &= message is not None
        print(f"  condition {text[:45]:47} {message or 'ACCEPTED (should be refused)'}")
    for kind, text in HOSTILE_DURATIONS:
        message = refused_at_deploy(process(kind=kind, timer=text))
        ok &= message is not None
        print(f"  {kind} {text:28} {message or 'ACCEPTED (should be refused)'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
