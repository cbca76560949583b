"""A process owner's edit of a template's items, turned into the next template version's definition.

Items are edited as text, one label per line per section. An item whose label is unchanged keeps its
key, so documents stay traceable across template versions; a new label gets a key never used before.
"""

from __future__ import annotations

import copy
import re

from marshmallow import ValidationError

MAX_ITEMS = 60
MAX_LABEL = 100
SECTION_KEY = re.compile(r"^[0-9a-z_]{1,40}$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip() and set(line.strip()) != {"."}]


def _fresh_key(base: str, used: set[str]) -> str:
    n = 1
    while f"{base}_n{n}" in used:
        n += 1
    key = f"{base}_n{n}"
    used.add(key)
    return key


def revise_definition(definition: dict, items_text: dict, new_sections: list[dict], used_keys: set[str]) -> dict:
    """The next definition: `items_text` maps section key -> lines; `new_sections` are {"label", "items"}."""
    errors: dict[str, list[str]] = {}
    used = set(used_keys)
    out = copy.deepcopy(definition)
    sections = []
    for section in definition["sections"]:
        field = f"items.{section['key']}"
        labels = _lines(items_text.get(section["key"], ""))
        _check(labels, field, errors)
        by_label = {item["label"]: item["key"] for item in section["items"]}
        items = []
        for label in labels:
            key = by_label.get(label) or _fresh_key(section["key"], used)
            items.append({"key": key, "label": label})
        if items or section.get("label") is None:
            sections.append({**section, "items": items})
    for i, new in enumerate(new_sections):
        label = (new.get("label") or "").strip()
        labels = _lines(new.get("items", ""))
        if not label and not labels:
            continue
        if not label or len(label) > MAX_LABEL:
            errors.setdefault(f"new.{i}.label", []).append(f"请填写目标名称（最多 {MAX_LABEL} 字）")
        _check(labels, f"new.{i}.items", errors)
        prefix = definition["key"].split("_")[0]
        key = _fresh_key(prefix + "_s", used)
        sections.append(
            {"key": key, "label": label, "items": [{"key": _fresh_key(key, used), "label": x} for x in labels]}
        )
    if not any(s["items"] for s in sections):
        errors.setdefault("items", []).append("模板至少需要一个项目")
    if errors:
        raise ValidationError(errors)
    out["sections"] = sections
    return out


def _check(labels: list[str], field: str, errors: dict) -> None:
    if len(labels) > MAX_ITEMS:
        errors.setdefault(field, []).append(f"每组最多 {MAX_ITEMS} 个项目")
    if any(len(x) > MAX_LABEL for x in labels):
        errors.setdefault(field, []).append(f"项目名称最多 {MAX_LABEL} 字")
    if len(set(labels)) != len(labels):
        errors.setdefault(field, []).append("同一组内项目名称不能重复")


def all_keys(definitions: list[dict]) -> set[str]:
    """Every section and item key used by any version, so a new item never takes an old key."""
    keys = set()
    for d in definitions:
        for s in d["sections"]:
            keys.add(s["key"])
            keys.update(item["key"] for item in s["items"])
    return keys
