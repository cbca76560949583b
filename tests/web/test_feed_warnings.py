"""Issue #17's done-when across the two halves: a value pushed through a feed's API that falls below the basic
standard raises the right table 39 warning, once, for the right department (engine/feeds -> engine/warnings)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.models import OrgFunction, QualityWarning, Subject
from engine.warnings import rules
from tests.conftest import NOW
from tests.web.test_feeds import _push, _token

DAY = (NOW.date() - timedelta(days=3)).isoformat()
URL = "/api/v1/feeds/teaching_evaluation/records"


def _course_teaching(session) -> list[QualityWarning]:
    return session.scalars(select(QualityWarning).where(QualityWarning.type_key == "course_teaching")).all()


def test_a_pushed_evaluation_below_the_basic_standard_raises_one_warning_for_academic_affairs(app, session, login_as):
    token = _token(login_as("xgb_reviewer"), "teaching_evaluation")  # 学生评教: led by 党委学生工作部
    api = app.test_client()
    good = {"record_key": "PJ-T04", "source": "t04", "occurred_on": DAY, "values": {"score": 91}}
    low = [{"record_key": f"PJ-T05-{i}", "source": "t05", "occurred_on": DAY, "values": {"score": s}}
           for i, s in enumerate((72, 76))]  # fmt: skip
    assert _push(api, token, [good, *low], URL).status_code == 200
    assert _course_teaching(session) == []

    rules.evaluate(session, NOW)
    (warning,) = _course_teaching(session)  # t05 below BS12's 学生评教得分, t04 above it: one warning
    t05 = session.scalar(select(Subject).where(Subject.code == "t05"))
    academic = session.scalar(select(OrgFunction.org_unit_id).where(OrgFunction.key == "academic_affairs"))
    assert warning.org_unit_id == academic  # table 39: 课程教学 goes to 教务处
    assert warning.object_id == t05.id and warning.responsible_user_id == t05.user_id
    assert "课程教学没有达到教学基本标准" in warning.title

    rules.evaluate(session, NOW + timedelta(hours=1))  # the next tick raises nothing new
    assert len(_course_teaching(session)) == 1
