"""A newcomer's first clicks on the demo school's year: each demo role finds what the README promises."""

from __future__ import annotations

import re

from engine.demo.script import RETURN_TARGET_T01
from tests.conftest import login


def task_links(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'href="(/tasks/\d+)"', html)))


def test_t01_finds_the_returned_target_with_the_reviewers_comment(demo_year_app):
    client = login(demo_year_app.test_client(), "t01")
    inbox = client.get("/tasks").get_data(as_text=True)
    assert "教师发展目标" in inbox and "物联网应用技术" in inbox  # own target and the major's standard
    pages = {link: client.get(link).get_data(as_text=True) for link in task_links(inbox)}
    target = next(html for html in pages.values() if "教师发展目标" in html and "填写并提交" in html)
    assert RETURN_TARGET_T01 in target and "赵院审" in target


def test_the_counselor_approves_the_waiting_students_in_one_go(demo_year_app):
    client = login(demo_year_app.test_client(), "c01")
    inbox = client.get("/tasks").get_data(as_text=True)
    ids = re.findall(r'name="task_ids" value="(\d+)"', inbox)
    assert len(ids) == 5 and inbox.count("辅导员审定") >= 5  # five students wait for 郑辅导
    result = client.post("/tasks/batch", data={"task_ids": ids, "comment": "同意"}, follow_redirects=True)
    assert result.status_code == 200
    after = client.get("/tasks").get_data(as_text=True)
    assert not re.findall(r'name="task_ids"', after) and "辅导员审定" not in after
    # the class's 综合素质培养 target and 郑辅导's own (教师 level) still to write, and three quality-credit claims
    # waiting for 辅导员认定 (never batch-approved: each is judged on its evidence)
    assert len(task_links(after)) == 5 and after.count("辅导员认定") >= 3


def test_the_office_sees_late_work_an_errored_and_a_suspended_instance(demo_year_app):
    client = login(demo_year_app.test_client(), "zlc_admin")
    problems = client.get("/monitor/problems").get_data(as_text=True)
    assert "运行出错" in problems and "黄敏" in problems
    assert "已暂停" in problems and "休学" in problems
    dashboard = client.get("/monitor").get_data(as_text=True)
    assert "电子与物联网学院" in dashboard and "软件与信息技术学院" in dashboard
    progress = client.get("/cycle/progress?year=2026").get_data(as_text=True)
    for step in ("6 诊改实施", "7 自我诊断", "8 撰写自我诊断报告", "9 学校复核诊断", "10 撰写人才培养质量报告",
                 "11 学校复核诊断结论反馈"):  # fmt: skip
        assert step in progress, step


def test_the_review_path_has_a_subject_at_every_task(demo_year_app):
    """Issue #16: upper-level reviews open at 党政办公室, 教务处 and a teacher's unit, a sampled pilot course at the
    expert committee, a written conclusion waiting for its acknowledgement, one acknowledged."""
    inbox = login(demo_year_app.test_client(), "dzb_reviewer").get("/tasks").get_data(as_text=True)
    assert "9 上一级复核性诊断" in inbox and "软件与信息技术学院" in inbox
    inbox = login(demo_year_app.test_client(), "jwc_reviewer").get("/tasks").get_data(as_text=True)
    assert "9 上一级复核性诊断" in inbox and "数据采集与清洗" in inbox
    inbox = login(demo_year_app.test_client(), "rjxy_reviewer").get("/tasks").get_data(as_text=True)
    assert "9 上一级复核性诊断" in inbox and "周杰" in inbox  # a teacher, reviewed by their unit
    inbox = login(demo_year_app.test_client(), "t01").get("/tasks").get_data(as_text=True)
    assert "9 学校抽样复核" in inbox and "Java 程序设计" in inbox  # a group task of the expert committee
    office = login(demo_year_app.test_client(), "zlc_admin")
    waiting = office.get("/cycle/progress/subjects?year=2026&step=11").get_data(as_text=True)
    assert "Web 前端开发" in waiting and "11 确认结论反馈" in waiting
    done = office.get("/cycle/progress/subjects?year=2026&step=done").get_data(as_text=True)
    assert "王思家" in done  # a student whose written conclusion is acknowledged


def test_the_process_owner_sees_the_bad_version_and_its_rollback(demo_year_app):
    client = login(demo_year_app.test_client(), "rsc_reviewer")
    versions = client.get("/processes/chain_teacher/versions").get_data(as_text=True)
    assert "60 分及以上方可发布" in versions and "回滚" in versions
    migrate = client.get("/processes/chain_teacher/migrate")
    assert migrate.status_code == 200


def test_warnings_and_the_annual_board_show_every_state(demo_year_app):
    client = login(demo_year_app.test_client(), "zlc_admin")
    warnings = client.get("/warnings").get_data(as_text=True)
    for word in ("待确认", "处理中", "工作标准制定未落实", "未达到基本标准", "安全隐患"):
        assert word in warnings, word
    resolved = client.get("/warnings?status=resolved").get_data(as_text=True)
    assert "质量事故" in resolved
    board = client.get("/annual/2026").get_data(as_text=True)
    assert "已经校长办公会审议通过并印发" in board  # evidence of done rows


def test_revised_targets_compare_their_versions_and_show_the_working_copy(demo_year_app):
    client = login(demo_year_app.test_client(), "zlc_admin")

    def target_of(name: str) -> str:
        listing = client.get(f"/documents/?q={name}").get_data(as_text=True)
        pages = (
            client.get(d).get_data(as_text=True) for d in dict.fromkeys(re.findall(r'href="(/documents/\d+)"', listing))
        )
        return next(html for html in pages if "教师发展目标" in html)

    approved = target_of("吴婷")  # revised and approved: version 2
    diff = re.search(r'href="(/documents/\d+/diff)"', approved).group(1)
    assert "新增：指导学生参加省级技能大赛并获奖" in client.get(diff).get_data(as_text=True)
    pending = target_of("黄敏")  # revised, stuck on the errored instance: version 1 and a working copy
    working = re.search(r'href="(/documents/\d+/working-copy)"', pending).group(1)
    assert "新增：两年内主持一项校级教改课题" in client.get(working).get_data(as_text=True)
