"""Indicator systems (考核指标体系) as data: the shipped ones (table 40 and the 2018 extension), reading them,
and 人力资源处's edits. A version a campaign used is frozen; editing it saves the next version instead.

Table 40's 内涵 and 观测点 are copied as the seed prints them (its typo 的的 included). The seed gives the
2018 extension (专业/课程, 教师/辅导员/职员) only as a sentence (基本标准、发展建设/个人发展 as the content, 质量计划、
质量控制、质量提升 as the stages); its systems are shipped as a starting point for 人力资源处 to complete.
"""

from __future__ import annotations

import copy
import re
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms.assessment import validate_item

from ..core import audit
from ..core.errors import N_, InvalidInput, NotFound, object_id
from ..models import AnnualTask, AssessmentSystem, User

GROUPS = {
    "leaders": N_("学校领导"), "clients": N_("服务对象"), "experts": N_("专家委员会"),
    "departments": N_("职能部门"), "colleges": N_("二级学院"), "students": N_("学生"),
    "academic": N_("教务处"), "section": N_("所在教研室/科室负责人"), "unit": N_("所在二级学院/部门"),
}  # fmt: skip
TARGET_KINDS = {
    "functional": N_("职能部门"), "college": N_("二级学院"), "major": N_("专业"), "course": N_("课程"),
    "teacher": N_("教师"), "counselor": N_("辅导员"), "staff": N_("职员"),
}  # fmt: skip
KINDS = {"unit": N_("职能部门/二级学院"), "program": N_("专业/课程"), "staff": N_("教师/辅导员/职员")}
UNIT_TARGETS = ("functional", "college")  # targets that are org units; the others are subjects (专业, 课程, people)
USE_OF_RESULTS = (
    "考核结果实行一票否决制，对于发生特别严重事件的部门可直接确定为不合格；对为学校做出突出贡献的部门可直接确定为"
    "优秀等次，不占优秀名额。根据学校绩效分配方案，对考核结果为优秀、良好的给予一定绩效奖励；对考核结果为不合格的，"
    "给予绩效一定减发。"
)
_IMPROVE_SCORERS = {
    "functional": ["leaders", "departments", "colleges"],
    "college": ["leaders", "departments", "students"],
}


def _item(key, name, points, connotation, observation, scorers) -> dict:
    return {"key": key, "name": name, "max": points, "connotation": connotation,
            "observation": observation if isinstance(observation, dict) else {"*": observation},
            "scorers": scorers if isinstance(scorers, dict) else {"*": scorers}}  # fmt: skip


UNIT_SYSTEM = {
    "targets": ["functional", "college"],
    "parts": [
        {"key": "plan", "name": "质量计划", "items": [
            _item("routine", "常规工作计划", 60, "根据工作职责和学校工作要点确定的常规工作质量标准及其诊改计划。",
                  "常规工作计划与部门职责、学校年度工作要点的吻合度；标准确定的合理度；诊改计划中问题查找的准确度；"
                  "问题、改进措施和考核标准及权重分配的相关度；诊改计划的可行性", ["leaders", "clients"]),
            _item("project", "项目工作计划", 40,
                  "根据工作中存在的突出问题或学校及上级下达的发展任务确定的质量标准及其诊改计划",
                  "项目工作计划与学校下达的发展任务、自身查找问题的吻合度；标准确定的合理度；诊改计划中问题查找的准确"
                  "度；问题、改进措施和考核标准及权重分配的相关度；诊改计划的可行性；项目计划的的创新与特色",
                  ["leaders", "clients"]),
        ]},
        {"key": "control", "name": "质量控制", "items": [
            _item("control", "质量控制", 40, "质量标准中的质量监控实施和自我诊断与改进",
                  "部门质量控制措施完善情况；部门质量控制措施的落实情况；部门自我诊断开展情况；部门自我诊断与上一级复"
                  "核、学校抽样复核的吻合度；查找问题的准确度及其改进措施的可行性", ["leaders", "clients", "experts"]),
        ]},
        {"key": "improvement", "name": "质量提升", "items": [
            _item("improvement", "质量提升", 160, "工作完成情况、工作完成质量、创新工作质量", {
                "functional": "任务完成情况、质量达成情况、工作满意度、工作创新度",
                "college": "党务建设、师资队伍建设、教学建设、教学质量、学生综合素质建设、招生与就业完成情况、"
                           "科研成果、资源建设、安全建设、质量建设；学生毕业率、学生就业率与就业质量、职业资格证书"
                           "获取率、英语及计算机等级考试通过率、技能大赛获奖情况、学生欠费率、学生违纪率、发案率",
            }, _IMPROVE_SCORERS),
        ]},
        {"key": "bonus", "name": "突出工作加分", "items": [
            _item("bonus", "突出工作加分", 30, "突出工作业绩",
                  "创新工作：省级及以上奖励；在教学、管理、服务等方面有创新的做法，并取得一定的效果。",
                  _IMPROVE_SCORERS),
        ]},
    ],
}  # fmt: skip


