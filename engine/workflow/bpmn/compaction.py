"""Keep a workflow's stored state bounded: drop the history SpiffWorkflow never reads again.

Spiff 3.2 keeps every task it ever ran. Each return loop of a chain adds its edit, review and gateway
tasks (~1.2 KB of state: 3.6 KB grow to 62 KB after 50 loops), and every later step loads, walks and
saves all of them. What Spiff (and we) read of the past, measured on 3.2:

- a task's parent: a task inherits its parent's data, and `reset_branch` copies the parent's data;
- the ancestors of a join that waits: `BoundaryEventJoin` looks for its split among its ancestors;
- the other tasks of a parallel or inclusive join's gateway in the same pass, finished ones too: the
  first branch to arrive waits there and is *cancelled* by the next one that arrives, and whether a branch
  is in is read from that cancelled task's parent (its state, COMPLETED, and its spec, an input of the
  gateway). An inclusive join (`get_tasks(end_at_spec=...)`) also never looks below an earlier pass of
  its own gateway;
- `reset_from_task_id` on the author's latest submission (the withdrawal, engine/documents/withdrawal.py):
  that task and its parent (whose data it copies). Under a boundary event the parent is the event's split,
  and the reset resets every child of that split (the step and its boundary events, cancelled when the step
  completed), so the events are back on the reopened step;
- the subprocess of a running call activity.

So every unfinished task keeps its ancestors up to the nearest finished step a person took (a manual
task, or a call activity, which waits for its chain's people) and `MARGIN` more above it (and, when that
is a boundary event's split, the split's other children); the root stays. Everything else that is
finished goes: branches that ended (a cancelled prediction, a completed escalation path) and the
ancestors beyond that window. A kept task whose parent goes is re-attached to
its nearest kept ancestor, so ancestry among the kept tasks is what it was. For every unfinished task of
a parallel or inclusive gateway, the gateway's other tasks of the same pass stay with their real parent
(the branch's last step, so `task.parent.task_spec` is still the input it arrived by) and the task where
their branch left the join's path (the split, so the next compaction still sees them in the same pass).
A pass is bounded by the gateway's previous firing among the join's ancestors; the tasks of earlier passes
go (Spiff would count their branches as arrived again), and an inclusive join's previous firings above it
go too. A join keeps at most three tasks per branch of the pass it waits in, never a loop's history.
The subprocesses of dropped call activities go with them, and a finished subprocess keeps its root only.
How much is kept depends on the diagram, never on how often a loop ran.

The instance page draws the path taken (how often each element completed, which flows were taken) from
the workflow; what is dropped is first counted into the workflow's `Trail`, which is stored with the
state and bounded by the diagram's size (engine/oversight/instance_view.py adds it to what is still there).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.util.task import TaskState

MARGIN = 1  # ancestors kept above a finished person's step: its parent (a boundary event's split, if any)
SPLICED = "zg_spliced"  # internal data of a kept task re-attached above its dropped parent
DONE = TaskState.COMPLETED | TaskState.CANCELLED  # what may be dropped (an ERROR task never is)
REACHED = (TaskState.COMPLETED, TaskState.READY, TaskState.WAITING, TaskState.STARTED)  # on the path taken


@dataclass
class Trail:
    """The path of dropped top-level tasks: completions per BPMN element, flows taken (source, target)."""

    completed: Counter = field(default_factory=Counter)
    flows: set = field(default_factory=set)

    def to_dict(self) -> dict:
        return {"completed": dict(self.completed), "flows": sorted([list(f) for f in self.flows])}

    @classmethod
    def from_dict(cls, dct: dict | None) -> Trail:
        dct = dct or {}
        return cls(Counter(dct.get("completed") or {}), {tuple(f) for f in dct.get("flows") or []})


def trail_of(workflow) -> Trail:
    """The workflow's trail (empty for a workflow that never dropped anything)."""
    trail = getattr(workflow, "zg_trail", None)
    if trail is None:
        trail = workflow.zg_trail = Trail()
    return trail


def previous_element(task):
    """The nearest ancestor that is a BPMN element (Spiff inserts helper tasks without an id), or None
    when the way up crosses a link `compact` made (that flow is in the trail)."""
    current = task
    while True:
        if current.internal_data.get(SPLICED):
            return None
        current = current.parent
        if current is None or current.task_spec.bpmn_id:
            return current


def _waits_for_people(task) -> bool:
    return task.task_spec.manual or isinstance(task.task_spec, SubWorkflowTask)


