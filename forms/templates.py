"""Template definitions (seed tables 1-36) shipped as JSON, and helpers to read them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent / "templates"


@cache
def builtin_templates() -> dict[str, dict]:
    """The templates shipped with the product, by key; version 1 of each in a new database."""
    from .cycle_templates import derived_templates
    from .work_standards import work_standard_templates

    out = {}
    for path in sorted(TEMPLATE_DIR.glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        out[definition["key"]] = definition
    out.update(derived_templates(out))
    out.update(work_standard_templates())
    return out


def template_items(definition: dict) -> dict[str, dict]:
    """Every template item by key, with its section key."""
    return {
        item["key"]: dict(item, section=section["key"])
        for section in definition["sections"]
        for item in section["items"]
    }


def empty_document(definition: dict) -> dict:
    """A new document: every template item included, every cell empty."""
    cols = [c["key"] for c in definition["columns"]]
    rows = [
        {
            "id": item["key"],
            "section": section["key"],
            "label": item["label"],
            "custom": False,
            "included": True,
            "cells": {c: "" for c in cols},
        }
        for section in definition["sections"]
        for item in section["items"]
    ]
    return {"header": {}, "rows": rows, "sections": []}


def column_groups(definition: dict) -> list[tuple[str, int]]:
    """The grouped columns' headings in the order they appear, with how many columns each spans.

    Jinja's `groupby` sorts (and 3.1 has no `sort=False`), which would reorder 绩效/保障/流程.
    """
    groups: list[tuple[str, int]] = []
    for col in definition["columns"]:
        group = col.get("group")
        if not group:
            continue
        if groups and groups[-1][0] == group:
            groups[-1] = (group, groups[-1][1] + 1)
        else:
            groups.append((group, 1))
    return groups


def section_labels(definition: dict, data: dict) -> dict[str, str]:
    labels = {s["key"]: s.get("label") or "" for s in definition["sections"]}
    for s in data.get("sections", []):
        labels.setdefault(s["key"], s["label"])
    return labels