def _extension(targets: list[str], content: str, scorers: list[str]) -> dict:
    """A 2018-extension system: 基本标准 and 发展建设/个人发展 assessed at the three stages."""
    return {"targets": targets, "parts": [
        {"key": "plan", "name": "质量计划", "items": [
            _item("basic", "基本标准", 40, "基本标准的达成", "达到基本标准的程度", scorers),
            _item("development", content, 60, f"{content}的质量目标、标准及其诊改计划",
                  "目标与标准的合理度；诊改计划的可行性", scorers),
        ]},
        {"key": "control", "name": "质量控制", "items": [
            _item("control", "质量控制", 40, "质量监控实施和自我诊断与改进",
                  "自我诊断开展情况；与上一级复核、学校抽样复核的吻合度", scorers),
        ]},
        {"key": "improvement", "name": "质量提升", "items": [
            _item("improvement", "质量提升", 160, "目标达成与质量提升", "质量目标的达成度；质量提升的程度", scorers),
        ]},
    ]}  # fmt: skip


# Who scores a subject of the extension: 专业/课程 by 学校领导, 专家委员会, 教务处 and 学生; a 教师 by 学生 (评教), the
# head of their 教研室 and their 二级学院; a 辅导员 by 学生 and their 二级学院; a 职员 by the head of their 科室 and
# their department (people are not scored by the school leaders: the units' heads are their line).
PROGRAM_SCORERS = ["leaders", "experts", "academic", "students"]
STAFF_SCORERS = {"teacher": ["students", "section", "unit"], "counselor": ["students", "unit"],
                 "staff": ["section", "unit"]}  # fmt: skip

SHIPPED = {
    "unit": ("职能部门/二级学院年度发展性考核", "4月30日", UNIT_SYSTEM),
    "program": ("专业/课程发展性考核", "6月30日", _extension(["major", "course"], "发展建设", PROGRAM_SCORERS)),
    "staff": ("教师/辅导员/职员发展性考核", "6月30日",
              _extension(["teacher", "counselor", "staff"], "个人发展", STAFF_SCORERS)),
}  # fmt: skip


def load_defaults(session: Session, now: datetime) -> int:
    """The shipped systems a school lacks (every school, demo or not); the count added."""
    have = {s.kind: s for s in session.scalars(select(AssessmentSystem).order_by(AssessmentSystem.version))}
    added = 0
    for kind, (name, due, definition) in SHIPPED.items():
        untouched = have.get(kind)
        if (
            untouched is not None
            and untouched.version == 1
            and untouched.frozen_at is None
            and untouched.updated_by_id is None
            and untouched.definition != definition
        ):
            untouched.definition = copy.deepcopy(definition)  # a shipped system nobody edited or used: refreshed
        if kind not in have:
            session.add(AssessmentSystem(kind=kind, version=1, name=name, due=due, definition=copy.deepcopy(definition),
                                         created_at=now))  # fmt: skip
            added += 1
    session.flush()
    return added


DUE_ROWS = {"unit": "职能部门", "program": "专业", "staff": "教师"}  # what the annual table's row names


