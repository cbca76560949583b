"""Basic standards (seed table 10) through the pages: the list and a standard's page as a teacher reads them,
a revision run end to end (教务处 drafts on its task page, a leader of the 诊改工作委员会 审定, a new version
is published with the changed criteria), and `criteria_for` as the diagnosis will read it."""

from __future__ import annotations

from sqlalchemy import select

from engine import standards
from engine.models import BasicStandard, Document, HumanTask, TaskCandidate
from engine.org import principal
from forms.basic_standards import catalogue
from tests.conftest import NOW, form_fields, login, user


def _standard(session, key) -> BasicStandard:
    return session.scalar(select(BasicStandard).where(BasicStandard.key == key))


def test_the_27_standards_of_table_10_by_lead_department(login_as, session):
    assert len(catalogue()) == 27
    page = login_as("t01").get("/standards").get_data(as_text=True)
    assert page.count('data-testid="standard-BS') == 27
    assert "专业分级建设基本标准" in page and "国家级、市级、学校骨干、学校一般" in page
    assert "学校在线开放/精品资源共享" in page  # 课程分级建设基本标准's levels
    assert page.count(">已发布</span>") == 27  # the demo school adopted all of them
    hr = login_as("t01").get("/standards?lead=human_resources").get_data(as_text=True)
    assert hr.count('data-testid="standard-BS') == 5 and "教师负面清单" in hr and "专业设置基本标准" not in hr


def test_the_demo_year_has_two_revisions_under_way(demo_year_app, demo_year_session):
    """专业分级建设基本标准 waits in 教务处's inbox, 教师负面清单 in the inbox of the work committee's chairs."""
    revising = login(demo_year_app.test_client(), "t01").get("/standards?status=revising").get_data(as_text=True)
    assert revising.count('data-testid="standard-BS') == 2
    drafter = login(demo_year_app.test_client(), "jwc_staff").get("/tasks").get_data(as_text=True)
    assert "专业分级建设基本标准" in drafter
    chair = login(demo_year_app.test_client(), "xiaozhang").get("/tasks").get_data(as_text=True)
    assert "教师负面清单" in chair


def test_a_standard_shows_its_criteria_versions_and_next_revision(login_as, session):
    s = _standard(session, "BS13")  # 专业实训条件基本标准
    client = login_as("t01")
    page = client.get(f"/standards/{s.id}").get_data(as_text=True)
    assert "生均校内实践教学工位数" in page and "≥ 0.5" in page and "v1" in page
    due = standards.next_revision_due(NOW.date(), 3)
    assert f'data-testid="next-due">{due}' in page
    assert 'data-testid="start-revision"' not in page  # a teacher does not revise it
    listed = client.get("/standards").get_data(as_text=True)
    assert f'href="/standards/{s.id}"' in listed


def test_students_see_no_standards(login_as, session):
    client = login_as("s01")
    assert client.get("/standards").status_code == 404
    assert client.get(f"/standards/{_standard(session, 'BS01').id}").status_code == 404


def test_criteria_for_reads_the_published_version(session):
    major = standards.criteria_for(session, "major")
    assert {c["standard"] for c in major} == {"BS08", "BS09", "BS13", "BS19"}
    graded = standards.criteria_for(session, "BS09")
    assert {c["level"] for c in graded} == {"国家级", "市级", "学校骨干", "学校一般"}
    first = graded[0]
    assert set(first) == {"standard", "name", "version", "level", "indicator", "threshold", "unit", "source"}
    assert standards.criteria_for(session, "nothing") == []


def test_a_revision_runs_from_the_lead_department_to_the_work_committee(login_as, session):
    s = _standard(session, "BS13")  # 教务处's, published
    drafter = login_as("jwc_staff")
    page = drafter.get(f"/standards/{s.id}").get_data(as_text=True)
    assert 'data-testid="start-revision"' in page
    response = drafter.post(f"/standards/{s.id}/revise")
    assert response.status_code == 302
    task_url = response.headers["Location"]
    task_page = drafter.get(task_url).get_data(as_text=True)
    assert "生均校内实践教学工位数" in task_page
    doc = session.get(Document, s.document_id)
    session.refresh(doc)
    data = doc.data
    data["rows"][0]["cells"]["threshold"] = "≥ 0.8"
    fields = form_fields(data) | {"header-note": "提高工位标准", "action": "submit"}
    fields |= {f"sections-{i}-key": x["key"] for i, x in enumerate(data["sections"])}
    assert drafter.post(task_url, data=fields).status_code == 302
    listed = login_as("t01").get("/standards?status=revising").get_data(as_text=True)
    assert "专业实训条件基本标准" in listed
    # the work committee's leaders are offered the 审定 (committee lane), a teacher is not
    review = session.scalar(
        select(HumanTask).where(HumanTask.instance_id == doc.instance_id, HumanTask.state == "open")
    )
    offered = set(session.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == review.id)))
    leaders = {
        str(principal.Principal.user(user(session, n).id)) for n in ("shuji", "xiaozhang", "fxz_jiang", "fxz_he")
    }
    assert offered == leaders
    assert login_as("t01").get(f"/tasks/{review.id}").status_code == 404
    chair = login_as("shuji")
    assert f'href="/tasks/{review.id}"' in chair.get("/tasks").get_data(as_text=True)  # in the chair's inbox
    assert "诊改工作委员会审定" in chair.get(f"/tasks/{review.id}").get_data(as_text=True)
    done = chair.post(f"/tasks/{review.id}", data={"decision": "approve", "comment": "同意"})
    assert done.status_code == 302
    page = login_as("t01").get(f"/standards/{s.id}").get_data(as_text=True)
    assert "v2" in page and "≥ 0.8" in page and "提高工位标准" in page
    assert standards.criteria_for(session, "BS13")[0]["threshold"] == "≥ 0.8"


def test_a_second_revision_while_one_runs_is_refused(login_as, session):
    s = _standard(session, "BS09")
    task = standards.start_revision(session, user(session, "jwc_staff"), s.id, NOW)
    client = login_as("jwc_staff")
    assert "级别：国家级" in client.get(f"/tasks/{task.id}").get_data(as_text=True)  # a graded standard's levels
    response = client.post(f"/standards/{s.id}/revise", follow_redirects=True)
    assert "正在修订中" in response.get_data(as_text=True)
    assert 'data-testid="revising"' in response.get_data(as_text=True)


def test_only_the_lead_department_starts_a_revision(login_as, session):
    s = _standard(session, "BS03")  # 人力资源处's
    other = _standard(session, "BS13")
    assert login_as("jwc_staff").post(f"/standards/{_standard(session, 'BS04').id}/revise").status_code == 404
    assert login_as("t01").post(f"/standards/{other.id}/revise").status_code == 404
    assert 'data-testid="start-revision"' in login_as("rsc_reviewer").get(f"/standards/{s.id}").get_data(as_text=True)
