"""Student quality credits as people type them: a 认定标准 item, a claim, the counselor's decision, a 减分 record,
a reversal, a class's graduation year. Each validator returns clean values or raises ValueError with
{field: [message]}; no database, no Flask."""

from __future__ import annotations

import re
from datetime import date

from .text import clean_text, length_error


def N_(text: str) -> str:  # noqa: N802 - the extraction keyword (web/babel.cfg); the web layer translates
    return text


# The categories of the 认定标准 (a school adds items, not categories).
CATEGORIES = {
    "moral": N_("思想品德"),
    "practice": N_("社会实践"),
    "volunteer": N_("志愿服务"),
    "culture": N_("文体活动"),
    "competition": N_("技能竞赛"),
    "certificate": N_("职业资格证书"),
    "innovation": N_("创新创业"),
    "discipline": N_("违纪"),
}
DIRECTIONS = {"add": N_("加分"), "deduct": N_("减分")}
MAX_POINTS = 20.0
LIMITS = {"code": 32, "title": 100, "evidence_note": 200, "description": 2000, "comment": 2000, "reason": 2000}
# The decisions of each step of workflows/credit_claim.bpmn, by task id; those needing a reason
STEPS = {
    "counselor_review": {"recognise": N_("认定"), "return": N_("退回修改"), "reject": N_("不予认定")},
    "student_revise": {"resubmit": N_("重新提交"), "withdraw": N_("撤回申请")},
}
REASON_REQUIRED = {
    "return": N_("退回时请说明需要修改什么"),
    "reject": N_("不予认定时请说明理由"),
}
DECISION_LABELS = {k: v for choices in STEPS.values() for k, v in choices.items()}
CODE = re.compile(r"^[A-Za-z0-9_-]+$")


def _text(data: dict, key: str, errors: dict, missing: str | None = None) -> str:
    text = clean_text(data.get(key))
    if not text and missing:
        errors[key] = [missing]
    elif too_long := length_error(text, LIMITS[key]):
        errors[key] = [too_long]
    return text


POINTS = re.compile(r"^\d{1,2}(\.\d)?$")


def _points(value, errors: dict) -> float | None:
    text = str(value if value is not None else "").strip()
    if not POINTS.match(text):
        errors["points"] = [N_("分值请填写数字，最多一位小数")]
        return None
    points = float(text)
    if not 0 < points <= MAX_POINTS:
        errors["points"] = [N_("分值必须大于 0、不超过 20")]
        return None
    return points


def _date(value, key: str, errors: dict, today: date) -> date | None:
    try:
        day = date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors[key] = [N_("请填写日期（年-月-日）")]
        return None
    if day > today:
        errors[key] = [N_("日期不能晚于今天")]
        return None
    return day


def validate_item(payload, taken_codes=()) -> dict:
    """A catalogue item: code (letters, digits, - and _; not one another item has), title, category,
    加分/减分, points (0 < p <= 20, one decimal), evidence required and what, active."""
    data = payload if isinstance(payload, dict) else {}
    errors: dict[str, list[str]] = {}
    code = _text(data, "code", errors, N_("请填写编号"))
    if code and "code" not in errors:
        if not CODE.match(code):
            errors["code"] = [N_("编号只能使用字母、数字、- 和 _")]
        elif code in taken_codes:
            errors["code"] = [N_("编号已被其他项目使用")]
    title = _text(data, "title", errors, N_("请填写项目名称"))
    category = data.get("category")
    if category not in CATEGORIES:
        errors["category"] = [N_("请选择类别")]
    direction = data.get("direction")
    if direction not in DIRECTIONS:
        errors["direction"] = [N_("请选择加分或减分")]
    points = _points(data.get("points"), errors)
    evidence_required = data.get("evidence_required") in ("on", "1", "true", True)
    note = _text(data, "evidence_note", errors)
    if evidence_required and not note and "evidence_note" not in errors:
        errors["evidence_note"] = [N_("需要佐证材料时请说明需要什么材料")]
    if errors:
        raise ValueError(errors)
    return {
        "code": code, "title": title, "category": category, "direction": direction, "points": points,
        "evidence_required": evidence_required, "evidence_note": note,
        "active": data.get("active") in ("on", "1", "true", True),
    }  # fmt: skip


def validate_claim(payload, item_ids, student_ids, today: date) -> dict:
    """A claim: an active 加分 item (of `item_ids`), the student it is for (of `student_ids`: the claimant's
    class), the day it happened (not in the future), what was done."""
    data = payload if isinstance(payload, dict) else {}
    errors: dict[str, list[str]] = {}
    item = _int(data.get("item"))
    if item not in item_ids:
        errors["item"] = [N_("请选择认定项目")]
    student = _int(data.get("student"))
    if student not in student_ids:
        errors["student"] = [N_("只能为本班同学申请")]
    occurred = _date(data.get("occurred_on"), "occurred_on", errors, today)
    description = _text(data, "description", errors, N_("请填写事由（做了什么、取得了什么）"))
    if errors:
        raise ValueError(errors)
    return {"item": item, "student": student, "occurred_on": occurred, "description": description}


def validate_deduct(payload, item_ids, today: date) -> dict:
    """A 减分 record: an active 减分 item, the day, the reason."""
    data = payload if isinstance(payload, dict) else {}
    errors: dict[str, list[str]] = {}
    item = _int(data.get("item"))
    if item not in item_ids:
        errors["item"] = [N_("请选择减分项目")]
    occurred = _date(data.get("occurred_on"), "occurred_on", errors, today)
    reason = _text(data, "reason", errors, N_("请填写减分事由"))
    if errors:
        raise ValueError(errors)
    return {"item": item, "occurred_on": occurred, "reason": reason}


def validate_step(step: str, payload) -> dict:
    """A step's decision and its reason (required to return or reject)."""
    data = payload if isinstance(payload, dict) else {}
    choices = STEPS.get(step, {})
    decision = data.get("decision")
    errors: dict[str, list[str]] = {}
    comment = _text(data, "comment", errors)
    if decision not in choices:
        errors["decision"] = [N_("请选择办理结果")]
    elif not comment and decision in REASON_REQUIRED:
        errors["comment"] = [REASON_REQUIRED[decision]]
    if errors:
        raise ValueError(errors)
    return {"decision": decision, "comment": comment}


def validate_reason(payload) -> str:
    """The reason of a reversal."""
    data = payload if isinstance(payload, dict) else {}
    errors: dict[str, list[str]] = {}
    reason = _text(data, "reason", errors, N_("请填写撤销认定的理由"))
    if errors:
        raise ValueError(errors)
    return reason


def validate_year(value, low: int, high: int) -> int:
    """A class's graduation year, within [low, high]."""
    year = _int(value)
    if year is None or not low <= year <= high:
        raise ValueError({"year": [N_("请填写正确的毕业年份")]})
    return year


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
