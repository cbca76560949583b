"""A service request as the requester types it, and each step's decision (table 38): the provider's
服务结束反馈, the requester's 服务已落实 / 服务未落实, 党政办公室's feedback to the provider and its closing."""

from __future__ import annotations

from .text import clean_text, length_error


def N_(text: str) -> str:  # noqa: N802 - the extraction keyword (web/babel.cfg); the web layer translates
    return text


LIMITS = {"description": 2000, "place": 200, "contact": 100}
MAX_COMMENT = 2000

# The decisions of each step of workflows/service_request.bpmn, by task id: (decision -> label), and the
# decisions that need a note (the feedback, the reason, the instruction to the provider).
STEPS = {
    "provider_feedback": {"done": N_("服务结束反馈")},
    "requester_confirm": {"resolved": N_("服务已落实"), "unresolved": N_("服务未落实")},
    "office_forward": {"forward": N_("反馈服务提供方")},
    "provider_redo": {"done": N_("服务结束反馈")},
    "office_close": {"close": N_("结案"), "forward": N_("再次反馈服务提供方")},
}
NOTE_REQUIRED = {
    ("provider_feedback", "done"): N_("请填写服务结束反馈（办理情况）"),
    ("provider_redo", "done"): N_("请填写服务结束反馈（办理情况）"),
    ("requester_confirm", "unresolved"): N_("请说明服务未落实的原因"),
    ("office_forward", "forward"): N_("请填写反馈给服务提供方的意见"),
    ("office_close", "forward"): N_("请填写反馈给服务提供方的意见"),
}
DECISION_LABELS: dict[str, str] = {}  # a decision's label in the history: its first step's ("forward": 反馈服务提供方)
for _choices in STEPS.values():
    for _key, _label in _choices.items():
        DECISION_LABELS.setdefault(_key, _label)


def validate_request(payload, service_keys) -> dict:
    """The new request's fields: a service of the catalogue, what is needed, where, how to reach the requester.
    Raises ValueError with {field: [message]} when anything is missing or too long."""
    data = payload if isinstance(payload, dict) else {}
    errors: dict[str, list[str]] = {}
    service = data.get("service")
    if not isinstance(service, str) or service not in service_keys:
        errors["service"] = [N_("请选择服务项目")]
    clean = {"service": service}
    required = {"description": N_("请填写需求描述"), "place": N_("请填写服务地点"), "contact": N_("请填写联系方式")}
    for key, missing in required.items():
        text = clean_text(data.get(key))
        if not text:
            errors[key] = [missing]
        elif too_long := length_error(text, LIMITS[key]):
            errors[key] = [too_long]
        clean[key] = text
    if errors:
        raise ValueError(errors)
    return clean


def validate_step(step: str, payload) -> dict:
    """A step's decision and note; raises ValueError with {field: [message]}."""
    data = payload if isinstance(payload, dict) else {}
    choices = STEPS.get(step, {})
    decision = data.get("decision")
    if decision is None and len(choices) == 1:
        decision = next(iter(choices))
    comment = clean_text(data.get("comment"))
    errors: dict[str, list[str]] = {}
    if decision not in choices:
        errors["decision"] = [N_("请选择办理结果")]
    elif not comment and (step, decision) in NOTE_REQUIRED:
        errors["comment"] = [NOTE_REQUIRED[(step, decision)]]
    if comment and (too_long := length_error(comment, MAX_COMMENT)):
        errors["comment"] = [too_long]
    if errors:
        raise ValueError(errors)
    return {"decision": decision, "comment": comment}
