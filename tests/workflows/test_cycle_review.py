"""Step 9 and 11 (issue #16): the upper-level review by the right department, the wait for the school's
sampling draw, the expert's review of a sampled subject, the written conclusion and its acknowledgement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import cycle, scheduler
from engine.core.errors import NotFound
from engine.cycle import progress as cycle_progress
from engine.models import Document, ProcessInstance, Subject
from engine.workflow import runtime
from tests.conftest import NOW, TZ, filled, login, user
from tests.web.test_cycle_pages import page
from tests.workflows.test_cycle import do, draw, open_tasks


def major(session) -> Subject:
    return session.scalar(select(Subject).where(Subject.type == "major", Subject.code == "510203"))


def to_the_upper_review(session, subject, dues=None):
    """The subject's cycle walked to its open 9 上一级复核性诊断 task."""
    instance = cycle.start_for_subject(session, subject, 2026, dues or cycle.default_dues(2026, TZ), None, NOW)
    for _ in range(20):
        task = open_tasks(session, instance.id)[0]
        if task.name == "9 上一级复核性诊断":
            return instance, task
        do(session, task)
    raise AssertionError("no upper-level review")


def doc_of(session, subject, doc_type) -> Document:
    return session.scalar(select(Document).where(Document.subject_id == subject.id, Document.doc_type == doc_type))


def test_without_a_draw_the_cycle_waits_and_goes_on_when_one_is_made(session):
    subject = major(session)
    instance, upper = to_the_upper_review(session, subject)
    assert "教务处" in upper.candidates_label and upper.due_at.astimezone(TZ).date().isoformat() == "2026-11-30"
    review = session.get(Document, upper.document_id)
    diagnosis = doc_of(session, subject, "diagnosis")
    assert review.doc_type == "upper_review"
    assert [r["cells"]["self_conclusion"] for r in review.data["rows"]] == [
        r["cells"]["conclusion"] for r in diagnosis.data["rows"]
    ]  # the self-diagnosis copied in, row by row
    assert do(session, upper).username.startswith("jwc_")
    assert open_tasks(session, instance.id) == []  # no draw yet: waiting
    process = session.get(ProcessInstance, instance.id)
    assert process.status == "running" and process.next_timer_at == NOW + timedelta(days=1)
    matrix, _ = cycle_progress.overview(session, 2026, NOW)
    assert matrix.at["program"][9] == 1 and matrix.idle["program"] == 0  # waiting at step 9, not idle
    row = cycle_progress.subjects(session, cycle_progress.Filters(year=2026, step="9"), NOW).rows[0]
    assert (row["subject_id"], row["waiting"]) == (subject.id, True)

    scheduler.tick(session, NOW + timedelta(days=1, minutes=1))  # the next day: still no draw, asks again later
    assert open_tasks(session, instance.id) == []
    assert process.next_timer_at == NOW + timedelta(days=2, minutes=1)
    draw(session, 2026, [subject.id])
    scheduler.tick(session, NOW + timedelta(days=2, minutes=2))
    expert = open_tasks(session, instance.id)[0]
    assert (expert.name, expert.step, expert.kind) == ("9 学校抽样复核", 9, "edit")
    assert "专家委员会" in expert.candidates_label and expert.due_at.astimezone(TZ).date().isoformat() == "2026-12-31"
    sample = session.get(Document, expert.document_id)
    cells = sample.data["rows"][0]["cells"]
    assert cells["self_conclusion"] == diagnosis.data["rows"][0]["cells"]["conclusion"]
    assert cells["upper_opinion"] == doc_of(session, subject, "upper_review").data["rows"][0]["cells"]["opinion"]
    assert do(session, expert).username == "t01"  # the expert committee's member with a login

    write = open_tasks(session, instance.id)[0]
    assert (write.name, write.step) == ("11 书面结论反馈", 11) and "质量管理处" in write.candidates_label
    conclusion = session.get(Document, write.document_id)
    assert conclusion.doc_type == "feedback"
    overall = next(r for r in conclusion.data["rows"] if r["label"] == "总体结论")["cells"]["content"]
    assert "上一级复核意见：已填写" in overall and "学校抽样复核结论：已填写" in overall
    assert do(session, write).username == "zlc_admin"
    ack = open_tasks(session, instance.id)[0]
    assert (ack.name, ack.kind, ack.document_id) == ("11 确认结论反馈", "ack", conclusion.id)
    assert ack.due_at.astimezone(TZ).date().isoformat() == "2027-02-28"
    do(session, ack)
    assert process.status == "completed" and conclusion.status == "published"


