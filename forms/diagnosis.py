"""The three diagnosis modes of seed figure 12 as data, and the checks of what people post for them.

规定性诊断 (prescriptive) answers "结果是否达标" per criterion of a basic standard; 技术性诊断 (technical) and
专业性诊断 (professional) are review checklists (复核性诊断指标体系): the figure's checks grouped under the mode's
headline indicators, each with a weight (the weights sum to 100) and judged on a verdict scale whose levels
carry a score (0-100). No Flask, no database: the functions take plain mappings and return clean values or
raise `FormErrors` with a message per field.
"""

from __future__ import annotations

import re

from .text import clean_text, length_error


def N_(text: str) -> str:  # noqa: N802 - the extraction keyword (web/babel.cfg); the web layer translates
    return text


MODES = {"prescriptive": N_("规定性诊断"), "technical": N_("技术性诊断"), "professional": N_("专业性诊断")}
# Who reviews which subject type (seed §六(二)7(3)): 职能部门/二级学院 and 教师/学生 technically; 专业/课程
# professionally. 专业师资队伍 and 分专业学生综合素质培养 are built per major, so they are reviewed as 专业 are.
MODE_OF_TYPE = {
    "functional_dept": "technical", "college": "technical", "teacher": "technical", "student": "technical",
    "major": "professional", "course": "professional", "faculty_team": "professional",
    "student_cultivation": "professional",
}  # fmt: skip
METHODS = {
    "documents": N_("资料查阅"), "platform": N_("诊改信息平台数据分析"), "site": N_("现场核实"),
    "interview": N_("调查访谈"),
}  # fmt: skip
DEFAULT_SCALE = ({"label": "符合", "score": 100}, {"label": "基本符合", "score": 60}, {"label": "不符合", "score": 0})
# figure 12: (headline indicator, check, weight in the technical list, weight in the professional list)
FIGURE_12 = (
    ("流程是否完整", "是否严格执行流程", 20, 15),
    ("环节是否落实", "目标是否科学", 15, 10),
    ("环节是否落实", "标准是否合理", 15, 10),
    ("环节是否落实", "问题是否准确", 15, 10),
    ("环节是否落实", "诊断是否一致", 10, 10),
    ("环节是否落实", "措施是否可行", 10, 10),
    ("环节是否落实", "质量是否提升", 15, 15),
    ("内容是否科学", "设计是否科学", 0, 10),
    ("内容是否科学", "表达是否规范", 0, 10),
)
MAX_ITEMS = 40
MAX_LEVELS = 5
MAX_LABEL = 100
MAX_INDICATOR = 50
MAX_NOTE = 500
MAX_EVIDENCE = 2000
MAX_URL = 500
URL = re.compile(r"^https?://\S+$")


class FormErrors(ValueError):
    """Input refused: `fields` maps a field name to its messages."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("invalid input")
        self.fields = fields


def default_items(mode: str) -> list[dict]:
    """The figure's checks of a mode with their default weights (summing to 100)."""
    column = 2 if mode == "technical" else 3
    rows = [r for r in FIGURE_12 if r[column]]
    return [{"key": f"i{n}", "indicator": r[0], "label": r[1], "weight": r[column]} for n, r in enumerate(rows, 1)]


def default_scale() -> list[dict]:
    return [dict(level) for level in DEFAULT_SCALE]


