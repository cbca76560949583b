"""What changed between two diagrams: elements added, removed or changed (layout moves are not changes)."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..core.errors import N_
from ..workflow.bpmn.compiler import NSMAP, parse_xml

ELEMENT_LABELS = {
    "lane": N_("泳道"),
    "userTask": N_("用户任务"),
    "task": N_("任务"),
    "manualTask": N_("人工任务"),
    "serviceTask": N_("服务任务"),
    "sequenceFlow": N_("连线"),
    "exclusiveGateway": N_("排他网关"),
    "parallelGateway": N_("并行网关"),
    "inclusiveGateway": N_("包容网关"),
    "startEvent": N_("开始事件"),
    "endEvent": N_("结束事件"),
    "callActivity": N_("调用活动"),
    "boundaryEvent": N_("边界事件"),
    "intermediateCatchEvent": N_("中间事件"),
    "participant": N_("池"),
    "laneSet": N_("泳道组"),
    "textAnnotation": N_("注释"),
    "association": N_("关联"),
}


@dataclass
class Change:
    element_id: str
    kind: str  # element type, e.g. userTask
    name: str
    change: str  # added / removed / changed

    @property
    def label(self) -> str:
        return ELEMENT_LABELS.get(self.kind, self.kind)


def compare(old_xml: str, new_xml: str) -> list[Change]:
    """Elements added, removed or changed between two diagrams (layout-only moves are not changes)."""
    old, new = _signatures(old_xml), _signatures(new_xml)
    out = []
    for eid, (kind, name, sig) in new.items():
        if eid not in old:
            out.append(Change(eid, kind, name, "added"))
        elif old[eid][2] != sig:
            out.append(Change(eid, kind, name, "changed"))
    out += [Change(eid, kind, name, "removed") for eid, (kind, name, _) in old.items() if eid not in new]
    return out


def _signatures(xml: str) -> dict[str, tuple[str, str, str]]:
    root = parse_xml(xml)
    out = {}
    for container in root.findall("bpmn:process", NSMAP) + root.findall("bpmn:collaboration", NSMAP):
        for el in container.iter():
            if isinstance(el.tag, str) and el.get("id") and el is not container:
                out[el.get("id")] = (etree.QName(el).localname, el.get("name") or "", _signature(el))
    return out


def _signature(el) -> str:
    parts = [el.tag, sorted(el.attrib.items()), (el.text or "").strip()]
    parts += [_signature(c) for c in el if isinstance(c.tag, str) and not c.get("id")]
    return repr(parts)
