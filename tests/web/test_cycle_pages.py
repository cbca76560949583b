"""质量管理处 starts a school year's cycle from the browser and follows the progress."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from engine import cycle
from engine.models import CycleInstance, Document, HumanTask, OrgUnit, Subject
from tests.conftest import NOW, TZ, own_subject
from tests.workflows.test_cycle import FORM_DATES, do, draw, open_tasks

FORM = {f"due_{k}": v for k, v in FORM_DATES.items()}
BROKEN = re.compile(r"Traceback|UndefinedError|jinja2\.|服务器内部错误")


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    text = response.get_data(as_text=True)
    assert response.status_code == status, (url, response.status_code, text[:300])
    assert not BROKEN.search(text), url
    return text


def links(html: str, prefix: str) -> list[str]:
    return sorted({unescape(h) for h in re.findall(r'href="([^"]+)"', html) if h.startswith(prefix)})


def total_of(html: str) -> int:
    return int(re.search(r"共 (\d+) 项", html).group(1))


def figure(html: str, testid: str) -> int:
    return int(re.search(rf'data-testid="{testid}"[^>]*>(?:逾期 )?(\d+)<', html).group(1))


def test_only_monitors_reach_the_cycle_pages(login_as):
    for who in ("t01", "dzxy_reviewer"):
        client = login_as(who)
        for url in ("/cycle/", "/cycle/progress", "/cycle/progress/subjects", "/cycle/progress/subjects.xlsx"):
            assert client.get(url).status_code == 404
    html = page(login_as("zlc_admin"), "/cycle/?year=2026")
    assert "启动 2026 年度诊改" in html and "教师 / 学生" in html and "1 确定目标" in html
    assert "2 制定基本标准" in html and "3 研制模板" in html  # the school-level steps take their dates too
    assert 'value="2026-12-31"' in html and 'data-testid="past-due_school_review"' not in html
    # the annual table's dates already past on 2026-11-24 are flagged before anybody submits
    assert 'data-testid="past-due_target"' in html and 'value="2026-04-30"' in html
    assert 'data-testid="past-due_basic_standard"' in html and 'value="2026-03-31"' in html


def test_a_refused_start_keeps_what_was_typed_and_starts_nothing(login_as, session):
    admin = login_as("zlc_admin")
    cases = [
        ({"levels": "person", **FORM, "due_target": "2026-03-31"}, "due_target", "该日期已过"),
        ({"levels": "person", **FORM, "due_diagnosis": "2027-01-05"}, "due_diagnosis", "不能早于上一步骤“6 诊改实施”"),
        ({"levels": "person", **FORM, "due_upper_review": "2027-01-21"}, "due_upper_review", "8 撰写自我诊断报告"),
        ({"levels": "person", **FORM, "due_school_review": "2027-01-31"}, "due_school_review", "9 上一级复核性诊断"),
        ({"levels": "person", **FORM, "due_report": "2027-13-01"}, "due_report", "YYYY-MM-DD"),
        ({"levels": "person", **FORM, "due_plan": ""}, "due_plan", "请填写截止日期"),
        ({**FORM}, None, "请至少选择一个层级"),
    ]
    for data, field, message in cases:
        response = admin.post("/cycle/", data={"year": "2026", **data})
        html = response.get_data(as_text=True)
        assert response.status_code == 400, field
        assert message in html, (field, message)
        if field:
            feedback = re.search(rf'data-testid="error-{field}">([^<]*)<', html)
            assert feedback and message in feedback.group(1)  # at the field
        for key, value in data.items():
            if key.startswith("due_"):
                assert f'name="{key}" value="{value}"' in html  # every value kept as typed
        assert ('value="person" id="lv-person" checked' in html) == ("levels" in data)
    assert session.scalar(select(func.count()).select_from(CycleInstance)) == 0


def test_the_dates_on_the_form_are_the_dates_the_tasks_get(login_as, session):
    admin = login_as("zlc_admin")
    response = admin.post("/cycle/", data={"year": "2026", "levels": "person", **FORM})
    assert response.status_code == 302
    run_url = response.headers["Location"]
    assert admin.get(run_url + ".json").get_json()["status"] == "finished"
    assert "100%" in page(admin, run_url)

    subject = own_subject(session, "t02")
    instance_id = session.scalar(select(CycleInstance.instance_id).where(CycleInstance.subject_id == subject.id))
    draw(session, 2026, [subject.id])  # sampled: step 9 and 11 have all their tasks
    seen = {}
    for _ in range(30):
        tasks = open_tasks(session, instance_id)
        if not tasks:
            break
        task = tasks[0]
        key = "upper_review" if task.bpmn_id.startswith("task_upper_review") else cycle.STEPS[task.step - 1][0]
        if task.kind == "review":  # reviewers get 7 days from the submission
            assert task.due_at - task.created_at == timedelta(days=7), task.name
        else:
            local = task.due_at.astimezone(TZ)
            assert (local.date().isoformat(), local.time().isoformat()) == (FORM_DATES[key], "23:59:59"), task.name
            seen.setdefault(task.step, set()).add(task.name)
        do(session, task)
    assert sorted(seen) == [1, 4, 5, 6, 7, 8, 9, 11]  # every step of a teacher, each on its date
    assert seen[9] == {"9 上一级复核性诊断", "9 学校抽样复核"} and seen[11] == {"11 书面结论反馈", "11 确认结论反馈"}


def start_everything(session, admin) -> int:
    response = admin.post("/cycle/", data={"year": "2026", "levels": list(cycle.LEVELS), **FORM})
    assert response.status_code == 302
    return session.scalar(select(func.count()).select_from(CycleInstance))


def walk_to(session, username: str, step: int) -> None:
    instance_id = session.scalar(
        select(CycleInstance.instance_id).where(CycleInstance.subject_id == own_subject(session, username).id)
    )
    while open_tasks(session, instance_id)[0].step < step:
        do(session, open_tasks(session, instance_id)[0])


def test_the_progress_matrix_drills_down_to_every_figure(login_as, session, clock):
    admin = login_as("zlc_admin")
    everyone = start_everything(session, admin)
    walk_to(session, "t01", 6)
    walk_to(session, "t02", 4)
    session.flush()
    clock.now = NOW + timedelta(days=10)  # past step 1's date (2026-12-01): whoever is still there is late

    html = page(admin, "/cycle/progress?year=2026")
    for number in range(1, 12):
        assert f"{number} {cycle.step_name(number)}" in html  # every step with its number
    assert html.count("学校层面") >= 3  # steps 2 and 3 are at school level, listed above the matrix
    school = re.findall(r'data-testid="school-task" data-step="(\d)"', html)
    assert school == ["2"] * 6  # a task per lead department; the templates follow each one's basic standards
    above = html.split('data-testid="cycle-matrix"')[0]
    assert "2 制定基本标准（合作发展处）" in above and above.count("已逾期") == 6  # due 2026-11-30, now Dec 4
    for href in links(html, "/tasks/"):
        page(admin, href)  # the office opens every school-level task
    persons = session.scalar(select(func.count()).select_from(Subject).where(Subject.type.in_(["teacher", "student"])))
    assert figure(html, "at-person-1") == persons - 2 and figure(html, "late-person-1") == persons - 2
    assert figure(html, "at-person-4") == 1 and figure(html, "at-person-6") == 1
    assert 'data-testid="late-person-6"' not in html  # t01's step 6 is due in January
    assert figure(html, "at-all-1") == everyone - 2
    assert "完成 2%" in html or "完成 4%" in html  # person level: 2 of 50 past step 1

    drilldowns = links(html, "/cycle/progress/subjects?")
    assert len(drilldowns) > 20
    for export in links(html, "/cycle/progress/subjects.xlsx"):
        rows = list(load_workbook(BytesIO(admin.get(export).data)).active.iter_rows(values_only=True))
        assert len(rows) == everyone + 1
    for url in drilldowns:
        page(admin, url)
    cells = re.findall(r'href="([^"]+)"[^>]*data-testid="((?:at|late)-[a-z]+-\d+)"', html)
    assert len(cells) >= 4 * 9 + 9
    for href, testid in cells:  # each count is exactly the list behind it
        assert total_of(page(admin, unescape(href))) == figure(html, testid), testid
    late = page(admin, "/cycle/progress/subjects?year=2026&level=person&step=1&overdue=1")
    assert total_of(late) == persons - 2 and "逾期天数" in late
    first = re.search(r'<tr class="zg-overdue" data-subject-id="\d+">.*?</tr>', late, re.S).group(0)
    assert "1 确定目标" in first and "2026-12-01" in first and ">3</td>" in first  # due date and days late
    past = page(admin, "/cycle/progress/subjects?year=2026&level=person&passed=1")
    assert total_of(past) == 2 and "张伟" in past and 'data-testid="passed-filter"' in past

    for url in links(html, "/cycle/progress?"):  # the department table narrows the matrix
        body = page(admin, url)
        assert 'data-testid="cycle-matrix"' in body
    dzxy = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "DZXY"))
    narrowed = page(admin, f"/cycle/progress?year=2026&department={dzxy}")
    in_dzxy = session.scalar(
        select(func.count()).select_from(CycleInstance).join(Subject, Subject.id == CycleInstance.subject_id)
        .where(Subject.org_unit_id == dzxy)
    )  # fmt: skip
    assert figure(narrowed, "at-all-1") + 2 == in_dzxy  # t01 and t02 are teachers of 电子与物联网学院


def test_the_subject_list_pages_filters_and_exports(login_as, session, clock):
    admin = login_as("zlc_admin")
    everyone = start_everything(session, admin)
    assert everyone > 50
    first = page(admin, "/cycle/progress/subjects?year=2026")
    assert total_of(first) == everyone and first.count("data-subject-id=") == 50
    second = page(admin, "/cycle/progress/subjects?year=2026&page=2")
    assert second.count("data-subject-id=") == everyone - 50
    assert "/cycle/progress/subjects?page=2&amp;year=2026" in first or "page=2" in first

    found = page(admin, "/cycle/progress/subjects?year=2026&q=张伟")
    assert total_of(found) == 1 and "1 确定目标" in found and "填写并提交" in found
    task_link = links(found, "/tasks/")[0]
    assert "张伟" in page(admin, task_link)  # the drill-down opens the subject's task
    assert total_of(page(admin, "/cycle/progress/subjects?year=2026&step=done")) == 0
    assert total_of(page(admin, "/cycle/progress/subjects?year=2026&overdue=1")) == 0
    clock.now = NOW + timedelta(days=8)
    assert total_of(page(admin, "/cycle/progress/subjects?year=2026&overdue=1")) == everyone
    assert total_of(page(admin, "/cycle/progress/subjects?year=2025")) == 0
    assert total_of(page(admin, "/cycle/progress/subjects?year=2026&step=bogus&level=nope&department=x")) == everyone

    export = admin.get("/cycle/progress/subjects.xlsx?year=2026&level=person&overdue=1")
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(export.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("主体", "类型", "部门", "当前步骤")
    persons = session.scalar(select(func.count()).select_from(Subject).where(Subject.type.in_(["teacher", "student"])))
    assert len(rows) == persons + 1
    assert {r[3] for r in rows[1:]} == {"1 确定目标"} and {r[6] for r in rows[1:]} == {"2026-12-01"}
    assert {r[7] for r in rows[1:]} == {1}  # 2026-12-02 is one day after the date


def test_a_chain_task_inside_the_cycle_carries_its_step(login_as, session):
    admin = login_as("zlc_admin")
    admin.post("/cycle/", data={"year": "2026", "levels": "person", **FORM})
    teacher = login_as("t01")
    inbox = page(teacher, "/tasks")
    assert "教师发展目标（2025-2027）" in inbox and 'data-testid="cycle-step">1 确定目标<' in inbox
    task = session.scalar(
        select(HumanTask).where(HumanTask.subject_id == own_subject(session, "t01").id, HumanTask.state == "open")
    )
    assert task.step == 1 and session.get(Document, task.document_id).doc_type == "target"
    assert "年度诊改 · 1 确定目标" in page(teacher, f"/tasks/{task.id}")
    rows = teacher.get("/api/v1/tasks").get_json()["items"]
    assert [r["step"] for r in rows if r["id"] == task.id] == [1]
    assert date.fromisoformat(FORM_DATES["target"]) == task.due_at.astimezone(TZ).date()


def test_the_modeler_offers_cycle_steps_and_checks_the_due_fallback(login_as):
    from pathlib import Path

    office = login_as("zlc_admin")
    assert 'id="zg-modeler"' in page(office, "/processes/cycle_person")
    steps = office.get("/processes/cycle_person/options.json").get_json()["steps"]
    assert steps[0] == ["1", "1 确定目标"] and ["11", "11 学校复核诊断结论反馈"] in steps
    assert ["2", "2 制定基本标准"] in steps and ["3", "3 研制模板"] in steps  # school-level steps have tasks
    owner = login_as("rsc_reviewer")
    assert owner.get("/processes/chain_teacher/options.json").get_json()["steps"] == []  # not a cycle
    teacher = (Path(__file__).resolve().parents[2] / "workflows" / "chain_teacher.bpmn").read_text(encoding="utf-8")
    ok = owner.post("/processes/chain_teacher/validate", json={"xml": teacher}).get_json()
    assert ok["ok"] is True
    bad = teacher.replace("=step_due|P14D", "=step_due|two weeks")
    refused = owner.post("/processes/chain_teacher/validate", json={"xml": bad}).get_json()
    assert refused["ok"] is False and refused["problems"][0]["element_id"] == "edit_document"


def test_the_run_page_names_the_subjects_that_could_not_start(login_as, session):
    subject = own_subject(session, "t05")
    cycle.start_for_subject(session, subject, 2026, cycle.default_dues(2027, TZ), None, NOW)  # targets being written
    session.flush()
    admin = login_as("zlc_admin")
    response = admin.post("/cycle/", data={"year": "2027", "levels": "person", **FORM})
    html = page(admin, response.headers["Location"])
    assert "以下 1 个主体未能启动" in html and subject.name in html and "正在2026年度的诊改周期中办理" in html


def test_a_return_in_step_1_is_not_shown_on_step_4(login_as, session):
    """The 已退回修改 banner belongs to the task a return sent back, not to every later step of the cycle."""
    from engine.workflow import runtime
    from tests.conftest import user
    from tests.workflows.test_cycle import do, future_dues, open_tasks

    instance = cycle.start_for_subject(session, own_subject(session, "t01"), 2026, future_dues(), None, NOW)
    do(session, open_tasks(session, instance.id)[0])  # the target is submitted
    review = open_tasks(session, instance.id)[0]
    runtime.complete_task(session, user(session, "dzxy_reviewer"), review.id,
                          {"decision": "return", "comment": "目标请量化"}, NOW)  # fmt: skip
    again = open_tasks(session, instance.id)[0]
    teacher = login_as("t01")
    page = teacher.get(f"/tasks/{again.id}").get_data(as_text=True)
    assert 'data-testid="return-comment"' in page and "目标请量化" in page and "赵院审" in page
    do(session, again)
    do(session, open_tasks(session, instance.id)[0])  # approved: step 4 begins
    (standard,) = open_tasks(session, instance.id)
    assert session.get(HumanTask, standard.id).step == 4
    page = teacher.get(f"/tasks/{standard.id}").get_data(as_text=True)
    assert 'data-testid="return-comment"' not in page  # (the comment stays in the history below)


def test_a_lead_department_confirms_its_basic_standards_and_templates(login_as, session):
    admin = login_as("zlc_admin")
    start_everything(session, admin)
    jwc = login_as("jwc_reviewer")
    inbox = page(jwc, "/tasks")
    task_url = next(u for u in links(inbox, "/tasks/") if "2 制定基本标准（教务处）" in page(jwc, u))
    html = page(jwc, task_url)
    assert 'data-testid="confirm-form"' in html and 'href="/standards"' in html and "本年无需修订" in html
    assert "专业分级建设基本标准" in page(jwc, "/standards")  # the link opens the basic standards it revises
    refused = jwc.post(task_url, data={"decision": "unchanged", "comment": ""})
    assert refused.status_code == 400 and "请说明无需修订或优化的理由" in refused.get_data(as_text=True)
    done = jwc.post(task_url, data={"decision": "revised", "comment": "修订课程分级建设基本标准的线上课程比例"})
    assert done.status_code == 302
    templates_url = next(u for u in links(page(jwc, "/tasks"), "/tasks/") if "3 研制模板（教务处）" in page(jwc, u))
    html = page(jwc, templates_url)
    assert 'href="/form-templates/"' in html and "确认本年度模板的研制或修订" in html
    progress = page(admin, "/cycle/progress?year=2026")
    assert "修订课程分级建设基本标准的线上课程比例" in progress and "已修订" in progress
    assert re.findall(r'data-testid="school-task" data-step="(\d)"', progress).count("3") == 1
    programs = page(admin, "/cycle/progress/subjects?year=2026&level=program&q=物联网")
    assert programs.count('data-testid="pilot"') == 1  # the demo's pilot major 物联网应用技术 is marked in the list
