"""What people type in the developmental assessment (table 40): a scorer's points and comment, an indicator's
edit, a campaign's opening and its settings (weights, grade thresholds, 优秀 quota), a veto or 突出贡献 reason.
Each validator returns clean values or raises ValueError({field: [message]}); nothing here saves anything."""

from __future__ import annotations

import math
from datetime import date

from .text import clean_text, length_error


def N_(text: str) -> str:  # noqa: N802 - the extraction keyword (web/babel.cfg); the web layer translates
    return text


MAX_COMMENT = 2000
MAX_TEXT = 1000
DEFAULT_SETTINGS = {
    "weights": {},  # group -> weight; a group not named weighs 1 (equal by default)
    "thresholds": {"excellent": 90.0, "good": 75.0, "pass": 60.0},  # per cent of the parts' maxima (bonus excluded)
    "quota": {"mode": "share", "value": 0.3},  # 优秀 at most 30 % of the assessed units (rounded down)
    "agreement_share": 0.2,  # the 吻合度's share of 质量控制 when it exists: one of its five 观测点
    "sample": 5,  # at most this many scorers per group and unit (学校领导 all)
}


def _number(raw, field: str, errors: dict, low: float, high: float, required: bool = True) -> float | None:
    text = raw.strip() if isinstance(raw, str) else raw
    if text in (None, ""):
        if required:
            errors[field] = [N_("请填写分值")]
        return None
    try:
        value = float(text)
    except (TypeError, ValueError):
        errors[field] = [N_("请填写数字")]
        return None
    if not math.isfinite(value) or value < low or value > high:
        errors[field] = [
            {"message": N_("须在 %(low)s 到 %(high)s 之间"), "params": {"low": _fmt(low), "high": _fmt(high)}}
        ]
        return None
    return round(value, 2)


def _fmt(value: float) -> str:
    return f"{value:g}"


def validate_scores(payload: dict, maxima: dict[str, float], final: bool) -> dict:
    """A scorer's points per item (`points-<item key>`, 0..the item's max, two decimals) and comment. A draft may
    leave items empty; a submission needs every item."""
    errors: dict = {}
    scores = {}
    for key, high in maxima.items():
        value = _number(payload.get(f"points-{key}"), f"points-{key}", errors, 0.0, float(high), required=final)
        if value is not None:
            scores[key] = value
    comment = clean_text(payload.get("comment"))
    if too_long := length_error(comment, MAX_COMMENT):
        errors["comment"] = [too_long]
    if errors:
        raise ValueError(errors)
    return {"scores": scores, "comment": comment}


def validate_item(payload: dict, target_kinds: list[str], groups: list[str]) -> dict:
    """An indicator's max points (1..1000), 内涵, 观测点 (one per target kind, `observation-<kind>`) and scorer
    groups (`scorers-<kind>`: the chosen groups, at least one)."""
    errors: dict = {}
    high = _number(payload.get("max"), "max", errors, 1.0, 1000.0)
    connotation = clean_text(payload.get("connotation"))
    if not connotation:
        errors["connotation"] = [N_("请填写内涵")]
    elif too_long := length_error(connotation, MAX_TEXT):
        errors["connotation"] = [too_long]
    observation, scorers = {}, {}
    for kind in target_kinds:
        text = clean_text(payload.get(f"observation-{kind}"))
        if not text:
            errors[f"observation-{kind}"] = [N_("请填写观测点")]
        elif too_long := length_error(text, MAX_TEXT):
            errors[f"observation-{kind}"] = [too_long]
        observation[kind] = text
        chosen = payload.get(f"scorers-{kind}") or []
        chosen = [g for g in groups if g in (chosen if isinstance(chosen, list) else [chosen])]
        if not chosen:
            errors[f"scorers-{kind}"] = [N_("请至少选择一个考核主体")]
        scorers[kind] = chosen
    if errors:
        raise ValueError(errors)
    return {"max": high, "connotation": connotation, "observation": observation, "scorers": scorers}


def validate_campaign(payload: dict, kinds: list[str], today: date) -> dict:
    """A new campaign: the year (2000-2100), the unit kinds assessed (at least one), the scoring deadline (a
    date from today on)."""
    errors: dict = {}
    year = _number(payload.get("year"), "year", errors, 2000, 2100)
    chosen = payload.get("kinds") or []
    chosen = [k for k in kinds if k in (chosen if isinstance(chosen, list) else [chosen])]
    if not chosen:
        errors["kinds"] = [N_("请至少选择一类考核对象")]
    due = None
    raw = (payload.get("due") or "").strip() if isinstance(payload.get("due"), str) else ""
    try:
        due = date.fromisoformat(raw)
    except ValueError:
        errors["due"] = [N_("请选择评分截止日期")]
    if due is not None and due < today:
        errors["due"] = [N_("评分截止日期不能早于今天")]
    if year is not None and year != int(year):
        errors["year"] = [N_("请填写年度")]
    if errors:
        raise ValueError(errors)
    return {"year": int(year), "kinds": chosen, "due": due}


def validate_settings(payload: dict, groups: list[str]) -> dict:
    """Weights per group (0..10), thresholds (per cent, 优秀 ≥ 良好 ≥ 合格), the 优秀 quota (a share 0..1 or a count),
    the 吻合度's share of 质量控制 (0..1)."""
    errors: dict = {}
    weights = {}
    for g in groups:
        value = _number(payload.get(f"weight-{g}"), f"weight-{g}", errors, 0.0, 10.0)
        if value is not None:
            weights[g] = value
    if not errors and groups and not any(weights.values()):
        errors[f"weight-{groups[0]}"] = [N_("至少一个考核主体的权重须大于 0")]
    thresholds = {}
    for key in ("excellent", "good", "pass"):
        value = _number(payload.get(f"threshold-{key}"), f"threshold-{key}", errors, 0.0, 100.0)
        if value is not None:
            thresholds[key] = value
    if len(thresholds) == 3 and not thresholds["excellent"] >= thresholds["good"] >= thresholds["pass"]:
        errors["threshold-good"] = [N_("分数线须满足：优秀 ≥ 良好 ≥ 合格")]
    mode = payload.get("quota_mode") if payload.get("quota_mode") in ("share", "count") else None
    if mode is None:
        errors["quota_mode"] = [N_("请选择优秀名额的计算方式")]
    high = 1.0 if mode == "share" else 1000.0
    quota = _number(payload.get("quota_value"), "quota_value", errors, 0.0, high)
    if mode == "count" and quota is not None and quota != int(quota):
        errors["quota_value"] = [N_("名额须为整数")]
    share = _number(payload.get("agreement_share"), "agreement_share", errors, 0.0, 1.0)
    if errors:
        raise ValueError(errors)
    return {"weights": weights, "thresholds": thresholds, "quota": {"mode": mode, "value": quota},
            "agreement_share": share}  # fmt: skip


def validate_reason(payload: dict, field: str) -> str | None:
    """A veto's or a 突出贡献's reason: empty clears it; too long is refused."""
    text = clean_text(payload.get(field))
    if too_long := length_error(text, MAX_TEXT):
        raise ValueError({field: [too_long]})
    return text or None
