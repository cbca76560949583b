"""平台数据 where a subject is judged: the 自我诊断记录, the document page (平台数据分析 on the self-diagnosis) and
the 规定性诊断 pages show the subject's indicators with their criteria; an outsider gets no panel or a 404."""

from __future__ import annotations

import re

from sqlalchemy import delete, select

from engine import feeds
from engine.models import BasicStandard, Document, FeedDefinition, FeedRecord, QualityWarning, Subject
from engine.warnings import rules
from tests.conftest import NOW, login, page
from tests.web.test_feeds import _push as push_api
from tests.web.test_feeds import _token


def _push(session, feed_key: str, rows: list[tuple[str, str, dict]]) -> None:
    feed = session.scalar(select(FeedDefinition).where(FeedDefinition.key == feed_key))
    records = [{"record_key": f"pd-{source}-{day}", "source": source, "occurred_on": day, "values": values}
               for source, day, values in rows]  # fmt: skip
    feeds.ingest(session, feed, records, "api", NOW)
    session.flush()


def _subject(session, code: str) -> Subject:
    return session.scalar(select(Subject).where(Subject.code == code))


def _row(html: str, testid: str) -> str:
    found = re.search(rf'<tr data-testid="{testid}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, testid
    return found.group(1)


def test_the_course_team_sees_platform_data_analysis_on_the_record_and_the_self_diagnosis(
    demo_year_app, demo_year_session
):
    demo_year_session.execute(delete(FeedRecord).where(FeedRecord.feed_key == "teaching_evaluation"))
    _push(demo_year_session, "teaching_evaluation", [
        ("t07", "2025-06-20", {"score": 88.5}), ("t07", "2026-06-20", {"score": 86.5}),
        ("t06", "2026-06-20", {"score": 70.5}),
    ])  # fmt: skip
    course = _subject(demo_year_session, "RJ1002")  # Web 前端开发: team t07, t06
    client = login(demo_year_app.test_client(), "t07")
    html = page(client, f"/cycle/record/{course.id}/2026")
    assert 'data-testid="platform-data"' in html and "平台数据分析" in html
    score = _row(html, "indicator-teaching_evaluation-score")
    assert "88.5" in score and "78.5" in score and "1/2 未达标" in score  # 2026: (86.5 + 70.5) / 2, t06 below
    assert "≥ 80" in score and "BS12" in score and "未达标" in score
    assert 'data-testid="platform-data-charts"' in html and "feed_charts.js" in html  # two years: drawn
    assert "/static/charts.js?v=" in html  # the common ECharts set-up
    # the self-diagnosis document (步骤 7) shows the same analysis in its header
    diagnosis = demo_year_session.scalar(
        select(Document).where(Document.subject_id == course.id, Document.doc_type == "diagnosis")
    )
    doc_html = page(client, f"/documents/{diagnosis.id}")
    assert "平台数据分析" in doc_html and 'data-testid="indicator-teaching_evaluation-score"' in doc_html


def test_an_outsider_gets_404_and_a_sampling_expert_who_judges_sees_the_data(demo_year_app, demo_year_session):
    course = _subject(demo_year_session, "RJ1002")
    diagnosis = demo_year_session.scalar(
        select(Document).where(Document.subject_id == course.id, Document.doc_type == "diagnosis")
    )
    for outsider in ("t02", "s01"):  # another college's teacher, a student
        client = login(demo_year_app.test_client(), outsider)
        page(client, f"/cycle/record/{course.id}/2026", 404)
        page(client, f"/documents/{diagnosis.id}", 404)
    expert = login(demo_year_app.test_client(), "t01")  # wrote the school's sampling review of the course
    assert 'data-testid="platform-data"' in page(expert, f"/cycle/record/{course.id}/2026")


def test_the_prescriptive_diagnosis_shows_the_subjects_data_against_the_standard(session, login_as):
    session.execute(delete(FeedRecord).where(FeedRecord.feed_key == "teaching_evaluation"))
    _push(session, "teaching_evaluation", [("t08", "2026-05-20", {"score": 72}), ("t10", "2026-05-20", {"score": 90})])
    bs12 = session.scalar(select(BasicStandard).where(BasicStandard.key == "BS12"))
    data_course = _subject(session, "RJ2001")  # 数据采集与清洗: team t08, t10
    jwc = login_as("jwc_reviewer")
    chosen = page(jwc, f"/standards/{bs12.id}/diagnoses/new?subject_id={data_course.id}&year=2026")
    assert "平台数据分析" in chosen
    score = _row(chosen, "indicator-teaching_evaluation-score")
    assert "81" in score and "1/2 未达标" in score and "达标" in score  # the mean of 72 and 90 meets ≥ 80


def _href(html: str, testid: str) -> str:
    found = re.search(rf'href="([^"]+)"[^>]*data-testid="{testid}"', html)
    assert found, testid
    return found.group(1)


def test_the_hubs_data_card_leads_to_process_data_and_for_the_lead_department_to_its_feeds(login_as):
    teacher = login_as("t01")
    hub = page(teacher, "/quality/")
    assert 'data-testid="card-data"' in hub and 'data-testid="card-data-feeds"' not in hub
    assert "过程数据" in page(teacher, _href(hub, "card-data-own"))
    jwc = login_as("jwc_reviewer")  # 教务处 leads 毕业生毕业, 实习管理, 学生课堂学习 (table 39) and table 37's
    hub = page(jwc, "/quality/")
    feeds_page = page(jwc, _href(hub, "card-data-feeds").split("#")[0])
    managed = feeds_page[feeds_page.index('data-testid="managed-feeds"') :]
    assert "毕业生毕业" in managed and "学生课堂学习" in managed and "表 39 管理过程" in managed
    shown = page(jwc, "/feeds/graduation")
    assert "表 39 管理过程" in shown and "修满学分" in shown


def test_a_monitor_enters_classroom_learning_and_a_staff_attendance_push_each_raise_one_warning(app, session, login_as):
    s01 = login_as("s01")
    assert "填报：学生课堂学习" in page(s01, "/feeds/")
    refused = s01.post("/feeds/classroom_learning/entry", data={"occurred_on": "2026-11-20", "v_homework_rate": "很好"})
    assert refused.status_code == 400 and "课堂作业完成率 应为数字" in refused.get_data(as_text=True)
    ok = s01.post("/feeds/classroom_learning/entry", data={"occurred_on": "2026-11-20", "v_homework_rate": "76"})
    assert ok.status_code == 302
    token = _token(login_as("rsc_reviewer"), "staff_attendance")  # 人力资源处 leads 职员出勤
    low = {"record_key": "ZY-1", "source": "dzb_staff", "occurred_on": "2026-10-31", "values": {"attendance_rate": 91}}
    assert push_api(app.test_client(), token, [low], "/api/v1/feeds/staff_attendance/records").status_code == 200
    rules.evaluate(session, NOW)
    rules.evaluate(session, NOW)  # a second tick raises nothing new
    warnings = [
        w for w in session.scalars(select(QualityWarning)) if w.type_key in ("classroom_learning", "staff_attendance")
    ]
    raised = {w.type_key: w for w in warnings}
    assert len(warnings) == len(raised) == 2
    assert "学生课堂学习没有达到基本标准" in raised["classroom_learning"].title
    assert "物联网应用技术专业学生综合素质培养" in raised["classroom_learning"].title  # the class's major's subject
    assert "职员出勤没有达到基本标准：党办干事" in raised["staff_attendance"].title
    assert "91" in page(login_as("dzb_staff"), "/feeds/")  # shown back to its 信息源


def test_the_demo_year_holds_three_years_of_table_39_data_and_its_warnings(demo_year_app, demo_year_session):
    types = demo_year_session.scalars(select(QualityWarning.type_key).where(QualityWarning.rule_key.like("t39:%")))
    assert {"staff_attendance", "teacher_training", "counselor_education", "classroom_learning", "internship"} <= set(
        types
    )
    hr = login(demo_year_app.test_client(), "rsc_reviewer")
    listing = page(hr, "/warnings")
    assert "职员出勤没有达到基本标准：基建后勤处干事" in listing and "师资培训没有达到基本标准：刘洋" in listing
    jhc = login(demo_year_app.test_client(), "jhc_staff")  # 基建后勤处's services go to its staff
    assert "宿舍卫生间水龙头漏水" in page(jhc, "/services/queue")
    college = _subject(demo_year_session, "RJXY")
    reviewer = login(demo_year_app.test_client(), "rjxy_office")  # the college office writes its documents
    html = page(reviewer, f"/cycle/record/{college.id}/2026")
    training = _row(html, "indicator-teacher_training-hours")
    assert "年度未结束" in training and "≥ 40" in training