def default_due(session: Session, kind: str, year: int, today: date) -> date:
    """A new campaign's scoring deadline: the due date of the year's annual-table row that assesses the system's
    subjects (e.g. 2018 no. 103, 对教师、辅导员、职员实施年度发展性考核, 12月31日) when the table has one and it is
    not past; else the system's own date in that year (6月30日), else the year's end, else today."""
    rows = session.execute(select(AnnualTask.task, AnnualTask.due_date).where(
        AnnualTask.year == year, AnnualTask.due_date.is_not(None))).all()  # fmt: skip
    found = sorted((("实施" not in task), due) for task, due in rows if "发展性考核" in task and DUE_ROWS[kind] in task)
    system = next((s for s in current(session) if s.kind == kind), None)
    own = re.fullmatch(r"(\d{1,2})月(\d{1,2})日", system.due if system else "")
    candidates = [due for _rank, due in found]
    if own:
        try:
            candidates.append(date(year, int(own.group(1)), int(own.group(2))))
        except ValueError:
            pass
    candidates.append(date(year, 12, 31))
    return next((d for d in candidates if d >= today), today)


def part_max(part: dict) -> float:
    return float(sum(item["max"] for item in part["items"]))


def for_kind(value: dict, target_kind: str):
    """An item's observation or scorers for a target kind (its own entry, else the common "*")."""
    return value.get(target_kind, value.get("*"))


def items_of(definition: dict):
    """(part, item) pairs in order."""
    return [(part, item) for part in definition["parts"] for item in part["items"]]


def current(session: Session) -> list[AssessmentSystem]:
    """The latest version of each system kind."""
    latest = select(AssessmentSystem.kind, func.max(AssessmentSystem.version).label("v")).group_by(
        AssessmentSystem.kind
    )
    sub = latest.subquery()
    stmt = select(AssessmentSystem).join(
        sub, (sub.c.kind == AssessmentSystem.kind) & (sub.c.v == AssessmentSystem.version)
    )
    return sorted(session.scalars(stmt), key=lambda s: list(KINDS).index(s.kind) if s.kind in KINDS else 99)


def get(session: Session, system_id) -> AssessmentSystem:
    system = session.get(AssessmentSystem, object_id(system_id, N_("考核指标体系不存在")))
    if system is None:
        raise NotFound(N_("考核指标体系不存在"))
    return system


def versions(session: Session, kind: str) -> list[AssessmentSystem]:
    return list(session.scalars(select(AssessmentSystem).where(AssessmentSystem.kind == kind)
                                .order_by(AssessmentSystem.version.desc())))  # fmt: skip


def update_item(
    session: Session, user: User, system: AssessmentSystem, item_key: str, payload: dict, now: datetime
) -> AssessmentSystem:
    """Change one item (max points, 内涵, 观测点, scorer groups). A frozen version is left as it is: the change
    goes into a new version (the next campaigns use it). Bad input is InvalidInput naming the field."""
    definition = copy.deepcopy(system.definition)
    found = next((item for _part, item in items_of(definition) if item["key"] == item_key), None)
    if found is None:
        raise NotFound(N_("考核指标不存在"))
    try:
        clean = validate_item(payload, definition["targets"], list(GROUPS))
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    before = copy.deepcopy(found)
    found.update(max=clean["max"], connotation=clean["connotation"])
    found["observation"] = clean["observation"]
    found["scorers"] = clean["scorers"]
    target = system
    if system.frozen_at is not None:
        newest = max(s.version for s in versions(session, system.kind))
        target = AssessmentSystem(kind=system.kind, version=newest + 1, name=system.name, due=system.due,
                                  definition=definition, created_at=now, updated_by_id=user.id)  # fmt: skip
        session.add(target)
    else:
        target.definition = definition
        target.updated_by_id = user.id
    session.flush()
    audit.record(
        session, actor_id=user.id, action="assessment.system.update", object_type="assessment_system",
        object_id=target.id, now=now, before={"item": before}, after={"item": found, "version": target.version},
    )  # fmt: skip
    return target
