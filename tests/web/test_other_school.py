"""Another school: New York, where a date boundary falls differently from Shanghai, with target periods
counted from 2017 (2017-2019, 2020-2022, 2023-2025, 2026-2028). The pages and the tasks follow the settings.

The clock stands at 2026-12-31 19:00 UTC: 14:00 on New Year's Eve in New York, already 03:00 on
1 January 2027 in Shanghai.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine import scheduler
from engine.core.settings import Settings
from engine.cycle import annual
from engine.models import CycleInstance, Document, Notification, QualityWarning, ScheduledEffect
from engine.warnings import rules
from tests.conftest import own_subject, user
from tests.workflows.test_cycle import open_tasks

NY = ZoneInfo("America/New_York")
EVE = datetime(2026, 12, 31, 19, 0, tzinfo=UTC)
OTHER = Settings(timezone=NY, cycle_base_year=2017, digest_hour=7)
DATES = {
    "target": "2026-12-31", "basic_standard": "2026-12-31", "templates": "2026-12-31", "standard": "2027-01-10",
    "plan": "2027-01-20", "implementation": "2027-06-30",
    "diagnosis": "2027-07-10", "report": "2027-07-20", "upper_review": "2027-07-25", "school_review": "2027-07-31",
    "quality_report": "2027-07-31",
    "feedback": "2027-08-15",
}  # fmt: skip


@pytest.fixture
def settings():
    return OTHER


@pytest.fixture
def clock(clock):
    clock.now = EVE
    return clock


def test_my_documents_are_the_periods_of_the_school_s_year_and_base_year(login_as, session):
    teacher = login_as("t01")
    html = teacher.get("/my-documents").get_data(as_text=True)
    periods = re.findall(r'data-label="期限">([^<]*)<', html)
    # New York is still in 2026 (Shanghai: standard 2027); targets are the 2026-2028 block (base 2016: 2025-2027)
    assert set(periods) == {"2026-2028", "2026"}, periods
    response = teacher.post(
        "/my-documents/start", data={"subject_id": own_subject(session, "t01").id, "doc_type": "target"}
    )
    assert response.status_code == 302
    doc = session.scalar(
        select(Document).where(Document.subject_id == own_subject(session, "t01").id, Document.doc_type == "target")
    )
    assert doc.period == "2026-2028" and "（2026-2028）" in doc.title
    assert "（2026-2028）" in teacher.get(response.headers["Location"]).get_data(as_text=True)


def test_the_year_start_form_due_dates_and_digests_follow_the_school_s_clock(login_as, session):
    office = login_as("zlc_admin")
    html = office.get("/cycle/").get_data(as_text=True)
    assert "启动 2026 年度诊改" in html and "不得早于今天（2026-12-31）" in html
    # New Year's Eve is still today in New York (in Shanghai it has passed)
    data = {"year": "2026", "levels": "person", **{f"due_{k}": v for k, v in DATES.items()}}
    response = office.post("/cycle/", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]

    subject = own_subject(session, "t01")
    instance_id = session.scalar(select(CycleInstance.instance_id).where(CycleInstance.subject_id == subject.id))
    task = open_tasks(session, instance_id)[0]
    assert task.due_at == datetime(2026, 12, 31, 23, 59, 59, tzinfo=NY)  # end of the day in New York
    target = session.get(Document, task.document_id)
    assert target.period == "2026-2028"

    teacher = login_as("t01")
    page = teacher.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "截止 2026-12-31" in page and "已逾期" not in page
    arrived = session.scalar(
        select(Notification.body).where(Notification.user_id == user(session, "t01").id, Notification.kind == "task")
    )
    assert "截止：2026-12-31 23:59" in arrived  # the due moment on the school's clock

    # the overdue notice waits for the first 07:00 (New York) a day after the due moment: 2 January
    digest = datetime(2027, 1, 2, 7, 0, tzinfo=NY)
    overdue = session.scalar(
        select(ScheduledEffect.fire_at).where(
            ScheduledEffect.object_type == "human_task", ScheduledEffect.object_id == task.id,
            ScheduledEffect.effect == "overdue",
        )
    )  # fmt: skip
    assert overdue == digest
    mine = select(Notification.id).where(
        Notification.user_id == user(session, "t01").id, Notification.kind == "overdue"
    )
    scheduler.tick(session, digest - timedelta(minutes=1))
    assert session.scalars(mine).all() == []
    scheduler.tick(session, digest)
    assert len(session.scalars(mine).all()) == 1


TABLE = {
    "years": {
        "2026": [
            {"no": 1, "category": "工作标准制定", "task": "部门职责", "responsible": ["教务处"],
             "cooperating": [], "due_text": "12月31日", "note": ""},
            {"no": 2, "category": "工作标准制定", "task": "岗位标准", "responsible": ["教务处"],
             "cooperating": [], "due_text": "12月30日", "note": ""},
        ]
    }
}  # fmt: skip


def test_the_annual_board_and_its_warnings_count_the_school_s_days(login_as, session, clock):
    annual.instantiate(session, 2026, None, EVE, TABLE)
    session.flush()
    page = login_as("zlc_admin").get("/annual/2026").get_data(as_text=True)
    status = dict(re.findall(r'<tr id="row-(\d+)" data-status="(\w+)"', page))
    # due today in New York (overdue in Shanghai since 03:00), and yesterday
    assert status == {"1": "due_soon", "2": "overdue"}, status

    keys = select(QualityWarning.rule_key).where(QualityWarning.object_type == "annual_task")
    rules.evaluate(session, EVE)
    assert [k[-10:] for k in session.scalars(keys)] == ["2026-12-30"]  # row 1 is not late on the school's calendar
    rules.evaluate(session, datetime(2027, 1, 1, 0, 30, tzinfo=NY))  # just after midnight in New York
    assert sorted(k[-10:] for k in session.scalars(keys)) == ["2026-12-30", "2026-12-31"]
