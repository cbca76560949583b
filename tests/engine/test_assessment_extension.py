"""The 2018 extension of developmental assessment: campaigns over 专业 / 课程 and over 教师 / 辅导员 / 职员, scored
by the groups their systems name (resolved from the organisation), graded, published and read by the one responsible;
and the scoring that closes itself when the last assignment is submitted."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from engine import org
from engine.assessment import campaigns, results, scoring, summary
from engine.core.errors import NotFound
from engine.models import AssessmentAssignment, AssessmentTarget, Notification, Subject, SubjectMember, User
from tests.conftest import NOW, user


def _open(session, system, kinds, year=2026):
    hr = user(session, "rsc_reviewer")
    payload = {"system": system, "year": str(year), "kinds": list(kinds), "due": "2026-12-31"}
    return campaigns.open_campaign(session, hr, org.principals_of(session, hr.id), payload, NOW)


def _assignments(session, campaign):
    return session.execute(
        select(AssessmentAssignment, Subject.code)
        .join(AssessmentTarget, AssessmentTarget.id == AssessmentAssignment.target_id)
        .join(Subject, Subject.id == AssessmentTarget.subject_id)
        .where(AssessmentAssignment.campaign_id == campaign.id)
        .order_by(AssessmentAssignment.id)
    ).all()


def _submit(session, a, share):
    scorer = session.get(User, a.scorer_id)
    sheet = scoring.sheet(session, scorer, a.id)
    scoring.save(session, scorer, a.id, {f"points-{k}": str(round(m * share, 2)) for k, m in sheet.maxima.items()},
                 True, NOW)  # fmt: skip


def _usernames(session, ids):
    return {u.username for u in session.scalars(select(User).where(User.id.in_(ids)))}


def _by_code(session, campaign):
    return {session.get(Subject, t.subject_id).code: t for t in campaigns.targets_of(session, campaign.id)}


def test_majors_and_courses_are_scored_by_their_groups_graded_and_read_by_the_one_responsible(session):
    campaign = _open(session, "program", ["major", "course"])
    assert campaign.title == "2026年度专业、课程发展性考核"
    targets = _by_code(session, campaign)
    assert set(targets) == {"510102", "510101", "510203", "510205", "DZ1001", "DZ1002", "DZ2001", "RJ1001", "RJ1002",
                            "RJ2001"}  # fmt: skip
    assert targets["510102"].unit_kind == "major" and targets["DZ1001"].unit_kind == "course"
    rows = _assignments(session, campaign)
    major = {}
    for a, code in rows:
        if code == "510102":
            major.setdefault(a.group_key, set()).add(a.scorer_id)
    assert set(major) == {"leaders", "experts", "academic", "students"}
    assert _usernames(session, major["leaders"]) == {"shuji", "xiaozhang", "fxz_jiang", "fxz_he"}
    assert _usernames(session, major["academic"]) == {"jwc_reviewer"}  # 教务处 (its 审核人: it has no head)
    students = _usernames(session, major["students"])
    assert len(students) == 5 and all(  # sampled from the major's own class
        session.scalar(select(User).where(User.username == s)).class_id
        == session.scalar(select(User).where(User.username == "s01")).class_id
        for s in students
    )

    # 教务处 may read the 专业/课程 campaign it co-organises; a teacher may not
    jwc = user(session, "jwc_reviewer")
    assert campaigns.get_campaign(session, jwc, org.principals_of(session, jwc.id), campaign.id) is campaign
    t01 = user(session, "t01")
    with pytest.raises(NotFound):
        campaigns.get_campaign(session, t01, org.principals_of(session, t01.id), campaign.id)

    hr = user(session, "rsc_reviewer")
    ps = org.principals_of(session, hr.id)
    campaigns.set_reasons(session, hr, ps, targets["RJ2001"].id, {"veto_reason": "教学事故（特别严重）"}, NOW)
    campaigns.update_settings(session, hr, ps, campaign, {
        **{f"weight-{g}": "1" for g in ("leaders", "experts", "academic", "students")}, "threshold-excellent": "90",
        "threshold-good": "75", "threshold-pass": "60", "quota_mode": "count", "quota_value": "1",
        "agreement_share": "0"}, NOW)  # fmt: skip
    share = {"510102": 1.0, "510203": 0.95, "DZ1001": 0.8}
    for a, code in rows:
        _submit(session, a, share.get(code, 0.7))
    assert campaign.status == "review"  # the last submission closed the scoring; computed
    assert targets["510102"].grade == "excellent" and targets["510102"].rank == 1
    assert targets["510203"].grade == "good"  # over the 优秀 line, but the one place went to 510102
    assert targets["RJ2001"].grade == "fail"  # the veto, by hand
    assert targets["DZ1001"].grade == "good" and targets["DZ2001"].grade == "pass"
    campaigns.advance(session, hr, ps, campaign, NOW)  # 公布结果
    assert campaign.status == "published"
    assert summary.unit_results(session, 2026) == {}  # a major's result is not its college's

    # the major's leader (t01) reads it and sees it among their results; another teacher and a student do not
    got = results.get_target(session, t01, org.principals_of(session, t01.id), targets["510102"].id)
    assert got.grade == "excellent"
    own = {session.get(Subject, t.subject_id).code for t, _c in results.own_results(
        session, t01, org.principals_of(session, t01.id))}  # fmt: skip
    assert own == {"510102", "DZ1001"}
    for other in ("t03", "s01"):
        u = user(session, other)
        with pytest.raises(NotFound):
            results.get_target(session, u, org.principals_of(session, u.id), targets["510102"].id)
    head = user(session, "dzxy_reviewer")  # the college's head reads its majors' results
    assert results.get_target(session, head, org.principals_of(session, head.id), targets["510102"].id)
    notes = session.scalars(select(Notification.title).where(Notification.user_id == t01.id)).all()
    assert "2026年度专业、课程发展性考核结果已公布" in notes


def test_teachers_and_counselors_are_scored_by_students_their_section_and_their_college(session):
    campaign = _open(session, "staff", ["teacher", "counselor"])
    targets = _by_code(session, campaign)
    assert set(targets) == {f"t{i:02d}" for i in range(1, 11)} | {"c01", "c02"}
    groups = {}
    for a, code in _assignments(session, campaign):
        groups.setdefault(code, {}).setdefault(a.group_key, set()).add(a.scorer_id)
    t02 = groups["t02"]
    assert set(t02) == {"students", "section", "unit"}
    assert _usernames(session, t02["section"]) == {"t01"}  # the leader of 物联网应用技术, t02's major
    assert _usernames(session, t02["unit"]) == {"dzxy_reviewer"}  # the college's head
    assert "section" not in groups["t01"]  # t01 leads the major: nobody above them but the college
    assert set(groups["c01"]) == {"students", "unit"}
    assert all(session.get(User, uid).kind == "student" for uid in groups["c01"]["students"])
    for code in groups:
        me = session.get(Subject, targets[code].subject_id).user_id
        assert all(me not in ids for ids in groups[code].values())  # nobody scores themself

    for a, code in _assignments(session, campaign):
        _submit(session, a, 0.9 if code == "t02" else 0.75)
    hr = user(session, "rsc_reviewer")
    campaigns.advance(session, hr, org.principals_of(session, hr.id), campaign, NOW)
    t02_user, t03_user = user(session, "t02"), user(session, "t03")
    mine = results.get_target(session, t02_user, org.principals_of(session, t02_user.id), targets["t02"].id)
    assert mine.rank == 1 and mine.grade == "excellent"
    breakdown = results.breakdown(session, mine)
    assert breakdown["name"] == "王芳" and breakdown["parts"][0]["rows"][0]["means"].keys() == {
        "students", "section", "unit"}  # fmt: skip
    with pytest.raises(NotFound):  # another teacher's result does not exist for them
        results.get_target(session, t03_user, org.principals_of(session, t03_user.id), targets["t02"].id)


def test_opening_a_campaign_reads_the_organisation_once_not_once_per_teacher(session, connection):
    """Scorers many teachers share (their college's students and head, a major's students and leader) are read once
    per campaign: opening one over every teacher at a school's size took 22 s in one request before
    (bench/assessment_open.py). Twenty more teachers in the same college and major add no read."""
    selects: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    def opened(year: int) -> tuple[int, int]:
        selects.clear()
        event.listen(connection, "before_cursor_execute", count)
        try:
            campaign = _open(session, "staff", ["teacher"], year)
            session.flush()
        finally:
            event.remove(connection, "before_cursor_execute", count)
        return session.scalar(select(func.count()).where(AssessmentTarget.campaign_id == campaign.id)), len(selects)

    targets, reads = opened(2025)
    t02 = user(session, "t02")
    major = session.scalar(select(SubjectMember.subject_id).join(Subject, Subject.id == SubjectMember.subject_id)
                           .where(SubjectMember.user_id == t02.id, Subject.type == "major"))  # fmt: skip
    for n in range(20):
        person = User(username=f"new{n}", display_name=f"新教师{n}", password_hash="x", kind="teacher",
                      org_unit_id=t02.org_unit_id, active=True)  # fmt: skip
        session.add(person)
        session.flush()
        session.add(Subject(type="teacher", code=f"new{n}", name=person.display_name, org_unit_id=t02.org_unit_id,
                            user_id=person.id, attrs={}))  # fmt: skip
        session.add(SubjectMember(subject_id=major, user_id=person.id, role="member"))
    session.flush()
    more_targets, more_reads = opened(2026)
    assert more_targets == targets + 20
    assert more_reads == reads


def test_scoring_closes_itself_when_the_last_assignment_is_submitted_and_not_before(session):
    campaign = _open(session, "staff", ["counselor"])
    rows = _assignments(session, campaign)
    *first, last = rows
    for a, _code in first:
        _submit(session, a, 0.8)
    assert campaign.status == "scoring" and campaigns.open_task(session, campaign).bpmn_id == "collect"
    hr = user(session, "rsc_reviewer")
    done = select(Notification).where(Notification.user_id == hr.id, Notification.title.like("%评分已全部提交"))
    assert not session.scalars(done).all()
    _submit(session, last[0], 0.8)
    assert campaign.status == "review" and campaign.computed_at == NOW
    task = campaigns.open_task(session, campaign)
    assert task.bpmn_id == "review"  # 人力资源处's 审核考核结果 waits
    closed = session.scalar(select(type(task)).where(type(task).instance_id == campaign.instance_id,
                                                     type(task).bpmn_id == "collect"))  # fmt: skip
    assert closed.state == "completed" and closed.decision == "close" and closed.completed_by_id is None
    told = session.scalars(done).all()
    assert len(told) == 1 and told[0].link == f"/assessment/campaigns/{campaign.id}"


def test_a_new_campaign_s_deadline_comes_from_the_annual_table_else_the_system_s_date(session):
    from datetime import date

    from engine.assessment import systems
    from engine.models import AnnualTask

    # no 2018 table: the system's own 编制时间 (6月30日) while it is ahead, else the year's end
    assert systems.default_due(session, "staff", 2018, date(2018, 3, 1)) == date(2018, 6, 30)
    assert systems.default_due(session, "staff", 2018, date(2018, 7, 1)) == date(2018, 12, 31)
    rows = [(75, "教师、辅导员、职员发展性考核指标体系制定", date(2018, 6, 30)),
            (103, "对教师、辅导员、职员实施年度发展性考核", date(2018, 12, 31))]  # fmt: skip
    for no, task, due in rows:
        session.add(AnnualTask(year=2018, no=no, category="发展性考核", task=task, responsible=["人力资源处"],
                               cooperating=[], responsible_unit_ids=[], due_text=f"{due.month}月{due.day}日",
                               due_kind="date", due_date=due, note=""))  # fmt: skip
    session.flush()
    # the row that carries the assessment out (no. 103) sets the scoring deadline; 专业/课程 have no row
    assert systems.default_due(session, "staff", 2018, date(2018, 3, 1)) == date(2018, 12, 31)
    assert systems.default_due(session, "program", 2018, date(2018, 3, 1)) == date(2018, 6, 30)
