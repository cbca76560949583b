"""The notification centre through the pages: grouped by day or kind, filtered, paged, marked read; the 退回 mark
in the inbox and the API; what a reviewer's return and an approval tell the author."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from engine import scheduler
from engine.models import HumanTask, Notification
from engine.notify import digests, notifications
from tests.conftest import NOW, SETTINGS, filled, form_fields, user
from tests.web.test_teacher_path import start_target, the_document


def add(session, username, kind, title, at, link=None, read=False, details=None):
    row = notifications.note(user(session, username).id, kind, title, "正文", link, None, at, details=details)
    row["read_at"] = at if read else None
    notifications.send(session, [row])


def shown(page: str) -> list[tuple[str, str]]:
    """(kind, read) of the notifications listed, in order."""
    return re.findall(r'data-testid="notification" data-kind="(\w+)" data-read="(\w+)"', page)


def headings(page: str) -> list[str]:
    return [h.strip() for h in re.findall(r'data-testid="section">\s*(.*?)\s*</h2>', page)]


def test_grouped_by_day_and_by_kind_filtered_and_marked(login_as, session):
    add(session, "dzxy_reviewer", "task", "【新任务】今天的任务", NOW - timedelta(hours=1), link="/tasks")
    add(session, "dzxy_reviewer", "remind", "【1天后到期】昨天的提醒", NOW - timedelta(days=1), link="/tasks")
    add(session, "dzxy_reviewer", "remind", "【7天后到期】更早的提醒", NOW - timedelta(days=5), read=True)
    add(session, "dzxy_reviewer", "digest", "【逾期汇总】电子与物联网学院：1项逾期", NOW - timedelta(days=5),
        link="/monitor/tasks?department=x", details={"lists": [{"label": "逾期任务清单", "href": "/monitor/tasks"}],
                                                     "items": [{"text": "二级学院审定：某文档", "href": "/tasks/1"}],
                                                     "count": 1})  # fmt: skip
    add(session, "t01", "task", "别人的通知", NOW)
    reviewer = login_as("dzxy_reviewer")
    page = reviewer.get("/notifications").get_data(as_text=True)
    assert headings(page) == ["今天", "昨天", "2026-11-19"]
    assert shown(page) == [("task", "no"), ("remind", "no"), ("digest", "no"), ("remind", "yes")]
    assert "别人的通知" not in page
    assert 'data-testid="unread-count">3<' in page and "3 条未读" in page
    assert "二级学院审定：某文档" in page and 'href="/tasks/1"' in page and "逾期任务清单" in page  # digest items

    by_kind = reviewer.get("/notifications?group=kind").get_data(as_text=True)
    assert headings(by_kind) == ["新任务", "提醒", "逾期汇总"]
    unread = reviewer.get("/notifications?unread=1").get_data(as_text=True)
    assert [k for k, _ in shown(unread)] == ["task", "remind", "digest"]
    reminders = reviewer.get("/notifications?kind=remind&group=kind").get_data(as_text=True)
    assert shown(reminders) == [("remind", "no"), ("remind", "yes")]
    assert 'data-testid="kind-remind"' in reminders and "将“提醒”全部标为已读" in reminders
    # the kind chips keep the other filters
    assert 'href="/notifications?unread=1&amp;kind=digest"' in unread

    # mark all of one kind read: the others stay unread, the filters stay
    response = reviewer.post("/notifications/read-all", data={"kind": "remind", "group": "kind"})
    assert response.headers["Location"].endswith("/notifications?kind=remind&group=kind")
    assert "已将 1 条通知标为已读" in reviewer.get(response.headers["Location"]).get_data(as_text=True)
    assert [k for k, _ in shown(reviewer.get("/notifications?unread=1").get_data(as_text=True))] == ["task", "digest"]

    # opening one marks it read and goes to its link; a stranger's id is 404
    nid = session.scalar(select(Notification.id).where(Notification.kind == "digest"))
    assert login_as("t01").post(f"/notifications/{nid}/open").status_code == 404
    assert reviewer.post(f"/notifications/{nid}/open").headers["Location"] == "/monitor/tasks?department=x"
    response = reviewer.post("/notifications/read-all", data={})
    assert 'data-testid="unread-count"' not in reviewer.get(response.headers["Location"]).get_data(as_text=True)
    empty = reviewer.get("/notifications?unread=1").get_data(as_text=True)
    assert 'data-testid="no-notifications"' in empty and "没有符合条件的通知" in empty


def test_paging_keeps_the_filters_and_a_note_without_link_is_marked_where_it_is(login_as, session):
    for i in range(35):
        add(session, "zlc_admin", "warning", f"【黄色预警】第{i}条", NOW - timedelta(minutes=i))
    add(session, "zlc_admin", "info", "【转办】无链接的通知", NOW - timedelta(days=2))
    office = login_as("zlc_admin")
    first = office.get("/notifications?kind=warning&unread=1").get_data(as_text=True)
    assert len(shown(first)) == 30 and "共 35 项" in first
    link = re.search(r'href="(/notifications\?[^"]*page=2[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "kind=warning" in link and "unread=1" in link
    second = office.get(link).get_data(as_text=True)
    assert len(shown(second)) == 5 and "第34条" in second and "第0条" not in second

    info = office.get("/notifications?kind=info").get_data(as_text=True)
    nid = session.scalar(select(Notification.id).where(Notification.kind == "info"))
    assert 'data-testid="mark-read"' in info
    response = office.post(f"/notifications/{nid}/open", data={"back": "/notifications?kind=info"})
    assert response.headers["Location"] == "/notifications?kind=info"
    assert (
        office.post(f"/notifications/{nid}/open", data={"back": "https://evil.example/"})
        .headers["Location"]
        .endswith("/notifications")
    )
    assert shown(office.get("/notifications?kind=info").get_data(as_text=True)) == [("info", "yes")]


def test_the_centre_in_english(login_as, session):
    add(session, "t01", "task", "【新任务】填写并提交", NOW, link="/tasks")
    teacher = login_as("t01")
    teacher.post("/lang/en", data={"next": "/notifications"})
    page = teacher.get("/notifications?group=kind")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Notifications" in text and "Mark all read" in text and shown(text) == [("task", "no")]


def test_a_return_through_the_pages_marks_the_inbox_the_api_and_tells_the_author(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    fields = form_fields(filled(the_document(session, task_id).data))
    fields["action"] = "submit"
    assert teacher.post(f"/tasks/{task_id}", data=fields).status_code == 302
    reviewer = login_as("dzxy_reviewer")
    assert "【新任务】二级学院审定" in reviewer.get("/notifications").get_data(as_text=True)
    review_id = int(re.search(r'data-task-id="(\d+)"', reviewer.get("/tasks").get_data(as_text=True)).group(1))
    response = reviewer.post(f"/tasks/{review_id}", data={"decision": "return", "comment": "请补充量化指标和完成时间"})
    assert response.status_code == 302

    inbox = teacher.get("/tasks").get_data(as_text=True)
    assert 'data-testid="returned"' in inbox and 'title="赵院审：请补充量化指标和完成时间"' in inbox
    assert "赵院审退回：请补充量化指标和完成时间" in inbox
    item = teacher.get("/api/v1/tasks").get_json()["items"][0]
    assert item["returned"] is True and item["return_comment"] == "请补充量化指标和完成时间"
    assert item["returned_by_name"] == "赵院审"
    detail = teacher.get(f"/api/v1/tasks/{item['id']}").get_json()
    assert detail["returned"] is True and detail["returned_by_name"] == "赵院审"
    assert "请补充量化指标和完成时间" in teacher.get(f"/tasks/{item['id']}").get_data(as_text=True)
    centre = teacher.get("/notifications").get_data(as_text=True)
    assert "【已退回】" in centre and "请补充量化指标和完成时间" in centre
    nid = session.scalar(select(Notification.id).where(Notification.kind == "returned"))
    assert teacher.post(f"/notifications/{nid}/open").headers["Location"] == f"/tasks/{item['id']}"
    # the reviewer's own inbox: no 退回 mark on other people's tasks, no notification about their own action
    assert session.scalar(
        select(func.count()).select_from(Notification).where(
            Notification.user_id == user(session, "dzxy_reviewer").id, Notification.kind == "returned"
        )
    ) == 0  # fmt: skip

    # resubmitted and approved: the mark is gone, the author hears of the publication
    fields = form_fields(filled(the_document(session, item["id"]).data))
    fields["action"] = "submit"
    assert teacher.post(f"/tasks/{item['id']}", data=fields).status_code == 302
    second = int(re.search(r'data-task-id="(\d+)"', reviewer.get("/tasks").get_data(as_text=True)).group(1))
    assert 'data-testid="returned"' not in reviewer.get("/tasks").get_data(as_text=True)
    reviewer.post(f"/tasks/{second}", data={"decision": "approve", "comment": ""})
    centre = teacher.get("/notifications?kind=published").get_data(as_text=True)
    assert "【已发布】" in centre and "第1版已审定发布" in centre


def test_digest_in_the_centre_links_to_the_filtered_lists(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)  # t01's own task, due in 14 days
    due = session.get(HumanTask, task_id).due_at
    scheduler.tick(session, digests.next_slot(due + SETTINGS.escalate_after, SETTINGS))
    session.flush()
    head = login_as("dzxy_reviewer")
    page = head.get("/notifications?kind=digest").get_data(as_text=True)
    assert "【逾期汇总】电子与物联网学院：1项逾期" in page
    listing = re.search(r'href="(/monitor/tasks\?department=[^"]+)"', page).group(1)
    assert "张伟" in head.get(listing.replace("&amp;", "&")).get_data(as_text=True)
    assert f'href="/tasks/{task_id}"' in page
