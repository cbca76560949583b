"""Validate a document against its template version; errors are keyed by cell for the form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from .columns import choice_values, is_choice, is_readonly
from .templates import template_items
from .text import clean_text, length_error

MAX_ROWS = 300
MAX_LABEL = 100  # an own item's or an own group's name
CUSTOM_ID = re.compile(r"^c[0-9a-z_]{1,30}$")
SECTION_ID = re.compile(r"^[0-9a-z_]{1,40}$")


class _Row(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.String(required=True, validate=validate.Length(1, 40))
    section = fields.String(required=True, validate=validate.Length(1, 40))
    label = fields.String(load_default="")  # length checked with the cells, message with the count
    included = fields.Boolean(load_default=True)
    cells = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), load_default=dict)


class _Section(Schema):
    class Meta:
        unknown = EXCLUDE

    key = fields.String(required=True, validate=validate.Regexp(SECTION_ID))
    label = fields.String(required=True)


class _Document(Schema):
    class Meta:
        unknown = EXCLUDE

    header = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), load_default=dict)
    rows = fields.List(fields.Nested(_Row), required=True, validate=validate.Length(max=MAX_ROWS))
    sections = fields.List(fields.Nested(_Section), load_default=list, validate=validate.Length(max=50))


_DOCUMENT = _Document()  # built once (with its nested schemas); loading does not change it


@dataclass(frozen=True)
class Compiled:
    """What validation reads of a template definition, worked out once (engine/documents/templates.py keeps
    one per definition). Shared between requests: nothing here is ever changed."""

    definition: dict
    items: dict
    columns: dict
    header_defs: dict
    sections: dict


def compile_definition(definition: dict) -> Compiled:
    return Compiled(
        definition,
        template_items(definition),
        {c["key"]: c for c in definition["columns"]},
        {h["key"]: h for h in definition["header"] if h.get("source") == "input"},
        {s["key"]: s.get("label") for s in definition["sections"]},
    )


def validate_document(
    definition: dict | None, payload, *, submit: bool, stored: dict | None = None, compiled: Compiled | None = None
) -> dict:
    """Return the clean document or raise ValidationError with {"rows.3.cells.description": [...]}.

    Drafts only need a sound shape; a submission also needs every included row filled in. Readonly
    columns keep their value in `stored` (the document as it is) whatever is posted; a choice column
    takes only one of its choices. `compiled`: the definition as `compile_definition` gives it, when the caller
    keeps one.
    """
    try:
        doc = _DOCUMENT.load(payload if isinstance(payload, dict) else {})
    except ValidationError as exc:
        raise ValidationError(_flatten(exc.messages)) from None

    errors: dict[str, list[str]] = {}
    compiled = compiled or compile_definition(definition)
    definition, items, columns = compiled.definition, compiled.items, compiled.columns
    header_defs = compiled.header_defs

    header = {}
    for key, value in doc["header"].items():
        if key not in header_defs:
            continue
        value = clean_text(value)
        too_long = length_error(value, header_defs[key].get("max", 100))
        if too_long:
            errors.setdefault(f"header.{key}", []).append(too_long)
        header[key] = value
    for key, h in header_defs.items():
        if submit and h.get("required") and not header.get(key):
            errors.setdefault(f"header.{key}", []).append("请填写此项")

    sections = dict(compiled.sections)  # own sections are added to this copy
    custom_sections = []
    for i, s in enumerate(doc["sections"]):
        if s["key"] in sections:
            continue
        if not definition.get("allow_custom_sections"):
            errors.setdefault("sections", []).append("此模板不允许新增项目组")
            break
        label = clean_text(s["label"])
        problem = "请填写目标名称" if not label else length_error(label, MAX_LABEL)
        if problem:
            errors.setdefault(f"sections.{i}.label", []).append(problem)
        sections[s["key"]] = label
        custom_sections.append({"key": s["key"], "label": label})

    kept = {r.get("id"): r.get("cells") or {} for r in (stored or {}).get("rows", [])}
    rows, seen = [], set()
    for i, row in enumerate(doc["rows"]):
        prefix = f"rows.{i}"
        rid = row["id"]
        if rid in seen:
            errors.setdefault(f"{prefix}.id", []).append("重复的行")
            continue
        seen.add(rid)
        if rid in items:
            label, section, custom = items[rid]["label"], items[rid]["section"], False
        elif CUSTOM_ID.match(rid):
            if not definition.get("allow_custom_items"):
                errors.setdefault(f"{prefix}.label", []).append("此模板不允许新增项目")
                continue
            label, section, custom = clean_text(row["label"]), row["section"], True
            if section not in sections:
                errors.setdefault(f"{prefix}.section", []).append("未知的项目组")
            problem = "请填写项目名称" if not label else length_error(label, MAX_LABEL)
            if problem:
                errors.setdefault(f"{prefix}.label", []).append(problem)
        else:
            errors.setdefault(f"{prefix}.id", []).append("未知的项目")
            continue
        cells = {}
        for key, col in columns.items():
            if is_readonly(col):  # copied in when the document was prepared: never taken from the form
                cells[key] = str(kept.get(rid, {}).get(key) or "")
                continue
            value = clean_text(row["cells"].get(key))
            if value and is_choice(col) and value not in choice_values(col):
                errors.setdefault(f"{prefix}.cells.{key}", []).append(f"请从列表中选择“{col['label']}”")
            too_long = length_error(value, col.get("max", 2000))
            if too_long:
                errors.setdefault(f"{prefix}.cells.{key}", []).append(too_long)
            if submit and row["included"] and col.get("required") and not value:
                errors.setdefault(f"{prefix}.cells.{key}", []).append(f"请填写“{col['label']}”")
            cells[key] = value
        unknown = set(row["cells"]) - set(columns)
        if unknown:
            errors.setdefault(f"{prefix}.cells", []).append("未知的列")
        rows.append(
            {"id": rid, "section": section, "label": label, "custom": custom, "included": row["included"],
             "cells": cells}
        )  # fmt: skip
    if submit and not any(r["included"] for r in rows):
        errors.setdefault("rows", []).append("至少需要填写一个项目")
    if errors:
        raise ValidationError(errors)
    return {"header": header, "rows": rows, "sections": custom_sections}


def parse_form(form) -> dict:
    """Turn flat HTML form fields (`rows-3-cells-description`) into the document shape."""
    header = {k[len("header-") :]: v for k, v in form.items() if k.startswith("header-")}
    indexes = sorted({int(k.split("-")[1]) for k in form if re.match(r"^rows-\d+-id$", k)})
    rows = []
    for i in indexes[: MAX_ROWS + 1]:
        p = f"rows-{i}-"
        cells = {k[len(p + "cells-") :]: v for k, v in form.items() if k.startswith(p + "cells-")}
        rows.append(
            {
                "id": form.get(p + "id", ""),
                "section": form.get(p + "section", ""),
                "label": form.get(p + "label", ""),
                "included": form.get(p + "included") in ("on", "1", "true"),
                "cells": cells,
            }
        )
    sections = []
    for k in sorted(k for k in form if re.match(r"^sections-\d+-key$", k)):
        i = k.split("-")[1]
        sections.append({"key": form.get(k, ""), "label": form.get(f"sections-{i}-label", "")})
    return {"header": header, "rows": rows, "sections": sections}


def _flatten(messages, prefix="") -> dict:
    out = {}
    if isinstance(messages, dict):
        for k, v in messages.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict):
                out.update(_flatten(v, key))
            else:
                out[key] = v if isinstance(v, list) else [str(v)]
    return out
