"""The yearly reports' input: a report type's headings, a section's text, a report's body. Errors are
{field: [message]} (ValueError's first argument), in Chinese, at the field that caused them."""

from __future__ import annotations

import re

from .text import clean_text, length_error

MAX_TITLE = 60
MAX_SECTIONS = 30
MAX_TEXT = 20000
KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def validate_headings(rows, functions: set[str], locked: set[str]) -> list[dict]:
    """The headings as posted (`rows`: [{"key", "title", "function"}] in order; a new row has no key) made
    clean: titles required, short and distinct; `function` one of `functions` or empty; the headings in
    `locked` (a process has a step for them) kept. New rows get keys `s<n>`."""
    errors: dict[str, list[str]] = {}
    if not isinstance(rows, list):
        rows = []
    out, seen_titles, seen_keys, taken = [], set(), set(), set()
    for i, row in enumerate(rows):
        row = row if isinstance(row, dict) else {}
        key = clean_text(row.get("key"))
        title = clean_text(row.get("title"))
        function = clean_text(row.get("function"))
        if not title:
            taken.add(key)  # a deleted heading's key is not given to a new one in the same save
            if key in locked:
                errors[f"title_{i}"] = ["该章节由流程分送部门撰写，不能删除"]
            continue  # an empty new row, or a heading deleted by emptying its title
        if too_long := length_error(title, MAX_TITLE):
            errors[f"title_{i}"] = [too_long]
        elif title in seen_titles:
            errors[f"title_{i}"] = ["章节标题重复"]
        if function and function not in functions:
            errors[f"function_{i}"] = ["请选择撰写部门（职能）"]
        if key and (not KEY.match(key) or key in seen_keys):
            key = ""
        seen_titles.add(title)
        out.append({"key": key, "title": title, "function": function})
        seen_keys.add(key)
    missing = locked - {r["key"] for r in out}
    if missing and not errors:
        errors["sections"] = ["由流程分送部门撰写的章节不能删除"]
    if not out:
        errors["sections"] = ["至少保留一个章节"]
    if len(out) > MAX_SECTIONS:
        errors["sections"] = [f"最多 {MAX_SECTIONS} 个章节"]
    if errors:
        raise ValueError(errors)
    n = 1
    for row in out:
        while not row["key"]:
            candidate = f"s{n}"
            n += 1
            if candidate not in seen_keys and candidate not in taken:
                row["key"] = candidate
                seen_keys.add(candidate)
    return out


def validate_text(value, field: str = "text", required: bool = True) -> str:
    """A section's text: required when submitted, at most MAX_TEXT characters."""
    text = clean_text(value)
    if required and not text:
        raise ValueError({field: ["请填写本部分内容"]})
    if too_long := length_error(text, MAX_TEXT):
        raise ValueError({field: [too_long]})
    return text


def validate_body(sections: list[dict], payload, required: bool) -> dict[str, str]:
    """A report's text by section key, from `section_<key>` fields."""
    payload = payload if isinstance(payload, dict) else {}
    errors, body = {}, {}
    for s in sections:
        field = f"section_{s['key']}"
        try:
            body[s["key"]] = validate_text(payload.get(field), field, required)
        except ValueError as exc:
            errors.update(exc.args[0])
    if errors:
        raise ValueError(errors)
    return body


def validate_year(value) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError({"year": ["请填写年度（如 2026）"]}) from None
    if not 2000 <= year <= 2100:
        raise ValueError({"year": ["年度应在 2000 至 2100 之间"]})
    return year


def validate_return(payload, returnable: dict[str, str]) -> tuple[str, str]:
    """A contribution returned by the compilation: `return_section` one of `returnable` (key -> title: the
    contributions not returned before), `return_reason` required, at most 2,000 characters."""
    payload = payload if isinstance(payload, dict) else {}
    errors = {}
    key = clean_text(payload.get("return_section"))
    if key not in returnable:
        errors["return_section"] = ["请选择退回的章节（每个部门的内容只能退回一次）"]
    reason = clean_text(payload.get("return_reason"))
    if not reason:
        errors["return_reason"] = ["请填写退回理由"]
    elif too_long := length_error(reason, 2000):
        errors["return_reason"] = [too_long]
    if errors:
        raise ValueError(errors)
    return key, reason
