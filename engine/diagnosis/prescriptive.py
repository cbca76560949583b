"""规定性诊断 (prescriptive diagnosis, seed §六(二)7(3)): a basic standard's lead department finds, for a subject the
standard applies to and a year, whether each criterion of the standard's published version is met ("结果是否
达标"), with a note per criterion, the methods used and evidence.

A diagnosis with a failing criterion raises the "未达到基本标准" warning (engine/warnings `create`, kind
below_basic_standard) for the subject's department, naming the failed criteria; its rule key is the diagnosis's
(`below_basic_standard:diagnosis:<id>`), so saving again never raises a second one: an open warning gets the new
findings as a note, a resolved one is reopened. A diagnosis that passes raises nothing and leaves an open warning
to the people handling it (only they know the improvement worked). This replaces the rule that read 未达标 in the
free text of school reviews.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import diagnosis as form

from .. import standards
from ..core import audit, settings
from ..core.errors import MAX_ID, N_, Conflict, InvalidInput, NotFound, object_id
from ..models import (
    BasicStandard,
    PrescriptiveDiagnosis,
    QualityWarning,
    Subject,
    SubjectMember,
    User,
    WarningLevel,
    WarningStatus,
)
from ..org import functions, policy
from ..warnings import service as warnings
from ..warnings import table39

FIRST_YEAR = 2000


def rule_key(diagnosis: PrescriptiveDiagnosis) -> str:
    return f"below_basic_standard:diagnosis:{diagnosis.id}"


def _standard(session: Session, standard_id) -> tuple[BasicStandard, int | None]:
    standard = session.get(BasicStandard, object_id(standard_id, N_("基本标准不存在")))
    if standard is None:
        raise NotFound(N_("基本标准不存在"))
    return standard, functions.holder_id(session, standard.lead_function)


def readable_standard(session: Session, user: User, principals, standard_id) -> BasicStandard:
    """The standard, when the user may read its diagnoses (its lead department, monitors), else NotFound."""
    standard, unit_id = _standard(session, standard_id)
    if not policy.reads_prescriptive(policy.viewer(user, principals), unit_id):
        raise NotFound(N_("基本标准不存在"))
    return standard


def readable(session: Session, user: User, principals, standard: BasicStandard) -> bool:
    unit_id = functions.holder_id(session, standard.lead_function)
    return policy.reads_prescriptive(policy.viewer(user, principals), unit_id)


def may_diagnose(session: Session, user: User, principals, standard: BasicStandard) -> bool:
    unit_id = functions.holder_id(session, standard.lead_function)
    return policy.may_diagnose_standard(policy.viewer(user, principals), unit_id)


def diagnosing_standard(session: Session, user: User, principals, standard_id) -> BasicStandard:
    standard, unit_id = _standard(session, standard_id)
    if not policy.may_diagnose_standard(policy.viewer(user, principals), unit_id):
        raise NotFound(N_("基本标准不存在"))
    return standard


def diagnoses_of(session: Session, standard: BasicStandard) -> list[PrescriptiveDiagnosis]:
    stmt = select(PrescriptiveDiagnosis).where(PrescriptiveDiagnosis.standard_id == standard.id)
    return list(session.scalars(stmt.order_by(PrescriptiveDiagnosis.year.desc(), PrescriptiveDiagnosis.id.desc())))


def get_diagnosis(session: Session, user: User, principals, diagnosis_id) -> PrescriptiveDiagnosis:
    diagnosis = session.get(PrescriptiveDiagnosis, object_id(diagnosis_id, N_("诊断记录不存在")))
    if diagnosis is None:
        raise NotFound(N_("诊断记录不存在"))
    unit_id = functions.holder_id(session, diagnosis.standard.lead_function)
    if not policy.reads_prescriptive(policy.viewer(user, principals), unit_id):
        raise NotFound(N_("诊断记录不存在"))
    return diagnosis


def behind_warning(session: Session, user: User, principals, warning: QualityWarning):
    """The diagnosis that raised a warning, when the user may read it (else None: the warning says what failed)."""
    if warning.object_type != "prescriptive_diagnosis" or warning.object_id is None:
        return None
    try:
        return get_diagnosis(session, user, principals, warning.object_id)
    except NotFound:
        return None


def subjects_for(session: Session, standard: BasicStandard) -> list[Subject]:
    """The subjects the standard applies to (its subject type), by code and name."""
    if not standard.subject_type:
        return []
    stmt = select(Subject).where(Subject.type == standard.subject_type)
    return list(session.scalars(stmt.order_by(Subject.code, Subject.name)))


def published_criteria(session: Session, standard: BasicStandard) -> tuple[int, list[dict]] | None:
    """The version number and criteria (level, indicator, threshold, unit, source) of the published version."""
    found = standards.criteria_for(session, standard.key)
    if not found:
        return None
    keep = ("level", "indicator", "threshold", "unit", "source")
    return found[0]["version"], [{k: c.get(k) for k in keep} for c in found]


def years(session: Session, now: datetime) -> list[int]:
    this = settings.of(session).today(now).year
    return list(range(this + 1, FIRST_YEAR - 1, -1))


def choose(session: Session, user: User, principals, standard_id, subject_id, year, now: datetime):
    """The standard, the chosen subject and year (validated: InvalidInput names the field), the existing
    diagnosis of that subject and year if any, and the criteria to diagnose against."""
    standard = diagnosing_standard(session, user, principals, standard_id)
    published = published_criteria(session, standard)
    if published is None:
        raise Conflict(N_("该基本标准尚未发布，不能诊断"))
    errors = {}
    subject = None
    if str(subject_id or "").isdigit() and 0 < int(subject_id) <= MAX_ID:
        subject = session.get(Subject, int(subject_id))
    if subject is None or subject.type != standard.subject_type:
        errors["subject_id"] = [N_("请选择本标准适用的诊断对象")]
    year_value = int(year) if str(year or "").isdigit() and len(str(year)) == 4 else None
    if year_value not in years(session, now):
        errors["year"] = [N_("请选择年度")]
    if errors:
        raise InvalidInput(N_("请检查填写的内容"), fields=errors)
    existing = session.scalar(
        select(PrescriptiveDiagnosis).where(
            PrescriptiveDiagnosis.standard_id == standard.id, PrescriptiveDiagnosis.subject_id == subject.id,
            PrescriptiveDiagnosis.year == year_value,
        )
    )  # fmt: skip
    return standard, subject, year_value, existing, published


def save(session: Session, user: User, principals, standard_id, subject_id, year, fields, methods, now: datetime):
    """Record (or record again) the diagnosis of a subject for a year; return it and the warning it raised or
    updated (None when every criterion is met). Refused input changes nothing."""
    standard, subject, year, diagnosis, (version, criteria) = choose(
        session, user, principals, standard_id, subject_id, year, now
    )
    try:
        clean = form.clean_prescriptive(fields, methods, criteria)
    except form.FormErrors as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.fields) from None
    before = None
    if diagnosis is None:
        diagnosis = PrescriptiveDiagnosis(standard_id=standard.id, subject_id=subject.id, year=year, created_at=now,
                                          created_by_id=user.id)  # fmt: skip
        session.add(diagnosis)
    else:
        before = {"version": diagnosis.standard_version, "passed": diagnosis.passed, "results": diagnosis.results}
    diagnosis.standard_version, diagnosis.results, diagnosis.passed = version, clean["results"], clean["passed"]
    diagnosis.methods = clean["methods"]
    diagnosis.evidence_text, diagnosis.evidence_url = clean["evidence_text"] or None, clean["evidence_url"] or None
    diagnosis.updated_at, diagnosis.updated_by_id = now, user.id
    session.flush()
    audit.record(
        session, actor_id=user.id, action="prescriptive.save", object_type="prescriptive_diagnosis",
        object_id=diagnosis.id, now=now, before=before,
        after={"standard": standard.key, "subject_id": subject.id, "year": year, "version": version,
               "passed": clean["passed"], "failed": [r["indicator"] for r in clean["results"] if not r["passed"]]},
    )  # fmt: skip
    warning = None if diagnosis.passed else _raise_warning(session, user, diagnosis, now)
    return diagnosis, warning


def table39_type(standard_key: str) -> str | None:
    """The table-39 type a failing diagnosis of this standard raises (None: the standard is not in table 39)."""
    t = table39.BY_STANDARD.get(standard_key)
    return t.key if t else None


def warning_of(session: Session, diagnosis: PrescriptiveDiagnosis) -> QualityWarning | None:
    return session.scalar(select(QualityWarning).where(QualityWarning.rule_key == rule_key(diagnosis)))


def _lines(diagnosis: PrescriptiveDiagnosis) -> list[str]:
    return [
        f"{r['indicator']}（{r.get('level') or '基本要求'}，标准：{r['threshold']}{r['unit']}）：{r['note']}"
        for r in diagnosis.results
        if not r["passed"]
    ]


def _raise_warning(session: Session, user: User, diagnosis: PrescriptiveDiagnosis, now: datetime):
    subject, standard = diagnosis.subject, diagnosis.standard
    failed = [r["indicator"] for r in diagnosis.results if not r["passed"]]
    heading = (f"规定性诊断（{diagnosis.year}年）：{standard.name} v{diagnosis.standard_version}，"
               f"未达标指标 {len(failed)} 项")  # fmt: skip
    details = {"diagnosis_id": diagnosis.id, "standard": standard.key, "version": diagnosis.standard_version,
               "year": diagnosis.year, "failed": failed}  # fmt: skip
    existing = warning_of(session, diagnosis)
    if existing is None:
        if subject.org_unit_id is None:
            return None
        leader = session.scalar(
            select(SubjectMember.user_id).where(SubjectMember.subject_id == subject.id, SubjectMember.role == "leader")
        )
        return warnings.create(
            session, kind="below_basic_standard", level=WarningLevel.YELLOW,
            title=f"{warnings.KINDS['below_basic_standard']}：{subject.name}（{standard.name}，{len(failed)}项）",
            description=heading + "\n" + "\n".join(_lines(diagnosis)), org_unit_id=subject.org_unit_id, now=now,
            rule_key=rule_key(diagnosis), responsible_user_id=subject.user_id or leader,
            type_key=table39_type(standard.key),
            object_type="prescriptive_diagnosis", object_id=diagnosis.id, details=details,
        )  # fmt: skip
    if existing.details == details:
        return existing
    before = {"status": existing.status, "failed": (existing.details or {}).get("failed")}
    existing.details = details
    text = heading + "\n" + "\n".join(_lines(diagnosis))
    if existing.status == WarningStatus.RESOLVED:
        existing.status, existing.resolved_at, existing.resolved_by_id = WarningStatus.RAISED, None, None
        existing.acknowledged_at = existing.acknowledged_by_id = None
        warnings.add_note_entry(existing, warnings.note_entry(user, "reopen", text, now))
    else:
        warnings.add_note_entry(existing, warnings.note_entry(user, "note", text, now))
    audit.record(session, actor_id=user.id, action="warning.update", object_type="warning", object_id=existing.id,
                 now=now, before=before, after={"status": existing.status, "failed": failed})  # fmt: skip
    session.flush()
    return existing
