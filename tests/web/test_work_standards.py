"""Work standards (table 9) through the pages: a college's office starts one from the unit's page, fills the
category's fields, submits; the college's chain approves it; the unit's page and the overview show it published."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine import org
from engine.documents import DOC_TYPE_LABELS
from engine.models import Document, FormTemplate, HumanTask, Subject, TaskCandidate, User
from forms.work_standards import CATEGORIES
from tests.conftest import filled, form_fields


def college(session, code="RJXY") -> Subject:
    return session.scalar(select(Subject).where(Subject.type == "college", Subject.code == code))


def open_review(session, instance_id) -> HumanTask | None:
    session.expire_all()
    return session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.state == "open", HumanTask.kind == "review"
        )
    )


def reviewer_of(session, task: HumanTask) -> str:
    principals = list(session.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == task.id)))
    ids = set().union(*org.users_behind(session, principals).values())
    return session.scalar(select(User.username).where(User.id.in_(ids)).order_by(User.username).limit(1))


def test_every_category_has_its_seed_fields_as_a_template(session):
    """Table 9's seven categories, each with its content fields as columns, for both unit subject types."""
    seed = ["部门职责", "岗位标准", "管理标准", "场地标准", "技术标准", "流程标准", "记录标准"]
    assert [c[0] for c in CATEGORIES.values()] == seed
    assert [DOC_TYPE_LABELS[f"ws_{key}"] for key in CATEGORIES] == seed  # the labels the pages translate
    post = session.scalar(select(FormTemplate).where(FormTemplate.key == "college_ws_post"))
    assert [c["label"] for c in post.definition["columns"]] == ["任职条件", "责任清单", "负面清单", "权利清单"]
    assert session.scalar(select(FormTemplate).where(FormTemplate.key == "functional_dept_ws_record")).title == (
        "工作标准·记录标准"
    )


@pytest.mark.slow  # the author and two reviewers through a dozen pages
def test_a_work_standard_through_the_college_chain(login_as, session):
    subject = college(session)
    office = login_as("rjxy_office")
    mine = office.get("/my-documents").get_data(as_text=True)
    assert "制度与标准" in mine  # the nav entry
    link = re.search(r'data-testid="work-standards-of-unit"><a href="([^"]+)"', mine).group(1)
    assert link == f"/standards/work/{subject.id}"  # from 我的文档 to the unit's work standards
    page = office.get(link).get_data(as_text=True)
    assert "软件与信息技术学院 · 工作标准" in page and "任职条件、责任清单、负面清单、权利清单" in page
    assert 'data-testid="start-ws_post"' in page

    started = office.post("/my-documents/start", data={"subject_id": subject.id, "doc_type": "ws_post"})
    assert started.status_code == 302
    task_id = int(re.search(r"/tasks/(\d+)", started.headers["Location"]).group(1))
    task_page = office.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "任职条件" in task_page and "权利清单" in task_page and "岗位1" in task_page
    doc = session.get(Document, session.get(HumanTask, task_id).document_id)
    assert doc.period == "2025-2027"  # revised every three years (seed §六(二)3)

    fields = form_fields(filled(doc.data, "教研室主任"))
    n = len(doc.data["rows"])  # a 教研室's post as a row of the college's document
    fields.update({f"rows-{n}-id": "cjys1", f"rows-{n}-section": "ws_post", f"rows-{n}-label": "软件技术教研室 · 主任",
                   f"rows-{n}-included": "on", f"rows-{n}-cells-f1": "副高以上职称"})  # fmt: skip
    fields["action"] = "submit"
    assert office.post(f"/tasks/{task_id}", data=fields).status_code == 302
    unit_page = office.get(f"/standards/work/{subject.id}").get_data(as_text=True)
    assert "审核中" in unit_page

    instance_id = session.get(HumanTask, task_id).instance_id
    steps = 0
    while (review := open_review(session, instance_id)) is not None:
        reviewer = login_as(reviewer_of(session, review))
        assert "软件与信息技术学院" in reviewer.get("/tasks").get_data(as_text=True)
        decided = reviewer.post(f"/tasks/{review.id}", data={"decision": "approve", "comment": "同意"})
        assert decided.status_code == 302
        steps += 1
    assert steps == 2  # 党政办公室, then the college's 分管/联系领导

    unit_page = office.get(f"/standards/work/{subject.id}").get_data(as_text=True)
    row = unit_page.split('data-doc-type="ws_post"', 1)[1].split("</tr>", 1)[0]
    assert "已发布" in row and "v1" in row
    session.expire_all()
    doc = session.get(Document, doc.id)
    shown = office.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "软件技术教研室 · 主任" in shown and "副高以上职称" in shown and "负面清单" in shown

    overview = office.get("/standards/work/?category=post").get_data(as_text=True)
    cell = overview.split(f'data-subject="{subject.id}"', 1)[1].split("</tr>", 1)[0]
    assert "已发布" in cell and "v1" in cell and 'data-category="duty"' not in cell

    # a revision starts from the unit's page again, from the published text
    again = office.get(f"/standards/work/{subject.id}").get_data(as_text=True)
    assert "修订" in again.split('data-doc-type="ws_post"', 1)[1].split("</tr>", 1)[0]


def test_only_the_unit_s_members_start_its_work_standards(login_as, session):
    subject = college(session)
    other = login_as("dzxy_office")  # the other college's office reads the page, starts nothing there
    page = other.get(f"/standards/work/{subject.id}").get_data(as_text=True)
    assert "软件与信息技术学院 · 工作标准" in page and 'data-testid="start-ws_post"' not in page
    refused = other.post("/my-documents/start", data={"subject_id": subject.id, "doc_type": "ws_post"})
    assert refused.status_code == 404
    teacher_subject = session.scalar(select(Subject).where(Subject.type == "teacher"))
    assert login_as("t01").get(f"/standards/work/{teacher_subject.id}").status_code == 404  # not a unit
    assert login_as("s01").get("/standards/work/").status_code == 404  # students: not their business


def test_the_demo_school_has_published_work_standards_and_one_in_review(demo_year_app, demo_year_session):
    from tests.conftest import login

    client = login(demo_year_app.test_client(), "zlc_admin")
    page = client.get("/standards/work/").get_data(as_text=True)
    assert page.count("已发布") >= 4 and "审核中" in page
    xxh = demo_year_session.scalar(select(Subject).where(Subject.code == "XXH", Subject.type == "functional_dept"))
    row = page.split(f'data-subject="{xxh.id}"', 1)[1].split("</tr>", 1)[0]
    assert "审核中" in row
