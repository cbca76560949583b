"""质量事故 认定与处理 (table 39): a reported quality accident goes through its procedure on the warning itself.

reported -> proposed (the 诊改办公室 or a 诊改工作组 member proposes the grade, 一般, 严重 or 特别严重, with reasons) ->
decided (the responsible department, the one table 39 names for whom the accident concerns, decides the grade)
-> recorded (the department records the handling). Only then can the warning be resolved (service.resolve).
Each step is a note in the warning's history and an audit row; a step out of order is refused (Conflict) and
bad input changes nothing (InvalidInput naming the field). The procedure lives in `details["procedure"]`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import N_, Conflict, InvalidInput, NotFound
from ..models import Committee, CommitteeMember, QualityWarning, User, WarningStatus
from ..org import policy
from .service import MAX_NOTE, add_note_entry, get_warning, note_entry

# 特别严重 (critical) is the seed's 特别严重事件: decided, it vetoes the unit's developmental assessment of the year
# (engine/assessment/campaigns.py auto_vetoes); 一般 and 严重 do not change the assessment by themselves.
GRADES = {"general": N_("一般"), "serious": N_("严重"), "critical": N_("特别严重")}
CRITICAL = "critical"
STAGES = {
    "reported": N_("已报告，待提出等级认定建议"), "proposed": N_("已提出建议，待责任部门认定"),
    "decided": N_("已认定，待记录处理结果"), "recorded": N_("已记录处理结果"),
}  # fmt: skip
NEXT = {"propose": "reported", "decide": "proposed", "record": "decided"}  # the stage each step starts from
OUT_OF_ORDER = {
    "reported": N_("请先由诊改办公室或工作组提出等级认定建议"),
    "proposed": N_("请先由责任部门认定事故等级"),
    "decided": N_("请先记录处理结果"),
    "recorded": N_("该质量事故已认定并记录处理结果"),
}
WORKING_GROUPS = ("dept_group", "college_group")


def procedure(w: QualityWarning) -> dict | None:
    """The accident's procedure ({stage, proposed_grade, grade, ...}), None for any other warning."""
    return (w.details or {}).get("procedure") if w.kind == "quality_accident" else None


def in_working_group(session: Session, user: User) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    CommitteeMember.user_id == user.id,
                    CommitteeMember.committee_id == Committee.id,
                    Committee.kind.in_(WORKING_GROUPS),
                )
            )
        )
    )


def allowed_steps(session: Session, user: User, principals, w: QualityWarning) -> list[str]:
    """The steps this user may take now (for the page): at most one."""
    proc = procedure(w)
    if proc is None or w.status == WarningStatus.RESOLVED:
        return []
    v = policy.viewer(user, principals)
    stage = proc.get("stage")
    if stage == "reported" and policy.may_propose_accident_grade(v, in_working_group(session, user), w):
        return ["propose"]
    if stage in ("proposed", "decided") and policy.may_decide_accident(v, w):
        return ["decide" if stage == "proposed" else "record"]
    return []


def _text(fields, required_message: str) -> str:
    text = (fields.get("note") or "").strip()
    if not text:
        raise InvalidInput(N_("请检查填写的内容"), fields={"note": [required_message]})
    if len(text) > MAX_NOTE:
        raise InvalidInput(N_("请检查填写的内容"), fields={"note": [N_("说明不能超过 2000 字")]})
    return text


def _grade(fields) -> str:
    grade = (fields.get("grade") or "").strip()
    if grade not in GRADES:
        raise InvalidInput(N_("请检查填写的内容"), fields={"grade": [N_("请选择事故等级")]})
    return grade


def step(session: Session, user: User, principals, warning_id, action: str, fields, now: datetime):
    """Take one step of the procedure (propose, decide, record) on a warning the user may see."""
    w = get_warning(session, user, principals, warning_id)
    proc = procedure(w)
    if proc is None or action not in NEXT:
        raise NotFound(N_("预警不存在"))
    if w.status == WarningStatus.RESOLVED:
        raise Conflict(N_("该预警已解除"))
    stage = proc.get("stage", "reported")
    if stage != NEXT[action]:
        raise Conflict(OUT_OF_ORDER[stage])
    v = policy.viewer(user, principals)
    if action == "propose":
        if not policy.may_propose_accident_grade(v, in_working_group(session, user), w):
            raise Conflict(N_("等级认定建议由诊改办公室或诊改工作组提出"))
    elif not policy.may_decide_accident(v, w):
        raise Conflict(N_("事故等级由责任部门认定，处理结果由责任部门记录"))
    grade = _grade(fields) if action in ("propose", "decide") else None
    text = _text(fields, N_("请填写认定理由") if grade else N_("请填写处理结果"))
    new = dict(proc)
    if action == "propose":
        new.update(stage="proposed", proposed_grade=grade, proposed_by=user.display_name)
    elif action == "decide":
        new.update(stage="decided", grade=grade, decided_by=user.display_name)
    else:
        new.update(stage="recorded", handling=text, recorded_by=user.display_name)
    w.details = {**(w.details or {}), "procedure": new}
    label = f"【{GRADES[grade]}】" if grade else ""
    add_note_entry(w, note_entry(user, action, label + text, now))
    audit.record(session, actor_id=user.id, action=f"warning.accident.{action}", object_type="warning",
                 object_id=w.id, now=now, before={"stage": stage}, after={"stage": new["stage"], "grade": grade},
                 note=text)  # fmt: skip
    return w
