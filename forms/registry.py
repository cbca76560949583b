"""The edit form of a registry entry (mechanism, support service, supervision system): cleaned or refused.

Pure: takes the submitted fields (a mapping of strings) and the statuses, returns a clean dict or raises
marshmallow's ValidationError with Chinese messages per field. Which lead departments exist is the engine's
question (it has the database).
"""

from __future__ import annotations

import re
from datetime import date

from marshmallow import ValidationError

from .text import clean_text, length_error

LIMITS = {"document_text": 20000, "document_url": 500, "note": 2000, "cooperating": 500}
NEEDS_DOCUMENT = ("in_force", "revising")  # an entry in force has its 制度 text or a link to it, and a date
MAX_HOURS = 1440  # a service request's due time: at most 60 days
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def N_(text: str) -> str:  # noqa: N802 - the extraction keyword (web/babel.cfg); the web layer translates
    return text


def split_names(text: str) -> list[str]:
    """Department names as typed: separated by 、 ， , ; ； or whitespace, duplicates dropped, order kept."""
    names = [n.strip() for n in re.split(r"[、，,;；\s]+", text or "") if n.strip()]
    return list(dict.fromkeys(names))


def clean_entry(fields, statuses) -> dict:
    """The entry's new values, or ValidationError {field: [message]} (nothing is half-applied)."""
    errors: dict[str, list[str]] = {}
    out: dict = {}
    for name, limit in LIMITS.items():
        text = clean_text(fields.get(name))
        if problem := length_error(text, limit):
            errors[name] = [problem]
        out[name] = text
    status = clean_text(fields.get("status"))
    if status not in statuses:
        errors["status"] = [N_("请选择状态")]
    out["status"] = status
    if out["document_url"] and not URL.match(out["document_url"]):
        errors.setdefault("document_url", [N_("链接须以 http:// 或 https:// 开头")])
    raw_date = clean_text(fields.get("document_date"))
    out["document_date"] = None
    if raw_date:
        try:
            out["document_date"] = date.fromisoformat(raw_date)
        except ValueError:
            errors["document_date"] = [N_("请填写有效日期（如 2017-06-30）")]
    if status in NEEDS_DOCUMENT:
        if not out["document_text"] and not out["document_url"]:
            errors.setdefault("document_text", [N_("生效或修订中的制度须填写制度文本或链接")])
        if not raw_date:
            errors.setdefault("document_date", [N_("请填写生效日期")])
    raw_lead = clean_text(fields.get("lead_unit_id"))
    out["lead_unit_id"] = int(raw_lead) if raw_lead.isdigit() and len(raw_lead) < 12 else None
    if out["lead_unit_id"] is None:
        errors["lead_unit_id"] = [N_("请选择牵头部门")]
    out["cooperating"] = split_names(out["cooperating"])
    raw_hours = clean_text(fields.get("service_hours"))  # a support service's due time; blank: the default
    out["service_hours"] = int(raw_hours) if raw_hours.isdigit() and len(raw_hours) <= 4 else None
    if out["service_hours"] is not None and not 0 < out["service_hours"] <= MAX_HOURS:
        out["service_hours"] = None
    if raw_hours and out["service_hours"] is None:
        errors["service_hours"] = [N_("办结时限须为 1 至 1440 之间的整数（小时），留空按默认时限")]
    if errors:
        raise ValidationError(errors)
    return out
