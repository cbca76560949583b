"""Issue #13's "done when", all through the product's own doors: an empty database, `zhengai init --no-demo`,
`zhengai create-admin`, then the administrator imports 江南交通职业学院 (tests/fixtures/college: codes and names
that share nothing with the demo's) on 系统管理 › 导入, gives the functions to its units on 系统管理 › 职能 and
resets three passwords on the people pages; a teacher's major targets reach the college's reviewer and then
the unit holding 教务处's function, and the 诊改办公室 is found through its function."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import org
from engine.models import Document, HumanTask, OrgUnit, Subject, TaskCandidate, User
from tests.conftest import SETTINGS
from tests.web.test_functions import login, start_and_submit, submit, waiting_task_ids
from tests.web.test_orgadmin import import_through_pages

KINDS = ("units", "staff", "majors", "courses", "classes", "students", "positions")
# function → the unit code of 江南交通职业学院 that holds it
FUNCTIONS = {
    "quality_office": "JT05", "party_office": "JT01", "academic_affairs": "JT02", "human_resources": "JT03",
    "student_affairs": "JT04", "security_office": "JT01", "information_office": "JT01", "logistics": "JT01",
    "cooperation": "JT01", "publicity": "JT01", "admissions": "JT01", "research": "JT01", "international": "JT01",
}  # fmt: skip


def reset_password(admin, s: Session, staff_number: str) -> str:
    uid = s.scalar(select(User.id).where(User.username == staff_number))
    page = admin.post(f"/admin/people/{uid}/password").get_data(as_text=True)
    return re.search(r'data-testid="new-password">.*?<code[^>]*>([^<]+)</code>', page, re.S).group(1)


def test_a_college_imported_into_an_empty_database_runs_its_chains_through_functions(new_school):
    _url, app, eng = new_school
    admin = login(app.test_client(), "chief")
    for kind in KINDS:
        _preview, done = import_through_pages(admin, kind)
        assert "已导入" in done, (kind, done[:500])
    with Session(eng, info=SETTINGS.session_info()) as s:
        units = dict(s.execute(select(OrgUnit.code, OrgUnit.id)).all())
        assert "JT02" in units and not {"DZB", "JWC", "ZLC", "SCHOOL"} & set(units)
        response = admin.post("/admin/functions", data={k: str(units[code]) for k, code in FUNCTIONS.items()})
        assert response.status_code == 302
        assert 'data-testid="setup-notice"' not in admin.get("/tasks").get_data(as_text=True)
        passwords = {n: reset_password(admin, s, n) for n in ("91001", "90010", "90002")}
        major = s.scalar(select(Subject).where(Subject.type == "major", Subject.code == "600201"))

    teacher = login(app.test_client(), "91001", passwords["91001"])  # 林汽检 leads 汽车检测与维修技术
    college_reviewer = login(app.test_client(), "90010", passwords["90010"])  # 汽车工程学院's reviewer
    academic_reviewer = login(app.test_client(), "90002", passwords["90002"])  # 教学事务部 (academic_affairs)
    with Session(eng, info=SETTINGS.session_info()) as s:
        submit(teacher, s, start_and_submit(teacher, major.id))
        (review,) = waiting_task_ids(college_reviewer)
        assert waiting_task_ids(academic_reviewer) == []
        assert "汽车检测与维修技术" in college_reviewer.get(f"/tasks/{review}").get_data(as_text=True)
        assert college_reviewer.post(f"/tasks/{review}", data={"decision": "approve", "comment": ""}).status_code == 302

        # the next step's lane names function:academic_affairs, which the import's 教学事务部 holds
        s.expire_all()
        step = s.scalar(select(HumanTask).where(HumanTask.state == "open", HumanTask.subject_id == major.id))
        candidates = set(s.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == step.id)))
        assert candidates == {f"g:reviewer:unit:{units['JT02']}"}
        assert waiting_task_ids(academic_reviewer) == [step.id]
        assert "教务处审定" in academic_reviewer.get(f"/tasks/{step.id}").get_data(as_text=True)
        decided = academic_reviewer.post(f"/tasks/{step.id}", data={"decision": "approve", "comment": "同意"})
        assert decided.status_code == 302
        s.expire_all()
        target = s.scalar(select(Document).where(Document.subject_id == major.id))
        assert target.published_version == 1
        assert teacher.get(f"/documents/{target.id}").status_code == 200

        # the 诊改办公室 is the unit holding quality_office: 质量保障中心 (JT05)
        office = org.resolve(s, org.Assignment(("reviewer", "head"), "function:quality_office"), None)
        assert set(office[0]) == {f"g:reviewer:unit:{units['JT05']}", f"g:head:unit:{units['JT05']}"}
        assert office[1].startswith("质量保障中心")
