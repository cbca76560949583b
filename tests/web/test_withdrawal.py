"""Withdraw (撤回) and cancel through the pages, as the author clicks through them."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine import cycle
from engine.models import Document, HumanTask, ProcessInstance
from tests.conftest import NOW, TZ, filled, form_fields, own_subject, publish_document
from tests.web.test_teacher_path import start_target, the_document


def submit(client, session, task_id, text="提交稿"):
    fields = form_fields(filled(the_document(session, task_id).data, text))
    fields["action"] = "submit"
    assert client.post(f"/tasks/{task_id}", data=fields).status_code == 302


def links(page: str, testid: str) -> list[str]:
    return re.findall(rf'href="([^"]+)"[^>]*data-testid="{testid}"', page)


def test_withdraw_from_the_task_page_and_from_my_documents(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    submit(teacher, session, task_id)
    reviewer = login_as("dzxy_reviewer")
    assert "张伟" in reviewer.get("/tasks").get_data(as_text=True)

    # 我的文档 offers 撤回 next to 查看进度; the task page of the submission offers it too
    mine = teacher.get("/my-documents").get_data(as_text=True)
    assert links(mine, "withdraw-target") == [f"/tasks/{task_id}/withdraw"]
    page = teacher.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert links(page, "withdraw") == [f"/tasks/{task_id}/withdraw"]

    confirm = teacher.get(f"/tasks/{task_id}/withdraw").get_data(as_text=True)
    assert "二级学院审定" in confirm and "尚未签收" in confirm and "草稿" in confirm
    # posting without the confirmation page's field changes nothing
    assert teacher.post(f"/tasks/{task_id}/withdraw").status_code == 400
    assert the_document(session, task_id).status == "in_review"

    response = teacher.post(f"/tasks/{task_id}/withdraw", data={"confirm": "yes"}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "已撤回提交" in page and 'id="zg-doc-form"' in page and "提交稿" in page  # the submitted content
    doc = the_document(session, task_id)
    assert doc.status == "draft" and doc.instance_id is not None
    assert "张伟" not in reviewer.get("/tasks").get_data(as_text=True)  # gone from the reviewer's inbox
    assert f"/tasks/{task_id}" in teacher.get("/tasks").get_data(as_text=True)  # back in the author's

    # submitted again, the reviewer sees it again
    submit(teacher, session, task_id, "第二稿")
    assert "张伟" in reviewer.get("/tasks").get_data(as_text=True)


def test_no_withdraw_once_the_reviewer_claimed(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    submit(teacher, session, task_id)
    reviewer = login_as("dzxy_reviewer")
    review_id = session.scalar(select(HumanTask.id).where(HumanTask.kind == "review", HumanTask.state == "open"))
    assert reviewer.post(f"/tasks/{review_id}/claim").status_code == 302

    assert not links(teacher.get(f"/tasks/{task_id}").get_data(as_text=True), "withdraw")
    assert not links(teacher.get("/my-documents").get_data(as_text=True), "withdraw-target")
    response = teacher.get(f"/tasks/{task_id}/withdraw")
    assert response.status_code == 409 and "赵院审已签收审核任务" in response.get_data(as_text=True)
    response = teacher.post(f"/tasks/{task_id}/withdraw", data={"confirm": "yes"})
    assert response.status_code == 409
    assert the_document(session, task_id).status == "in_review"
    session.expire_all()
    assert session.get(HumanTask, review_id).state == "open"
    # a stranger may not even learn that the submission exists
    assert login_as("t06").get(f"/tasks/{task_id}/withdraw").status_code == 404


def test_withdraw_a_cycle_step_from_the_task_page(login_as, session):
    instance = cycle.start_for_subject(
        session, own_subject(session, "t01"), 2026, cycle.default_dues(2026, TZ), None, NOW
    )
    session.flush()
    edit_id = session.scalar(
        select(HumanTask.id).where(HumanTask.instance_id == instance.id, HumanTask.state == "open")
    )
    teacher = login_as("t01")
    page = teacher.get(f"/tasks/{edit_id}").get_data(as_text=True)
    assert "年度诊改的步骤必须完成，不能取消" in page and not links(page, "cancel-document")
    assert teacher.get(f"/tasks/{edit_id}/cancel").status_code == 409
    assert teacher.post(f"/tasks/{edit_id}/cancel", data={"confirm": "yes"}).status_code == 409

    submit(teacher, session, edit_id)
    page = teacher.get(f"/tasks/{edit_id}").get_data(as_text=True)
    assert links(page, "withdraw")
    response = teacher.post(f"/tasks/{edit_id}/withdraw", data={"confirm": "yes"}, follow_redirects=True)
    assert "已撤回提交" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(HumanTask, edit_id).state == "open"
    assert session.get(ProcessInstance, instance.id).status == "running"


def test_cancel_a_mistaken_start(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    doc_id = session.get(HumanTask, task_id).document_id
    page = teacher.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert links(page, "cancel-document") == [f"/tasks/{task_id}/cancel"] and "取消填写" in page
    mine = teacher.get("/my-documents").get_data(as_text=True)
    assert links(mine, "cancel-target") == [f"/tasks/{task_id}/cancel"]

    confirm = teacher.get(f"/tasks/{task_id}/cancel").get_data(as_text=True)
    assert "将被删除" in confirm and "开始填写" in confirm
    response = teacher.post(f"/tasks/{task_id}/cancel", data={"confirm": "yes"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "已取消填写" in page
    row = re.search(r'<tr data-doc-type="target".*?</tr>', page, re.S).group(0)
    assert "未开始" in row and "开始填写" in row
    session.expire_all()
    assert session.get(Document, doc_id) is None
    assert session.get(HumanTask, task_id).state == "cancelled"
    assert teacher.get("/tasks").get_data(as_text=True).count(f"/tasks/{task_id}") == 0
    # 开始填写 works again
    again = start_target(teacher, session)
    assert the_document(session, again).status == "draft"


def test_cancel_a_revision_brings_back_the_published_version(login_as, session):
    doc = publish_document(
        session, "t01", "target", change=lambda d: d["rows"][0]["cells"].update(description="v1 的描述")
    )
    teacher = login_as("t01")
    task_id = start_target(teacher, session)  # 修订
    fields = form_fields(filled(the_document(session, task_id).data, "改动"))
    fields["rows-0-cells-description"] = "修订中的描述"
    fields["action"] = "save"
    assert teacher.post(f"/tasks/{task_id}", data=fields).status_code == 302
    assert "取消修订" in teacher.get(f"/tasks/{task_id}").get_data(as_text=True)
    confirm = teacher.get(f"/tasks/{task_id}/cancel").get_data(as_text=True)
    assert "v1" in confirm and "丢弃" in confirm
    response = teacher.post(f"/tasks/{task_id}/cancel", data={"confirm": "yes"}, follow_redirects=True)
    assert "已取消修订" in response.get_data(as_text=True)
    page = teacher.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "v1 的描述" in page and "修订中的描述" not in page and "已发布" in page
    session.expire_all()
    assert session.get(Document, doc.id).status == "published"


def test_no_cancel_after_a_return(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    submit(teacher, session, task_id)
    reviewer = login_as("dzxy_reviewer")
    review_id = session.scalar(select(HumanTask.id).where(HumanTask.kind == "review", HumanTask.state == "open"))
    assert reviewer.post(f"/tasks/{review_id}", data={"decision": "return", "comment": "请修改"}).status_code == 302
    again = session.scalar(
        select(HumanTask.id).where(HumanTask.kind == "edit", HumanTask.state == "open", HumanTask.id != task_id)
    )
    page = teacher.get(f"/tasks/{again}").get_data(as_text=True)
    assert "请修改" in page and not links(page, "cancel-document")
    response = teacher.post(f"/tasks/{again}/cancel", data={"confirm": "yes"})
    assert response.status_code == 409 and "审核人已经处理过该文档" in response.get_data(as_text=True)
