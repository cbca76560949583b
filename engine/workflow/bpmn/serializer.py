"""Workflow state without its specs: specs are stored once per deployed version and cached here.

The stock serializer embeds every spec in every saved state (50-75 % of its size, and most of the
load time). We store an instance's tasks and data only and restore them onto the cached spec objects
of its version, which are shared read-only between instances.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from .compaction import Trail


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _build():
    full = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = StateOnlyWorkflowConverter
    state = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
    return full, state


_FULL, _STATE = _build()
REGISTRY = _FULL.registry  # spec converters, e.g. for SpiffWorkflow's diff utilities
_STATE_VERSION = "zg-1"


def dump_specs(spec, subprocess_specs) -> str:
    """Serialize a process spec and the specs of its call activities, for a process version."""
    registry = _FULL.registry
    return json.dumps(
        {
            "spec": registry.convert(spec),
            "subprocess_specs": {k: registry.convert(v) for k, v in subprocess_specs.items()},
        }
    )


def load_specs(spec_json: str):
    registry = _FULL.registry
    dct = json.loads(spec_json)
    spec = registry.restore(dct["spec"])
    subs = {k: registry.restore(v) for k, v in dct["subprocess_specs"].items()}
    return spec, subs


def dump_state(workflow) -> str:
    registry = _STATE.registry
    registry._encoder_mode = False
    dct = registry.convert(workflow)
    dct["v"] = _STATE_VERSION
    trail = getattr(workflow, "zg_trail", None)  # the path of what compaction dropped (compaction.py)
    if trail is not None and (trail.completed or trail.flows):
        dct["trail"] = trail.to_dict()
    return json.dumps(dct, separators=(",", ":"), ensure_ascii=False)


def load_state(state_json: str, spec, subprocess_specs):
    dct = json.loads(state_json)
    dct.pop("v", None)
    trail = dct.pop("trail", None)
    workflow = _STATE.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
    workflow.zg_trail = Trail.from_dict(trail)
    return workflow


class SpecCache:
    """Parsed specs per process version (and bundles per bound versions); a small LRU shared by the threads
    of one process."""

    def __init__(self, size: int = 128):
        self.size = size
        self._items: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, make):
        """The value cached under `key`; on a miss `make()` builds it (outside the lock)."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def discard(self, stale) -> None:
        """Drop the entries whose key `stale(key)` says are out of date."""
        with self._lock:
            for key in [k for k in self._items if stale(k)]:
                del self._items[key]


SPECS = SpecCache()