def _int(text, low: int, high: int) -> int | None:
    text = str(text or "").strip()
    if not re.fullmatch(r"-?\d{1,4}", text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def _text(form, name: str) -> str:
    return clean_text(form.get(name) or "")


def clean_checklist(form, existing_keys=()) -> tuple[list[dict], list[dict]]:
    """Items and scale from the draft form: rows `item-<n>-{key,indicator,label,weight,order,remove}` (blank rows
    and removed rows are dropped, the rest sorted by their order number) and `scale-<n>-{label,score}`. New rows
    get a key no earlier version used (`existing_keys`), so verdicts recorded against a key keep their meaning."""
    errors: dict[str, list[str]] = {}
    rows = sorted({int(m.group(1)) for name in form for m in [re.fullmatch(r"item-(\d{1,3})-\w+", name)] if m})
    items = []
    for n in rows:
        p = f"item-{n}-"
        if form.get(p + "remove"):
            continue
        indicator, label, weight = _text(form, p + "indicator"), _text(form, p + "label"), _text(form, p + "weight")
        key = _text(form, p + "key")
        if not (indicator or label or weight or key):
            continue
        if not label:
            errors[p + "label"] = [N_("请填写检查项")]
        elif too_long := length_error(label, MAX_LABEL):
            errors[p + "label"] = [too_long]
        if not indicator:
            errors[p + "indicator"] = [N_("请填写所属指标")]
        elif too_long := length_error(indicator, MAX_INDICATOR):
            errors[p + "indicator"] = [too_long]
        value = _int(weight, 1, 100)
        if value is None:
            errors[p + "weight"] = [N_("权重须为 1 至 100 的整数")]
        order = _int(form.get(p + "order") or n, 0, 999)
        if order is None:
            errors[p + "order"] = [N_("顺序须为 0 至 999 的整数")]
        items.append({"n": n, "order": order or 0, "key": key[:16], "indicator": indicator, "label": label,
                      "weight": value or 0})  # fmt: skip
    if not items and not errors:
        errors["items"] = [N_("至少保留一个检查项")]
    elif len(items) > MAX_ITEMS:
        errors["items"] = [{"message": N_("最多 %(n)s 个检查项"), "params": {"n": MAX_ITEMS}}]
    total = sum(i["weight"] for i in items)
    if items and total != 100 and not any(k.endswith("-weight") for k in errors):
        errors["weights"] = [{"message": N_("权重合计须为 100（当前 %(total)s）"), "params": {"total": total}}]
    scale = _clean_scale(form, errors)
    if errors:
        raise FormErrors(errors)
    used = set(existing_keys) | {i["key"] for i in items if i["key"]}
    seen: set[str] = set()
    out = []
    for item in sorted(items, key=lambda i: (i["order"], i["n"])):
        key = item["key"]
        if not key or key in seen:
            key = next(f"i{k}" for k in range(1, 10_000) if f"i{k}" not in used)
            used.add(key)
        seen.add(key)
        out.append({"key": key, "indicator": item["indicator"], "label": item["label"], "weight": item["weight"]})
    return out, scale


def _clean_scale(form, errors: dict) -> list[dict]:
    rows = sorted({int(m.group(1)) for name in form for m in [re.fullmatch(r"scale-(\d{1,2})-\w+", name)] if m})
    scale = []
    for n in rows:
        label, score = _text(form, f"scale-{n}-label"), _text(form, f"scale-{n}-score")
        if not (label or score):
            continue
        if not label:
            errors[f"scale-{n}-label"] = [N_("请填写等级名称")]
        elif too_long := length_error(label, 20):
            errors[f"scale-{n}-label"] = [too_long]
        elif label in {s["label"] for s in scale}:
            errors[f"scale-{n}-label"] = [N_("等级名称重复")]
        value = _int(score, 0, 100)
        if value is None:
            errors[f"scale-{n}-score"] = [N_("分值须为 0 至 100 的整数")]
        scale.append({"label": label, "score": value or 0})
    if not 2 <= len(scale) <= MAX_LEVELS:
        errors["scale"] = [{"message": N_("判定等级须有 2 至 %(n)s 级"), "params": {"n": MAX_LEVELS}}]
    elif not any(k.startswith("scale-") for k in errors) and max(s["score"] for s in scale) != 100:
        errors["scale"] = [N_("最高等级的分值须为 100")]
    return scale


def _clean_evidence(form, methods, errors: dict) -> dict:
    methods = [m for m in dict.fromkeys(methods or []) if m in METHODS]
    if not methods:
        errors["methods"] = [N_("请至少选择一种诊断方式")]
    text, url = _text(form, "evidence_text"), _text(form, "evidence_url")
    if too_long := length_error(text, MAX_EVIDENCE):
        errors["evidence_text"] = [too_long]
    if url and (len(url) > MAX_URL or not URL.match(url)):
        errors["evidence_url"] = [N_("请填写以 http:// 或 https:// 开头的链接")]
    if not text and not url:
        errors["evidence_text"] = [N_("请填写佐证说明或链接")]
    return {"methods": methods, "evidence_text": text, "evidence_url": url}


def clean_assessment(form, methods, items: list[dict], scale: list[dict]) -> dict:
    """A verdict per item (`verdict-<key>`: a level's label), methods, evidence; with the weighted score."""
    errors: dict[str, list[str]] = {}
    scores = {s["label"]: s["score"] for s in scale}
    verdicts = {}
    for item in items:
        value = _text(form, f"verdict-{item['key']}")
        if value not in scores:
            errors[f"verdict-{item['key']}"] = [N_("请选择判定结果")]
        verdicts[item["key"]] = value
    out = _clean_evidence(form, methods, errors)
    if errors:
        raise FormErrors(errors)
    return {**out, "verdicts": verdicts, "score": weighted_score(items, scale, verdicts)}


def weighted_score(items: list[dict], scale: list[dict], verdicts: dict) -> float:
    """Σ weight × the verdict's score / 100, to one decimal (100 when every item gets the top level)."""
    scores = {s["label"]: s["score"] for s in scale}
    return round(sum(i["weight"] * scores.get(verdicts.get(i["key"]), 0) for i in items) / 100, 1)


def clean_prescriptive(form, methods, criteria: list[dict]) -> dict:
    """Pass or fail per criterion (`result-<n>`: pass / fail; `note-<n>`, required when it fails), methods and
    evidence. Returns the results (the criterion as stored with its verdict and note) and whether all passed."""
    errors: dict[str, list[str]] = {}
    results = []
    for n, criterion in enumerate(criteria):
        verdict, note = _text(form, f"result-{n}"), _text(form, f"note-{n}")
        if verdict not in ("pass", "fail"):
            errors[f"result-{n}"] = [N_("请选择是否达标")]
        if too_long := length_error(note, MAX_NOTE):
            errors[f"note-{n}"] = [too_long]
        elif verdict == "fail" and not note:
            errors[f"note-{n}"] = [N_("未达标时请说明实际情况")]
        results.append({**criterion, "passed": verdict == "pass", "note": note})
    out = _clean_evidence(form, methods, errors)
    if errors:
        raise FormErrors(errors)
    return {**out, "results": results, "passed": all(r["passed"] for r in results)}
