"""Quality supervision (质量督导, seed annex 质量督导 and 表 26 督导评价与指导): plans, records and responses.

Three kinds, each led by the department holding a function and with cooperating ones
(engine/org/policy/supervision.py `SUPERVISION_UNITS`). Per year and kind the lead department writes a plan
(title, scope, schedule, the supervisors). A supervisor records a visit on a subject (any subject of 诊改: a
teacher, a student, a major or course, a unit): when, what (课堂 / 活动 / 服务), the findings and 督导评价与指导.
The supervised party is told (a notification in the same transaction) and writes one response, which they
may edit until the supervisor closes the record; a closed record changes no more. Every change is audited.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..core import audit, periods, settings
from ..core.errors import N_, InvalidInput, NotFound, object_id
from ..models import (
    Notification,
    OrgUnit,
    RoleAssignment,
    ScopeType,
    Subject,
    SubjectMember,
    SupervisionPlan,
    SupervisionRecord,
    User,
)
from ..models.org import COLLEGE
from ..org import committees, functions, policy
from ..org.policy.supervision import COLLEGE_STAFF, PARTY_ROLES, UNIT_SUBJECT_TYPES

KINDS = {"teaching": N_("教学质量督导"), "education": N_("教育质量督导"), "service": N_("服务质量督导")}
# the subjects each kind supervises (seed annex: 教学 the teachers, majors and courses; 教育 the students; 服务 the
# departments), with the colleges for all three
SUBJECT_TYPES = {
    "teaching": ("teacher", "course", "major", "faculty_team", "college"),
    "education": ("student", "student_cultivation", "college"),
    "service": ("functional_dept", "college"),
}
ACTIVITIES = {"class": N_("课堂"), "activity": N_("活动"), "service": N_("服务")}
TEXT_MAX, TITLE_MAX = 2000, 200
EXPERTS = "expert_committee"


def is_expert(session: Session, user: User) -> bool:
    return user.id in committees.member_user_ids(session, EXPERTS, ("any",), None)


def may_record(session: Session, user: User, principals, kind: str) -> bool:
    v = policy.viewer(user, principals)
    return policy.supervises(v, kind, False) or (kind in KINDS and not v.is_student and is_expert(session, user))


def recordable_kinds(session: Session, user: User, principals) -> list[str]:
    v = policy.viewer(user, principals)
    expert = not v.is_student and is_expert(session, user)
    return [k for k in KINDS if policy.supervises(v, k, expert)]


def uses_supervision(session: Session, user: User, principals) -> bool:
    """Whether the 质量督导 menu entry is shown: monitors, supervisors and any staff member or teacher (a teacher
    may be supervised); students only once a record names them."""
    if user.kind != "student":
        return True
    return bool(session.scalar(select(SupervisionRecord.id).where(SupervisionRecord.subject_id.in_(
        policy.supervised_subjects(policy.viewer(user, principals)))).limit(1)))  # fmt: skip


# -- plans --------------------------------------------------------------------------------------------


def plan_of(session: Session, year: int, kind: str) -> SupervisionPlan | None:
    return session.scalar(select(SupervisionPlan).where(SupervisionPlan.year == year, SupervisionPlan.kind == kind))


def candidates(session: Session, kind: str) -> list[User]:
    """Who may be named a supervisor of the kind: staff of the lead and cooperating departments (and the
    colleges' for 教学质量督导), and the expert committee."""
    lead, coop, colleges = policy.SUPERVISION_UNITS[kind]
    units = sorted({functions.holder_id(session, k) for k in (lead, *coop)} - {None}) or [-1]
    # a department's staff include those of its 科室 / 教研室 / 实训中心
    conds = [User.org_unit_id.in_(select(OrgUnit.id).where(or_(OrgUnit.id.in_(units), OrgUnit.parent_id.in_(units))))]
    if colleges:  # a college's administrative staff (its teachers supervise as experts)
        college = select(OrgUnit.id).where(OrgUnit.kind == COLLEGE)
        college_units = select(OrgUnit.id).where(or_(OrgUnit.kind == COLLEGE, OrgUnit.parent_id.in_(college)))
        conds.append(User.org_unit_id.in_(college_units) & User.kind.in_(COLLEGE_STAFF))
    experts = committees.member_user_ids(session, EXPERTS, ("any",), None)
    conds.append(User.id.in_(experts or [-1]))
    stmt = select(User).where(User.active, User.kind != "student", or_(*conds)).order_by(User.org_unit_id, User.id)
    return list(session.scalars(stmt))


def save_plan(session: Session, user: User, principals, year: int, kind: str, values: dict, now: datetime):
    """Write (or rewrite) the plan of a year and kind; the lead department only (others: NotFound)."""
    if not policy.leads_supervision(policy.viewer(user, principals), kind):
        raise NotFound(N_("页面不存在"))
    errors = {}
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = [N_("请填写计划名称")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [N_("计划名称不能超过 200 字")]
    texts = {k: (values.get(k) or "").strip() for k in ("scope", "schedule")}
    for key, text in texts.items():
        if len(text) > TEXT_MAX:
            errors[key] = [{"message": N_("不能超过 %(n)s 字"), "params": {"n": TEXT_MAX}}]
    allowed = {u.id for u in candidates(session, kind)}
    try:
        chosen = sorted({int(i) for i in values.get("supervisors") or []})
    except (TypeError, ValueError):
        chosen = [-1]
    if any(i not in allowed for i in chosen):
        errors["supervisors"] = [N_("督导人员只能从牵头、配合部门和专家委员会中选择")]
    if errors:
        raise InvalidInput(N_("请检查填写的内容"), fields=errors)
    plan = plan_of(session, year, kind)
    before = None
    if plan is None:
        plan = SupervisionPlan(year=year, kind=kind)
        session.add(plan)
    else:
        before = {"title": plan.title, "supervisor_ids": plan.supervisor_ids}
    plan.title, plan.scope, plan.schedule, plan.supervisor_ids = title, texts["scope"], texts["schedule"], chosen
    plan.updated_at, plan.updated_by_id = now, user.id
    session.flush()
    audit.record(session, actor_id=user.id, action="supervision.plan", object_type="supervision_plan",
                 object_id=plan.id, now=now, before=before,
                 after={"title": title, "supervisor_ids": chosen})  # fmt: skip
    return plan


# -- records ------------------------------------------------------------------------------------------


def _visible(user: User, principals):
    return policy.supervision_record_visible(policy.viewer(user, principals), SupervisionRecord)


def listing(session: Session, user: User, principals, year: int, kind: str | None = None) -> list[SupervisionRecord]:
    """The year's records the user may see (of one kind, or all), latest visit first."""
    stmt = select(SupervisionRecord).where(SupervisionRecord.year == year)
    if (rule := _visible(user, principals)) is not None:
        stmt = stmt.where(rule)
    if kind:
        stmt = stmt.where(SupervisionRecord.kind == kind)
    return list(session.scalars(stmt.order_by(SupervisionRecord.visited_on.desc(), SupervisionRecord.id.desc())))


def get_record(session: Session, user: User, principals, record_id) -> SupervisionRecord:
    """A record the user may see, or NotFound."""
    stmt = select(SupervisionRecord).where(SupervisionRecord.id == object_id(record_id, N_("记录不存在")))
    if (rule := _visible(user, principals)) is not None:
        stmt = stmt.where(rule)
    record = session.scalar(stmt)
    if record is None:
        raise NotFound(N_("记录不存在"))
    return record


def parties(session: Session, subject: Subject) -> set[int]:
    """Who answers a record on the subject: its person, its team leader, a unit subject's head and reviewer."""
    people = {subject.user_id} if subject.user_id else set()
    people |= set(session.scalars(select(SubjectMember.user_id).where(
        SubjectMember.subject_id == subject.id, SubjectMember.role == "leader")))  # fmt: skip
    if subject.type in UNIT_SUBJECT_TYPES and subject.org_unit_id:
        people |= set(session.scalars(select(RoleAssignment.user_id).where(
            RoleAssignment.scope_type == ScopeType.UNIT, RoleAssignment.scope_id == subject.org_unit_id,
            RoleAssignment.role.in_(PARTY_ROLES))))  # fmt: skip
    return people


def is_party(session: Session, user: User, record: SupervisionRecord) -> bool:
    return user.id in parties(session, session.get(Subject, record.subject_id))


def _text(values: dict, key: str, errors: dict, required: str, limit: int = TEXT_MAX) -> str:
    text = (values.get(key) or "").strip()
    if not text:
        errors[key] = [required]
    elif len(text) > limit:
        errors[key] = [{"message": N_("不能超过 %(n)s 字"), "params": {"n": limit}}]
    return text


def parse_record(session: Session, kind: str, values: dict, today: date) -> dict:
    """The record's fields from the form, or InvalidInput naming each bad field."""
    errors: dict = {}
    try:
        subject = session.get(Subject, object_id(values.get("subject_id"), N_("请选择督导对象")))
    except NotFound:
        subject = None
    if subject is None:
        errors["subject_id"] = [N_("请选择督导对象")]
    elif subject.type not in SUBJECT_TYPES[kind]:
        errors["subject_id"] = [N_("这一类督导不能选择该对象")]
    try:
        visited = date.fromisoformat((values.get("visited_on") or "").strip())
    except ValueError:
        visited = None
        errors["visited_on"] = [N_("请填写督导日期（年-月-日）")]
    if visited and visited.year < 2000:
        errors["visited_on"] = [N_("请填写督导日期（年-月-日）")]
    elif visited and visited > today:
        errors["visited_on"] = [N_("督导日期不能晚于今天")]
    activity = values.get("activity") or ""
    if activity not in ACTIVITIES:
        errors["activity"] = [N_("请选择督导内容类别")]
    clean = {
        "topic": _text(values, "topic", errors, N_("请填写督导内容"), TITLE_MAX),
        "findings": _text(values, "findings", errors, N_("请填写督导发现")),
        "guidance": _text(values, "guidance", errors, N_("请填写督导评价与指导")),
    }
    if errors:
        raise InvalidInput(N_("请检查填写的内容"), fields=errors)
    return {**clean, "subject": subject, "visited_on": visited, "activity": activity}


def add_record(session: Session, user: User, principals, kind: str, values: dict, now: datetime):
    """Record a visit (the supervisor is the user) and tell the supervised party; the caller commits."""
    if kind not in KINDS or not may_record(session, user, principals, kind):
        raise NotFound(N_("页面不存在"))
    tz = settings.of(session).timezone
    clean = parse_record(session, kind, values, now.astimezone(tz).date())
    subject = clean.pop("subject")
    record = SupervisionRecord(kind=kind, year=clean["visited_on"].year, subject_id=subject.id,
                               supervisor_id=user.id, created_at=now, **clean)  # fmt: skip
    session.add(record)
    session.flush()
    audit.record(session, actor_id=user.id, action="supervision.record", object_type="supervision_record",
                 object_id=record.id, now=now, after={"kind": kind, "subject_id": subject.id,
                                                      "visited_on": record.visited_on.isoformat()})  # fmt: skip
    title = f"【{KINDS[kind]}】{subject.name}：{record.topic}"
    for uid in sorted(parties(session, subject) - {user.id}):
        session.add(Notification(user_id=uid, kind="supervision", title=title[:200], body=record.guidance[:1000],
                                 link=f"/supervision/{record.id}", created_at=now))  # fmt: skip
    return record


def respond(session: Session, user: User, principals, record_id, text, now: datetime) -> SupervisionRecord:
    """The supervised party's response: written once, then edited until the record is closed."""
    record = get_record(session, user, principals, record_id)
    if not is_party(session, user, record):
        raise NotFound(N_("记录不存在"))
    if record.closed_at is not None:
        raise InvalidInput(N_("督导记录已关闭，不能再修改回复"))
    errors: dict = {}
    text = _text({"response": text}, "response", errors, N_("请填写整改回复"))
    if errors:
        raise InvalidInput(N_("请检查填写的内容"), fields=errors)
    first = record.response is None
    before = None if first else {"response": record.response}
    record.response, record.responded_by_id, record.responded_at = text, user.id, now
    audit.record(session, actor_id=user.id, action="supervision.respond", object_type="supervision_record",
                 object_id=record.id, now=now, before=before, after={"response": text})  # fmt: skip
    if first and record.supervisor_id != user.id:
        session.add(Notification(user_id=record.supervisor_id, kind="supervision",
                                 title=f"【{KINDS[record.kind]}】{record.topic}：已回复"[:200], body=text[:1000],
                                 link=f"/supervision/{record.id}", created_at=now))  # fmt: skip
    return record


def close(session: Session, user: User, principals, record_id, now: datetime) -> SupervisionRecord:
    """The supervisor closes the record: the response can no longer change."""
    record = get_record(session, user, principals, record_id)
    if record.supervisor_id != user.id:
        raise NotFound(N_("记录不存在"))
    if record.closed_at is None:
        record.closed_at = now
        audit.record(session, actor_id=user.id, action="supervision.close", object_type="supervision_record",
                     object_id=record.id, now=now)  # fmt: skip
    return record


def records_for_subject(session: Session, subject_id: int, year: int) -> list[SupervisionRecord]:
    """The subject's records of a year, for its diagnosis and review pages (their readers see the subject)."""
    return list(session.scalars(
        select(SupervisionRecord).where(SupervisionRecord.subject_id == subject_id, SupervisionRecord.year == year)
        .order_by(SupervisionRecord.visited_on, SupervisionRecord.id)
    ))  # fmt: skip


def local_year(session: Session, now: datetime) -> int:
    return periods.local_year(now, settings.of(session).timezone)