def test_past_the_sampling_date_without_a_draw_the_subject_is_not_sampled(session):
    subject = session.scalar(select(Subject).where(Subject.type == "functional_dept", Subject.code == "JWC"))
    due = cycle.end_of_day(NOW.astimezone(TZ).date() + timedelta(days=1), TZ)
    dues = {**cycle.default_dues(2026, TZ), "school_review": due.isoformat()}
    instance, upper = to_the_upper_review(session, subject, dues)
    assert "党政办公室" in upper.candidates_label
    do(session, upper)
    assert open_tasks(session, instance.id) == []
    scheduler.tick(session, NOW + timedelta(days=1, minutes=1))  # before the date: still waiting
    assert open_tasks(session, instance.id) == []
    scheduler.tick(session, NOW + timedelta(days=2, minutes=2))  # past it: not sampled, the conclusion goes out
    ack = open_tasks(session, instance.id)[0]
    assert ack.name == "11 确认结论反馈"
    conclusion = session.get(Document, ack.document_id)
    assert conclusion.status == "published"  # composed from the upper-level review, no 质量管理处 task
    overall = next(r for r in conclusion.data["rows"] if r["label"] == "总体结论")["cells"]["content"]
    assert "上一级复核意见：已填写" in overall and "学校抽样复核结论" not in overall
    assert doc_of(session, subject, "school_review") is None


def test_a_wrong_user_can_neither_open_nor_complete_the_upper_review(session, app):
    subject = major(session)
    _instance, upper = to_the_upper_review(session, subject)
    doc = session.get(Document, upper.document_id)
    for name in ("dzb_reviewer", "t01", "zlc_admin"):  # 党政办公室, a teacher, 质量管理处: not 教务处
        if name == "zlc_admin":
            continue  # the diagnosis office monitors every task (it sees it, it may not complete it)
        with pytest.raises(NotFound):
            runtime.complete_task(session, user(session, name), upper.id, {"document": filled(doc.data)}, NOW)
    session.commit()
    client = login(app.test_client(), "dzb_reviewer")
    assert client.get(f"/tasks/{upper.id}").status_code == 404
    assert client.post(f"/tasks/{upper.id}/complete", data={}).status_code == 404
    reviewer = login(app.test_client(), "jwc_reviewer")
    html = page(reviewer, f"/tasks/{upper.id}")
    assert "9 上一级复核性诊断" in html and "上一级复核意见" in html and "自我诊断结论" in html
    assert upper.id in {t.id for t in open_tasks(session, upper.instance_id)}  # nothing changed


def test_the_progress_page_shows_the_review_path(session, app):
    subject = major(session)
    _instance, upper = to_the_upper_review(session, subject)
    do(session, upper)
    session.commit()
    admin = login(app.test_client(), "zlc_admin")
    html = page(admin, "/cycle/progress/subjects?year=2026&step=9")
    assert subject.name in html and 'data-testid="waiting-sampling"' in html and "等待学校抽样" in html
    assert "9 学校复核诊断" in html
    assert "9 学校复核诊断" in page(admin, "/cycle/progress?year=2026")
    form = page(admin, "/cycle/?year=2026")
    assert 'id="due_upper_review"' in form and "9 上一级复核性诊断" in form and "9 学校抽样复核" in form
