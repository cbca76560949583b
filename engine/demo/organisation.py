"""The demo organisation: a small college with every subject type, loaded by `zhengai init`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import FunctionKey, OrgUnit, RoleAssignment, SchoolClass, Section, Subject, SubjectMember, User
from ..org import functions
from ..org.passwords import hash_once

DEMO_PASSWORD = "demo1234"

FUNCTIONAL = [
    ("DZB", "党政办公室"), ("ZZB", "党委组织统战部"), ("XCB", "党委宣传部"), ("XGB", "党委学生工作部"),
    ("RSC", "人力资源处"), ("JWC", "教务处"), ("XXH", "信息化处"), ("ZLC", "质量管理处"),
    ("FZC", "发展规划处"), ("CWC", "计划财务处"), ("CGB", "采购办"), ("ZCC", "资产管理处"),
    ("ZJC", "招生就业处"), ("KYC", "科研处"), ("HZC", "合作发展处"), ("JHC", "基建后勤处"),
    ("TSG", "图书馆"), ("BWC", "保卫处"), ("PXXY", "培训学院"), ("GJXY", "国际学院"),
]  # fmt: skip
COLLEGES = [("DZXY", "电子与物联网学院"), ("RJXY", "软件与信息技术学院")]
# which of the demo's units holds each function (系统管理 › 职能; engine/org/functions.py)
DEMO_FUNCTIONS = {
    FunctionKey.QUALITY_OFFICE: "ZLC", FunctionKey.PARTY_OFFICE: "DZB", FunctionKey.ACADEMIC_AFFAIRS: "JWC",
    FunctionKey.HUMAN_RESOURCES: "RSC", FunctionKey.STUDENT_AFFAIRS: "XGB", FunctionKey.SECURITY_OFFICE: "BWC",
    FunctionKey.INFORMATION_OFFICE: "XXH", FunctionKey.LOGISTICS: "JHC", FunctionKey.COOPERATION: "HZC",
}  # fmt: skip

# username, name, unit, kind, [(role, scope_type, scope_unit_code or None)]
STAFF = [
    ("admin", "系统管理员", "XXH", "staff", [("monitor", "school", None)], True),
    ("zlc_admin", "周质量", "ZLC", "staff", [("monitor", "school", None), ("head", "unit", "ZLC")], False),
    ("xxh_admin", "徐平台", "XXH", "staff", [("monitor", "school", None), ("head", "unit", "XXH")], False),
    ("shuji", "王书记", "DZB", "staff", [("school_leader", "school", None)], False),
    ("xiaozhang", "李校长", "DZB", "staff", [("school_leader", "school", None)], False),
    ("fxz_jiang", "蒋副校长", "DZB", "staff",
     [("school_leader", "school", None)] + [("leader_in_charge", "unit", c) for c in ("DZB", "JWC", "RSC", "XGB", "ZLC", "DZXY")]
     + [("liaison_leader", "unit", "RJXY")], False),
    ("fxz_he", "何副校长", "DZB", "staff",
     [("school_leader", "school", None)] + [("leader_in_charge", "unit", c) for c in ("XXH", "KYC", "CWC", "ZJC", "RJXY")]
     + [("liaison_leader", "unit", "DZXY")], False),
    ("dzb_reviewer", "党办审核员", "DZB", "staff", [("reviewer", "unit", "DZB")], False),
    ("dzb_staff", "党办干事", "DZB", "staff", [], False),
    ("jwc_reviewer", "教务处审核员", "JWC", "staff", [("reviewer", "unit", "JWC"), ("process_owner", "unit", "JWC")], False),
    ("jwc_staff", "教务处干事", "JWC", "staff", [], False),
    ("rsc_reviewer", "人事处审核员", "RSC", "staff", [("reviewer", "unit", "RSC"), ("process_owner", "unit", "RSC")], False),
    ("xgb_reviewer", "学工部审核员", "XGB", "staff", [("reviewer", "unit", "XGB"), ("process_owner", "unit", "XGB")], False),
    ("xxh_staff", "信息化处干事", "XXH", "staff", [], False),
    ("dzxy_reviewer", "赵院审", "DZXY", "staff", [("reviewer", "unit", "DZXY"), ("head", "unit", "DZXY")], False),
    ("dzxy_reviewer2", "吴院审", "DZXY", "staff", [("reviewer", "unit", "DZXY")], False),
    ("dzxy_office", "钱院办", "DZXY", "staff", [], False),
    ("rjxy_reviewer", "孙院审", "RJXY", "staff", [("reviewer", "unit", "RJXY"), ("head", "unit", "RJXY")], False),
    ("rjxy_reviewer2", "郑院审", "RJXY", "staff", [("reviewer", "unit", "RJXY")], False),
    ("rjxy_office", "李院办", "RJXY", "staff", [], False),
]  # fmt: skip

TEACHERS = [
    ("t01", "张伟", "DZXY"), ("t02", "王芳", "DZXY"), ("t03", "李娜", "DZXY"), ("t04", "刘洋", "DZXY"),
    ("t05", "陈静", "DZXY"), ("t06", "杨磊", "RJXY"), ("t07", "黄敏", "RJXY"), ("t08", "赵强", "RJXY"),
    ("t09", "吴婷", "RJXY"), ("t10", "周杰", "RJXY"),
]  # fmt: skip
COUNSELORS = [("c01", "郑辅导", "DZXY"), ("c02", "冯辅导", "RJXY")]
MAJORS = [
    # code, name, college, leader, team
    ("510102", "物联网应用技术", "DZXY", "t01", ["t02"]),
    ("510101", "电子信息工程技术", "DZXY", "t03", ["t04", "t05"]),
    ("510203", "软件技术", "RJXY", "t06", ["t07"]),
    ("510205", "大数据技术", "RJXY", "t08", ["t09", "t10"]),
]
COURSES = [
    # code, name, major code, hours, credits, leader, team
    ("DZ1001", "传感器技术", "510102", 64, 4, "t01", ["t02"]),
    ("DZ1002", "嵌入式系统开发", "510102", 64, 4, "t02", ["t01"]),
    ("DZ2001", "电子电路分析", "510101", 48, 3, "t03", ["t05"]),
    ("RJ1001", "Java 程序设计", "510203", 64, 4, "t06", ["t07"]),
    ("RJ1002", "Web 前端开发", "510203", 48, 3, "t07", ["t06"]),
    ("RJ2001", "数据采集与清洗", "510205", 48, 3, "t08", ["t10"]),
]
FUNCTIONAL_SUBJECT_AUTHORS = {"DZB": "dzb_staff", "JWC": "jwc_staff", "XXH": "xxh_staff"}
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "子涵浩然一诺欣怡梓轩雨桐宇航思远佳琪俊杰晨曦家豪"


def is_loaded(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def load(session: Session, now: datetime) -> dict:
    """Create the demo organisation; returns users by username."""
    pw = hash_once(DEMO_PASSWORD)
    school = OrgUnit(code="SCHOOL", name="示例职业技术学院", kind="school")
    session.add(school)
    session.flush()
    units = {}
    for code, name in FUNCTIONAL:
        units[code] = OrgUnit(code=code, name=name, kind="functional", parent_id=school.id)
    for code, name in COLLEGES:
        units[code] = OrgUnit(code=code, name=name, kind="college", parent_id=school.id)
    session.add_all(units.values())
    session.flush()
    functions.assign_by_code(session, now, DEMO_FUNCTIONS)
    for code in ("DZXY", "RJXY"):
        session.add(Section(org_unit_id=units[code].id, name=f"{units[code].name}第一教研室"))
    session.add(Section(org_unit_id=units["JWC"].id, name="教学运行科"))

    users: dict[str, User] = {}

    def user(username, name, unit, kind, is_admin=False, class_id=None):
        u = User(
            username=username, display_name=name, password_hash=pw, kind=kind, org_unit_id=units[unit].id,
            is_admin=is_admin, class_id=class_id, created_at=now, email=f"{username}@demo.zhengai.local",
        )  # fmt: skip
        session.add(u)
        users[username] = u
        return u

    for username, name, unit, kind, _roles, is_admin in STAFF:
        user(username, name, unit, kind, is_admin)
    for username, name, unit in TEACHERS:
        user(username, name, unit, "teacher")
    for username, name, unit in COUNSELORS:
        user(username, name, unit, "staff")
    session.flush()

    def role(username, role_name, scope_type, scope_id):
        session.add(
            RoleAssignment(user_id=users[username].id, role=role_name, scope_type=scope_type, scope_id=scope_id)
        )

    for username, _n, _u, _k, roles, _a in STAFF:
        for role_name, scope_type, code in roles:
            role(username, role_name, scope_type, units[code].id if code else None)

    def subject(type_, name, unit, code=None, user_id=None, class_id=None, parent_id=None, attrs=None, members=()):
        s = Subject(
            type=type_, name=name, org_unit_id=units[unit].id, code=code, user_id=user_id, class_id=class_id,
            parent_id=parent_id, attrs=attrs or {},
        )  # fmt: skip
        session.add(s)
        session.flush()
        for i, m in enumerate(members):
            session.add(SubjectMember(subject_id=s.id, user_id=users[m].id, role="leader" if i == 0 else "member"))
        return s

    for code, author in FUNCTIONAL_SUBJECT_AUTHORS.items():
        subject("functional_dept", units[code].name, code, code=code, members=[author])
    for code, _name in COLLEGES:
        office = f"{code.lower()}_office"
        subject("college", units[code].name, code, code=code, members=[office])
        subject("faculty_team", f"{units[code].name}师资队伍", code, code=f"{code}-SZ", members=[office])
    for username, name, unit in TEACHERS:
        subject("teacher", name, unit, code=username, user_id=users[username].id, members=[username])

    majors = {}
    for code, name, college, leader, team in MAJORS:
        majors[code] = subject("major", name, college, code=code, members=[leader, *team])
    for code, name, major, hours, credits, leader, team in COURSES:
        college = next(m[2] for m in MAJORS if m[0] == major)
        subject(
            "course", name, college, code=code, parent_id=majors[major].id,
            attrs={"hours": hours, "credits": credits}, members=[leader, *team],
        )  # fmt: skip

    # two classes per college, one per major; each counselor has the classes of their college
    student_no = 0
    for code, name, college, _leader, _team in MAJORS:
        counselor = "c01" if college == "DZXY" else "c02"
        klass = SchoolClass(name=f"{name}2025级1班", org_unit_id=units[college].id, major_subject_id=majors[code].id)
        session.add(klass)
        session.flush()
        role(counselor, "counselor", "class", klass.id)
        subject("student_cultivation", f"{name}专业学生综合素质培养", college, code=f"{code}-XS", parent_id=majors[code].id,
                members=[counselor])  # fmt: skip
        for _ in range(10):
            student_no += 1
            username = f"s{student_no:02d}"
            sname = (
                SURNAMES[student_no % len(SURNAMES)]
                + GIVEN[(student_no * 2) % len(GIVEN)]
                + GIVEN[(student_no * 3 + 1) % len(GIVEN)]
            )
            u = user(username, sname, college, "student", class_id=klass.id)
            session.flush()
            subject("student", sname, college, code=username, user_id=u.id, class_id=klass.id, members=[username])
    session.flush()
    return users
