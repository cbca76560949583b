"""Writing checked rows: an idempotent upsert per kind keyed by the school's own codes; a row equal to what
is stored writes nothing. People and their own subjects go in with bulk statements (20,000 students)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ...models import OrgUnit, PositionTerm, Role, SchoolClass, ScopeType, Subject, SubjectMember, User
from .. import positions as positions_service
from ..people import NO_PASSWORD
from ..units import top_units
from .kinds import UNIT_SUBJECTS, Directory

# -- writing -------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> dict:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": self.unchanged}


def write(kind: str, rows: list[dict], d: Directory, now: datetime, password_hash: str | None,
          progress=None) -> Outcome:  # fmt: skip
    """Upsert the checked rows (their "values"); `progress(done, total)` is called along the way."""
    out = Outcome()
    _WRITERS[kind](d.session, [r["values"] for r in rows], d, now, out, password_hash, progress or (lambda *_: None))
    d.session.flush()
    return out


def _member_sets(session: Session, subject_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    out: dict[int, list[tuple[int, str]]] = {}
    for chunk in _chunks(subject_ids):
        for sid, uid, role in session.execute(
            select(SubjectMember.subject_id, SubjectMember.user_id, SubjectMember.role).where(
                SubjectMember.subject_id.in_(chunk)
            )
        ):
            out.setdefault(sid, []).append((uid, role))
    return out


def _set_team(session: Session, subject: Subject, user_ids: list[int], current: list[tuple[int, str]]) -> bool:
    """Make the subject's members exactly `user_ids` (the first the leader); True if anything changed."""
    wanted = {uid: ("leader" if i == 0 else "member") for i, uid in enumerate(user_ids)}
    have = dict(current)
    if wanted == have:
        return False
    for uid in have.keys() - wanted.keys():
        session.execute(SubjectMember.__table__.delete().where(
            SubjectMember.subject_id == subject.id, SubjectMember.user_id == uid))  # fmt: skip
    for uid, role in wanted.items():
        if uid not in have:
            session.add(SubjectMember(subject_id=subject.id, user_id=uid, role=role))
        elif have[uid] != role:
            session.execute(update(SubjectMember.__table__).where(
                SubjectMember.subject_id == subject.id, SubjectMember.user_id == uid).values(role=role))  # fmt: skip
    return True


def _write_units(session, rows, d: Directory, now, out: Outcome, _pw, progress):
    for v in rows:
        unit = d.units.get(v["单位代码"])
        if unit is None:
            unit = OrgUnit(code=v["单位代码"], name=v["单位名称"], kind=v["kind"], active=True)
            session.add(unit)
            d.units[unit.code] = unit
            out.created.append(unit.code)
        elif (unit.name, unit.kind, unit.active) != (v["单位名称"], v["kind"], True):
            unit.name, unit.kind, unit.active = v["单位名称"], v["kind"], True
            out.updated.append(unit.code)
        else:
            out.unchanged += 1
    session.flush()
    for v in rows:
        unit = d.units[v["单位代码"]]
        parent_id = d.units[v["上级单位代码"]].id if v.get("上级单位代码") else None
        if unit.parent_id != parent_id:
            unit.parent_id = parent_id
            if unit.code not in out.created and unit.code not in out.updated:
                out.updated.append(unit.code)
                out.unchanged -= 1
    session.flush()
    existing = {(s.type, s.org_unit_id) for s in session.scalars(select(Subject).where(
        Subject.type.in_(("functional_dept", "college", "faculty_team"))))}  # fmt: skip
    for v in rows:
        unit = d.units[v["单位代码"]]
        if not v.get("subjects", True):
            continue
        for stype in UNIT_SUBJECTS.get(unit.kind, ()):
            if (stype, unit.id) not in existing:
                name = unit.name + ("师资队伍" if stype == "faculty_team" else "")
                code = unit.code + ("-SZ" if stype == "faculty_team" else "")
                session.add(Subject(type=stype, name=name, code=code, org_unit_id=unit.id, attrs={}))
    progress(len(rows), len(rows))


