"""A college that is not the demo school (issue #13): an empty database, `zhengai init --no-demo`,
`zhengai create-admin`, units whose codes are nothing like the demo's, functions given out at 系统管理 › 职能,
then a teacher's and a major's targets reach the right reviewers, with the lead department and the
诊改办公室 found through functions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import org
from engine.core.db import make_engine
from engine.models import (
    AuditEntry,
    Document,
    HumanTask,
    OrgFunction,
    OrgUnit,
    ProcessVersion,
    RoleAssignment,
    Subject,
    SubjectMember,
    TaskCandidate,
    User,
)
from engine.org.passwords import hash_once
from engine.workflow import deploy
from engine.workflow.bpmn.compiler import InvalidBpmn
from tests.conftest import SETTINGS, filled, form_fields
from tests.web.conftest import PASSWORD, cli


def login(client, username: str, password: str = PASSWORD):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def college_of_our_own(s: Session) -> dict:
    """北方示范职业学院: a quality-and-teaching centre (QA01) and an electrical engineering department (EE02)."""
    root = OrgUnit(code="NSC", name="北方示范职业学院", kind="school")
    s.add(root)
    s.flush()
    centre = OrgUnit(code="QA01", name="质量与教学管理中心", kind="functional", parent_id=root.id)
    dept = OrgUnit(code="EE02", name="电气工程系", kind="college", parent_id=root.id)
    s.add_all([centre, dept])
    s.flush()
    pw = hash_once(PASSWORD)
    people = {}
    for username, name, unit, kind in [
        ("lin", "林老师", dept, "teacher"), ("ee_rev", "系审核人", dept, "staff"),
        ("qa_rev", "中心审核人", centre, "staff"), ("qa_staff", "中心干事", centre, "staff"),
    ]:  # fmt: skip
        people[username] = User(username=username, display_name=name, password_hash=pw, kind=kind, org_unit_id=unit.id)
    s.add_all(people.values())
    s.flush()
    s.add_all([
        RoleAssignment(user_id=people["ee_rev"].id, role="reviewer", scope_type="unit", scope_id=dept.id),
        RoleAssignment(user_id=people["qa_rev"].id, role="reviewer", scope_type="unit", scope_id=centre.id),
    ])  # fmt: skip
    teacher = Subject(
        type="teacher", name="林老师", org_unit_id=dept.id, code="lin", user_id=people["lin"].id, attrs={}
    )
    major = Subject(type="major", name="电气自动化技术", org_unit_id=dept.id, code="460306", attrs={})
    s.add_all([teacher, major])
    s.flush()
    s.add_all([
        SubjectMember(subject_id=teacher.id, user_id=people["lin"].id, role="leader"),
        SubjectMember(subject_id=major.id, user_id=people["lin"].id, role="leader"),
    ])  # fmt: skip
    s.flush()
    return {"centre": centre.id, "dept": dept.id, "teacher": teacher.id, "major": major.id}


def start_and_submit(client, subject_id: int, doc_type: str = "target") -> int:
    response = client.post("/my-documents/start", data={"subject_id": subject_id, "doc_type": doc_type})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    task_id = int(re.search(r"/tasks/(\d+)", response.headers["Location"]).group(1))
    return task_id


def submit(client, s: Session, task_id: int) -> None:
    s.expire_all()
    doc = s.get(Document, s.get(HumanTask, task_id).document_id)
    fields = form_fields(filled(doc.data))
    fields["action"] = "submit"
    assert client.post(f"/tasks/{task_id}", data=fields).status_code == 302


def waiting_task_ids(client) -> list[int]:
    """The open tasks on the user's 待办 and 组任务 tabs."""
    pages = client.get("/tasks").get_data(as_text=True) + client.get("/tasks?tab=groups").get_data(as_text=True)
    return sorted({int(i) for i in re.findall(r'href="/tasks/(\d+)"', pages)})


