"""The data-feed definition form (fields, thresholds, provider) as the lead department types it: no Flask, no
database. One field per line: `key | 名称 | number 或 text | 单位 | 下限 | 上限` (the last three optional)."""

from __future__ import annotations

import math
import re


def N_(text: str) -> str:  # noqa: N802 - the extraction keyword (web/babel.cfg)
    """Mark a message for extraction; the web layer translates it."""
    return text


KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
TYPES = {"number": "number", "数字": "number", "text": "text", "文字": "text"}
MAX_FIELDS = 20


def _bound(text: str):
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return "bad"
    if not math.isfinite(value) or abs(value) > 1e12:
        return "bad"
    return int(value) if value.is_integer() else value


def fields_text(fields: list[dict]) -> str:
    """The definition's fields as the form shows them."""

    def cell(v):
        return "" if v is None else str(v)

    return "\n".join(
        " | ".join([f["key"], f["label"], f["type"], f.get("unit") or "", cell(f.get("min")), cell(f.get("max"))])
        for f in fields
    )


def parse_definition(form) -> tuple[dict, dict]:
    """({provider, fields}, {field name: [message ids or {message, params}]}); any error: nothing is to be saved."""
    errors: dict[str, list] = {}
    provider = (form.get("provider") or "").strip()
    if not provider:
        errors["provider"] = [N_("请填写信息提供方")]
    elif len(provider) > 100:
        errors["provider"] = [N_("信息提供方不能超过 100 字")]
    lines = [ln for ln in (form.get("fields") or "").splitlines() if ln.strip()]
    fields, problems, keys = [], [], set()
    if not lines:
        problems.append(N_("至少定义一个数据项"))
    if len(lines) > MAX_FIELDS:
        problems.append({"message": N_("最多 %(n)s 个数据项"), "params": {"n": MAX_FIELDS}})
    for n, line in enumerate(lines[:MAX_FIELDS], start=1):
        cells = [c.strip() for c in line.split("|")] + [""] * 6
        key, label, type_, unit, low, high = cells[:6]
        bad = None
        if not KEY.match(key):
            bad = N_("第 %(n)s 行：数据项键只能用小写字母、数字和下划线，以字母开头")
        elif key in keys:
            bad = N_("第 %(n)s 行：数据项键重复")
        elif not label or len(label) > 40:
            bad = N_("第 %(n)s 行：名称必填，最多 40 字")
        elif type_ not in TYPES:
            bad = N_("第 %(n)s 行：类型应为 number（数字）或 text（文字）")
        elif len(unit) > 10:
            bad = N_("第 %(n)s 行：单位最多 10 字")
        low_v, high_v = _bound(low), _bound(high)
        if bad is None and "bad" in (low_v, high_v):
            bad = N_("第 %(n)s 行：下限、上限应为数字")
        elif bad is None and TYPES[type_] == "text" and (low_v is not None or high_v is not None):
            bad = N_("第 %(n)s 行：文字项不能设下限、上限")
        elif bad is None and low_v is not None and high_v is not None and low_v > high_v:
            bad = N_("第 %(n)s 行：下限不能大于上限")
        if bad:
            problems.append({"message": bad, "params": {"n": n}})
            continue
        keys.add(key)
        fields.append({"key": key, "label": label, "type": TYPES[type_], "unit": unit, "min": low_v, "max": high_v})
    if problems:
        errors["fields"] = problems
    return {"provider": provider, "fields": fields}, errors