def _write_staff(session, rows, d: Directory, now, out: Outcome, password_hash, progress):
    new, changes = [], []
    for v in rows:
        unit_id = d.units[v["单位代码"]].id
        email = v.get("邮箱") or None
        cur = d.users.get(v["工号"])
        if cur is None:
            new.append({"username": v["工号"], "display_name": v["姓名"], "kind": v["kind"], "org_unit_id": unit_id,
                        "email": email, "password_hash": password_hash or NO_PASSWORD, "active": True,
                        "is_admin": False, "created_at": now})  # fmt: skip
        elif (cur.display_name, cur.kind, cur.org_unit_id, cur.email, cur.active) != (
            v["姓名"],
            v["kind"],
            unit_id,
            email if email else cur.email,
            True,
        ):
            changes.append({"id": cur.id, "display_name": v["姓名"], "kind": v["kind"], "org_unit_id": unit_id,
                            "email": email or cur.email, "active": True, "deactivated_at": None})  # fmt: skip
        else:
            out.unchanged += 1
    ids = _insert_users(session, new, d)
    out.created += [n["username"] for n in new]
    for chunk in _chunks(changes):
        session.execute(update(User), chunk)
    out.updated += [str(c["id"]) for c in changes]
    # every 教师, 辅导员 and 职员 has a personal subject of the 教师 level (the seed's 教师（辅导员、职员）)
    teachers = [d.users[v["工号"]].id if v["工号"] in d.users else ids[v["工号"]] for v in rows]
    _personal_subjects(session, "teacher", teachers, now)
    progress(len(rows), len(rows))


def _insert_users(session, new: list[dict], d: Directory) -> dict[str, int]:
    ids = {}
    for chunk in _chunks(new):
        for uid, username in session.execute(insert(User).returning(User.id, User.username), chunk):
            ids[username] = uid
    if new:
        d.users.update({
            r.username: r for r in session.execute(
                select(User.id, User.username, User.display_name, User.kind, User.org_unit_id, User.email,
                       User.class_id, User.entry_year, User.active, User.is_admin)
                .where(User.id.in_(list(ids.values())))
            )
        })  # fmt: skip
    return ids


def _personal_subjects(session, stype: str, user_ids: list[int], now) -> None:
    """Each person's own subject (teacher / student), kept in step with their name, unit and class. The subject
    belongs to the person's 二级学院 or 职能部门 even when they belong to a 教研室 / 科室 / 实训中心 in it: the
    chains ask the subject's unit (`subject_unit` lanes) for its reviewers, and a sub-unit has none."""
    if not user_ids:
        return
    have = {}
    for chunk in _chunks(user_ids):
        for s in session.execute(select(Subject.id, Subject.user_id, Subject.name, Subject.org_unit_id,
                                        Subject.class_id, Subject.code).where(
                Subject.type == stype, Subject.user_id.in_(chunk))):  # fmt: skip
            have[s.user_id] = s
    people = {}
    for chunk in _chunks(user_ids):
        for u in session.execute(select(User.id, User.username, User.display_name, User.org_unit_id, User.class_id)
                                 .where(User.id.in_(chunk))):  # fmt: skip
            people[u.id] = u
    new, changes = [], []
    top = top_units(session, [p.org_unit_id for p in people.values()])
    for uid in user_ids:
        p = people[uid]
        s = have.get(uid)
        unit_id = top.get(p.org_unit_id)
        if s is None:
            new.append({"type": stype, "name": p.display_name, "code": p.username, "org_unit_id": unit_id,
                        "user_id": uid, "class_id": p.class_id, "attrs": {}})  # fmt: skip
        elif (s.name, s.org_unit_id, s.class_id, s.code) != (p.display_name, unit_id, p.class_id, p.username):
            changes.append({"id": s.id, "name": p.display_name, "org_unit_id": unit_id, "class_id": p.class_id,
                            "code": p.username})  # fmt: skip
    members = []
    for chunk in _chunks(new):
        for sid, uid in session.execute(insert(Subject).returning(Subject.id, Subject.user_id), chunk):
            members.append({"subject_id": sid, "user_id": uid, "role": "leader"})
    for chunk in _chunks(members):
        session.execute(insert(SubjectMember), chunk)
    for chunk in _chunks(changes):
        session.execute(update(Subject), chunk)


def _team_ids(d: Directory, codes: list[str]) -> list[int]:
    return [d.users[c].id for c in codes]


def _write_subjects(session, rows, d, out, stype, code_col, name_col, unit_of, parent_of=None, attrs_of=None):
    subjects = []
    for v in rows:
        code = v[code_col]
        s = d.subjects.get((stype, code))
        unit_id = unit_of(v)
        parent_id = parent_of(v) if parent_of else None
        attrs = attrs_of(v) if attrs_of else {}
        if s is not None and (s.attrs or {}).get("pilot"):
            attrs["pilot"] = True  # a 诊改试点 mark (set at 系统管理, not in the roster) survives a re-import
        if s is None:
            s = Subject(type=stype, code=code, name=v[name_col], org_unit_id=unit_id, parent_id=parent_id, attrs=attrs)
            session.add(s)
            d.subjects[(stype, code)] = s
            out.created.append(code)
        elif (s.name, s.org_unit_id, s.parent_id, s.attrs or {}) != (v[name_col], unit_id, parent_id, attrs):
            s.name, s.org_unit_id, s.parent_id, s.attrs = v[name_col], unit_id, parent_id, attrs
            out.updated.append(code)
        else:
            out.unchanged += 1
        subjects.append((s, v))
    session.flush()
    current = _member_sets(session, [s.id for s, _v in subjects])
    for s, v in subjects:
        if _set_team(session, s, _team_ids(d, v["team"]), current.get(s.id, [])) and s.code not in out.created:
            if s.code not in out.updated:
                out.updated.append(s.code)
                out.unchanged -= 1
    return subjects


