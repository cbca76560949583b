"""基本标准 › 规定性诊断: the lead department diagnoses a subject against each criterion of the standard's published
version; a failing criterion raises exactly one 未达到基本标准 warning for the subject's department (done when of
issue 16), saving again never a second, passing none. Others get 404; bad input is refused at its field."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from engine import org
from engine.diagnosis import prescriptive
from engine.models import AuditEntry, BasicStandard, PrescriptiveDiagnosis, QualityWarning, Subject, User
from tests.conftest import BROKEN, NOW, page

EVIDENCE = {"methods": ["platform", "interview"], "evidence_text": "教务系统评教数据", "evidence_url": ""}


def link(html: str, testid: str) -> str:
    found = re.search(rf'href="([^"]+)"[^>]*data-testid="{testid}"', html)
    assert found, testid
    return found.group(1).replace("&amp;", "&")


def standard(session, key) -> BasicStandard:
    return session.scalar(select(BasicStandard).where(BasicStandard.key == key))


def course(session, code) -> Subject:
    return session.scalar(select(Subject).where(Subject.type == "course", Subject.code == code))


def below(session) -> list[QualityWarning]:
    session.flush()
    session.expire_all()
    return session.scalars(select(QualityWarning).where(QualityWarning.kind == "below_basic_standard")).all()


def test_a_failing_criterion_raises_exactly_one_warning_for_the_right_department(session):
    """Done when (issue 16), at the service: one failing criterion, one warning, for the course's college."""
    jwc = session.scalar(select(User).where(User.username == "jwc_reviewer"))
    ps = org.principals_of(session, jwc.id)
    bs12, data_course = standard(session, "BS12"), course(session, "RJ2001")
    failing = {"result-0": "fail", "note-0": "评教平均 76.5 分", "result-1": "pass", "evidence_text": "评教数据"}
    diagnosis, warning = prescriptive.save(session, jwc, ps, bs12.id, data_course.id, 2026, failing, ["platform"], NOW)
    (raised,) = below(session)
    assert raised.id == warning.id and raised.org_unit_id == data_course.org_unit_id
    assert raised.org_unit.name == "软件与信息技术学院" and raised.responsible_user_id is not None  # the course leader
    assert raised.title == "未达到基本标准：数据采集与清洗（课程教学基本标准，1项）"
    assert (
        "学生评教得分" in raised.description and "76.5" in raised.description and "教学事故" not in raised.description
    )
    assert raised.rule_key == f"below_basic_standard:diagnosis:{diagnosis.id}"
    assert raised.details["failed"] == ["学生评教得分"]
    # saving the same diagnosis again (even with other findings) never adds a second warning
    prescriptive.save(session, jwc, ps, bs12.id, data_course.id, 2026, failing, ["platform"], NOW)
    both = failing | {"result-1": "fail", "note-1": "一起教学事故"}
    prescriptive.save(session, jwc, ps, bs12.id, data_course.id, 2026, both, ["platform"], NOW)
    (again,) = below(session)
    assert again.id == raised.id and again.details["failed"] == ["学生评教得分", "教学事故"]
    assert again.notes[-1]["action"] == "note" and "一起教学事故" in again.notes[-1]["text"]
    assert session.scalar(select(func.count()).select_from(PrescriptiveDiagnosis)) == 1
    # all passing raises none
    passing = {"result-0": "pass", "result-1": "pass", "evidence_text": "课程标准已审定"}
    other, none = prescriptive.save(session, jwc, ps, standard(session, "BS10").id, course(session, "DZ1002").id,
                                    2026, passing, ["documents"], NOW)  # fmt: skip
    assert none is None and other.passed and len(below(session)) == 1


