"""The demo school's committees of 诊改 (every rule kept) and its basic standards: all 27 adopted as version 1,
with the demo year two in revision (专业分级建设基本标准 drafted at 教务处, 教师负面清单 waiting for the
诊改工作委员会's 审定)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import standards
from ..models import BasicStandard, Committee, OrgUnit, User
from ..org import committees
from ..org.committees import Draft, Member
from ..workflow import runtime

TERM = (date(2016, 9, 1), date(2019, 8, 31))
OFFICE = ("dzb_reviewer", "zzb_staff", "xcb_staff", "xgb_reviewer", "rsc_reviewer", "jwc_reviewer", "xxh_admin",
          "zlc_admin")  # fmt: skip
DEPT_GROUPS = {  # leading unit: name, 组长, other members (one external expert each)
    "DZB": ("部门诊改工作组", "dzb_reviewer", ("dzb_staff", "zzb_staff", "xcb_staff")),
    "XGB": ("学生综合素质发展诊改工作组", "xgb_reviewer", ("c01", "c02", "dzxy_office")),
    "RSC": ("师资队伍建设诊改工作组", "rsc_reviewer", ("t03", "t08", "dzxy_reviewer2")),
    "JWC": ("专业和课程建设诊改工作组", "jwc_reviewer", ("jwc_staff", "t01", "t06")),
}
COLLEGE_GROUPS = {
    "DZXY": ("dzxy_reviewer", "dzxy_reviewer2", ("t01", "t02", "t03", "t04")),
    "RJXY": ("rjxy_reviewer", "rjxy_reviewer2", ("t06", "t07", "t08", "t09")),
}
EXTERNAL = ("周工程师", "某科技有限公司")


def load(session: Session, now: datetime, revisions: bool = True) -> dict:
    users = {u.username: u for u in session.scalars(select(User))}
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    # the demo year (engine/demo/year.py) forms the committees at its start: its sampled subjects' reviews
    # go to the expert committee
    made = session.scalar(select(func.count(Committee.id))) or load_committees(session, now, users, units)
    adopted = standards.publish_adopted(session, now)
    revising = start_revisions(session, now, users) if revisions else []
    return {"committees": made, "standards": adopted, "revising": revising}


def _in(users, name, role="member", unit=None) -> Member:
    return Member(role, users[name].id, users[name].display_name, "", unit)


def _out(name=EXTERNAL[0], employer=EXTERNAL[1], role="member", unit=None) -> Member:
    return Member(role, None, name, employer, unit)


def load_committees(session: Session, now: datetime, users: dict, units: dict) -> int:
    heads = ("zlc_admin", "xxh_admin", "dzxy_reviewer", "rjxy_reviewer")
    work = (
        _in(users, "shuji", "director"), _in(users, "xiaozhang", "director"), _in(users, "fxz_jiang", "executive_vice"),
        _in(users, "fxz_he", "vice_director"), *(_in(users, h) for h in heads),
    )  # fmt: skip
    drafts = [Draft("work_committee", "诊改工作委员会", work, None, *TERM)]
    office = tuple(_in(users, n, "leader" if n == "zlc_admin" else "member", users[n].org_unit_id) for n in OFFICE)
    drafts.append(Draft("office", "诊改办公室", office, units["ZLC"].id, *TERM))
    for code, (name, leader, others) in DEPT_GROUPS.items():
        members = (_in(users, leader, "leader"), *(_in(users, n) for n in others), _out())
        drafts.append(Draft("dept_group", name, members, units[code].id, *TERM))
    for code, (leader, vice, others) in COLLEGE_GROUPS.items():
        members = (_in(users, leader, "leader"), _in(users, vice, "vice_leader"), *(_in(users, n) for n in others),
                   _out())  # fmt: skip
        name = f"{units[code].name}诊改工作组（专业建设委员会）"
        drafts.append(Draft("college_group", name, members, units[code].id, *TERM))
    platform = (_in(users, "xxh_admin", "leader"), _in(users, "xxh_staff"), _in(users, "admin"))
    drafts.append(Draft("platform_group", "诊改平台组", platform, units["XXH"].id, *TERM))
    made = 0
    for draft in drafts:  # the work committee first: the expert committee's chair is its 常务副主任委员
        committees.save(session, None, now, draft)
        made += 1
    experts = (
        _in(users, "fxz_jiang", "director"), _in(users, "zlc_admin", "secretary"), _in(users, "t01", "expert"),
        _out("陈教授", "重庆市诊改专家委员会", "expert"), _out("刘总监", "某智能制造企业", "expert"),
    )  # fmt: skip
    committees.save(session, None, now, Draft("expert_committee", "专家委员会（质量督导）", experts, None, *TERM),
                    note="与学校内部质量督导队伍合并建设")  # fmt: skip
    committees.save(session, None, now, Draft("expert_pool", "专家库", _pool(users, units), None, *TERM))
    return made + 2


def _pool(users: dict, units: dict) -> tuple[Member, ...]:
    teachers = [u for u in users.values() if u.kind == "teacher"]
    staff_of: dict[int, list[User]] = {}
    for u in users.values():
        if u.kind == "staff" and u.org_unit_id:
            staff_of.setdefault(u.org_unit_id, []).append(u)
    out, n = [], 0
    for unit in sorted(units.values(), key=lambda u: u.code):
        want = {"functional": 1, "college": 2}.get(unit.kind)
        if not want or not unit.active:
            continue
        own = sorted(staff_of.get(unit.id, []) + [t for t in teachers if t.org_unit_id == unit.id], key=lambda u: u.id)
        for i in range(want):
            person = own[i] if i < len(own) else teachers[n % len(teachers)]
            n += 1
            out.append(Member("expert", person.id, person.display_name, "", unit.id))
            out.append(Member("expert", None, f"{unit.name}校外专家{i + 1}", "合作企业", unit.id))
    return tuple(out)


def start_revisions(session: Session, now: datetime, users: dict) -> list[str]:
    """专业分级建设基本标准 drafted by 教务处 (its task open); 教师负面清单 submitted, waiting for 审定."""
    by_key = {s.key: s for s in session.scalars(select(BasicStandard))}
    standards.start_revision(session, users["jwc_staff"], by_key["BS09"].id, now)
    task = standards.start_revision(session, users["rsc_reviewer"], by_key["BS03"].id, now)
    doc = by_key["BS03"].document
    data = dict(doc.data, header={"note": "增加学术不端条目"})
    runtime.complete_task(session, users["rsc_reviewer"], task.id, {"document": data}, now)
    return ["BS09", "BS03"]
