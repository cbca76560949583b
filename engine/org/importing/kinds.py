"""What each kind of roster holds: its columns and how a row is checked (writing.py writes them).

Every kind reads the organisation once (`Directory`) and checks each row against it and against the other
rows of the file; the rows are keyed by the school's own codes (工号 / 学号, unit, major, course and class
codes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.errors import N_
from ...models import OrgUnit, SchoolClass, ScopeType, Subject, User
from .. import positions as positions_service

UNIT_KIND_NAMES = {"学校": "school", "职能部门": "functional", "二级学院": "college", "科室": "office",
                   "教研室": "teaching_section", "实训中心": "training_centre"}  # fmt: skip
STAFF_KIND_NAMES = {"教师": "teacher", "辅导员": "counselor", "职员": "staff"}
POSITION_NAMES = {str(label): role for role, label in positions_service.POSITION_LABELS.items()}
SCOPE_NAMES = {"全校": "school", "单位": "unit", "部门": "unit", "学院": "unit", "班级": "class", "专业": "major",
               "课程": "course"}  # fmt: skip
UNIT_SUBJECTS = {"functional": ("functional_dept",), "college": ("college", "faculty_team")}
YES = {"是", "Y", "y", "yes", "1", "TRUE", "true"}
NO = {"否", "N", "n", "no", "0", "FALSE", "false"}


@dataclass
class Kind:
    key: str
    label: str
    columns: list[str]
    required: set[str]
    id_column: str
    help: dict[str, str] = field(default_factory=dict)
    full_roster: bool = False  # a full import deactivates who is missing


KINDS = {
    k.key: k
    for k in [
        Kind("units", N_("组织机构"), ["单位代码", "单位名称", "单位类型", "上级单位代码", "诊改主体"],
             {"单位代码", "单位名称", "单位类型"}, "单位代码",
             {"单位类型": "学校 / 职能部门 / 二级学院 / 科室 / 教研室 / 实训中心",
              "上级单位代码": "学校以外必填", "诊改主体": "是 / 否：职能部门、二级学院是否作为诊改主体（默认是）"}),
        Kind("staff", N_("教职工"), ["工号", "姓名", "单位代码", "人员类别", "邮箱"],
             {"工号", "姓名", "单位代码", "人员类别"}, "工号",
             {"人员类别": "教师 / 辅导员 / 职员"}, full_roster=True),
        Kind("positions", N_("岗位任职"), ["工号", "岗位", "范围", "范围代码", "开始日期", "结束日期"],
             {"工号", "岗位", "范围"}, "工号",
             {"岗位": " / ".join(POSITION_NAMES), "范围": "全校 / 单位 / 班级 / 专业 / 课程",
              "范围代码": "单位代码、班级代码、专业代码或课程代码；全校不填", "开始日期": "如 2026-09-01，不填为今天",
              "结束日期": "不填为在任"}),
        Kind("majors", N_("专业"), ["专业代码", "专业名称", "学院代码", "专业负责人工号", "团队成员工号"],
             {"专业代码", "专业名称", "学院代码"}, "专业代码", {"团队成员工号": "多个用分号“;”分隔"}),
        Kind("courses", N_("课程"),
             ["课程代码", "课程名称", "专业代码", "学时", "学分", "课程负责人工号", "团队成员工号"],
             {"课程代码", "课程名称", "专业代码"}, "课程代码", {"团队成员工号": "多个用分号“;”分隔"}),
        Kind("classes", N_("班级"), ["班级代码", "班级名称", "专业代码", "年级", "辅导员工号"],
             {"班级代码", "班级名称", "专业代码", "年级"}, "班级代码", {"年级": "如 2025"}),
        Kind("students", N_("学生"), ["学号", "姓名", "班级代码", "入学年份", "邮箱"],
             {"学号", "姓名", "班级代码"}, "学号", {"入学年份": "不填为班级的年级"}, full_roster=True),
    ]
}  # fmt: skip
ORDER = ["units", "staff", "majors", "courses", "classes", "students", "positions"]


class Directory:
    """The organisation as the import needs it, read once: codes to ids and the stored values to compare."""

    def __init__(self, session: Session):
        self.session = session
        self.units = {u.code: u for u in session.scalars(select(OrgUnit))}
        self.users = {
            r.username: r
            for r in session.execute(
                select(User.id, User.username, User.display_name, User.kind, User.org_unit_id, User.email,
                       User.class_id, User.entry_year, User.active, User.is_admin)
            )
        }  # fmt: skip
        self.classes = {c.code: c for c in session.scalars(select(SchoolClass).where(SchoolClass.code.is_not(None)))}
        self.subjects: dict[tuple[str, str], Subject] = {
            (s.type, s.code): s
            for s in session.scalars(
                select(Subject).where(Subject.type.in_(("major", "course", "student_cultivation")))
            )
        }


def _split(text: str) -> list[str]:
    for sep in ("；", ",", "，", "、", " "):
        text = text.replace(sep, ";")
    return [t.strip() for t in text.split(";") if t.strip()]


def _date(text: str) -> date | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    if " " in text:
        text = text.split(" ")[0]
    parts = text.split("-")
    if len(parts) != 3:
        raise ValueError(text)
    return date(int(parts[0]), int(parts[1]), int(parts[2]))


def _year(text: str) -> int:
    year = int(text.strip().rstrip("级年"))
    if not 1950 <= year <= 2100:
        raise ValueError(text)
    return year


def add(errors: list, message: str, **params) -> None:
    """One row error: a message id and its parameters (translated where it is shown, see `error_text`)."""
    errors.append({"message": message, "params": params})


def error_text(error) -> str:
    """A row error in Chinese (the command line, messages)."""
    if isinstance(error, str):
        return error
    return error["message"] % error["params"] if error["params"] else error["message"]


# -- checking ------------------------------------------------------------------------------------------


def check(kind: str, rows: list[dict], d: Directory) -> list[dict]:
    """Each row as {"line", "values", "errors"}: errors are Chinese, one per problem."""
    spec = KINDS[kind]
    out = []
    seen: dict[str, int] = {}
    in_file = {r.get(spec.id_column, "") for r in rows}
    for i, raw in enumerate(rows):
        line = i + 2  # the header is line 1
        errors: list[str] = []
        for col in spec.columns:
            if col in spec.required and not raw.get(col):
                add(errors, N_("“%(column)s”不能为空"), column=col)
        complete = not errors
        key = raw.get(spec.id_column, "")
        if key and kind != "positions":
            if key in seen:
                add(
                    errors,
                    N_("%(column)s“%(value)s”与第 %(line)s 行重复"),
                    column=spec.id_column,
                    value=key,
                    line=seen[key],
                )
            else:
                seen[key] = line
        values = dict(raw)
        if complete:
            _CHECKERS[kind](raw, values, errors, d, in_file)
        out.append({"line": line, "values": values, "errors": errors})
    return out


def _check_unit(raw, values, errors, d: Directory, in_file):
    kind = UNIT_KIND_NAMES.get(raw["单位类型"])
    if kind is None:
        add(errors, N_("未知单位类型“%(value)s”"), value=raw["单位类型"])
    values["kind"] = kind
    parent = raw.get("上级单位代码", "")
    if kind != "school" and not parent:
        add(errors, N_("“%(column)s”不能为空"), column="上级单位代码")
    if parent and parent not in d.units and parent not in in_file:
        add(errors, N_("未知上级单位“%(code)s”"), code=parent)
    if parent and parent == raw["单位代码"]:
        add(errors, N_("上级单位不能是自己"))
    flag = raw.get("诊改主体", "")
    if flag and flag not in YES | NO:
        add(errors, N_("“诊改主体”只能填“是”或“否”，不是“%(value)s”"), value=flag)
    values["subjects"] = flag not in NO


def _check_person_unit(raw, values, errors, d: Directory, column="单位代码"):
    code = raw[column]
    unit = d.units.get(code)
    if unit is None:
        add(errors, N_("未知单位“%(code)s”"), code=code)
    elif not unit.active:
        add(errors, N_("单位“%(code)s”已停用"), code=code)
    return unit


def _check_staff(raw, values, errors, d: Directory, in_file):
    _check_person_unit(raw, values, errors, d)
    kind = STAFF_KIND_NAMES.get(raw["人员类别"])
    if kind is None:
        add(errors, N_("未知人员类别“%(value)s”（应为教师、辅导员或职员）"), value=raw["人员类别"])
    values["kind"] = kind
    existing = d.users.get(raw["工号"])
    if existing is not None and existing.kind == "student":
        add(errors, N_("工号“%(code)s”已是学生的学号"), code=raw["工号"])
    email = raw.get("邮箱", "")
    if email and "@" not in email:
        add(errors, N_("邮箱“%(value)s”格式不对"), value=email)


def _people(codes: list[str], d: Directory, errors: list[str], students_ok: bool = False) -> None:
    for code in codes:
        person = d.users.get(code)
        if person is None:
            add(errors, N_("未知工号“%(code)s”"), code=code)
        elif person.kind == "student" and not students_ok:
            add(errors, N_("“%(code)s”是学生，不能作为团队成员"), code=code)


def _check_major(raw, values, errors, d: Directory, in_file):
    unit = _check_person_unit(raw, values, errors, d, "学院代码")
    if unit is not None and unit.kind != "college":
        add(errors, N_("“%(code)s”不是二级学院"), code=raw["学院代码"])
    team = [raw["专业负责人工号"]] if raw.get("专业负责人工号") else []
    team += [c for c in _split(raw.get("团队成员工号", "")) if c not in team]
    _people(team, d, errors)
    values["team"] = team


def _check_course(raw, values, errors, d: Directory, in_file):
    if ("major", raw["专业代码"]) not in d.subjects:
        add(errors, N_("未知专业“%(code)s”"), code=raw["专业代码"])
    for col in ("学时", "学分"):
        if raw.get(col):
            try:
                number = float(raw[col])
                if number < 0:
                    raise ValueError
            except ValueError:
                add(errors, N_("“%(column)s”应为数字，不是“%(value)s”"), column=col, value=raw[col])
    team = [raw["课程负责人工号"]] if raw.get("课程负责人工号") else []
    team += [c for c in _split(raw.get("团队成员工号", "")) if c not in team]
    _people(team, d, errors)
    values["team"] = team


def _check_class(raw, values, errors, d: Directory, in_file):
    major = d.subjects.get(("major", raw["专业代码"]))
    if major is None:
        add(errors, N_("未知专业“%(code)s”"), code=raw["专业代码"])
    try:
        values["year"] = _year(raw["年级"])
    except ValueError:
        add(errors, N_("年级“%(value)s”不是年份"), value=raw["年级"])
    if raw.get("辅导员工号"):
        _people([raw["辅导员工号"]], d, errors)


def _check_student(raw, values, errors, d: Directory, in_file):
    klass = d.classes.get(raw["班级代码"])
    if klass is None:
        add(errors, N_("未知班级“%(code)s”"), code=raw["班级代码"])
    existing = d.users.get(raw["学号"])
    if existing is not None and existing.kind != "student":
        add(errors, N_("学号“%(code)s”已是教职工的工号"), code=raw["学号"])
    email = raw.get("邮箱", "")
    if email and "@" not in email:
        add(errors, N_("邮箱“%(value)s”格式不对"), value=email)
    if raw.get("入学年份"):
        try:
            values["entry_year"] = _year(raw["入学年份"])
        except ValueError:
            add(errors, N_("入学年份“%(value)s”不是年份"), value=raw["入学年份"])
    elif klass is not None:
        values["entry_year"] = klass.year


def _check_position(raw, values, errors, d: Directory, in_file):
    _people([raw["工号"]], d, errors, students_ok=True)
    role = POSITION_NAMES.get(raw["岗位"])
    if role is None:
        add(errors, N_("未知岗位“%(value)s”"), value=raw["岗位"])
    scope = SCOPE_NAMES.get(raw["范围"])
    code = raw.get("范围代码", "")
    scope_id = None
    if scope is None:
        add(errors, N_("未知范围“%(value)s”（应为全校、单位、班级、专业或课程）"), value=raw["范围"])
    elif scope == "school":
        if code:
            add(errors, N_("范围为全校时不填“范围代码”"))
    elif not code:
        add(errors, N_("“%(column)s”不能为空"), column="范围代码")
    elif scope == "unit":
        unit = d.units.get(code)
        scope_id = unit.id if unit else add(errors, N_("未知单位“%(code)s”"), code=code)
    elif scope == "class":
        klass = d.classes.get(code)
        scope_id = klass.id if klass else add(errors, N_("未知班级“%(code)s”"), code=code)
    else:
        subject = d.subjects.get((scope, code))
        scope_id = subject.id if subject else add(errors, N_("未知%(scope)s“%(code)s”"), scope=raw["范围"], code=code)
    scope_type = {"major": ScopeType.SUBJECT, "course": ScopeType.SUBJECT}.get(scope, scope)
    if role and scope_type and not errors:
        try:
            positions_service.check_scope(role, scope_type, scope_id)
        except Exception:  # noqa: BLE001 - InvalidInput: say it per row
            add(errors, N_("岗位“%(role)s”不能设在“%(scope)s”范围"), role=raw["岗位"], scope=raw["范围"])
    dates = {}
    for col, key in (("开始日期", "starts_on"), ("结束日期", "ends_on")):
        if raw.get(col):
            try:
                dates[key] = _date(raw[col]).isoformat()
            except ValueError:
                add(errors, N_("%(column)s“%(value)s”不是有效日期（应如 2026-09-01）"), column=col, value=raw[col])
    if dates.get("starts_on") and dates.get("ends_on") and dates["ends_on"] < dates["starts_on"]:
        add(errors, N_("结束日期早于开始日期"))
    values.update(role=role, scope_type=scope_type, scope_id=scope_id, **dates)


_CHECKERS = {"units": _check_unit, "staff": _check_staff, "positions": _check_position, "majors": _check_major,
             "courses": _check_course, "classes": _check_class, "students": _check_student}  # fmt: skip
