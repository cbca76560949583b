"""质量督导 on the demo year: who sees, records and answers a record (others get 404), a refused record, the
response written once and editable until the supervisor closes, the notification, the plan, and the records on
a diagnosis task page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.models import AuditEntry, Notification, Subject, SupervisionPlan, SupervisionRecord, User
from tests.conftest import BROKEN, login, page


def record_of(session, code: str) -> SupervisionRecord:
    subject = session.scalar(select(Subject).where(Subject.code == code))
    return session.scalar(select(SupervisionRecord).where(SupervisionRecord.subject_id == subject.id))


def uid(session, username: str) -> int:
    return session.scalar(select(User.id).where(User.username == username))


def listed(html: str) -> set[str]:
    return set(re.findall(r'data-testid="record-link">([^<]+)<', html))


T01, T08, MAJOR = "《传感器技术》第 8 周课堂", "《数据库应用》第 12 周课堂", "软件技术专业企业实践周"
STUDENT, UNIT = "班级主题团日活动", "信息化处服务窗口"
ALL = {T01, T08, MAJOR, STUDENT, UNIT}
# who sees which demo record: the office sees all; the lead and cooperating departments their kind; a college's
# staff the 教学 records on its subjects; a supervisor their own; the supervised party theirs; others nothing
SEES = {
    "zlc_admin": ALL,  # 诊改办公室 (a monitor) and lead of 教学
    "jwc_staff": {T01, T08, MAJOR},  # 教务处 cooperates in 教学
    "xgb_reviewer": {STUDENT},  # 党委学生工作部 leads 教育
    "rsc_reviewer": {STUDENT, UNIT},  # 人力资源处 cooperates in 教育 and 服务
    "dzb_staff": {UNIT},  # 党政办公室 leads 服务
    "dzxy_office": {T01},  # 电子与物联网学院's staff: the 教学 record on its teacher
    "rjxy_reviewer": {T08, MAJOR},
    "t01": {T01, T08},  # supervised (T01) and supervisor as an expert (T08)
    "t08": {T08},
    "t06": {MAJOR},  # leads 软件技术
    "s07": {STUDENT},
    "xxh_admin": ALL,  # head of 信息化处, and a monitor
    "t02": set(),
    "s01": set(),
}


@pytest.mark.parametrize("username", sorted(SEES))
def test_each_role_sees_the_records_it_may_and_no_other(demo_year_app, demo_year_session, username):
    client = login(demo_year_app.test_client(), username)
    html = page(client, "/supervision/?year=2026")
    assert listed(html) == SEES[username]
    for code, topic in (("t01", T01), ("t08", T08), ("510203", MAJOR), ("s07", STUDENT), ("XXH", UNIT)):
        url = f"/supervision/{record_of(demo_year_session, code).id}"
        shown = page(client, url, 200 if topic in SEES[username] else 404)
        assert (topic in shown) == (topic in SEES[username])


def test_the_menu_shows_supervision_to_staff_teachers_and_a_supervised_student(demo_year_app):
    assert 'data-testid="supervision-menu"' in page(login(demo_year_app.test_client(), "t02"), "/tasks")
    assert 'data-testid="supervision-menu"' in page(login(demo_year_app.test_client(), "s07"), "/tasks")
    assert 'data-testid="supervision-menu"' not in page(login(demo_year_app.test_client(), "s01"), "/tasks")


def test_a_supervisor_records_a_visit_and_the_teacher_is_told_and_answers_once(demo_year_app, demo_year_session):
    s = demo_year_session
    jwc = login(demo_year_app.test_client(), "jwc_staff")
    html = page(jwc, "/supervision/?year=2026")
    assert 'data-testid="new-teaching"' in html and 'data-testid="new-service"' not in html
    form = page(jwc, re.search(r'href="([^"]+)" data-testid="new-teaching"', html).group(1).replace("&amp;", "&"))
    t02 = s.scalar(select(Subject).where(Subject.code == "t02"))
    assert f'value="{t02.id}"' in form
    student = s.scalar(select(Subject).where(Subject.code == "s07"))
    assert f'value="{student.id}"' not in form  # students are 教育质量督导's
    good = {"kind": "teaching", "subject_id": str(t02.id), "visited_on": "2026-11-20", "activity": "class",
            "topic": "《嵌入式系统开发》第 11 周课堂", "findings": "板书清晰；提问覆盖面窄。",
            "guidance": "增加分层提问。"}  # fmt: skip
    response = jwc.post("/supervision/new", data=good)
    assert response.status_code == 302
    record = s.scalar(select(SupervisionRecord).where(SupervisionRecord.subject_id == t02.id))
    assert response.headers["Location"].endswith(f"/supervision/{record.id}")
    note = s.scalar(select(Notification).where(Notification.user_id == uid(s, "t02"),
                                               Notification.kind == "supervision"))  # fmt: skip
    assert note is not None and note.link == f"/supervision/{record.id}" and "第 11 周" in note.title

    teacher = login(demo_year_app.test_client(), "t02")
    assert "第 11 周课堂" in page(teacher, "/notifications")
    shown = page(teacher, note.link)
    assert 'data-testid="respond-form"' in shown and "增加分层提问" in shown
    assert teacher.post(f"{note.link}/respond", data={"response": "  "}).status_code == 400
    assert record.response is None
    assert teacher.post(f"{note.link}/respond", data={"response": "下次课起分层提问。"}).status_code == 302
    assert teacher.post(f"{note.link}/respond", data={"response": "下次课起分层提问，并记录。"}).status_code == 302
    s.refresh(record)
    assert record.response == "下次课起分层提问，并记录。" and record.responded_by_id == uid(s, "t02")
    told = s.scalars(select(Notification).where(Notification.user_id == uid(s, "jwc_staff"),
                                                Notification.kind == "supervision")).all()  # fmt: skip
    assert len(told) == 1  # the supervisor is told of the first response only

    assert teacher.post(f"{note.link}/close").status_code == 404  # only the supervisor closes
    outsider = login(demo_year_app.test_client(), "t03")
    assert outsider.post(f"{note.link}/respond", data={"response": "我来回复"}).status_code == 404
    assert jwc.post(f"{note.link}/respond", data={"response": "督导人不是被督导方"}).status_code == 404
    assert jwc.post(f"{note.link}/close").status_code == 302
    closed = teacher.post(f"{note.link}/respond", data={"response": "再改一次"})
    assert closed.status_code == 400 and "已关闭" in closed.get_data(as_text=True)
    s.refresh(record)
    assert record.response == "下次课起分层提问，并记录。" and record.closed_at is not None
    assert 'data-testid="closed"' in page(teacher, note.link)
    actions = s.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "supervision_record",
                                                        AuditEntry.object_id == str(record.id))).all()  # fmt: skip
    assert sorted(actions) == ["supervision.close", "supervision.record", "supervision.respond",
                               "supervision.respond"]  # fmt: skip


def test_a_record_with_bad_input_is_refused_field_by_field_and_nothing_is_saved(demo_year_app, demo_year_session):
    s = demo_year_session
    before = s.scalar(select(func.count()).select_from(SupervisionRecord))
    client = login(demo_year_app.test_client(), "jwc_staff")
    bad = {"kind": "teaching", "subject_id": "987654", "visited_on": "2027-01-05", "activity": "party",
           "topic": "", "findings": "x" * 2001, "guidance": ""}  # fmt: skip
    response = client.post("/supervision/new", data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and not BROKEN.search(html)
    for field, text in (("subject_id", "请选择督导对象"), ("visited_on", "督导日期不能晚于今天"),
                        ("activity", "请选择督导内容类别"), ("topic", "请填写督导内容"),
                        ("findings", "不能超过 2000 字"), ("guidance", "请填写督导评价与指导")):  # fmt: skip
        assert re.search(rf'data-testid="error-{field}">[^<]*{text}', html), field
    assert "x" * 2001 in html  # what was typed is kept
    assert "not-a-date" not in html
    student = s.scalar(select(Subject.id).where(Subject.code == "s07"))
    response = client.post("/supervision/new", data={**bad, "subject_id": str(student)})
    assert "这一类督导不能选择该对象" in response.get_data(as_text=True)
    response = client.post("/supervision/new", data={**bad, "visited_on": "not-a-date"})
    assert "请填写督导日期" in response.get_data(as_text=True)
    assert s.scalar(select(func.count()).select_from(SupervisionRecord)) == before


@pytest.mark.parametrize("username", ["t02", "s01", "hzc_reviewer"])
def test_who_is_no_supervisor_gets_no_record_form(demo_year_app, username):
    client = login(demo_year_app.test_client(), username)
    for kind in ("teaching", "education", "service"):
        page(client, f"/supervision/new?kind={kind}", 404)
        assert client.post("/supervision/new", data={"kind": kind}).status_code == 404


def test_the_lead_department_writes_its_plan_and_nobody_else(demo_year_app, demo_year_session):
    s = demo_year_session
    client = login(demo_year_app.test_client(), "xgb_reviewer")
    html = page(client, "/supervision/?year=2026")
    url = re.search(r'href="([^"]+)" data-testid="edit-plan-education"', html).group(1).replace("&amp;", "&")
    assert 'data-testid="edit-plan-teaching"' not in html
    form = page(client, url)
    assert "学工部审核员" in form and "人事处审核员" in form and "张伟" in form  # 张伟: the expert committee
    assert "党办干事" not in form and "赵院审" not in form
    refused = client.post("/supervision/plan", data={"year": "2026", "kind": "education", "title": "",
                                                     "supervisors": [str(uid(s, "t06"))]})  # fmt: skip
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "请填写计划名称" in text and "督导人员只能从" in text
    data = {"year": "2026", "kind": "education", "title": "2026 年度学生活动督导", "scope": "全校学生活动",
            "schedule": "每月一次", "supervisors": [str(uid(s, "rsc_reviewer"))]}  # fmt: skip
    assert client.post("/supervision/plan", data=data).status_code == 302
    plan = s.scalar(select(SupervisionPlan).where(SupervisionPlan.year == 2026, SupervisionPlan.kind == "education"))
    assert plan.title == "2026 年度学生活动督导" and plan.supervisor_ids == [uid(s, "rsc_reviewer")]
    assert "2026 年度学生活动督导" in page(client, "/supervision/?year=2026")
    other = login(demo_year_app.test_client(), "jwc_staff")
    page(other, "/supervision/plan?year=2026&kind=education", 404)
    assert other.post("/supervision/plan", data=data).status_code == 404
    page(login(demo_year_app.test_client(), "zlc_admin"), "/supervision/plan?year=2026&kind=teaching")


def test_the_records_show_on_the_subject_s_diagnosis_task(demo_year_app, demo_year_session):
    """赵强 (t08) is writing his 自我诊断: his task page lists the record on his class, with his response."""
    client = login(demo_year_app.test_client(), "t08")
    inbox = page(client, "/tasks")
    links = re.findall(r'href="(/tasks/\d+)"', inbox)
    pages = [page(client, link) for link in dict.fromkeys(links)]
    diagnosis = next(p for p in pages if 'data-testid="task-name">7 自我诊断<' in p)
    assert 'data-testid="supervision-records"' in diagnosis
    assert T08 in diagnosis and "已安排每周三集中批改" in diagnosis
    other = login(demo_year_app.test_client(), "t02")  # a target task: no supervision block
    target = page(other, re.search(r'href="(/tasks/\d+)"', page(other, "/tasks")).group(1))
    assert 'data-testid="task-name"' in target and 'data-testid="supervision-records"' not in target


def test_a_unit_s_reviewer_answers_for_the_unit(demo_year_app, demo_year_session):
    """A record on a 职能部门 goes to its head and reviewer; they see it and answer; others do not see it."""
    s = demo_year_session
    jwc = s.scalar(select(Subject).where(Subject.type == "functional_dept", Subject.code == "JWC"))
    client = login(demo_year_app.test_client(), "dzb_staff")
    data = {"kind": "service", "subject_id": str(jwc.id), "visited_on": "2026-11-23", "activity": "service",
            "topic": "教务处调停课办理", "findings": "办理时限公示不全。",
            "guidance": "公示各类业务办理时限。"}  # fmt: skip
    assert client.post("/supervision/new", data=data).status_code == 302
    record = s.scalar(select(SupervisionRecord).where(SupervisionRecord.subject_id == jwc.id))
    told = set(s.scalars(select(Notification.user_id).where(Notification.link == f"/supervision/{record.id}")))
    assert uid(s, "jwc_reviewer") in told and uid(s, "dzb_staff") not in told and uid(s, "hzc_reviewer") not in told
    reviewer = login(demo_year_app.test_client(), "jwc_reviewer")
    assert "教务处调停课办理" in page(reviewer, "/supervision/?year=2026")
    assert reviewer.post(f"/supervision/{record.id}/respond", data={"response": "本周内公示。"}).status_code == 302
    s.refresh(record)
    assert record.response == "本周内公示。"
    page(login(demo_year_app.test_client(), "hzc_reviewer"), f"/supervision/{record.id}", 404)
