"""质量管理处 starts a school year's cycle from the browser and follows the progress."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.models import CycleInstance


def test_only_monitors_reach_the_cycle_pages(login_as):
    assert login_as("t01").get("/cycle/").status_code == 404
    assert login_as("dzxy_reviewer").get("/cycle/progress").status_code == 404
    page = login_as("zlc_admin").get("/cycle/?year=2026").get_data(as_text=True)
    assert "启动本年度诊改" in page and "教师 / 学生" in page and 'value="2026-11-30"' in page


def test_start_the_year_and_follow_progress(login_as, session):
    admin = login_as("zlc_admin")
    bad = admin.post("/cycle/", data={"year": "2026"})
    assert bad.status_code == 400 and "请至少选择一个层级" in bad.get_data(as_text=True)
    bad_date = admin.post("/cycle/", data={"year": "2026", "levels": "person", "due_diagnosis": "2026-13-01"})
    assert bad_date.status_code == 400 and "YYYY-MM-DD" in bad_date.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(CycleInstance)) == 0

    response = admin.post("/cycle/", data={"year": "2026", "levels": "person", "due_diagnosis": "2026-12-15"})
    assert response.status_code == 302
    run_url = response.headers["Location"]
    status = admin.get(run_url + ".json").get_json()
    assert status == {"id": status["id"], "status": "finished", "total": 50, "done": 50}
    assert "100%" in admin.get(run_url).get_data(as_text=True)
    progress = admin.get("/cycle/progress?year=2026&level=person").get_data(as_text=True)
    assert "张伟" in progress and "填写并提交" in progress
    teacher = login_as("t01")
    assert "教师发展目标（2025-2027）" in teacher.get("/tasks").get_data(as_text=True)
