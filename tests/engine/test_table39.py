"""Table 39: the 24 warning types, the below-standard rules over plain tuples, the quality-accident procedure."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine import org
from engine.core.errors import Conflict, InvalidInput, NotFound
from engine.models import AuditEntry, OrgUnit, QualityWarning
from engine.warnings import accidents, catalogue, rules, table39
from engine.warnings import service as warnings
from tests.conftest import NOW, own_subject, user

BS05 = [{"level": None, "indicator": "年教学工作量", "threshold": "≥ 280", "unit": "课时"},
        {"level": None, "indicator": "年科研工作量", "threshold": "≥ 60", "unit": "分"}]  # fmt: skip


def ps(session, username):
    u = user(session, username)
    return u, org.principals_of(session, u.id)


def unit_code(session, unit_id) -> str:
    return session.get(OrgUnit, unit_id).code


def test_table_39_has_its_24_rows_with_lead_department_source_and_provider():
    assert len(table39.TYPES) == 24 and len(table39.BY_KEY) == 24
    t = table39.BY_KEY["teaching_workload"]
    assert (t.case, t.lead, t.source, t.provider, t.standard) == (
        "教学工作量没有达到基本标准",
        ("human_resources",),
        "教师",
        "教务系统",
        "BS05",
    )
    assert table39.BY_KEY["classroom_learning"].provider == "学习委员"
    assert table39.BY_KEY["graduation"].provider == "教务处"
    assert table39.BY_KEY["safety_hazard"].lead == ("security_office",)
    blank = [t.key for t in table39.TYPES if not t.provider]
    assert blank == ["major_term", "course_setup", "course_term", "course_teaching", "training_conditions"]
    assert {t.kind for t in table39.TYPES} == set(warnings.KINDS)


def test_thresholds_are_read_as_the_standards_store_them():
    assert table39.parse_threshold("≥ 280")(280) and not table39.parse_threshold("≥ 280")(279.5)
    assert table39.parse_threshold("= 0")(0) and not table39.parse_threshold("= 0")(1)
    assert table39.parse_threshold("≤ 18")(18) and not table39.parse_threshold("≤ 18")(19)
    assert table39.parse_threshold("有")("有") and not table39.parse_threshold("有")("无")
    assert table39.parse_threshold("按处分等级 5-20") is None  # a rule people apply: not checked
    assert not table39.parse_threshold("≥ 1")("abc")


def test_a_subject_below_the_standard_is_found_once_per_period_and_sums_wait_for_the_year_end():
    t = table39.BY_KEY["teaching_workload"]
    rows = [(1, date(2025, 6, 1), {"hours": 100}), (1, date(2025, 12, 1), {"hours": 120}),
            (2, date(2025, 6, 1), {"hours": 300}), (None, date(2025, 6, 1), {"hours": 1}),
            (1, date(2026, 6, 1), {"hours": 10})]  # fmt: skip
    found = table39.check_below(t, rows, BS05, date(2026, 11, 24))
    failed = [("年教学工作量", 220, "≥ 280", "课时")]
    assert [(f.subject_id, f.period, f.failed) for f in found] == [(1, "2025", failed)]
    assert found[0].rule_key == "t39:teaching_workload:1:2025"  # 2026 is not over: its total is not judged yet
    assert table39.check_below(t, rows, [], date(2026, 11, 24)) == []  # no published criterion, no finding
    learning = table39.BY_KEY["classroom_learning"]
    rates = [(5, date(2026, 10, 1), {"homework_rate": 80}), (5, date(2026, 11, 1), {"homework_rate": 90})]
    crit = [{"level": None, "indicator": "课堂作业完成率", "threshold": "≥ 90", "unit": "%"}]
    assert table39.check_below(learning, rates, crit, date(2026, 11, 24))[0].failed == [
        ("课堂作业完成率", 85.0, "≥ 90", "%")
    ]  # a rate is the period's mean, judged as it runs


def test_a_workload_below_the_standard_raises_the_table_39_warning_at_human_resources_once(session):
    t04, t01 = own_subject(session, "t04"), own_subject(session, "t01")
    rows = [(t04.id, date(2025, 6, 20), {"hours": 110}), (t04.id, date(2025, 12, 20), {"hours": 96}),
            (t01.id, date(2025, 6, 20), {"hours": 150}), (t01.id, date(2025, 12, 20), {"hours": 160})]  # fmt: skip
    out = Counter()
    raised = catalogue.raise_below(session, "teaching_workload", rows, NOW, out)
    assert out["raised"] == 1 and len(raised) == 1
    w = raised[0]
    assert (w.kind, w.type_key, w.rule_key) == ("below_basic_standard", "teaching_workload",
                                                f"t39:teaching_workload:{t04.id}:2025")  # fmt: skip
    assert unit_code(session, w.org_unit_id) == "RSC"  # 人力资源处 leads the row, not the teacher's college
    assert w.responsible_user_id == user(session, "t04").id
    assert "年教学工作量：206课时（基本标准：≥ 280课时）" in w.description and "电子与物联网学院" in w.description
    again = Counter()
    assert catalogue.raise_below(session, "teaching_workload", rows, NOW + timedelta(days=1), again) == []
    assert again["raised"] == 0
    assert session.query(QualityWarning).filter(QualityWarning.type_key == "teaching_workload").count() == 1


def test_the_scheduler_tick_reads_the_feeds_when_they_exist(session, monkeypatch):
    t04 = own_subject(session, "t04")
    asked = []

    def values_of(s, feed_key, since, until):
        asked.append((feed_key, since, until))
        return [(t04.id, date(2025, 12, 1), {"points": 12})] if feed_key == "research_workload" else []

    monkeypatch.setattr(catalogue, "values_reader", lambda: values_of)
    assert rules.evaluate(session, NOW).get("raised", 0) >= 1
    assert ("research_workload", date(2025, 1, 1), date(2026, 11, 24)) in asked
    assert {k for k, *_ in asked} == set(table39.FEED_KEYS)
    w = session.scalar(select(QualityWarning).where(QualityWarning.type_key == "research_workload"))
    assert unit_code(session, w.org_unit_id) == "RSC" and "年科研工作量：12分" in w.description
    assert rules.evaluate(session, NOW + timedelta(hours=1)).get("raised", 0) == 0  # nothing new


def report_accident(session, username="jwc_reviewer", concerns="teacher_teaching"):
    u, p = ps(session, username)
    college = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "DZXY"))
    fields = {"kind": "quality_accident", "concerns": concerns, "level": "yellow", "org_unit_id": str(college),
              "title": "期中考试试卷印错", "description": "两个班发放了上学期的试卷。"}  # fmt: skip
    return warnings.report(session, u, p, fields, NOW)


@pytest.mark.parametrize(("concerns", "lead", "type_key"), [
    ("staff", "DZB", "staff_accident"), ("teacher_teaching", "JWC", "teacher_accident"),
    ("teacher_ethics", "RSC", "teacher_accident"), ("teacher_other", "ZLC", "teacher_accident"),
    ("counselor", "XGB", "counselor_accident"),
])  # fmt: skip
def test_a_quality_accident_goes_to_the_department_of_whom_it_concerns(session, concerns, lead, type_key):
    w = report_accident(session, concerns=concerns)
    assert unit_code(session, w.org_unit_id) == lead and w.type_key == type_key
    assert w.details["concerned_unit"] == "电子与物联网学院" and w.details["procedure"] == {"stage": "reported"}


def test_an_accident_report_must_say_whom_it_concerns(session):
    with pytest.raises(InvalidInput) as bad:
        report_accident(session, concerns="")
    assert set(bad.value.fields) == {"concerns"}


def test_the_accident_procedure_in_order_by_the_right_people_each_step_audited(session):
    w = report_accident(session)  # a teaching accident: 教务处 decides
    office, office_ps = ps(session, "zlc_admin")
    jwc, jwc_ps = ps(session, "jwc_reviewer")
    t01, t01_ps = ps(session, "t01")
    with pytest.raises(Conflict) as early:
        accidents.step(session, jwc, jwc_ps, w.id, "decide", {"grade": "general", "note": "x"}, NOW)
    assert early.value.message == "请先由诊改办公室或工作组提出等级认定建议"
    staff_accident = report_accident(session, concerns="staff")  # 党政办公室 decides
    shuji, shuji_ps = ps(session, "shuji")  # of 党政办公室, in no 诊改工作组
    with pytest.raises(Conflict) as not_theirs:
        accidents.step(session, shuji, shuji_ps, staff_accident.id, "propose", {"grade": "general", "note": "x"}, NOW)
    assert not_theirs.value.message == "等级认定建议由诊改办公室或诊改工作组提出"
    with pytest.raises(NotFound):  # a teacher of the college does not even see it
        accidents.step(session, t01, t01_ps, w.id, "propose", {"grade": "general", "note": "x"}, NOW)
    with pytest.raises(InvalidInput) as bad:
        accidents.step(session, office, office_ps, w.id, "propose", {"grade": "big", "note": ""}, NOW)
    assert set(bad.value.fields) == {"grade"}
    assert accidents.allowed_steps(session, office, office_ps, w) == ["propose"]
    assert accidents.allowed_steps(session, shuji, shuji_ps, staff_accident) == []
    accidents.step(session, office, office_ps, w.id, "propose", {"grade": "serious", "note": "影响约 60 名学生"}, NOW)
    with pytest.raises(Conflict):  # 质量管理处 is not the responsible department of a teaching accident
        accidents.step(session, office, office_ps, w.id, "decide", {"grade": "serious", "note": "x"}, NOW)
    with pytest.raises(Conflict) as resolve_early:
        warnings.resolve(session, jwc, jwc_ps, w.id, "已处理", NOW)
    assert "记录处理结果" in resolve_early.value.message
    accidents.step(session, jwc, jwc_ps, w.id, "decide", {"grade": "general", "note": "已重考，无成绩损失"}, NOW)
    with pytest.raises(InvalidInput) as no_text:
        accidents.step(session, jwc, jwc_ps, w.id, "record", {"note": " "}, NOW)
    assert no_text.value.fields == {"note": ["请填写处理结果"]}
    accidents.step(session, jwc, jwc_ps, w.id, "record", {"note": "命题教师约谈，双人核对"}, NOW)
    with pytest.raises(Conflict):
        accidents.step(session, jwc, jwc_ps, w.id, "record", {"note": "again"}, NOW)
    proc = accidents.procedure(w)
    assert (proc["stage"], proc["proposed_grade"], proc["grade"]) == ("recorded", "serious", "general")
    assert [n["action"] for n in w.notes] == ["report", "propose", "decide", "record"]
    warnings.resolve(session, jwc, jwc_ps, w.id, "整改完成", NOW)
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "warning",
                                                              AuditEntry.object_id == str(w.id))
                              .order_by(AuditEntry.id)).all()  # fmt: skip
    assert actions == ["warning.raise", "warning.accident.propose", "warning.accident.decide",
                       "warning.accident.record", "warning.resolve"]  # fmt: skip


def test_blank_providers_are_set_by_the_quality_office_only(session):
    office, office_ps = ps(session, "zlc_admin")
    t01, t01_ps = ps(session, "t01")
    with pytest.raises(NotFound):
        catalogue.set_providers(session, t01, t01_ps, {"provider_course_setup": "教务系统"}, NOW)
    with pytest.raises(InvalidInput) as bad:
        catalogue.set_providers(session, office, office_ps, {"provider_course_setup": "x" * 101}, NOW)
    assert set(bad.value.fields) == {"provider_course_setup"}
    assert catalogue.providers(session) == {}
    changed = catalogue.set_providers(
        session, office, office_ps, {"provider_course_setup": "教务系统", "provider_graduation": "ignored"}, NOW
    )
    assert changed == ["course_setup"] and catalogue.providers(session) == {"course_setup": "教务系统"}
    rows = {r.type.key: r for r in catalogue.type_rows(session, t01, t01_ps)}
    assert rows["course_setup"].provider == "教务系统" and rows["graduation"].provider == "教务处"
