"""Column properties of a template: plain text, a choice from a list ("type": "choice"), or readonly.

A choice column stores the chosen value (e.g. "met") and is shown by its label (达成) on every page and
export; a readonly column is copied in when the step's document is prepared and kept as stored whatever
is posted.
"""

from __future__ import annotations


def is_choice(col: dict) -> bool:
    return col.get("type") == "choice"


def is_readonly(col: dict) -> bool:
    return bool(col.get("readonly"))


def choice_values(col: dict) -> list[str]:
    return [c["value"] for c in col.get("choices") or []]


def display(col: dict | None, value) -> str:
    """A cell as people read it: a choice's label (an unknown value as it is), text unchanged."""
    value = "" if value is None else str(value)
    if col and is_choice(col) and value:
        for c in col.get("choices") or []:
            if c["value"] == value:
                return c["label"]
    return value


def row_display(definition: dict, cells: dict) -> list[str]:
    """A row's cells in column order, as shown."""
    return [display(c, cells.get(c["key"])) for c in definition["columns"]]


def keep_readonly(definition: dict, data: dict, stored: dict) -> dict:
    """`data` (e.g. a refused form shown again) with every readonly cell as in `stored`."""
    fixed = [c["key"] for c in definition["columns"] if is_readonly(c)]
    if not fixed or not data:
        return data
    kept = {r.get("id"): r.get("cells") or {} for r in (stored or {}).get("rows", [])}
    rows = [dict(r, cells={**(r.get("cells") or {}), **{k: kept.get(r.get("id"), {}).get(k, "") for k in fixed}})
            for r in data.get("rows", [])]  # fmt: skip
    return dict(data, rows=rows)
