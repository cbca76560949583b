"""The arithmetic of a campaign's results, a pure function (no database): tested with numbers written by hand.

Per item: the mean of each scorer group's submitted points, then the weighted mean of those group means
(weights per campaign, a group without a weight counts 1; groups that gave nothing are left out). A part is
the sum of its items, capped at the part's maximum. 质量控制 also takes the unit's 吻合度 (self-diagnosis,
upper-level review, school sampling; 0-100) when it exists: `agreement_share` of the part comes from it, the
rest from the scorers. Grades: a veto (一票否决) is 不合格; 突出贡献 is 优秀 and takes no quota place; else the
total as a share of the parts' maxima (突出工作加分 not counted in the base) against the thresholds, and the
units above the 优秀 line take the quota places in rank order (the rest of them are 良好). Rank order, the
tie-break: total, then 质量提升, then the unit's code, then its id (so the same input always ranks the same).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

GRADES = ("excellent", "good", "pass", "fail")
BONUS = "bonus"
CONTROL = "control"
IMPROVEMENT = "improvement"


@dataclass
class Target:
    id: int
    kind: str  # the unit kind, which picks observation points and scorer groups
    code: str
    veto: bool = False
    outstanding: bool = False
    agreement: float | None = None  # 吻合度 0-100 of the unit's subject, when there is one
    scores: list[tuple[str, dict]] = field(default_factory=list)  # (group, {item key: points}) submitted


@dataclass
class Result:
    total: float
    parts: dict
    detail: dict
    grade: str = ""
    rank: int = 0
    over_line: bool = False  # at or above the 优秀 line on points (before the quota)


def _mean(values) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def _scorers(item: dict, kind: str) -> list[str]:
    return item["scorers"].get(kind, item["scorers"].get("*", []))


def score_target(definition: dict, target: Target, settings: dict) -> Result:
    weights = settings.get("weights") or {}
    share = float(settings.get("agreement_share") or 0)
    parts, items = {}, {}
    for part in definition["parts"]:
        subtotal = 0.0
        for item in part["items"]:
            groups = {}
            for g in _scorers(item, target.kind):
                mean = _mean(s[item["key"]] for grp, s in target.scores if grp == g and item["key"] in s)
                if mean is not None:
                    groups[g] = round(mean, 2)
            weighted = [(float(weights.get(g, 1)), m) for g, m in groups.items() if float(weights.get(g, 1)) > 0]
            total_w = sum(w for w, _m in weighted)
            value = sum(w * m for w, m in weighted) / total_w if total_w else None
            items[item["key"]] = {"mean": None if value is None else round(value, 2), "groups": groups}
            subtotal += value or 0.0
        cap = float(sum(i["max"] for i in part["items"]))
        subtotal = min(subtotal, cap)
        if part["key"] == CONTROL and target.agreement is not None and share > 0:
            from_agreement = share * target.agreement / 100 * cap
            items["_agreement"] = {"value": target.agreement, "share": share, "points": round(from_agreement, 2)}
            subtotal = (1 - share) * subtotal + from_agreement
        parts[part["key"]] = round(subtotal, 2)
    total = round(sum(parts.values()), 2)
    return Result(total=total, parts=parts, detail={"items": items})


def base_of(definition: dict) -> float:
    counted = [p for p in definition["parts"] if p["key"] != BONUS] or definition["parts"]
    return float(sum(i["max"] for p in counted for i in p["items"]))


def quota_places(settings: dict, count: int) -> int:
    quota = settings.get("quota") or {}
    value = float(quota.get("value") or 0)
    if quota.get("mode") == "count":
        return int(value)
    return math.floor(value * count + 1e-9)


def grade_all(definition: dict, targets: list[Target], settings: dict) -> dict[int, Result]:
    """Every target's result, rank and grade."""
    results = {t.id: score_target(definition, t, settings) for t in targets}
    order = sorted(
        targets, key=lambda t: (-results[t.id].total, -results[t.id].parts.get(IMPROVEMENT, 0), t.code, t.id)
    )
    thresholds = settings.get("thresholds") or {}
    base = base_of(definition) or 1.0
    places = quota_places(settings, len(targets))
    for rank, t in enumerate(order, start=1):
        r = results[t.id]
        r.rank = rank
        pct = r.total / base * 100
        r.over_line = pct >= float(thresholds.get("excellent", 90))
        if t.veto:
            r.grade = "fail"
        elif t.outstanding:
            r.grade = "excellent"  # 突出贡献: directly 优秀, no quota place taken
        elif r.over_line and places > 0:
            r.grade, places = "excellent", places - 1
        elif r.over_line or pct >= float(thresholds.get("good", 75)):
            r.grade = "good"
        elif pct >= float(thresholds.get("pass", 60)):
            r.grade = "pass"
        else:
            r.grade = "fail"
    return results
