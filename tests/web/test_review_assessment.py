"""复核性诊断指标: whoever is writing a review document now (its open task) records the assessment against the
checklist in force for the subject's type, from the task page and the document page; others get 404; bad input is
refused at its field; the document page then shows it read-only. On the demo year, where 教务处 writes the
upper-level review of the course 数据采集与清洗 and the expert t01 the sampling review of Java 程序设计 (step 9)."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.diagnosis import assessment_of, checklists
from engine.models import AuditEntry, Document, HumanTask, Subject, TaskCandidate, User
from tests.conftest import BROKEN, page


def link(html: str, testid: str) -> str:
    found = re.search(rf'href="([^"]+)"[^>]*data-testid="{testid}"', html)
    assert found, testid
    return found.group(1)


def review_tasks(session, doc_type: str = "upper_review", subject_types=("course",)) -> list[HumanTask]:
    return session.scalars(
        select(HumanTask)
        .join(Document, Document.id == HumanTask.document_id)
        .join(Subject, Subject.id == Document.subject_id)
        .where(Document.doc_type == doc_type, HumanTask.state == "open", HumanTask.kind == "edit",
               Subject.type.in_(subject_types))
        .order_by(HumanTask.id)
    ).all()  # fmt: skip


def test_the_reviewer_records_the_assessment_from_the_task_page(demo_year_session, demo_year_app):
    s = demo_year_session
    unassessed = [t for t in review_tasks(s) if assessment_of(s, t.document_id) is None]
    task = unassessed[0]
    doc = s.get(Document, task.document_id)
    version = checklists.in_force(s, doc.subject.type)
    from tests.conftest import login

    zlc = login(demo_year_app.test_client(), "jwc_reviewer")  # 教务处 reviews the courses (上一级复核)
    url = link(page(zlc, f"/tasks/{task.id}"), "assessment-link")
    assert url == link(page(zlc, f"/documents/{doc.id}"), "assessment-link")  # the document page links it too
    form = page(zlc, url)
    assert "是否严格执行流程" in form and f"指标体系 v{version.version}" in form
    # nothing chosen: every item and the methods are named, nothing saved
    refused = zlc.post(url, data={"evidence_url": "not a link"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and not BROKEN.search(html)
    for item in version.items:
        assert f'data-testid="error-verdict-{item["key"]}"' in html
    assert 'data-testid="error-methods"' in html and 'data-testid="error-evidence_url"' in html
    assert assessment_of(s, doc.id) is None
    verdicts = {f"verdict-{i['key']}": "符合" for i in version.items}
    verdicts[f"verdict-{version.items[0]['key']}"] = "基本符合"  # 60 % of the first item's weight
    data = {**verdicts, "methods": ["documents", "site"], "evidence_text": "查阅诊改记录", "evidence_url": ""}
    saved = zlc.post(url, data=data, follow_redirects=True)
    expected = 100 - version.items[0]["weight"] * 0.4
    assert saved.status_code == 200 and f"加权得分 {expected}" in saved.get_data(as_text=True)
    s.expire_all()
    row = assessment_of(s, doc.id)
    assert row.score == expected and row.checklist_version_id == version.id and row.methods == ["documents", "site"]
    assert s.scalar(select(AuditEntry.action).where(AuditEntry.action == "assessment.record",
                                                    AuditEntry.object_id == str(doc.id)))  # fmt: skip
    # the document page shows it read-only, to those who read the document
    shown = page(zlc, f"/documents/{doc.id}")
    assert 'data-testid="assessment-view"' in shown and "资料查阅、现场核实" in shown and "查阅诊改记录" in shown


def test_only_the_task_holder_reaches_the_assessment(demo_year_session, demo_year_app):
    from tests.conftest import login

    task = review_tasks(demo_year_session)[0]
    url = f"/reviews/{task.document_id}/assessment"
    for outsider in ("dzxy_reviewer", "t01", "xxh_admin"):  # another college, a teacher, a monitor not offered it
        client = login(demo_year_app.test_client(), outsider)
        page(client, url, 404)
        assert client.post(url, data={}).status_code == 404
    page(login(demo_year_app.test_client(), "jwc_reviewer"), url)
    # the subject acknowledging its written conclusion (step 11) does not assess anything
    ack = demo_year_session.scalar(
        select(HumanTask)
        .join(Document, Document.id == HumanTask.document_id)
        .where(Document.doc_type == "feedback", HumanTask.state == "open", HumanTask.kind == "ack")
    )
    candidates = demo_year_session.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == ack.id))
    person = next(p for p in candidates if p.startswith("u:"))
    holder = demo_year_session.get(User, int(person[2:]))
    subject_side = login(demo_year_app.test_client(), holder.username)
    assert 'data-testid="assessment-link"' not in page(subject_side, f"/tasks/{ack.id}")
    page(subject_side, f"/reviews/{ack.document_id}/assessment", 404)


def test_the_demo_year_has_a_recorded_assessment_shown_on_its_document(demo_year_session, demo_year_app):
    from tests.conftest import login

    tasks = review_tasks(demo_year_session, "school_review", ("functional_dept", "course"))
    assessed = [t for t in tasks if assessment_of(demo_year_session, t.document_id)]
    assert len(assessed) == 1
    html = page(login(demo_year_app.test_client(), "t01"), f"/tasks/{assessed[0].id}")  # the expert's own
    assert "已记录，加权得分" in html
