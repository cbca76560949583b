"""Compare two versions of a document row by row, for the side-by-side view."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RowDiff:
    id: str
    label: str
    section: str
    status: str  # same / changed / added / removed
    left: dict = field(default_factory=dict)
    right: dict = field(default_factory=dict)
    changed: set = field(default_factory=set)


def _rows(data: dict) -> dict:
    return {r["id"]: r for r in data.get("rows", []) if r.get("included", True)}


def diff_documents(left: dict, right: dict, columns: list[str]) -> list[RowDiff]:
    """Rows of both versions aligned by item key: right-hand order first, removed rows after."""
    a, b = _rows(left), _rows(right)
    out = []
    for rid, row in b.items():
        old = a.get(rid)
        if old is None:
            out.append(RowDiff(rid, row["label"], row["section"], "added", {}, row["cells"], set(columns)))
            continue
        changed = {c for c in columns if (old["cells"].get(c) or "") != (row["cells"].get(c) or "")}
        if row["label"] != old["label"]:
            changed.add("label")
        status = "changed" if changed else "same"
        out.append(RowDiff(rid, row["label"], row["section"], status, old["cells"], row["cells"], changed))
    for rid, row in a.items():
        if rid not in b:
            out.append(RowDiff(rid, row["label"], row["section"], "removed", row["cells"], {}, set(columns)))
    return out


def summary(rows: list[RowDiff]) -> dict[str, int]:
    counts = {"same": 0, "changed": 0, "added": 0, "removed": 0}
    for r in rows:
        counts[r.status] += 1
    return counts
