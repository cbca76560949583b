"""The rules a committee of 诊改 must keep (seed §六(一)4-5), as one pure function: `broken_rules` takes the
committee as it would be saved and the facts of the organisation it needs, and returns every rule broken
(a Chinese message id with its parameters), so a page can name them all and save nothing.

Kinds and their rules:
- work_committee 诊改工作委员会: two 主任委员 and one 常务副主任委员, all school leaders; every other school leader
  a 副主任委员; every head of a 职能部门 and of a 二级学院 a member; no external members.
- office 诊改办公室: held by the unit of function quality_office, one member from each of its eight member
  departments (OFFICE_FUNCTIONS by function, OFFICE_UNIT_NAMES by name), all of the school.
- dept_group 职能部门牵头的诊改工作组: a leading 职能部门 whose member is the one 组长, an odd number ≥ 5 members,
  at least one external expert.
- college_group 二级学院诊改工作组 (merged with the college's 专业建设委员会): a leading 二级学院, one or two 组长 of
  it, an odd number ≥ 7 members, one or two external experts.
- platform_group 诊改平台组: one 组长, the head of the unit of function information_office.
- expert_committee 专家委员会 (also the 质量督导 team): a term of three years; its 主任委员 is the work committee's
  常务副主任委员; its 秘书 (the secretariat) is of the 诊改办公室's unit.
- expert_pool 专家库: each 职能部门 recommends one internal and one external expert, each 二级学院 two and two.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from ..core.errors import N_

KINDS = {
    "work_committee": N_("诊改工作委员会"),
    "office": N_("诊改办公室"),
    "dept_group": N_("诊改工作组（职能部门牵头）"),
    "college_group": N_("诊改工作组（二级学院）"),
    "platform_group": N_("诊改平台组"),
    "expert_committee": N_("专家委员会"),
    "expert_pool": N_("专家库"),
}
ROLES = {
    "director": N_("主任委员"),
    "executive_vice": N_("常务副主任委员"),
    "vice_director": N_("副主任委员"),
    "member": N_("委员"),
    "leader": N_("组长"),
    "vice_leader": N_("副组长"),
    "secretary": N_("秘书"),
    "expert": N_("专家"),
}
OFFICE_FUNCTIONS = (
    "party_office", "student_affairs", "human_resources", "academic_affairs", "information_office", "quality_office",
)  # fmt: skip
OFFICE_UNIT_NAMES = ("党委组织统战部", "党委宣传部")  # member departments that hold no function of the platform
FUNCTIONAL, COLLEGE = "functional", "college"


@dataclass(frozen=True)
class Member:
    role: str
    user_id: int | None = None  # None: an external expert
    name: str = ""
    employer: str = ""
    unit_id: int | None = None  # the department represented or recommending

    @property
    def external(self) -> bool:
        return self.user_id is None


@dataclass(frozen=True)
class Draft:
    kind: str
    name: str
    members: tuple[Member, ...]
    unit_id: int | None = None
    term_start: date | None = None
    term_end: date | None = None


@dataclass(frozen=True)
class Facts:
    """What the rules read of the organisation (engine/org/committees.py `facts` builds it from the database)."""

    school_leaders: frozenset[int] = frozenset()
    heads: dict[int, frozenset[int]] = field(default_factory=dict)  # unit id -> its heads (负责人)
    user_units: dict[int, int | None] = field(default_factory=dict)  # user id -> unit id
    units: dict[int, tuple[str, str]] = field(default_factory=dict)  # active unit id -> (name, kind)
    functions: dict[str, int] = field(default_factory=dict)  # function key -> holding unit id
    executive_vice: int | None = None  # the work committee's 常务副主任委员
    names: dict[int, str] = field(default_factory=dict)  # user id -> display name


Broken = tuple[str, dict]  # a message id and its parameters


def broken_rules(draft: Draft, facts: Facts) -> list[Broken]:
    """Every rule the committee breaks; empty if it may be saved."""
    out: list[Broken] = []
    if draft.kind not in KINDS:
        return [(N_("未知的组织类型：%(kind)s"), {"kind": draft.kind})]
    if not draft.name.strip():
        out.append((N_("请填写名称"), {}))
    if draft.term_start and draft.term_end and draft.term_end < draft.term_start:
        out.append((N_("任期结束日期早于开始日期"), {}))
    seen = Counter(m.user_id for m in draft.members if m.user_id is not None)
    if draft.kind != "expert_pool":
        for uid, n in seen.items():
            if n > 1:
                out.append((N_("%(name)s 重复列入"), {"name": facts.names.get(uid, uid)}))
    for m in draft.members:
        if m.role not in ROLES:
            out.append((N_("未知的组织角色：%(role)s"), {"role": m.role}))
        if m.external and not m.name.strip():
            out.append((N_("校外成员须填写姓名"), {}))
    out += _CHECKS[draft.kind](draft, facts)
    return out


def _with_role(draft: Draft, *roles: str) -> list[Member]:
    return [m for m in draft.members if m.role in roles]


def _name(facts: Facts, uid) -> str:
    return facts.names.get(uid, str(uid))


def _work_committee(draft: Draft, facts: Facts) -> list[Broken]:
    out = []
    directors = _with_role(draft, "director")
    if len(directors) != 2:
        out.append((N_("主任委员须为 2 名（书记、校长），现有 %(n)s 名"), {"n": len(directors)}))
    executive = _with_role(draft, "executive_vice")
    if len(executive) != 1:
        out.append((N_("常务副主任委员须为 1 名（分管诊改工作的校领导），现有 %(n)s 名"), {"n": len(executive)}))
    for m in directors + executive + _with_role(draft, "vice_director"):
        if m.user_id not in facts.school_leaders:
            out.append((N_("%(name)s 不是校领导，不能担任%(role)s"), {"name": m.name or _name(facts, m.user_id),
                                                                    "role": ROLES[m.role]}))  # fmt: skip
    present = {m.user_id for m in draft.members}
    leading = {m.user_id for m in directors + executive}
    for uid in sorted(facts.school_leaders - leading):
        if not any(m.user_id == uid and m.role == "vice_director" for m in draft.members):
            out.append((N_("校领导 %(name)s 须为副主任委员"), {"name": _name(facts, uid)}))
    for unit_id, (unit_name, kind) in sorted(facts.units.items()):
        if kind not in (FUNCTIONAL, COLLEGE):
            continue
        for uid in sorted(facts.heads.get(unit_id, ())):
            if uid not in present:
                out.append((N_("%(unit)s负责人 %(name)s 须为委员"), {"unit": unit_name, "name": _name(facts, uid)}))
    if any(m.external for m in draft.members):
        out.append((N_("诊改工作委员会成员须为校内人员"), {}))
    return out


def _office(draft: Draft, facts: Facts) -> list[Broken]:
    out = []
    home = facts.functions.get("quality_office")
    if home is None or draft.unit_id != home:
        out.append((N_("诊改办公室须挂靠质量管理处（诊改办公室职能所在部门）"), {}))
    if any(m.external for m in draft.members):
        out.append((N_("诊改办公室成员须为校内人员"), {}))
    wanted = {facts.functions[k]: facts.units.get(facts.functions[k], ("", ""))[0]
              for k in OFFICE_FUNCTIONS if k in facts.functions}  # fmt: skip
    wanted.update({uid: name for uid, (name, _kind) in facts.units.items() if name in OFFICE_UNIT_NAMES})
    represented = Counter(m.unit_id for m in draft.members)
    missing = [name for unit_id, name in sorted(wanted.items()) if not represented.get(unit_id)]
    if missing:
        out.append((N_("诊改办公室缺少成员部门：%(units)s"), {"units": "、".join(missing)}))
    others = [facts.units.get(u, ("?", ""))[0] for u in represented if u not in wanted]
    if others:
        out.append((N_("%(units)s 不是诊改办公室的成员部门"), {"units": "、".join(sorted(others))}))
    for m in draft.members:
        if m.user_id is not None and m.unit_id is not None and facts.user_units.get(m.user_id) != m.unit_id:
            out.append((N_("%(name)s 不属于其代表的部门"), {"name": _name(facts, m.user_id)}))
    return out


def _size(draft: Draft, least: int) -> list[Broken]:
    n = len(draft.members)
    if n < least or n % 2 == 0:
        return [(N_("成员总数须为 %(least)s 名及以上的奇数，现有 %(n)s 名"), {"least": least, "n": n})]
    return []


def _leaders_of_unit(draft: Draft, facts: Facts, kind: str, most: int) -> list[Broken]:
    out = []
    unit = facts.units.get(draft.unit_id) if draft.unit_id else None
    if unit is None or unit[1] != kind:
        label = N_("须指定牵头的职能部门") if kind == FUNCTIONAL else N_("须指定所属二级学院")
        out.append((label, {}))
    leaders = _with_role(draft, "leader")
    if not 1 <= len(leaders) <= most:
        if most == 1:
            out.append((N_("组长须为 1 名，现有 %(n)s 名"), {"n": len(leaders)}))
        else:
            out.append((N_("组长须为 1-%(most)s 名，现有 %(n)s 名"), {"most": most, "n": len(leaders)}))
    for m in leaders:
        if unit is not None and (m.external or facts.user_units.get(m.user_id) != draft.unit_id):
            out.append((N_("组长须由%(unit)s的人员担任"), {"unit": unit[0]}))
            break
    return out


def _dept_group(draft: Draft, facts: Facts) -> list[Broken]:
    out = _leaders_of_unit(draft, facts, FUNCTIONAL, 1) + _size(draft, 5)
    if not any(m.external for m in draft.members):
        out.append((N_("职能部门牵头的诊改工作组须有校外专家"), {}))
    return out


def _college_group(draft: Draft, facts: Facts) -> list[Broken]:
    out = _leaders_of_unit(draft, facts, COLLEGE, 2) + _size(draft, 7)
    externals = sum(1 for m in draft.members if m.external)
    if not 1 <= externals <= 2:
        out.append((N_("二级学院诊改工作组须有 1-2 名校外专家，现有 %(n)s 名"), {"n": externals}))
    return out


def _platform_group(draft: Draft, facts: Facts) -> list[Broken]:
    out = []
    leaders = _with_role(draft, "leader")
    home = facts.functions.get("information_office")
    heads = facts.heads.get(home, frozenset()) if home else frozenset()
    if len(leaders) != 1 or leaders[0].user_id is None or leaders[0].user_id not in heads:
        out.append((N_("诊改平台组组长须由信息化处负责人担任（1 名）"), {}))
    return out


def _expert_committee(draft: Draft, facts: Facts) -> list[Broken]:
    out = []
    start, end = draft.term_start, draft.term_end
    if start is None or end is None:
        out.append((N_("专家委员会须填写聘期"), {}))
    else:
        three = date(start.year + 3, start.month, 28 if (start.month, start.day) == (2, 29) else start.day)
        if not (three.toordinal() - 1 <= end.toordinal() <= three.toordinal()):  # to the day before, or the day
            out.append((N_("专家委员会聘期须为 3 年"), {}))
    chairs = _with_role(draft, "director")
    if len(chairs) != 1 or facts.executive_vice is None or chairs[0].user_id != facts.executive_vice:
        out.append((N_("专家委员会主任委员须由诊改工作委员会常务副主任委员兼任（1 名）"), {}))
    office = facts.functions.get("quality_office")
    secretaries = _with_role(draft, "secretary")
    if not secretaries or any(m.external or facts.user_units.get(m.user_id) != office for m in secretaries):
        out.append((N_("专家委员会秘书处设在诊改办公室：须有来自质量管理处的秘书"), {}))
    return out


_POOL_RULE = N_("%(unit)s须推荐校内专家 %(want)s 名、校外专家 %(want)s 名（现有 %(inside)s 名、%(outside)s 名）")


def _expert_pool(draft: Draft, facts: Facts) -> list[Broken]:
    out = []
    count = Counter((m.unit_id, m.external) for m in draft.members)
    for unit_id, (unit_name, kind) in sorted(facts.units.items()):
        want = {FUNCTIONAL: 1, COLLEGE: 2}.get(kind)
        if want is None:
            continue
        inside, outside = count.get((unit_id, False), 0), count.get((unit_id, True), 0)
        if inside != want or outside != want:
            params = {"unit": unit_name, "want": want, "inside": inside, "outside": outside}
            out.append((_POOL_RULE, params))
    if any(m.unit_id is None for m in draft.members):
        out.append((N_("专家库成员须注明推荐部门"), {}))
    return out


_CHECKS = {
    "work_committee": _work_committee,
    "office": _office,
    "dept_group": _dept_group,
    "college_group": _college_group,
    "platform_group": _platform_group,
    "expert_committee": _expert_committee,
    "expert_pool": _expert_pool,
}