def _write_majors(session, rows, d: Directory, now, out: Outcome, _pw, progress):
    majors = _write_subjects(session, rows, d, out, "major", "专业代码", "专业名称",
                             lambda v: d.units[v["学院代码"]].id)  # fmt: skip
    for major, _v in majors:  # each major's 专业学生综合素质培养, authored by the counselors of its classes
        key = ("student_cultivation", f"{major.code}-XS")
        name = f"{major.name}专业学生综合素质培养"
        s = d.subjects.get(key)
        if s is None:
            s = Subject(type="student_cultivation", code=key[1], name=name, org_unit_id=major.org_unit_id,
                        parent_id=major.id, attrs={})  # fmt: skip
            session.add(s)
            d.subjects[key] = s
        elif (s.name, s.org_unit_id) != (name, major.org_unit_id):
            s.name, s.org_unit_id = name, major.org_unit_id
    progress(len(rows), len(rows))


def _number(text: str):
    if not text:
        return None
    number = float(text)
    return int(number) if number.is_integer() else number


def _write_courses(session, rows, d: Directory, now, out: Outcome, _pw, progress):
    _write_subjects(
        session, rows, d, out, "course", "课程代码", "课程名称",
        lambda v: d.subjects[("major", v["专业代码"])].org_unit_id,
        parent_of=lambda v: d.subjects[("major", v["专业代码"])].id,
        attrs_of=lambda v: {k: n for k, n in (("hours", _number(v.get("学时", ""))),
                                              ("credits", _number(v.get("学分", ""))))
                            if n is not None},
    )  # fmt: skip
    progress(len(rows), len(rows))


def _write_classes(session, rows, d: Directory, now, out: Outcome, _pw, progress):
    counselors = []
    for v in rows:
        major = d.subjects[("major", v["专业代码"])]
        k = d.classes.get(v["班级代码"])
        fields = (v["班级名称"], major.org_unit_id, major.id, v["year"], True)
        if k is None:
            k = SchoolClass(code=v["班级代码"], name=v["班级名称"], org_unit_id=major.org_unit_id,
                            major_subject_id=major.id, year=v["year"], active=True)  # fmt: skip
            session.add(k)
            d.classes[k.code] = k
            out.created.append(k.code)
        elif (k.name, k.org_unit_id, k.major_subject_id, k.year, k.active) != fields:
            k.name, k.org_unit_id, k.major_subject_id, k.year, k.active = fields
            out.updated.append(k.code)
        else:
            out.unchanged += 1
        if v.get("辅导员工号"):
            counselors.append((k, major, d.users[v["辅导员工号"]].id))
    session.flush()
    for k, major, uid in counselors:
        held = session.scalar(select(PositionTerm.id).where(
            PositionTerm.user_id == uid, PositionTerm.role == Role.COUNSELOR, PositionTerm.scope_type == "class",
            PositionTerm.scope_id == k.id, PositionTerm.ends_on.is_(None)))  # fmt: skip
        if held is None:
            positions_service.assign(session, None, session.get(User, uid), Role.COUNSELOR, "class", k.id, now,
                                     sync=False)  # fmt: skip
            if k.code not in out.created and k.code not in out.updated:
                out.updated.append(k.code)
                out.unchanged -= 1
        cultivation = d.subjects.get(("student_cultivation", f"{major.code}-XS"))
        if cultivation is not None and not session.get(SubjectMember, (cultivation.id, uid)):
            first = not session.scalar(select(SubjectMember.user_id).where(SubjectMember.subject_id == cultivation.id))
            session.add(SubjectMember(subject_id=cultivation.id, user_id=uid, role="leader" if first else "member"))
            session.flush()
    positions_service.sync_positions(session, now, user_ids=sorted({uid for _k, _m, uid in counselors}))
    progress(len(rows), len(rows))


