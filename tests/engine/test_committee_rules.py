"""The rules of every committee kind (seed §六(一)4-5), each broken one named: `broken_rules` is pure, so the
organisation is written here as facts (units, heads, school leaders, functions) and each case breaks one rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from engine.org import Assignment
from engine.org.committee_rules import Draft, Facts, Member, broken_rules

# units: 1 质量管理处, 2 信息化处, 3 党政办公室, 4 党委组织统战部, 5 党委宣传部, 6 党委学生工作部, 7 人力资源处,
# 8 教务处 (functional), 20 电子学院 (college)
UNITS = {1: ("质量管理处", "functional"), 2: ("信息化处", "functional"), 3: ("党政办公室", "functional"),
         4: ("党委组织统战部", "functional"), 5: ("党委宣传部", "functional"), 6: ("党委学生工作部", "functional"),
         7: ("人力资源处", "functional"), 8: ("教务处", "functional"), 20: ("电子学院", "college")}  # fmt: skip
FUNCTIONS = {"quality_office": 1, "information_office": 2, "party_office": 3, "student_affairs": 6,
             "human_resources": 7, "academic_affairs": 8}  # fmt: skip
# people 101-104 school leaders; 1xx of unit x: 110 heads 质量管理处, 120 heads 信息化处, 200 heads 电子学院
PEOPLE = {101: None, 102: None, 103: None, 104: None, 110: 1, 111: 1, 120: 2, 121: 2, 130: 3, 140: 4, 150: 5,
          160: 6, 170: 7, 180: 8, 200: 20, 201: 20, 202: 20, 203: 20, 204: 20, 205: 20}  # fmt: skip
FACTS = Facts(
    school_leaders=frozenset({101, 102, 103, 104}),
    heads={1: frozenset({110}), 2: frozenset({120}), 20: frozenset({200})},
    user_units=PEOPLE, units=UNITS, functions=FUNCTIONS, executive_vice=103,
    names={uid: f"人{uid}" for uid in PEOPLE},
)  # fmt: skip
TERM = (date(2016, 9, 1), date(2019, 8, 31))


def inside(uid, role="member", unit=None):
    return Member(role, uid, f"人{uid}", "", unit)


def outside(role="member", unit=None, name="校外专家"):
    return Member(role, None, name, "某企业", unit)


VALID = {
    "work_committee": Draft("work_committee", "诊改工作委员会", (
        inside(101, "director"), inside(102, "director"), inside(103, "executive_vice"), inside(104, "vice_director"),
        inside(110), inside(120), inside(200))),
    "office": Draft("office", "诊改办公室", tuple(inside(uid, unit=PEOPLE[uid]) for uid in
                                               (110, 120, 130, 140, 150, 160, 170, 180)), unit_id=1),
    "dept_group": Draft("dept_group", "部门诊改工作组", (inside(130, "leader"), inside(140), inside(150),
                                                       inside(160), outside()), unit_id=3),
    "college_group": Draft("college_group", "学院诊改工作组", (inside(200, "leader"), inside(201, "vice_leader"),
                                                             inside(202), inside(203), inside(204), inside(205),
                                                             outside()), unit_id=20),
    "platform_group": Draft("platform_group", "诊改平台组", (inside(120, "leader"), inside(121)), unit_id=2),
    "expert_committee": Draft("expert_committee", "专家委员会", (inside(103, "director"), inside(111, "secretary"),
                                                               outside("expert")), None, *TERM),
    "expert_pool": Draft("expert_pool", "专家库", tuple(
        m for unit, (_name, kind) in UNITS.items()
        for i in range(2 if kind == "college" else 1)
        for m in (inside(200 + i if kind == "college" else 110, "expert", unit), outside("expert", unit)))),
}  # fmt: skip


def messages(draft: Draft) -> list[str]:
    return [message % params if params else message for message, params in broken_rules(draft, FACTS)]


@pytest.mark.parametrize("kind", list(VALID))
def test_a_committee_that_keeps_the_rules_breaks_none(kind):
    assert messages(VALID[kind]) == []


def _members(kind, change):
    draft = VALID[kind]
    return replace(draft, members=tuple(change(list(draft.members))))


CASES = [
    # 诊改工作委员会
    ("work_committee", lambda d: _members("work_committee", lambda m: m[1:]),
     ["主任委员须为 2 名（书记、校长），现有 1 名", "校领导 人101 须为副主任委员"]),
    ("work_committee", lambda d: _members("work_committee", lambda m: [x for x in m if x.role != "executive_vice"]),
     ["常务副主任委员须为 1 名（分管诊改工作的校领导），现有 0 名", "校领导 人103 须为副主任委员"]),
    ("work_committee", lambda d: _members("work_committee", lambda m: [inside(110, "vice_director") if x.user_id == 110
                                                                       else x for x in m]),
     ["人110 不是校领导，不能担任副主任委员"]),
    ("work_committee", lambda d: _members("work_committee", lambda m: [x for x in m if x.user_id != 200]),
     ["电子学院负责人 人200 须为委员"]),
    ("work_committee", lambda d: _members("work_committee", lambda m: m + [outside()]),
     ["诊改工作委员会成员须为校内人员"]),
    # 诊改办公室
    ("office", lambda d: replace(d, unit_id=2), ["诊改办公室须挂靠质量管理处（诊改办公室职能所在部门）"]),
    ("office", lambda d: _members("office", lambda m: [x for x in m if x.unit_id != 4]),
     ["诊改办公室缺少成员部门：党委组织统战部"]),
    ("office", lambda d: _members("office", lambda m: m + [inside(201, unit=20)]),
     ["电子学院 不是诊改办公室的成员部门"]),
    ("office", lambda d: _members("office", lambda m: [inside(111, unit=2) if x.user_id == 120 else x for x in m]),
     ["人111 不属于其代表的部门"]),
    # 职能部门牵头的诊改工作组
    ("dept_group", lambda d: _members("dept_group", lambda m: m + [inside(170)]),
     ["成员总数须为 5 名及以上的奇数，现有 6 名"]),
    ("dept_group", lambda d: _members("dept_group", lambda m: [x for x in m if not x.external] + [inside(170)]),
     ["职能部门牵头的诊改工作组须有校外专家"]),
    ("dept_group", lambda d: _members("dept_group", lambda m: [inside(170, "leader")] + m[1:]),
     ["组长须由党政办公室的人员担任"]),
    ("dept_group", lambda d: replace(d, unit_id=20), ["须指定牵头的职能部门", "组长须由电子学院的人员担任"]),
    # 二级学院诊改工作组
    ("college_group", lambda d: _members("college_group", lambda m: m[:-2] + [outside()]),
     ["成员总数须为 7 名及以上的奇数，现有 6 名"]),
    ("college_group", lambda d: _members("college_group", lambda m: m[:-3] + [outside(), outside(), outside()]),
     ["二级学院诊改工作组须有 1-2 名校外专家，现有 3 名"]),
    ("college_group", lambda d: _members("college_group", lambda m: [replace(x, role="leader") for x in m[:3]] + m[3:]),
     ["组长须为 1-2 名，现有 3 名"]),
    # 诊改平台组
    ("platform_group", lambda d: _members("platform_group", lambda m: [inside(121, "leader"), inside(120)]),
     ["诊改平台组组长须由信息化处负责人担任（1 名）"]),
    # 专家委员会
    ("expert_committee", lambda d: replace(d, term_end=date(2018, 8, 31)), ["专家委员会聘期须为 3 年"]),
    ("expert_committee", lambda d: _members("expert_committee", lambda m: [inside(101, "director")] + m[1:]),
     ["专家委员会主任委员须由诊改工作委员会常务副主任委员兼任（1 名）"]),
    ("expert_committee", lambda d: _members("expert_committee", lambda m: [m[0], inside(130, "secretary"), m[2]]),
     ["专家委员会秘书处设在诊改办公室：须有来自质量管理处的秘书"]),
    # 专家库
    ("expert_pool", lambda d: _members("expert_pool", lambda m: [x for x in m if not (x.unit_id == 20 and x.external)]),
     ["电子学院须推荐校内专家 2 名、校外专家 2 名（现有 2 名、0 名）"]),
    ("expert_pool", lambda d: _members("expert_pool", lambda m: m + [outside("expert")]), ["专家库成员须注明推荐部门"]),
    # every kind
    ("platform_group", lambda d: replace(d, name=" "), ["请填写名称"]),
    ("platform_group", lambda d: _members("platform_group", lambda m: m + [Member("chief", 110)]),
     ["未知的组织角色：chief"]),
    ("dept_group", lambda d: _members("dept_group", lambda m: m[:-1] + [outside(name="")]), ["校外成员须填写姓名"]),
    ("dept_group", lambda d: _members("dept_group", lambda m: m + [inside(140), inside(150)]),
     ["人140 重复列入", "人150 重复列入", ]),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "change", "expected"), CASES)
def test_each_broken_rule_is_named(kind, change, expected):
    assert messages(change(VALID[kind])) == expected


def test_unknown_kind():
    assert messages(replace(VALID["office"], kind="club")) == ["未知的组织类型：club"]


def test_a_lane_may_name_a_committee_and_its_roles_but_no_unknown_one():
    assert Assignment.parse("director,executive_vice", "committee:work_committee").problems() == []
    assert Assignment.parse("any", "committee:expert_committee").problems() == []
    assert Assignment.parse("any", "committee:senate").problems() == ["未知的诊改组织：senate"]
    assert Assignment.parse("chief", "committee:office").problems() == ["未知的组织角色：chief"]
