"""Forms that do not lose work: limits refused with the count and the text kept; readable read-only views."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.models import HumanTask
from tests.conftest import NOW, TZ, filled, form_fields, own_subject, publish_document
from tests.web.test_teacher_path import start_target, the_document
from tests.workflows.test_cycle import do, draw, open_tasks


def test_no_field_truncates_what_is_typed(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    page = teacher.get(f"/tasks/{task_id}").get_data(as_text=True)
    form = page[page.index('id="zg-doc-form"') :]
    assert ' maxlength="' not in form  # the browser would cut pasted text silently
    assert 'data-maxlength="2000"' in form and 'data-maxlength="500"' in form and 'data-maxlength="64"' in form
    assert 'id="zg-text-limits"' in page and "已输入 {n} / {max}" in page  # the counter's words for app.js
    assert 'data-unsaved="0"' in page


def test_over_limit_submission_keeps_the_text_and_says_how_long_it_is(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    before = the_document(session, task_id).data
    data = filled(before)
    pasted = "这是一段从其他文件粘贴过来的很长的备注。" * 30  # 600 characters, the limit is 500
    data["rows"][1]["cells"]["remark"] = pasted
    data["header"]["approver"] = "王" * 70  # limit 64
    fields = form_fields(data)
    fields["action"] = "submit"
    response = teacher.post(f"/tasks/{task_id}", data=fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "最多 500 个字（当前 600 个）" in page and "最多 64 个字（当前 70 个）" in page
    assert pasted in page  # the typed text is back in the form, nothing cut
    assert 'data-unsaved="1"' in page  # leaving the re-rendered form asks first
    remark = re.search(r'<textarea[^>]*name="rows-1-cells-remark"[^>]*>', page).group(0)
    assert "is-invalid" in remark
    assert the_document(session, task_id).data == before and session.get(HumanTask, task_id).state == "open"

    # saving the draft is refused the same way, with the text kept
    fields["action"] = "save"
    response = teacher.post(f"/tasks/{task_id}", data=fields)
    assert response.status_code == 400 and pasted in response.get_data(as_text=True)
    assert the_document(session, task_id).data == before


def test_autosave_of_an_over_limit_draft_answers_with_the_field(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    data = the_document(session, task_id).data
    data["rows"][0]["cells"]["description"] = "长" * 2001
    response = teacher.post(
        f"/tasks/{task_id}/autosave", data=form_fields(data), headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["fields"]["rows.0.cells.description"] == ["最多 2000 个字（当前 2001 个）"]
    assert the_document(session, task_id).data["rows"][0]["cells"]["description"] == ""


def test_newlines_count_once_as_on_the_page(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    data = filled(the_document(session, task_id).data)
    data["rows"][0]["cells"]["remark"] = "\r\n".join(["第一行"] * 125)  # 500 characters with \n, 624 with \r\n
    fields = form_fields(data)
    fields["action"] = "save"
    assert teacher.post(f"/tasks/{task_id}", data=fields).status_code == 302
    assert the_document(session, task_id).data["rows"][0]["cells"]["remark"].count("\n") == 124


def test_review_comment_over_the_limit_is_refused_and_kept(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    fields = form_fields(filled(the_document(session, task_id).data))
    fields["action"] = "submit"
    assert teacher.post(f"/tasks/{task_id}", data=fields).status_code == 302
    reviewer = login_as("dzxy_reviewer")
    review_id = session.scalar(select(HumanTask.id).where(HumanTask.kind == "review", HumanTask.state == "open"))
    page = reviewer.get(f"/tasks/{review_id}").get_data(as_text=True)
    assert 'name="comment" rows="3" data-maxlength="2000"' in page
    comment = "请补充" * 700
    response = reviewer.post(f"/tasks/{review_id}", data={"decision": "return", "comment": comment})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "最多 2000 个字（当前 2100 个）" in page and comment in page
    assert session.get(HumanTask, review_id).state == "open"


def test_acknowledgement_note_over_the_limit_is_refused_not_cut(login_as, session):
    instance_id = _walk_cycle_to_the_ack(session)
    ack = open_tasks(session, instance_id)[0]
    teacher = login_as("t01")
    note = "已阅，" * 700
    response = teacher.post(f"/tasks/{ack.id}", data={"comment": note})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "最多 2000 个字（当前 2100 个）" in page and note in page
    session.expire_all()
    assert session.get(HumanTask, ack.id).state == "open"
    assert teacher.post(f"/tasks/{ack.id}", data={"comment": "已阅"}).status_code == 302
    session.expire_all()
    assert session.get(HumanTask, ack.id).comment == "已阅"


def _walk_cycle_to_the_ack(session) -> int:
    from engine import cycle

    instance = cycle.start_for_subject(
        session, own_subject(session, "t01"), 2026, cycle.default_dues(2026, TZ), None, NOW
    )
    draw(session, 2026)  # the year's sampling draw took nobody: the written conclusion goes out at once
    for _ in range(20):
        task = open_tasks(session, instance.id)[0]
        if task.kind == "ack":
            return instance.id
        do(session, task)
    raise AssertionError("the cycle never reached the acknowledgement")


def test_read_only_and_print_views_keep_every_column_readable(login_as, session):
    long = "加强课程思政建设，完善教学质量监控体系，提升学生实践能力与创新能力，" * 8

    def change(data):
        for row in data["rows"]:
            row["cells"].update(description=long, remark="每学期末对照检查，结果报二级学院备案。")

    doc = publish_document(session, "t01", "target", change=change)
    teacher = login_as("t01")
    for url in (f"/documents/{doc.id}", f"/documents/{doc.id}/print"):
        page = teacher.get(url).get_data(as_text=True)
        assert "zg-readonly" in page
        # 备注 (500) gets a narrow-but-readable column, 描述 (2000) a wide one; both carry their label for phones
        assert '<td class="zg-cell zg-cell-narrow" data-label="备注">每学期末对照检查' in page
        assert '<td class="zg-cell zg-cell-wide" data-label="描述">' in page
        assert '<col style="width: 58.7%"><col style="width: 29.3%">' in page  # 描述 twice 备注's share
    css = teacher.get("/static/app.css").get_data(as_text=True)
    assert "td.zg-cell-narrow { min-width: 8em; }" in css
    print_css = teacher.get("/static/print.css").get_data(as_text=True)
    assert "size: A4 landscape" in print_css and ".zg-print .table-responsive { overflow: visible; }" in print_css
    # a plan's grouped columns (标准 / 诊改计划) print without the form's "required" stars
    publish_document(session, "t01", "standard")
    plan = publish_document(session, "t01", "plan")
    page = teacher.get(f"/documents/{plan.id}/print").get_data(as_text=True)
    assert "诊改计划" in page and "改进措施" in page and 'class="text-danger">*' not in page


def test_batch_approve_with_an_over_limit_comment_says_why_for_each_task(login_as, session):
    from tests.web.test_batch_and_filters import review_ids, submit_targets

    submit_targets(session, ["t01", "t02"])
    ids = review_ids(session)
    reviewer = login_as("dzxy_reviewer")
    page = reviewer.get("/tasks").get_data(as_text=True)
    assert 'name="comment" data-maxlength="2000"' in page
    response = reviewer.post("/tasks/batch", data={"task_ids": [str(i) for i in ids], "comment": "同意" * 1050},
                             follow_redirects=True)  # fmt: skip
    body = response.get_data(as_text=True)
    assert "成功 0 项，失败 2 项" in body and body.count("最多 2000 个字（当前 2100 个）") == 2
    session.expire_all()
    assert {session.get(HumanTask, i).state for i in ids} == {"open"}