def test_a_new_college_set_up_from_an_empty_database(new_school):
    url, app, eng = new_school
    admin = login(app.test_client(), "chief")
    inbox = admin.get("/tasks").get_data(as_text=True)
    assert 'data-testid="setup-notice"' in inbox and "诊改办公室（质量管理处）" in inbox and "/admin/functions" in inbox
    page = admin.get("/admin/functions").get_data(as_text=True)
    assert 'data-testid="no-units"' in page and 'href="/admin/units"' in page and "save-functions" not in page

    with Session(eng, info=SETTINGS.session_info()) as s:
        ids = college_of_our_own(s)
        s.commit()
    page = admin.get("/admin/functions").get_data(as_text=True)
    assert "no-units" not in page and "质量与教学管理中心（QA01）" in page and page.count("未分配</span>") == 13
    response = admin.post("/admin/functions", data={k: str(ids["centre"]) for k in org.functions.LABELS})
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "已保存职能分配（13 项有变化）" in page and "未分配</span>" not in page and "setup-notice" not in page
    assert 'data-testid="setup-notice"' not in admin.get("/tasks").get_data(as_text=True)

    teacher = login(app.test_client(), "lin")
    assert "setup-notice" not in teacher.get("/tasks").get_data(as_text=True)  # administrators only
    assert teacher.get("/admin/functions").status_code == 404

    # the teacher's target goes to the department's reviewer (subject_unit)
    with Session(eng, info=SETTINGS.session_info()) as s:
        submit(teacher, s, start_and_submit(teacher, ids["teacher"]))
        dept_reviewer = login(app.test_client(), "ee_rev")
        (review,) = waiting_task_ids(dept_reviewer)
        assert "林老师" in dept_reviewer.get(f"/tasks/{review}").get_data(as_text=True)
        assert dept_reviewer.post(f"/tasks/{review}", data={"decision": "approve", "comment": ""}).status_code == 302
        s.expire_all()
        target = s.scalar(select(Document).where(Document.subject_id == ids["teacher"]))
        assert target.published_version == 1

        # the lead department (human_resources, held by the centre) reads it; the centre's staff see it too
        centre_reviewer = login(app.test_client(), "qa_rev")
        assert centre_reviewer.get(f"/documents/{target.id}").status_code == 200

        # the major's target: the department, then 教务处 = the unit holding academic_affairs
        submit(teacher, s, start_and_submit(teacher, ids["major"]))
        (review,) = waiting_task_ids(dept_reviewer)
        assert dept_reviewer.post(f"/tasks/{review}", data={"decision": "approve", "comment": ""}).status_code == 302
        s.expire_all()
        academic = s.scalar(select(HumanTask).where(HumanTask.state == "open", HumanTask.subject_id == ids["major"]))
        candidates = set(s.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == academic.id)))
        assert candidates == {f"g:reviewer:unit:{ids['centre']}"}  # the read model's principals, as for a unit lane
        assert waiting_task_ids(centre_reviewer) == [academic.id]
        assert "教务处审定" in centre_reviewer.get(f"/tasks/{academic.id}").get_data(as_text=True)

        # 诊改办公室 (quality_office): the cycle's office lanes resolve to the centre; its staff see every warning
        office_lane = next(
            lane
            for v in s.scalars(select(ProcessVersion))
            if v.definition.key == "cycle_person"
            for lane in v.meta["lanes"].values()
            if lane["scope"] == "function:quality_office"
        )
        principals, label = org.resolve(s, org.Assignment(tuple(office_lane["roles"]), office_lane["scope"]), None)
        assert set(principals) == {f"g:reviewer:unit:{ids['centre']}", f"g:head:unit:{ids['centre']}"}
        assert label.startswith("质量与教学管理中心")
    form = login(app.test_client(), "qa_staff").get("/warnings/new").get_data(as_text=True)
    assert 'value="quality_accident"' in form  # 质量事故 is reported by the 诊改办公室 and the lead departments
    assert 'value="quality_accident"' not in teacher.get("/warnings/new").get_data(as_text=True)


def test_functions_page_refuses_bad_input_and_records_each_change(new_school):
    url, app, eng = new_school
    with Session(eng, info=SETTINGS.session_info()) as s:
        ids = college_of_our_own(s)
        s.commit()
    admin = login(app.test_client(), "chief")
    bad = admin.post("/admin/functions", data={"quality_office": str(ids["centre"]), "party_office": "999999"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "职能分配有误，未保存" in page and 'data-testid="error-party_office"' in page
    assert "部门不存在" in page
    bad = admin.post("/admin/functions", data={"quality_office": "abc"})
    assert bad.status_code == 400 and "请选择部门" in bad.get_data(as_text=True)
    with Session(eng, info=SETTINGS.session_info()) as s:
        assert s.scalar(select(OrgFunction)) is None  # nothing stored

    assert admin.post("/admin/functions", data={"quality_office": str(ids["centre"])}).status_code == 302
    again = admin.post("/admin/functions", data={"quality_office": str(ids["dept"])}, follow_redirects=True)
    assert "已保存职能分配（1 项有变化）" in again.get_data(as_text=True)
    page = admin.get("/tasks").get_data(as_text=True)
    assert "setup-notice" in page and "党政办公室" in page and "诊改办公室（质量管理处）、" not in page
    with Session(eng, info=SETTINGS.session_info()) as s:
        assert s.get(OrgFunction, "quality_office").org_unit_id == ids["dept"]
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "org.function")).all()
        assert [(e.before, e.after) for e in entries] == [
            ({"org_unit_id": None}, {"org_unit_id": ids["centre"]}),
            ({"org_unit_id": ids["centre"]}, {"org_unit_id": ids["dept"]}),
        ]
        # a lane naming a function nobody holds is refused by the deploy check, in Chinese
        xml = next(v.bpmn_xml for v in s.scalars(select(ProcessVersion)) if v.definition.key == "chain_major")
        with pytest.raises(InvalidBpmn) as refused:
            deploy.compile_for_deploy(s, xml)
        assert any("泳道指定的职能“教务处”尚未分配给任何部门" in p.message for p in refused.value.problems)
        with pytest.raises(InvalidBpmn) as refused:
            deploy.compile_for_deploy(s, xml.replace("function:academic_affairs", "function:canteen"))
        assert any("未知职能：canteen" in p.message for p in refused.value.problems)


def test_create_admin_refuses_a_weak_password_or_a_taken_name(new_school):
    url, _app, _eng = new_school
    weak = cli(url, "create-admin", "second", "--password-stdin", stdin="short\n")
    assert weak.exit_code != 0 and "新密码至少需要 8 个字符" in weak.output
    same = cli(url, "create-admin", "second-admin", "--password-stdin", stdin="second-admin\n")
    assert same.exit_code != 0 and "新密码不能与工号、学号或用户名相同" in same.output
    digits = cli(url, "create-admin", "third", "--password-stdin", stdin="12345678901\n")
    assert digits.exit_code != 0 and "新密码不能全部是数字" in digits.output
    taken = cli(url, "create-admin", "Chief", "--password-stdin", stdin=PASSWORD + "\n")
    assert taken.exit_code != 0 and "用户名已存在" in taken.output
    prompted = cli(url, "create-admin", "second", stdin="long-enough-1\nlong-enough-1\n")
    assert prompted.exit_code == 0, prompted.output
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        assert [u.username for u in s.scalars(select(User).where(User.is_admin).order_by(User.id))] == [
            "chief",
            "second",
        ]
    eng.dispose()
