"""The demo school's quality credits, made through the services (engine/credits): students of s01-s40 claim
items of the default 认定标准 and their counselors recognise them, so every class has a standing (most first-year
students are below 10); 党委学生工作部 marks 软件技术2025级1班 as graduating this year (the demo school has no
older classes) and runs the graduation check: s27 is the one student of that class below 10 and raises the
毕业生毕业时没有达到基本标准 warning at 教务处. Some claims are still pending (one a classmate made for s02), one was
returned to s03 and one rejected; c01 recorded a 减分 for s14 and 党委学生工作部 reversed one of s33's recognitions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import credits, org, workflow
from ..core import settings
from ..models import CreditClaim, CreditEntry, CreditItem, HumanTask, SchoolClass, User
from .script import PDF

GRADUATING_CLASS = "软件技术2025级1班"
FULL = ("K01", "I01", "Z01", "M02")  # 4 + 3 + 2 + 1 = 10
# username -> the item codes recognised for them (in the order claimed)
RECOGNISED = {
    **{f"s{n:02d}": FULL for n in range(21, 31) if n != 27},
    "s21": (*FULL, "V01"),
    "s27": ("Z01", "C01"),  # 2.5: the graduating class's one student below 10
    "s01": ("K01", "K02", "Z01", "V01", "M02"),
    "s04": ("V01", "C01"),
    "s06": ("Z01",),
    "s08": ("C02", "V01", "M02"),
    "s11": ("K02", "V01"),
    "s13": ("C01",),
    "s15": ("Z01", "P01"),
    "s17": ("V01",),
    "s31": ("K01", "Z01"),
    "s33": ("K02", "Z01", "C01"),
    "s36": ("P01", "V01"),
    "s38": ("M02",),
}
WHAT = {
    "K01": "省职业院校技能大赛二等奖", "K02": "校级技能竞赛二等奖", "I01": "大学生创新创业训练计划项目立项",
    "Z01": "取得 1+X 职业技能等级证书（初级）", "M02": "完成团课培训并结业", "V01": "社区志愿服务满 20 小时",
    "C01": "参加校运动会开幕式表演", "C02": "校园歌手大赛三等奖", "P01": "暑期到企业参加社会实践两周",
}  # fmt: skip
# (claimant, for whom, item, description) still with the counselor
PENDING = [
    ("s01", "s01", "C02", "校园歌手大赛三等奖"),
    ("s01", "s02", "V01", "孙一怡参加社区义务支教 24 小时（班级同学代为申请）"),
    ("s12", "s12", "P01", "暑期到企业参加社会实践两周，已提交实践报告"),
    ("s27", "s27", "P01", "寒假到合作企业参加社会实践，实践报告已提交"),
    ("s35", "s35", "I01", "大学生创新创业训练计划项目立项"),
]


def _who(session: Session) -> dict[str, User]:
    return {u.username: u for u in session.scalars(select(User))}


def _decide(session: Session, user: User, claim: CreditClaim, decision: str, comment: str, at) -> None:
    step = session.scalar(
        select(HumanTask.id).where(HumanTask.instance_id == claim.instance_id, HumanTask.state == "open")
    )
    workflow.complete_task(session, user, step, {"decision": decision, "comment": comment}, at,
                           org.principals_of(session, user.id))  # fmt: skip


def _claim(session: Session, claimant: User, student: User, item: CreditItem, text: str, at) -> CreditClaim:
    payload = {"item": item.id, "student": student.id, "description": text,
               "occurred_on": (settings.of(session).today(at) - timedelta(days=7)).isoformat()}  # fmt: skip
    evidence = ("证明材料.pdf", PDF) if item.evidence_required else None
    return credits.claims.submit(session, claimant, payload, evidence, at)


def load(session: Session, now) -> dict:
    """Claims, recognitions, a graduating class and its check, as of `now`."""
    people = _who(session)
    items = {i.code: i for i in session.scalars(select(CreditItem))}
    counselor_of = {}
    for klass in session.scalars(select(SchoolClass)):
        counselor = org.users_behind(session, [org.group_principal("counselor", "class", klass.id)])
        ids = sorted({uid for users in counselor.values() for uid in users})
        counselor_of[klass.id] = session.get(User, ids[0]) if ids else None
    start = now - timedelta(days=80)
    made = 0
    for n, (username, codes) in enumerate(sorted(RECOGNISED.items())):
        student = people[username]
        for k, code in enumerate(codes):
            at = start + timedelta(days=k * 12 + n % 5, hours=n)
            claim = _claim(session, student, student, items[code], WHAT[code], at)
            _decide(session, counselor_of[student.class_id], claim, "recognise", "材料属实，予以认定",
                    at + timedelta(days=1))  # fmt: skip
            made += 1
    xgb = people["xgb_reviewer"]
    principals = org.principals_of(session, xgb.id)
    for k, (claimant, student, code, text) in enumerate(PENDING):
        _claim(session, people[claimant], people[student], items[code], text, now - timedelta(days=3, hours=k))
    returned = _claim(session, people["s03"], people["s03"], items["Z01"], "取得 1+X 物联网安装调试证书",
                      now - timedelta(days=6))  # fmt: skip
    _decide(
        session,
        people["c01"],
        returned,
        "return",
        "证书扫描件不清晰，请重新上传并注明证书编号",
        now - timedelta(days=5),
    )
    rejected = _claim(session, people["s05"], people["s05"], items["M01"], "获评班级优秀学生干部",
                      now - timedelta(days=10))  # fmt: skip
    _decide(session, people["c01"], rejected, "reject", "班级内部评选不属于校级及以上表彰", now - timedelta(days=9))
    c01, when = people["c01"], now - timedelta(days=4)
    deduction = {"item": items["D01"].id, "occurred_on": settings.of(session).today(when).isoformat(),
                 "reason": "无故缺席班会三次，被学院通报批评"}  # fmt: skip
    credits.claims.deduct(session, c01, org.principals_of(session, c01.id), people["s14"].id, deduction, when)
    s33 = people["s33"]
    twice = session.scalar(
        select(CreditEntry.id).where(CreditEntry.student_id == s33.id, CreditEntry.title.contains("技能竞赛"))
    )
    credits.claims.reverse(
        session, xgb, principals, twice, {"reason": "与学院已认定的同一竞赛重复申报"}, now - timedelta(days=2)
    )
    graduating = session.scalar(select(SchoolClass).where(SchoolClass.name == GRADUATING_CLASS))
    year = settings.of(session).today(now).year
    if graduating is not None:
        credits.ledger.set_graduation_year(session, xgb, principals, graduating.id, year, now - timedelta(days=1))
        credits.graduation.run_check(session, xgb, principals, year, now - timedelta(hours=2))
    return {"recognised": made, "pending": len(PENDING)}