def test_the_lead_department_diagnoses_from_the_standards_page(session, login_as):
    bs12, data_course = standard(session, "BS12"), course(session, "RJ2001")
    jwc = login_as("jwc_reviewer")
    listing = page(jwc, link(page(jwc, f"/standards/{bs12.id}"), "prescriptive-link"))
    assert "尚无规定性诊断记录" in listing
    new = page(jwc, link(listing, "new-diagnosis"))
    assert "数据采集与清洗" in new and 'data-testid="prescriptive-form"' not in new  # choose first
    chosen = page(jwc, f"/standards/{bs12.id}/diagnoses/new?subject_id={data_course.id}&year=2026")
    assert "学生评教得分" in chosen and "≥ 80" in chosen and "教务系统" in chosen
    form = {"subject_id": str(data_course.id), "year": "2026", "result-0": "fail", "note-0": "评教平均 76.5 分",
            "result-1": "pass", "note-1": "", **EVIDENCE}  # fmt: skip
    saved = jwc.post(f"/standards/{bs12.id}/diagnoses/new", data=form, follow_redirects=True)
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "已向软件与信息技术学院发出“未达到基本标准”预警" in html
    assert "未达标 1 项" in html and 'data-testid="diagnosis-warning"' in html and "评教平均 76.5 分" in html
    assert len(below(session)) == 1
    # saving again from the 修改 link updates the same record, no second warning
    edit = page(jwc, link(html, "edit-diagnosis"))
    assert "已有记录，保存即更新" in edit and "评教平均 76.5 分" in edit
    assert jwc.post(f"/standards/{bs12.id}/diagnoses/new", data=form).status_code == 302
    assert len(below(session)) == 1
    assert session.scalar(select(func.count()).select_from(PrescriptiveDiagnosis)) == 1
    assert "数据采集与清洗" in page(jwc, f"/standards/{bs12.id}/diagnoses")
    # the college's head sees the warning (not the lead department's record); a monitor follows it to the record
    rjxy = login_as("rjxy_reviewer")
    warning = below(session)[0]
    seen = page(rjxy, f"/warnings/{warning.id}")
    assert "学生评教得分" in seen and "规定性诊断（2026年，BS12）" in seen
    assert "/diagnoses/" not in seen
    zlc = login_as("zlc_admin")
    followed = re.search(r'data-testid="warning-diagnosis"><a href="([^"]+)"', page(zlc, f"/warnings/{warning.id}"))
    record = page(zlc, followed.group(1))
    assert "评教平均 76.5 分" in record
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "prescriptive_diagnosis"))
    assert list(actions) == ["prescriptive.save", "prescriptive.save"]


def test_bad_input_is_named_at_its_field_and_saves_nothing(session, login_as):
    bs12, data_course = standard(session, "BS12"), course(session, "RJ2001")
    jwc = login_as("jwc_reviewer")
    url = f"/standards/{bs12.id}/diagnoses/new"
    base = {"subject_id": str(data_course.id), "year": "2026", "result-0": "pass", "result-1": "pass", **EVIDENCE}
    major = session.scalar(select(Subject).where(Subject.type == "major"))
    cases = {
        "error-result-1": base | {"result-1": ""},
        "error-note-0": base | {"result-0": "fail", "note-0": ""},
        "error-methods": base | {"methods": []},
        "error-evidence_text": base | {"evidence_text": ""},
        "error-evidence_url": base | {"evidence_url": "ftp://x"},
        "error-subject_id": base | {"subject_id": str(major.id)},
        "error-year": base | {"year": "1999"},
    }
    for testid, data in cases.items():
        response = jwc.post(url, data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and f'data-testid="{testid}"' in html, testid
        assert not BROKEN.search(html)
    assert "未达标时请说明实际情况" in jwc.post(url, data=cases["error-note-0"]).get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(PrescriptiveDiagnosis)) == 0 and below(session) == []
    page(jwc, f"{url}?subject_id=abc&year=2026", 400)
    page(jwc, f"{url}?subject_id=99999999999999&year=2026", 400)  # beyond what the database stores


def test_only_the_lead_department_diagnoses_and_monitors_read(session, login_as):
    bs12, data_course = standard(session, "BS12"), course(session, "RJ2001")
    jwc = session.scalar(select(User).where(User.username == "jwc_reviewer"))
    diagnosis, _w = prescriptive.save(
        session, jwc, org.principals_of(session, jwc.id), bs12.id, data_course.id, 2026,
        {"result-0": "pass", "result-1": "pass", "evidence_text": "评教数据"}, ["platform"], NOW,
    )  # fmt: skip
    session.flush()
    for outsider in ("rsc_reviewer", "t01", "rjxy_reviewer"):
        client = login_as(outsider)
        assert 'data-testid="prescriptive-link"' not in page(client, f"/standards/{bs12.id}")
        page(client, f"/standards/{bs12.id}/diagnoses", 404)
        page(client, f"/standards/{bs12.id}/diagnoses/new", 404)
        page(client, f"/diagnoses/{diagnosis.id}", 404)
        assert client.post(f"/standards/{bs12.id}/diagnoses/new", data={}).status_code == 404
    zlc = login_as("zlc_admin")  # a monitor reads, does not diagnose
    listing = page(zlc, link(page(zlc, f"/standards/{bs12.id}"), "prescriptive-link"))
    assert "数据采集与清洗" in listing and 'data-testid="new-diagnosis"' not in listing
    shown = page(zlc, f"/diagnoses/{diagnosis.id}")
    assert "全部达标" in shown and 'data-testid="edit-diagnosis"' not in shown
    page(zlc, f"/standards/{bs12.id}/diagnoses/new", 404)
