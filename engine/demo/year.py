"""A school in the middle of its year, played through the product's own services (what `zhengai init` loads).

`load(session, now)` runs after the demo organisation (engine/demo/organisation.py) and the built-in
workflows are in place. A simulated clock starts 92 days before `now` and moves forward: people act at
09:00 school time (one minute apart), and the scheduler's tick (`scheduler.tick`, `rules.evaluate`) runs every day
at 08:00 and finally at `now`, as the scheduler process would. Every action is the service call a page
makes, with the simulated time as its `now`, so the demo is what the product itself made of the year:
nothing is written around the services, no validation is bypassed. Deterministic for a given `now`.

The story (days before now):
- 92-60: 质量管理处 generates the year's annual task table; first-half rows are already overdue and the
  first tick raises 工作标准/基本标准 warnings. Departments mark rows done with evidence (教务处's and
  质量管理处's basic-standard warnings then resolve themselves), others acknowledge their warnings;
  教务处 reports a 质量事故 in 电子与物联网学院, which is acknowledged and later resolved with a note.
- 54: 质量管理处 starts the year for all four levels, with step dates 1 确定目标 = 40 days ago, 4 制定标准 =
  10 days ago, 5 制定诊改计划 = 2 days ago and 6-11 still ahead. An author's chain task is due 14 days after
  it arrives (P14D), so a subject still at step 1 is 40 days late, one whose standard arrived 24 days ago
  10 days, one whose plan arrived 16 days ago 2 days: the same lateness if chain tasks inside a cycle
  take the step's date instead.
- 54-1: each subject moves along its chain as `demo_script.PATHS` says: some never start, some are
  returned with a reviewer's comment, some wait in a reviewers' group or are claimed by one reviewer,
  some are ahead at steps 6-11; 质量管理处's school review finds one course below its basic standard.
- 30: a student's year is suspended (休学). 20: a teacher reports a safety hazard and shares a target;
  吴婷 (t09) revises her published target, approved as version 2 two days later.
- 15-12: 人力资源处 deploys a teacher-chain version whose approval condition reads a `score` the review
  form never provides; 黄敏's (t07) revised target fails at approval (an errored instance waiting in 流程异常),
  then the owner rolls the chain back (version 3 = version 1; the errored instance stays on version 2).
- 2-1: 质量管理处 reminds late students, reassigns a review to a second reviewer, extends a deadline.
Users read their notifications at various points, so some are read and some are not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import cycle, modeling, org, scheduler, workflow
from ..core import periods, settings
from ..cycle import annual, sampling
from ..documents import attachments, sharing
from ..documents import service as documents
from ..models import (
    AnnualTask,
    CycleInstance,
    Document,
    HumanTask,
    OrgUnit,
    ProcessDefinition,
    ProcessVersion,
    QualityWarning,
    Subject,
    SubjectMember,
    TaskState,
    User,
)
from ..notify import notifications
from ..oversight import instance_admin, task_admin
from ..warnings import rules
from ..warnings import service as warnings
from ..workflow import runtime
from ..workflow.readmodel import candidates_of
from . import policies, warnings39
from . import standards as demo_standards
from .script import ACK, LATE_STUDENTS, PATHS, PDF, SCHOOL_STEPS, START, STEP_DUES, YEAR_START, filled


def load(session: Session, now: datetime) -> dict:
    """Play the demo year up to `now` (after the demo organisation and the workflows); returns a few figures."""
    story = Story(session, now)
    story.run(story.events())
    return story.figures()


class Story:
    """The simulated clock, the people and the actions of the demo year."""

    def __init__(self, session: Session, now: datetime):
        self.session, self.now = session, now
        self.tz = tz = settings.of(session).timezone  # the school's: the story's days are its calendar days
        self.today = now.astimezone(tz).date()
        self.year = periods.local_year(now, tz)
        self.t = self._moment(START) - timedelta(minutes=1)
        self.next_tick = datetime.combine(self.today - timedelta(days=START - 1), time(8, 0), tz)
        self.users = {u.username: u for u in session.scalars(select(User))}
        self.subjects = {s.code: s for s in session.scalars(select(Subject))}
        self.units = {u.code: u.id for u in session.scalars(select(OrgUnit))}
        self.instances: dict[str, int] = {}
        self.marks: dict[str, int] = {}  # ids the story refers to later (a reported warning, a revision)
        self.ticks = 0

    # -- the clock --------------------------------------------------------------------------------------

    def _moment(self, days: int) -> datetime:
        return datetime.combine(self.today - timedelta(days=days), time(9, 0), self.tz)

    def _advance(self, to: datetime) -> None:
        while self.next_tick <= to and self.next_tick <= self.now:
            self._tick(self.next_tick)
            self.next_tick += timedelta(days=1)
        self.t = to

    def _tick(self, at: datetime) -> None:
        scheduler.tick(self.session, at)
        rules.evaluate(self.session, at)
        self.ticks += 1

    def run(self, events: list[tuple[int, Callable[[], None]]]) -> None:
        """Each event at 09:00 of its day (a minute after the one before), with the daily ticks between."""
        for days, action in sorted(events, key=lambda e: -e[0]):  # stable: same day keeps the listed order
            self._advance(max(self._moment(days), self.t + timedelta(minutes=1)))
            action()
        self._advance(self.now)
        if self.t != self.next_tick - timedelta(days=1):
            self._tick(self.now)
        self.session.flush()

    # -- who and what ---------------------------------------------------------------------------------

    def user(self, username: str) -> User:
        return self.users[username]

    def principals(self, user: User) -> list[str]:
        return org.principals_of(self.session, user.id)

    def task(self, code: str, kinds: tuple[str, ...], instance_id: int | None = None) -> HumanTask:
        iid = instance_id or self.instances[code]
        rows = self.session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == iid, HumanTask.state == TaskState.OPEN, HumanTask.kind.in_(kinds))
            .order_by(HumanTask.id)
        ).all()
        if len(rows) != 1:
            raise RuntimeError(f"demo year: {code} has {len(rows)} open {'/'.join(kinds)} tasks at {self.t}")
        return rows[0]

    def actor(self, ht: HumanTask, username: str | None) -> User:
        """The named user, else the claimant, else the subject's leader, else the first candidate."""
        if username:
            return self.users[username]
        if ht.claimant_id:
            return self.session.get(User, ht.claimant_id)
        behind = org.users_behind(self.session, candidates_of(self.session, ht.id))
        ids = set().union(*behind.values())
        leader = self.session.scalar(
            select(SubjectMember.user_id).where(
                SubjectMember.subject_id == ht.subject_id, SubjectMember.role == "leader"
            )
        )
        return self.session.get(User, leader if leader in ids else min(ids))

    def written(self, ht: HumanTask, code: str, rows: int | None = None, verdict: str = "") -> dict:
        doc = self.session.get(Document, ht.document_id)
        definition = documents.template_of(self.session, doc).definition
        subject = self.subjects[code]
        counselor = {"DZXY": "郑辅导", "RJXY": "冯辅导"}
        approver = counselor[subject.org_unit.code] if subject.type == "student" else "蒋副校长"
        header = {"approver": approver, "audience": f"{self.year}级在校学生"}
        return filled(doc.data, definition, subject.name, period=doc.period, header=header, rows=rows,
                                below=verdict == "below")  # fmt: skip

    # -- what people do in a subject's chain --------------------------------------------------------------

    def act(self, code: str, action: str, who: str | None, text: str) -> None:
        s, t = self.session, self.t
        if action in ("submit", "draft", "attach"):
            ht = self.task(code, ("edit",))
            user = self.actor(ht, who)
            if action == "submit":
                runtime.complete_task(s, user, ht.id, {"document": self.written(ht, code, verdict=text)}, t)
            elif action == "draft":
                documents.save_draft(s, user, ht.id, self.written(ht, code, rows=3), t)
            else:
                self.attach(ht, user, code)
        elif action in ("approve", "return"):
            ht = self.task(code, ("review",))
            comment = text or ("同意。" if action == "approve" else "请修改后重新提交。")
            runtime.complete_task(s, self.actor(ht, who), ht.id, {"decision": action, "comment": comment}, t)
        elif action == "claim":
            ht = self.task(code, ("review",))
            runtime.claim_task(s, self.actor(ht, who), ht.id, t)
        elif action == "next":  # whatever the cycle asks next (nothing once it is done)
            ht = s.scalar(select(HumanTask).where(HumanTask.instance_id == self.instances[code],
                                                  HumanTask.state == TaskState.OPEN).limit(1))  # fmt: skip
            payload = {"document": self.written(ht, code)} if ht and ht.kind == "edit" else {"comment": ACK}
            if ht is not None:
                runtime.complete_task(s, self.actor(ht, who), ht.id, payload, t)
        else:
            raise ValueError(action)

    def attach(self, ht: HumanTask, user: User, code: str) -> None:
        """Evidence files on the implementation record, then a saved draft of it."""
        row = self.session.get(Document, ht.document_id).data["rows"][0]["id"]
        files = {
            "实训基地建设进展.pdf": PDF,
            "实训室使用记录.txt": "日期,班级,课程,学时\n第8周,软件技术2025级1班,Java 程序设计,4\n".encode(),
        }
        for name, content in files.items():
            attachments.upload(self.session, user, ht.id, row, name, content, self.t, max_bytes=2 * 1024 * 1024)
        documents.save_draft(self.session, user, ht.id, self.written(ht, code, rows=2), self.t)

    # -- the events of the year -----------------------------------------------------------------------

    def events(self) -> list[tuple[int, Callable[[], None]]]:
        out: list[tuple[int, Callable[[], None]]] = [
            (START, self.annual_table),
            (89, lambda: self.done("jwc_reviewer", range(16, 26))),
            (89, lambda: self.done("rsc_reviewer", (10, 11, 12))),
            (
                89,
                lambda: self.acknowledge(
                    "RSC", "basic_standard_missing", "rsc_reviewer", "其余三项标准已提交校长办公会审议，预计下月印发。"
                ),
            ),  # fmt: skip
            (88, lambda: self.done("zlc_admin", (34, 65, 66, 67))),
            (
                87,
                lambda: self.acknowledge(
                    "DZXY", "work_standard_missing", "dzxy_reviewer", "学院已成立工作标准编制小组，分教研室推进。"
                ),
            ),  # fmt: skip
            (86, lambda: self.done("xgb_reviewer", (27, 28, 29, 30))),
            (86, lambda: self.acknowledge("XGB", "basic_standard_missing", "xgb_reviewer", "")),
            *warnings39.events(self),  # quality accidents through 认定与处理 (table 39)
            (80, lambda: self.done("jwc_reviewer", (39, 40, 50))),
            (60, lambda: self.done("xxh_staff", (58, 59, 64))),
            *policies.events(self),
            (YEAR_START, self.start_year),
            *[(day, partial(self.confirm_school, *step)) for day, *step in SCHOOL_STEPS],
            (40, lambda: self.done("dzb_reviewer", (8,))),
            (30, self.suspend_student),
            (30, lambda: self.done("zlc_admin", (68, 69))),
            (20, self.report_hazard),
            (20, lambda: self.share("t03", "t01")),
            (20, lambda: self.read_all("s01")),
            (20, lambda: self.revise_target("t09", "新增：指导学生参加省级技能大赛并获奖。")),
            (18, lambda: self.approve_revision("t09")),  # version 2 of 吴婷's target: 版本比较
            (15, self.break_teacher_chain),
            (14, lambda: self.revise_target("t07", "新增：两年内主持一项校级教改课题。")),
            (13, self.fail_approval),
            (12, self.roll_back_teacher_chain),
            (11, lambda: self.read_all("t01")),
            (3, lambda: self.read_all("zlc_admin")),
            (2, self.remind_late_students),
            (1, self.reassign_review),
            (1, self.extend_deadline),
            (1, lambda: self.read_first("dzxy_reviewer")),
        ]
        for code, path in PATHS.items():
            for days, action, who, text in path:
                out.append((days, lambda c=code, a=action, w=who, x=text: self.act(c, a, w, x)))
        return out

    def annual_table(self) -> None:
        annual.instantiate(self.session, self.year, self.user("zlc_admin").id, self.t)

    def done(self, username: str, numbers) -> None:
        user = self.user(username)
        for no in numbers:
            row = self.session.scalar(select(AnnualTask).where(AnnualTask.year == self.year, AnnualTask.no == no))
            evidence = f"《{row.task}》已经校长办公会审议通过并印发，文件见诊改信息平台制度库（{row.category}）。"
            annual.mark_done(self.session, user, self.principals(user), row.id, evidence, self.t)

    def _warning(self, unit: str, kind: str) -> int:
        return self.session.scalar(
            select(QualityWarning.id)
            .where(QualityWarning.org_unit_id == self.units[unit], QualityWarning.kind == kind)
            .order_by(QualityWarning.id)
            .limit(1)
        )

    def acknowledge(self, unit: str, kind: str, username: str, note: str) -> None:
        """Acknowledge the unit's rule warning, if the rows behind it are overdue yet (it depends on the date)."""
        warning_id = self._warning(unit, kind)
        if warning_id is not None:
            user = self.user(username)
            warnings.acknowledge(self.session, user, self.principals(user), warning_id, note, self.t)

    def acknowledge_mark(self, mark: str, username: str, note: str) -> None:
        user = self.user(username)
        warnings.acknowledge(self.session, user, self.principals(user), self.marks[mark], note, self.t)

    def resolve_mark(self, mark: str, username: str, note: str) -> None:
        user = self.user(username)
        warnings.resolve(self.session, user, self.principals(user), self.marks[mark], note, self.t)

    def _report(self, username: str, **fields) -> int:
        user = self.user(username)
        return warnings.report(self.session, user, self.principals(user), fields, self.t).id

    def report_hazard(self) -> None:
        self._report(
            "t03", kind="safety_hazard", level="red", org_unit_id=str(self.units["DZXY"]),
            title="电子实训室插线板老化、线路裸露", description="实训楼三层电子实训室两块插线板外壳开裂，"
            "一处线路裸露，学生实训时存在触电隐患，建议立即停用并更换。",
        )  # fmt: skip

    def start_year(self) -> None:
        zlc = self.user("zlc_admin")
        dues = {k: cycle.end_of_day(self.today + timedelta(days=d), self.tz).isoformat() for k, d in STEP_DUES.items()}
        run = cycle.create_run(self.session, zlc, self.year, list(cycle.LEVELS), dues, self.t)
        while run.status != "finished":
            run = cycle.process_run(self.session, run.id, self.t)
        rows = self.session.execute(
            select(Subject.code, CycleInstance.instance_id)
            .join(CycleInstance, CycleInstance.subject_id == Subject.id)
            .where(CycleInstance.year == self.year)
        ).all()
        self.instances = dict(rows)
        # the committees (专家委员会: the sampled subjects' reviews) are formed before the year's reviews
        units = {u.code: u for u in self.session.scalars(select(OrgUnit))}
        demo_standards.load_committees(self.session, self.t, self.users, units)
        # the year's school sampling (学校抽样复核), drawn by 质量管理处 through the service, with a fixed seed
        config = {"sizes": {"unit": 1, "program": 8, "team": 1, "person": 3}, "stratify": True, "pilots": True}
        sampling.make_draw(self.session, zlc, self.year, config, self.t, seed=f"demo-{self.year}",
                           note="年度抽样（演示）", principals=self.principals(zlc))  # fmt: skip

    def confirm_school(self, bpmn_id: str, username: str, decision: str, comment: str) -> None:
        """A lead department confirms its step 2 or 3 task of the year's school process."""
        school = cycle.school_instance(self.session, self.year)
        task = self.session.scalar(
            select(HumanTask).where(
                HumanTask.instance_id == school.id, HumanTask.bpmn_id == bpmn_id, HumanTask.state == "open"
            )
        )
        user = self.user(username)
        runtime.complete_task(self.session, user, task.id, {"decision": decision, "comment": comment}, self.t,
                              self.principals(user))  # fmt: skip

    def suspend_student(self) -> None:
        instance_admin.suspend(
            self.session,
            self.user("zlc_admin"),
            self.instances["s11"],
            "该生已办理休学手续，暂停本年度诊改流程。",
            self.t,
        )

    def share(self, owner: str, to: str) -> None:
        doc = self.session.scalar(
            select(Document).where(Document.subject_id == self.subjects[owner].id, Document.doc_type == "target")
        )
        sharing.share(self.session, self.user(owner), doc.id, to, self.t)

    # -- a process version that breaks, and its rollback ----------------------------------------------

    def _teacher_chain(self) -> ProcessDefinition:
        return self.session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == "chain_teacher"))

    def break_teacher_chain(self) -> None:
        definition = self._teacher_chain()
        xml = self.session.scalar(
            select(ProcessVersion.bpmn_xml).where(ProcessVersion.id == definition.latest_version_id)
        )
        approve = re.compile(r'(<bpmn:conditionExpression[^>]*>)decision == "approve"(</bpmn:conditionExpression>)')
        xml, n = approve.subn(r'\1decision == "approve" and score &gt;= 60\2', xml)
        if n != 1:
            raise RuntimeError("demo year: the teacher chain's approval condition was not found")
        note = "二级学院审定增加评分：60 分及以上方可发布"
        modeling.deploy(self.session, self.user("rsc_reviewer"), definition, xml, note, self.t)

    def revise_target(self, username: str, addition: str) -> None:
        """A teacher revises their published target (a chain of its own, outside the cycle) and submits it."""
        teacher = self.user(username)
        ht = documents.start_document(self.session, teacher, self.subjects[username].id, "target", self.t)
        self.marks[username] = ht.instance_id
        data = self.written(ht, username)
        first = data["rows"][0]["cells"]
        first["description"] = "（修订）" + first["description"] + addition
        runtime.complete_task(self.session, teacher, ht.id, {"document": data}, self.t)

    def approve_revision(self, username: str) -> None:
        ht = self.task(username, ("review",), instance_id=self.marks[username])
        approval = {"decision": "approve", "comment": "同意修订。"}
        runtime.complete_task(self.session, self.actor(ht, None), ht.id, approval, self.t)

    def fail_approval(self) -> None:
        """孙院审 approves: the new condition fails, the step is undone and the incident recorded."""
        ht = self.task("t07", ("review",), instance_id=self.marks["t07"])
        reviewer = self.user("rjxy_reviewer")
        approval = {"decision": "approve", "comment": "同意。"}
        (outcome,) = workflow.each_in_savepoint(
            self.session,
            [ht.id],
            lambda tid: runtime.complete_task(self.session, reviewer, tid, approval, self.t),
            self.t,
        )  # the step is undone and its incident recorded, as for a person's failed completion
        if outcome.ok:
            raise RuntimeError("demo year: the broken teacher chain did not fail")

    def roll_back_teacher_chain(self) -> None:
        note = "回滚：审核表单尚未提供评分字段，新版本的审定条件无法执行"
        modeling.rollback(self.session, self.user("rsc_reviewer"), self._teacher_chain(), 1, note, self.t)

    # -- 质量管理处's interventions and people reading ------------------------------------------------------

    def _batch(self, action: str, task_ids: list[int], params: dict) -> None:
        results = task_admin.batch(self.session, self.user("zlc_admin"), action, task_ids, params, self.t)
        failed = [r for r in results if not r["ok"]]
        if failed:
            raise RuntimeError(f"demo year: {action} failed: {failed}")

    def remind_late_students(self) -> None:
        ids = [self.task(code, ("edit",)).id for code in LATE_STUDENTS]
        self._batch("remind", ids, {"message": "本年度学生发展目标已逾期，请尽快填写并提交辅导员审定。"})

    def reassign_review(self) -> None:
        ht = self.task("510205-XS", ("review",))
        self._batch("reassign", [ht.id], {"username": "rjxy_reviewer2", "reason": "孙院审外出学习，由郑院审代为审阅。"})

    def extend_deadline(self) -> None:
        ht = self.task("510101-XS", ("edit",))
        due = cycle.end_of_day(self.today + timedelta(days=10), self.tz)
        self._batch("extend", [ht.id], {"due_at": due, "reason": "辅导员参加省级培训，经诊改办同意延期。"})

    def read_all(self, username: str) -> None:
        notifications.mark_all_read(self.session, self.user(username).id, self.t)

    def read_first(self, username: str) -> None:
        uid = self.user(username).id
        rows = notifications.list_for(self.session, uid, per_page=100, unread=True).rows
        if rows:
            notifications.mark_read(self.session, uid, rows[-1].id, self.t)

    def figures(self) -> dict:
        return {"year": self.year, "subjects": len(self.instances), "ticks": self.ticks}
