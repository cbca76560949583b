"""Table 39 on the pages: the 预警类型 page by role, the blank providers, a quality accident's 认定与处理."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from sqlalchemy import select

from engine.models import OrgUnit, QualityWarning, WarningTypeProvider
from engine.warnings import catalogue
from tests.conftest import NOW, own_subject


def rows_of(page: str) -> list[str]:
    return re.findall(r'<tr data-type="([a-z_]+)"', page)


def test_the_types_page_lists_table_39_for_staff_and_is_hidden_from_students(login_as, session):
    t04 = own_subject(session, "t04")
    catalogue.raise_below(session, "teaching_workload", [(t04.id, date(2025, 12, 1), {"hours": 200})], NOW, Counter())
    session.flush()
    hr = login_as("rsc_reviewer")
    index = hr.get("/warnings").get_data(as_text=True)
    assert 'data-testid="warning-types-link"' in index and "教学工作量没有达到基本标准" in index
    page = hr.get("/warnings/types").get_data(as_text=True)
    assert len(rows_of(page)) == 24 and "学生课堂学习没有达到基本标准" in page and "学习委员" in page
    assert "人力资源处" in page and "保卫处" in page and "未确定" in page  # blank providers, not set yet
    assert 'name="provider_' not in page and 'data-testid="save-providers"' not in page  # read only
    link = re.search(r'href="([^"]+)" data-testid="open-teaching_workload">1<', page).group(1)
    listed = hr.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert listed.count("data-warning-id=") == 1 and 'data-testid="type-filter"' in listed
    assert "刘洋" in listed
    teacher = login_as("t01").get("/warnings/types").get_data(as_text=True)
    assert 'data-testid="open-teaching_workload"' not in teacher  # another's warning: not counted for t01
    assert login_as("s01").get("/warnings/types").status_code == 404
    assert login_as("s01").post("/warnings/types", data={"provider_course_setup": "x"}).status_code == 404


def test_the_quality_office_sets_the_blank_providers_and_bad_input_changes_nothing(login_as, session):
    office = login_as("zlc_admin")
    page = office.get("/warnings/types").get_data(as_text=True)
    assert page.count('name="provider_') == 5 and 'data-testid="save-providers"' in page
    bad = office.post("/warnings/types", data={"provider_course_setup": "教务系统", "provider_course_term": "x" * 101})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'data-testid="error-provider_course_term"' in text
    assert "信息提供方不能超过 100 字" in text and 'value="教务系统"' in text  # what was typed stays
    assert session.scalars(select(WarningTypeProvider)).all() == []
    saved = office.post("/warnings/types", data={"provider_course_setup": "教务系统"}, follow_redirects=True)
    assert "已保存信息提供方（1 项）" in saved.get_data(as_text=True)
    shown = login_as("jwc_staff").get("/warnings/types").get_data(as_text=True)
    assert re.search(r'data-testid="provider-course_setup">\s*教务系统', shown)
    assert login_as("jwc_staff").post("/warnings/types", data={"provider_course_setup": "x"}).status_code == 404


def test_a_teaching_accident_through_its_procedure_on_the_pages(login_as, session):
    jwc = login_as("jwc_reviewer")
    college = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "DZXY"))
    form = {"kind": "quality_accident", "level": "yellow", "org_unit_id": str(college), "title": "期中试卷印错",
            "description": "两个班发放了上学期的试卷。"}  # fmt: skip
    assert 'data-testid="concerns"' in jwc.get("/warnings/new").get_data(as_text=True)
    missing = jwc.post("/warnings/new", data=form)
    assert missing.status_code == 400 and "请选择事故涉及的人员" in missing.get_data(as_text=True)
    assert session.scalar(select(QualityWarning).where(QualityWarning.title == "期中试卷印错")) is None
    shown = jwc.post("/warnings/new", data={**form, "concerns": "teacher_teaching"}, follow_redirects=True)
    page = shown.get_data(as_text=True)
    w = session.scalar(select(QualityWarning).where(QualityWarning.title == "期中试卷印错"))
    assert w.org_unit.code == "JWC" and 'data-testid="accident-procedure"' in page and 'data-stage="reported"' in page
    assert "教师（教学事故）" in page and 'data-testid="accident-propose"' not in page  # not 教务处's step
    url = f"/warnings/{w.id}/accident"
    early = jwc.post(f"{url}/record", data={"note": "已处理"})
    assert early.status_code == 409 and "请先由诊改办公室或工作组提出等级认定建议" in early.get_data(as_text=True)

    office = login_as("zlc_admin")
    proposal = office.get(f"/warnings/{w.id}").get_data(as_text=True)
    assert 'data-testid="accident-propose"' in proposal
    assert re.search(r'id="grade-critical" value="critical"\s*>\s*<label[^>]*>特别严重<', proposal)
    no_grade = office.post(f"{url}/propose", data={"note": "影响较大"})
    assert no_grade.status_code == 400 and 'data-testid="error-grade"' in no_grade.get_data(as_text=True)
    assert office.post(f"{url}/propose", data={"grade": "serious", "note": "影响约 60 名学生"}).status_code == 302

    page = jwc.get(f"/warnings/{w.id}").get_data(as_text=True)
    assert 'data-testid="accident-decide"' in page and 'id="grade-critical"' in page
    assert "事故所在单位当年的发展性考核一票否决" in page
    bad_grade = jwc.post(f"{url}/decide", data={"grade": "catastrophic", "note": "x"})
    assert bad_grade.status_code == 400 and "请选择事故等级" in bad_grade.get_data(as_text=True)
    assert jwc.post(f"{url}/decide", data={"grade": "general", "note": "已重考"}).status_code == 302
    assert 'data-testid="resolve"' not in jwc.get(f"/warnings/{w.id}").get_data(as_text=True)  # handling first
    resolve_early = jwc.post(f"/warnings/{w.id}/resolve", data={"note": "完成"})
    assert resolve_early.status_code == 409 and "记录处理结果" in resolve_early.get_data(as_text=True)
    no_text = jwc.post(f"{url}/record", data={"note": ""})
    assert no_text.status_code == 400 and "请填写处理结果" in no_text.get_data(as_text=True)
    assert jwc.post(f"{url}/record", data={"note": "命题教师约谈，双人核对"}).status_code == 302
    assert jwc.post(f"/warnings/{w.id}/resolve", data={"note": "整改完成"}).status_code == 302
    final = jwc.get(f"/warnings/{w.id}").get_data(as_text=True)
    assert 'data-stage="recorded"' in final and 'data-testid="accident-grade">一般<' in final
    assert [a for a in re.findall(r'data-action="([a-z_]+)"', final)] == [
        "report", "propose", "decide", "record", "resolve"]  # fmt: skip
    assert login_as("t06").get(f"/warnings/{w.id}").status_code == 404


def test_the_demo_year_shows_table_39_warnings(demo_year_app):
    from tests.conftest import login

    office = login(demo_year_app.test_client(), "zlc_admin")
    page = office.get("/warnings/types").get_data(as_text=True)
    assert 'data-testid="open-teaching_workload">1<' in page and 'data-testid="open-safety_hazard">1<' in page
    assert 'data-testid="open-counselor_accident">1<' in page and 'value="教务系统（学生评教）"' in page
    resolved = office.get("/warnings?status=resolved&type=teacher_accident").get_data(as_text=True)
    link = re.search(r'href="(/warnings/\d+)"', resolved.split('data-testid="warning-table"')[1]).group(1)
    accident = office.get(link).get_data(as_text=True)
    assert 'data-stage="recorded"' in accident and "一般" in accident and "严重" in accident
    xgb = login(demo_year_app.test_client(), "xgb_reviewer")
    waiting = xgb.get("/warnings?type=counselor_accident").get_data(as_text=True)
    link = re.search(r'href="(/warnings/\d+)"', waiting.split('data-testid="warning-table"')[1]).group(1)
    assert 'data-testid="accident-decide"' in xgb.get(link).get_data(as_text=True)
