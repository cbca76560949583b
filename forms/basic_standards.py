"""The basic standards of seed table 10 as shipped data (basic_standards.json): 27 standards, each with its lead
department's function, the subjects it applies to, its levels if graded, and measurable criteria rows
(indicator, threshold or rule, unit, data source) grouped by level. No Flask, no database."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "basic_standards.json"
BASIC_SECTION = "basic"  # the template's one section (基本要求); a graded standard has a section per level


@cache
def catalogue() -> tuple[dict, ...]:
    return tuple(json.loads(DATA.read_text(encoding="utf-8")))


def level_key(index: int) -> str:
    return f"level_{index + 1}"


def initial_data(entry: dict) -> dict:
    """The document content of a shipped standard: its criteria as rows (own items), levels as own sections."""
    levels = entry.get("levels") or []
    section_of = {name: level_key(i) for i, name in enumerate(levels)}
    rows = [
        {
            "id": f"c{i + 1}",
            "section": section_of.get(c["section"], BASIC_SECTION),
            "label": c["indicator"],
            "custom": True,
            "included": True,
            "cells": {"threshold": c["threshold"], "unit": c["unit"], "source": c["source"]},
        }
        for i, c in enumerate(entry["criteria"])
    ]
    sections = [{"key": level_key(i), "label": name} for i, name in enumerate(levels)]
    return {"header": {}, "rows": rows, "sections": sections}


def criteria(data: dict) -> list[dict]:
    """A standard's criteria from its document content: included rows with their level (None: 基本要求)."""
    labels = {s["key"]: s["label"] for s in data.get("sections", [])}
    return [
        {
            "level": labels.get(r["section"]),
            "indicator": r["label"],
            "threshold": r["cells"].get("threshold", ""),
            "unit": r["cells"].get("unit", ""),
            "source": r["cells"].get("source", ""),
        }
        for r in data.get("rows", [])
        if r.get("included", True)
    ]