def _write_students(session, rows, d: Directory, now, out: Outcome, password_hash, progress):
    new, changes = [], []
    total = len(rows)
    for v in rows:
        k = d.classes[v["班级代码"]]
        cur = d.users.get(v["学号"])
        year = v.get("entry_year")
        email = v.get("邮箱") or None
        if cur is None:
            new.append({"username": v["学号"], "display_name": v["姓名"], "kind": "student",
                        "org_unit_id": k.org_unit_id, "email": email, "class_id": k.id, "entry_year": year,
                        "password_hash": password_hash or NO_PASSWORD, "active": True, "is_admin": False,
                        "created_at": now})  # fmt: skip
        elif (cur.display_name, cur.org_unit_id, cur.class_id, cur.entry_year, cur.active, cur.email) != (
            v["姓名"], k.org_unit_id, k.id, year, True, email or cur.email
        ):  # fmt: skip
            changes.append({"id": cur.id, "display_name": v["姓名"], "org_unit_id": k.org_unit_id, "class_id": k.id,
                            "entry_year": year, "active": True, "deactivated_at": None,
                            "email": email or cur.email})  # fmt: skip
        else:
            out.unchanged += 1
    progress(total // 4, total)
    ids = _insert_users(session, new, d)
    out.created += [n["username"] for n in new]
    progress(total // 2, total)
    for chunk in _chunks(changes):
        session.execute(update(User), chunk)
    out.updated += [str(c["id"]) for c in changes]
    touched = list(ids.values()) + [c["id"] for c in changes]
    _personal_subjects(session, "student", touched, now)
    progress(total, total)


def _write_positions(session, rows, d: Directory, now, out: Outcome, _pw, progress):
    touched = set()
    for v in rows:
        uid = d.users[v["工号"]].id
        starts = date.fromisoformat(v["starts_on"]) if v.get("starts_on") else None
        ends = date.fromisoformat(v["ends_on"]) if v.get("ends_on") else None
        scope = PositionTerm.scope_id.is_(None) if v["scope_id"] is None else PositionTerm.scope_id == v["scope_id"]
        same = session.scalar(select(PositionTerm).where(
            PositionTerm.user_id == uid, PositionTerm.role == v["role"], PositionTerm.scope_type == v["scope_type"],
            scope, PositionTerm.starts_on == starts if starts else PositionTerm.ends_on.is_(None)))  # fmt: skip
        if same is not None and same.ends_on == ends:
            out.unchanged += 1
            continue
        term = positions_service.assign(session, None, session.get(User, uid), v["role"], v["scope_type"],
                                        v["scope_id"], now, starts_on=starts, ends_on=ends, sync=False)  # fmt: skip
        (out.updated if same is not None else out.created).append(str(term.id))
        touched.add(uid)
        if v["role"] == Role.OFFICE_STAFF and v["scope_type"] == ScopeType.UNIT:
            _office_member(session, v["scope_id"], uid)
        if v["role"] == Role.COUNSELOR and v["scope_type"] == ScopeType.CLASS:
            _counselor_member(session, v["scope_id"], uid)
    positions_service.sync_positions(session, now, user_ids=sorted(touched))
    progress(len(rows), len(rows))


def _add_member(session, subject_id: int, uid: int) -> None:
    if session.get(SubjectMember, (subject_id, uid)) is None:
        first = not session.scalar(select(SubjectMember.user_id).where(SubjectMember.subject_id == subject_id))
        session.add(SubjectMember(subject_id=subject_id, user_id=uid, role="leader" if first else "member"))
        session.flush()


def _counselor_member(session, class_id: int, uid: int) -> None:
    """A class's counselor writes its major's 专业学生综合素质培养."""
    klass = session.get(SchoolClass, class_id)
    major = session.get(Subject, klass.major_subject_id) if klass and klass.major_subject_id else None
    if major is None:
        return
    cultivation = session.scalar(select(Subject.id).where(
        Subject.type == "student_cultivation", Subject.code == f"{major.code}-XS"))  # fmt: skip
    if cultivation is not None:
        _add_member(session, cultivation, uid)


def _office_member(session, unit_id: int, uid: int) -> None:
    """办公室人员 write their unit's own documents: they become members of its unit subjects."""
    for s in session.scalars(select(Subject).where(
            Subject.org_unit_id == unit_id,
            Subject.type.in_(("functional_dept", "college", "faculty_team")))):  # fmt: skip
        if session.get(SubjectMember, (s.id, uid)) is None:
            first = not session.scalar(select(SubjectMember.user_id).where(SubjectMember.subject_id == s.id))
            session.add(SubjectMember(subject_id=s.id, user_id=uid, role="leader" if first else "member"))
            session.flush()


_WRITERS = {"units": _write_units, "staff": _write_staff, "positions": _write_positions, "majors": _write_majors,
            "courses": _write_courses, "classes": _write_classes, "students": _write_students}  # fmt: skip


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i : i + size]