def _keep(workflow) -> set:
    """Ids of the tasks of one (sub)workflow that stay (see the module docstring)."""
    keep = {workflow.task_tree.id}
    for task in workflow.tasks.values():
        if task.has_state(DONE):
            continue
        keep.add(task.id)
        above, margin = task.parent, None
        while above is not None and margin != 0:
            keep.add(above.id)
            if not above.has_state(DONE):
                break  # an unfinished ancestor keeps its own ancestors
            if margin is not None:
                margin -= 1
            elif _waits_for_people(above):
                margin = MARGIN
                if isinstance(above.parent.task_spec, BoundaryEventSplit):  # a withdrawal resets them all
                    keep.update(above.parent._children)
            above = above.parent
    joins = [t for t in workflow.tasks.values() if not t.has_state(DONE) and isinstance(t.task_spec, UnstructuredJoin)]
    for join in joins:
        for arrived, fork in _arrivals(join):
            keep.update((arrived.id, arrived.parent.id, fork.id))
    for join in joins:
        if isinstance(join.task_spec, InclusiveGateway):  # it does not look below an earlier pass of itself
            above = join.parent
            while above is not None:
                if above.task_spec is join.task_spec:
                    keep.discard(above.id)
                above = above.parent
    return keep


def _arrivals(join) -> list[tuple]:
    """The other tasks of an unfinished join's gateway in the same pass (the branches that arrived, and were
    cancelled by the next arrival, or are on their way), each with the ancestor where its branch left the
    join's path (the split). A task of the gateway among the join's ancestors (the previous pass, which
    fired) bounds the pass: a task whose branch left above that bound belongs to an earlier pass."""
    spec = join.task_spec
    pass_of, above = set(), join.parent
    while above is not None and above.task_spec is not spec:
        pass_of.add(above.id)
        above = above.parent
    ancestors = set(pass_of)
    while above is not None:
        ancestors.add(above.id)
        above = above.parent
    arrivals = []
    for task in join.workflow.tasks.values():
        if task.task_spec is not spec or task is join or task.id in ancestors:
            continue
        above = task.parent
        while above is not None and above.id not in ancestors:
            above = above.parent
        if above is not None and above.id in pass_of:
            arrivals.append((task, above))
    return arrivals


def compact(workflow) -> int:
    """Drop what Spiff never reads again from a top-level workflow and its subprocesses; how many tasks went."""
    dropped = 0
    for sub in list(workflow.subprocesses.values()):
        dropped += _drop(sub, {sub.task_tree.id} if sub.is_completed() else _keep(sub), None)
    dropped += _drop(workflow, _keep(workflow), trail_of(workflow))
    while True:  # the chains of dropped call activities go with them (nested ones too)
        present = set(workflow.tasks).union(*(sub.tasks for sub in workflow.subprocesses.values()))
        gone = [sp_id for sp_id in workflow.subprocesses if sp_id not in present]
        if not gone:
            return dropped
        for sp_id in gone:
            dropped += len(workflow.subprocesses.pop(sp_id).tasks)


def _fold(workflow, keep: set, trail: Trail) -> None:
    """Count what is about to be dropped into the trail: completions, and every flow whose link goes."""
    for task in workflow.tasks.values():
        bpmn_id = task.task_spec.bpmn_id
        if not bpmn_id:
            continue
        gone = task.id not in keep
        if gone and task.state == TaskState.COMPLETED:
            trail.completed[bpmn_id] += 1
        if task.state not in REACHED:
            continue
        previous = previous_element(task)
        if previous is None:
            continue
        link, cut = task, gone
        while link is not previous and not cut:
            link = link.parent
            cut = link.id not in keep
        if cut:
            trail.flows.add((previous.task_spec.bpmn_id, bpmn_id))


def _drop(workflow, keep: set, trail: Trail | None) -> int:
    """Remove the tasks not in `keep`, re-attach kept ones to their nearest kept ancestor, fold the trail."""
    tasks = workflow.tasks
    if len(keep) == len(tasks):
        return 0
    if trail is not None:
        _fold(workflow, keep, trail)
    kept = [task_id for task_id in tasks if task_id in keep]  # in the tree's order
    adopted: dict = {}
    for task_id in kept:
        task = tasks[task_id]
        if task._parent is None or task._parent in keep:
            continue
        above = task.parent
        while above.id not in keep:
            above = above.parent
        task._parent = above.id
        task.internal_data[SPLICED] = True
        adopted.setdefault(above.id, []).append(task_id)
    for task_id in kept:
        task = tasks[task_id]
        task._children = [c for c in task._children if c in keep] + adopted.get(task_id, [])
    if workflow.last_task is not None and workflow.last_task.id not in keep:
        workflow.last_task = None
    gone = [task_id for task_id in tasks if task_id not in keep]
    for task_id in gone:
        del tasks[task_id]
    return len(gone)
