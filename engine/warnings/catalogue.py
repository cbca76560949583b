"""Table 39's warning types with the database: the 预警类型 page, the providers a school sets where the seed
leaves them blank, and the "没有达到基本标准" rules raising warnings from collected values.

A below-standard finding (table39.check_below) raises one warning per subject and period (rule key
`t39:<type>:<subject>:<period>`, so running again raises nothing new) for the type's lead department (the
unit holding its function); the subject's person (or team leader) is the responsible person and the
subject's own department is named in the description. A type whose lead function nobody holds is skipped.
The scheduler's tick reads the values through `engine.feeds.values_of` when that module exists.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import standards
from ..core import audit, settings
from ..core.errors import N_, InvalidInput, NotFound
from ..models import QualityWarning, Subject, SubjectMember, User, WarningLevel, WarningTypeProvider
from ..org import functions, policy
from . import graduation, table39
from .service import KINDS, OPEN, create, notify, warning_visible_clause

MAX_PROVIDER = 100


@dataclass
class TypeRow:
    type: table39.WarningType
    leads: list[str]  # the lead departments' names (the unit holding each function, else the function's label)
    provider: str
    configurable: bool  # the seed leaves the provider blank: the school sets it
    raised_by: str  # "rule" / "manual" / "diagnosis"
    open_count: int


def raised_by(t: table39.WarningType) -> str:
    if t.kind in ("quality_accident", "safety_hazard"):
        return "manual"
    if t.feed or t.kind != table39.BELOW:
        return "rule"
    return "diagnosis"


def providers(session: Session) -> dict[str, str]:
    return dict(session.execute(select(WarningTypeProvider.type_key, WarningTypeProvider.provider)).all())


def type_rows(session: Session, user: User, principals) -> list[TypeRow]:
    """Every type of table 39 in its order, with the open warnings of the type the user may see."""
    if not policy.reads_warning_types(policy.viewer(user, principals)):
        raise NotFound(N_("页面不存在"))
    held = functions.holders(session)
    stmt = select(QualityWarning.type_key, func.count()).where(QualityWarning.status.in_(OPEN))
    if (clause := warning_visible_clause(user, principals)) is not None:
        stmt = stmt.where(clause)
    counts = dict(session.execute(stmt.group_by(QualityWarning.type_key)).all())
    set_by_school = providers(session)
    out = []
    for t in table39.TYPES:
        leads = [held[f].name if f in held else functions.LABELS[f] for f in t.lead]
        provider = t.provider or set_by_school.get(t.key, "")
        out.append(TypeRow(t, leads, provider, not t.provider, raised_by(t), counts.get(t.key, 0)))
    return out


def set_providers(session: Session, user: User, principals, fields, now: datetime) -> list[str]:
    """Set the blank providers (`provider_<type key>` fields); returns the keys that changed. 质量管理处 and
    monitors only (else NotFound); a value over 100 characters changes nothing."""
    if not policy.configures_warning_providers(policy.viewer(user, principals)):
        raise NotFound(N_("页面不存在"))
    blank = [t.key for t in table39.TYPES if not t.provider]
    values = {k: (fields.get(f"provider_{k}") or "").strip() for k in blank}
    errors = {f"provider_{k}": [N_("信息提供方不能超过 100 字")] for k, v in values.items() if len(v) > MAX_PROVIDER}
    if errors:
        raise InvalidInput(N_("请检查填写的内容"), fields=errors)
    rows = {r.type_key: r for r in session.scalars(select(WarningTypeProvider))}
    changed = []
    for key, value in values.items():
        row = rows.get(key)
        if (row.provider if row else "") == value:
            continue
        before = row.provider if row else ""
        if not value:
            session.delete(row)
        elif row is None:
            session.add(WarningTypeProvider(type_key=key, provider=value, updated_at=now, updated_by_id=user.id))
        else:
            row.provider, row.updated_at, row.updated_by_id = value, now, user.id
        audit.record(session, actor_id=user.id, action="warning_type.provider", object_type="warning_type",
                     object_id=None, now=now, before={"type": key, "provider": before},
                     after={"type": key, "provider": value})  # fmt: skip
        changed.append(key)
    session.flush()
    return changed


# -- the below-standard rules ----------------------------------------------------------------------------


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def raise_below(
    session: Session, type_key: str, rows: Iterable[tuple[int | None, date, dict]], now: datetime, out: Counter
) -> list[QualityWarning]:
    """Run one type's rule over the tuples against its standard's published criteria; raise what is new."""
    t = table39.BY_KEY[type_key]
    unit_id = functions.holder_id(session, t.lead[0])
    if unit_id is None or not t.standard:
        return []
    today = settings.of(session).today(now)
    findings = table39.check_below(t, rows, standards.criteria_for(session, t.standard), today)
    if not findings:
        return []
    keys = [f.rule_key for f in findings]
    known = set(session.scalars(select(QualityWarning.rule_key).where(QualityWarning.rule_key.in_(keys))))
    new = [f for f in findings if f.rule_key not in known]
    subjects = {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_({f.subject_id for f in new})))}
    if t.key == graduation.TYPE_KEY:  # one warning per student and year: the credit check's may be there already
        new = _onto_credit_warnings(session, new, subjects, now, out)
    leaders = dict(
        session.execute(
            select(SubjectMember.subject_id, SubjectMember.user_id).where(
                SubjectMember.subject_id.in_(list(subjects)), SubjectMember.role == "leader"
            )
        ).all()
    )
    raised = []
    for f in new:
        subject = subjects.get(f.subject_id)
        if subject is None:
            out["skipped"] += 1
            continue
        lines = _lines(f)
        place = f"（{subject.org_unit.name}）" if subject.org_unit else ""
        failed = [[ind, value, threshold, unit] for ind, value, threshold, unit in f.failed]
        extra = {"criteria": graduation.first_criteria(graduation.ACADEMIC, lines, {"failed": failed})} if (
            t.key == graduation.TYPE_KEY) else {}  # fmt: skip
        w = create(
            session, kind=t.kind, type_key=t.key, level=WarningLevel.YELLOW,
            title=f"{t.case}：{subject.name}（{f.period}）",
            description=f"{subject.name}{place} {f.period} 的采集数据未达到{t.standard}基本标准：\n" + "\n".join(lines),
            org_unit_id=unit_id, now=now, rule_key=f.rule_key, object_type="subject", object_id=subject.id,
            responsible_user_id=subject.user_id or leaders.get(subject.id), send=False,
            details={"type": t.key, "standard": t.standard, "period": f.period, "feed": t.feed, "failed": failed,
                     **extra},
        )  # fmt: skip
        raised.append(w)
        out["raised"] += 1
    notify(session, raised, now)
    return raised


def _lines(f: table39.Finding) -> list[str]:
    return [f"{ind}：{_fmt(v)}{unit}（基本标准：{threshold}{unit}）" for ind, v, threshold, unit in f.failed]


def _onto_credit_warnings(session: Session, findings: list, subjects: dict, now: datetime, out: Counter) -> list:
    """The graduation findings of students the quality-credit check has warned already: their criteria are added
    to that warning (once); returns the findings still to raise. One query per graduation year."""
    students = {f.subject_id: subjects[f.subject_id].user_id for f in findings if f.subject_id in subjects}
    found = {}
    for period in {f.period for f in findings}:
        of_year = {students[f.subject_id]: f.subject_id for f in findings
                   if f.period == period and students.get(f.subject_id)}  # fmt: skip
        found[period] = graduation.existing(session, period, of_year)
    rest = []
    for f in findings:
        w = found[f.period].get(students.get(f.subject_id))
        if w is None:
            rest.append(f)
            continue
        failed = [[ind, value, threshold, unit] for ind, value, threshold, unit in f.failed]
        if graduation.add_criterion(session, w, graduation.ACADEMIC, _lines(f), {"failed": failed}, now):
            out["extended"] += 1
    return rest


def values_reader():
    """engine.feeds.values_of when the feeds are there (another part of the product), else None."""
    try:
        feeds = importlib.import_module("engine.feeds")
    except ImportError:
        return None
    return getattr(feeds, "values_of", None)


def run_feeds(session: Session, now: datetime, out: Counter, reader=None) -> None:
    """Every type with a feed, over this year's and last year's values (a year's totals are judged once the
    year is over)."""
    reader = reader or values_reader()
    if reader is None:
        return
    today = settings.of(session).today(now)
    since = date(today.year - 1, 1, 1)
    for t in table39.TYPES:
        if t.feed:
            raise_below(session, t.key, reader(session, t.feed, since, today), now, out)


__all__ = ["KINDS", "TypeRow", "providers", "raise_below", "run_feeds", "set_providers", "type_rows"]
