"""Third-party satisfaction surveys (第三方满意度调查, seed annex): 毕业生满意度调查 (质量管理处 with the colleges,
due in June of the following year) and 用人单位满意度调查 (招生就业处 with the colleges, due 12月31日). The
organisation's functions name no 招生就业处, so 质量管理处 runs both (engine/org/policy/supervision.py).

A provider's Excel (columns 二级学院, 专业 (optional), 调查项目, 样本数, 满意度) is checked row by row (`check`):
an unknown college or major, a sample that is not a positive whole number, a 满意度 outside 0-100 or a
repeated row is named by its row, and nothing is kept. A clean file is kept as a pending survey (the
preview); confirming it writes its results and replaces the year's earlier survey of the kind.

A college's or major's figure (`figures`) is the sample-weighted mean of its rows (a college's takes its
majors' rows too), rounded to one decimal. An in-product questionnaire is out of scope: the schools buy these
surveys from a provider (麦可思 and the like) and import the provider's tables.
"""

from __future__ import annotations

import io
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import N_, InvalidInput, NotFound, object_id
from ..models import OrgUnit, SatisfactionResult, SatisfactionSurvey, Subject, User
from ..models.org import COLLEGE
from ..org import policy
from ..org.importing.reading import BadFile, read_table

KINDS = {"graduate": N_("毕业生满意度调查"), "employer": N_("用人单位满意度调查")}
SHORT = {"graduate": N_("毕业生满意度"), "employer": N_("用人单位满意度")}
DUE = {"graduate": N_("次年 6 月 30 日"), "employer": N_("12 月 31 日")}
COLUMNS = ["二级学院", "专业", "调查项目", "样本数", "满意度"]
REQUIRED = {"二级学院", "调查项目", "样本数", "满意度"}
MAX_BYTES = 1024 * 1024  # a provider table of a few hundred rows is under 100 KB
PROVIDER_MAX = 100
MAX_SAMPLE = 1_000_000


def check_reader(user: User, principals) -> None:
    if not policy.reads_surveys(policy.viewer(user, principals)):
        raise NotFound(N_("页面不存在"))


def may_import(user: User, principals) -> bool:
    return policy.runs_surveys(policy.viewer(user, principals))


def template() -> bytes:
    """An empty workbook with the provider table's header (also what the demo fills in)."""
    return workbook([])


def workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "满意度"
    ws.append(COLUMNS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _names(session: Session):
    colleges = {}
    for unit in session.scalars(select(OrgUnit).where(OrgUnit.kind == COLLEGE, OrgUnit.active)):
        colleges[unit.name] = colleges[unit.code] = unit
    majors = {}
    for s in session.scalars(select(Subject).where(Subject.type == "major")):
        majors[(s.org_unit_id, s.name)] = majors[(s.org_unit_id, s.code)] = s
    return colleges, majors


def _rate(text: str):
    try:
        value = float(text.strip().rstrip("%％").strip())
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def check(session: Session, raw: list[dict]) -> list[dict]:
    """Every row with its values and its errors (message ids with parameters)."""
    colleges, majors = _names(session)
    seen, out = set(), []
    for n, row in enumerate(raw, start=2):  # row 1 is the header
        errors, values = [], {"row": n, **row}
        college = colleges.get(row["二级学院"])
        if college is None:
            errors.append({"message": N_("二级学院“%(name)s”不存在"), "params": {"name": row["二级学院"]}})
        major = None
        if row.get("专业") and college is not None:
            major = majors.get((college.id, row["专业"]))
            if major is None:
                errors.append({"message": N_("专业“%(name)s”不是%(college)s的专业"),
                               "params": {"name": row["专业"], "college": college.name}})  # fmt: skip
        item = row["调查项目"]
        if not item or len(item) > 100:
            errors.append({"message": N_("调查项目必填，且不超过 100 字"), "params": {}})
        samples = int(row["样本数"]) if row["样本数"].isdigit() and len(row["样本数"]) <= 7 else 0
        if not 0 < samples <= MAX_SAMPLE:
            errors.append({"message": N_("样本数应为正整数：%(value)s"), "params": {"value": row["样本数"]}})
        rate = _rate(row["满意度"])
        if rate is None:
            errors.append(
                {"message": N_("满意度应为 0 到 100 之间的数：%(value)s"), "params": {"value": row["满意度"]}}
            )
        key = (row["二级学院"], row.get("专业") or "", item)
        if key in seen:
            errors.append({"message": N_("与前面的行重复（同一学院、专业和调查项目）"), "params": {}})
        seen.add(key)
        values.update(college_id=college.id if college else None, major_subject_id=major.id if major else None,
                      samples=samples, rate=rate)  # fmt: skip
        out.append({"values": values, "errors": errors})
    return out


class RowsRefused(InvalidInput):
    """Rows of the upload are wrong (`rows`: every checked row); nothing was kept."""

    def __init__(self, rows: list[dict]):
        super().__init__(N_("文件中有 %(n)s 行有误，未导入；请修改后重新上传"), n=sum(1 for r in rows if r["errors"]))
        self.rows = rows


def _clean_kind_year(kind: str, year) -> int:
    if kind not in KINDS:
        raise InvalidInput(N_("请选择调查类型"), fields={"kind": [N_("请选择调查类型")]})
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise InvalidInput(N_("年度无效"), fields={"year": [N_("年度无效")]})
    return year


def preview(session: Session, user: User, principals, kind: str, year, provider: str, filename: str, data: bytes,
            now: datetime) -> SatisfactionSurvey:  # fmt: skip
    """Check an upload; a clean one is kept as a pending survey, anything wrong raises and keeps nothing."""
    if not may_import(user, principals):
        raise NotFound(N_("页面不存在"))
    year = _clean_kind_year(kind, year)
    provider = (provider or "").strip()
    if len(provider) > PROVIDER_MAX:
        raise InvalidInput(N_("调查机构名称不能超过 100 字"), fields={"provider": [N_("调查机构名称不能超过 100 字")]})
    if len(data) > MAX_BYTES:
        raise BadFile(N_("文件超过 1 MB，无法导入；请检查是否选错了文件"))
    if not ((filename or "").lower().endswith(".xlsx") and data[:4] == b"PK\x03\x04"):
        raise BadFile(N_("只能导入 Excel (.xlsx) 文件"))
    raw, _notes = read_table(filename, data, COLUMNS, REQUIRED)
    if not raw:
        raise BadFile(N_("文件只有表头，没有数据行"))
    rows = check(session, raw)
    if any(r["errors"] for r in rows):
        raise RowsRefused(rows)
    survey = SatisfactionSurvey(year=year, kind=kind, provider=provider, filename=(filename or "")[:200],
                                status="pending", rows=[r["values"] for r in rows], imported_at=now,
                                imported_by_id=user.id)  # fmt: skip
    session.add(survey)
    session.flush()
    return survey


def get_survey(session: Session, user: User, principals, survey_id) -> SatisfactionSurvey:
    """A survey the user may see (a pending one: its importers only), or NotFound."""
    check_reader(user, principals)
    survey = session.get(SatisfactionSurvey, object_id(survey_id, N_("记录不存在")))
    if survey is None or (survey.status == "pending" and not may_import(user, principals)):
        raise NotFound(N_("记录不存在"))
    return survey


def _pending(session: Session, user: User, principals, survey_id) -> SatisfactionSurvey:
    if not may_import(user, principals):
        raise NotFound(N_("记录不存在"))
    survey = get_survey(session, user, principals, survey_id)
    if survey.status != "pending":
        raise InvalidInput(N_("这次导入已经处理过了"))
    return survey


def apply(session: Session, user: User | None, principals, survey_id, now: datetime) -> SatisfactionSurvey:
    """Write a pending survey's results; the year's earlier survey of the kind is replaced."""
    survey = _pending(session, user, principals, survey_id) if user is not None else session.get(
        SatisfactionSurvey, survey_id)  # fmt: skip
    session.execute(
        update(SatisfactionSurvey)
        .where(SatisfactionSurvey.year == survey.year, SatisfactionSurvey.kind == survey.kind,
               SatisfactionSurvey.status == "applied")
        .values(status="replaced")
    )  # fmt: skip
    session.add_all(
        SatisfactionResult(survey_id=survey.id, college_id=r["college_id"], major_subject_id=r["major_subject_id"],
                           item=r["调查项目"], samples=r["samples"], rate=r["rate"])
        for r in survey.rows
    )  # fmt: skip
    survey.status = "applied"
    session.flush()
    audit.record(session, actor_id=user.id if user else None, action="satisfaction.import",
                 object_type="satisfaction_survey", object_id=survey.id, now=now,
                 after={"year": survey.year, "kind": survey.kind, "rows": len(survey.rows)})  # fmt: skip
    return survey


def discard(session: Session, user: User, principals, survey_id, now: datetime) -> None:
    survey = _pending(session, user, principals, survey_id)
    session.delete(survey)
    audit.record(session, actor_id=user.id, action="satisfaction.discard", object_type="satisfaction_survey",
                 object_id=survey_id, now=now)  # fmt: skip


def import_workbook(session: Session, kind: str, year: int, provider: str, rows: list[list], now: datetime):
    """Preview and apply a generated workbook in one go, by nobody (the demo); raises on any bad row."""
    raw, _notes = read_table("demo.xlsx", workbook(rows), COLUMNS, REQUIRED)
    checked = check(session, raw)
    if any(r["errors"] for r in checked):
        raise RowsRefused(checked)
    survey = SatisfactionSurvey(year=year, kind=kind, provider=provider, filename=f"{kind}-{year}.xlsx",
                                status="pending", rows=[r["values"] for r in checked], imported_at=now)  # fmt: skip
    session.add(survey)
    session.flush()
    return apply(session, None, (), survey.id, now)


# -- results ------------------------------------------------------------------------------------------


def surveys_of(session: Session, year: int) -> dict[str, SatisfactionSurvey]:
    """The year's applied survey of each kind."""
    rows = session.scalars(select(SatisfactionSurvey).where(SatisfactionSurvey.year == year,
                                                            SatisfactionSurvey.status == "applied"))  # fmt: skip
    return {s.kind: s for s in rows}


def _mean(rows) -> float | None:
    total = sum(n for n, _r in rows)
    return round(sum(n * r for n, r in rows) / total, 1) if total else None


def results(session: Session, survey: SatisfactionSurvey) -> list[dict]:
    """Per college: its figure, its sample, and its majors' figures (name, figure, sample)."""
    found = session.execute(
        select(SatisfactionResult.college_id, SatisfactionResult.major_subject_id, SatisfactionResult.samples,
               SatisfactionResult.rate, SatisfactionResult.item)
        .where(SatisfactionResult.survey_id == survey.id)
    ).all()  # fmt: skip
    units = dict(session.execute(select(OrgUnit.id, OrgUnit.name)).all())
    majors = dict(session.execute(select(Subject.id, Subject.name).where(Subject.type == "major")).all())
    out: dict[int, dict] = {}
    for college, major, n, rate, item in found:
        entry = out.setdefault(college, {"college": units.get(college, ""), "rows": [], "majors": {}, "items": []})
        entry["rows"].append((n, rate))
        entry["items"].append({"major": majors.get(major, ""), "item": item, "samples": n, "rate": rate})
        if major is not None:
            entry["majors"].setdefault(major, []).append((n, rate))
    return [
        {"college": e["college"], "figure": _mean(e["rows"]), "samples": sum(n for n, _ in e["rows"]),
         "items": e["items"],
         "majors": [{"name": majors.get(m, ""), "figure": _mean(r), "samples": sum(n for n, _ in r)}
                    for m, r in sorted(e["majors"].items())]}
        for _cid, e in sorted(out.items())
    ]  # fmt: skip


def figures(session: Session, subject: Subject) -> list[dict]:
    """The latest applied figure of each kind for a college or major subject: [{kind, label, figure, year}]."""
    if subject.type == "major":
        where = SatisfactionResult.major_subject_id == subject.id
    elif subject.type == "college" and subject.org_unit_id:
        where = SatisfactionResult.college_id == subject.org_unit_id
    else:
        return []
    rows = session.execute(
        select(SatisfactionSurvey.kind, SatisfactionSurvey.year, SatisfactionResult.samples, SatisfactionResult.rate)
        .join(SatisfactionSurvey, SatisfactionSurvey.id == SatisfactionResult.survey_id)
        .where(where, SatisfactionSurvey.status == "applied")
    ).all()  # fmt: skip
    latest: dict[str, int] = {}
    for kind, year, _n, _r in rows:
        latest[kind] = max(year, latest.get(kind, 0))
    out = []
    for kind in KINDS:
        if kind in latest:
            picked = [(n, r) for k, y, n, r in rows if k == kind and y == latest[kind]]
            out.append({"kind": kind, "label": SHORT[kind], "figure": _mean(picked), "year": latest[kind]})
    return out
