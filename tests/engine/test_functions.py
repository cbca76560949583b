"""Functions (engine/org/functions.py) decide the rules, not unit codes: giving a function to another unit of
the demo school moves the lead department's templates and processes, the 诊改办公室's view of every warning
and the reviewers a function lane resolves to."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import org
from engine.core.errors import InvalidInput
from engine.models import FunctionKey, OrgFunction, OrgUnit, ProcessDefinition, User
from engine.org import policy
from tests.conftest import NOW, user


def unit(session, code: str) -> OrgUnit:
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def viewer(session, username: str) -> policy.Viewer:
    u = user(session, username)
    return policy.Viewer.of(u, org.principals_of(session, u.id))


def test_the_demo_gives_every_function_to_a_unit(session):
    assert org.functions.missing(session) == []
    assert org.functions.holder(session, FunctionKey.ACADEMIC_AFFAIRS).name == "教务处"


def test_the_lead_department_follows_its_function(session):
    chain_major = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == "chain_major"))
    assert chain_major.owner_function == "academic_affairs" and chain_major.owner_org_unit_id is None
    jwc, rsc = viewer(session, "jwc_reviewer"), viewer(session, "rsc_reviewer")
    assert policy.owned_subject_types(session, jwc) == {"major", "course"}
    assert org.owns_process(jwc.user, jwc.principals, chain_major)
    assert not org.owns_process(rsc.user, rsc.principals, chain_major)

    org.functions.assign(session, None, NOW, {"academic_affairs": unit(session, "RSC").id})
    jwc, rsc = viewer(session, "jwc_reviewer"), viewer(session, "rsc_reviewer")
    assert policy.owned_subject_types(session, jwc) == set()
    assert policy.owned_subject_types(session, rsc) == {"major", "course", "faculty_team", "teacher"}
    assert org.owns_process(rsc.user, rsc.principals, chain_major)
    assert not org.owns_process(jwc.user, jwc.principals, chain_major)
    editable = session.scalars(select(ProcessDefinition.key).where(policy.process_editable(rsc))).all()
    assert "chain_major" in editable and "chain_teacher" in editable


def test_the_quality_office_and_the_security_office_follow_their_functions(session):
    clerk = User(username="qa_clerk", display_name="质量干事", password_hash="x", kind="staff",
                 org_unit_id=unit(session, "ZLC").id)  # fmt: skip
    session.add(clerk)
    session.flush()
    assert policy.sees_all_warnings(policy.Viewer.of(clerk, [org.user_principal(clerk.id)]))
    dzb_staff = viewer(session, "dzb_staff")
    assert not policy.sees_all_warnings(dzb_staff)
    assert policy.reportable_warning_kinds(dzb_staff) == ["quality_accident", "safety_hazard"]

    org.functions.assign(session, None, NOW, {"quality_office": unit(session, "DZB").id, "party_office": None})
    assert not policy.sees_all_warnings(policy.Viewer.of(clerk, [org.user_principal(clerk.id)]))
    assert policy.sees_all_warnings(viewer(session, "dzb_staff"))
    assert FunctionKey.PARTY_OFFICE in org.functions.missing(session)

    lane = org.Assignment(("reviewer",), "function:quality_office")
    principals, label = org.resolve(session, lane, None)
    assert principals == [f"g:reviewer:unit:{unit(session, 'DZB').id}"] and label.startswith("党政办公室")
    assert org.resolve(session, org.Assignment(("reviewer",), "function:party_office"), None)[0] == []


def test_bad_assignments_change_nothing(session):
    before = {f.key: f.org_unit_id for f in session.scalars(select(OrgFunction))}
    with pytest.raises(InvalidInput) as refused:
        org.functions.assign(session, None, NOW, {"quality_office": None, "canteen": unit(session, "DZB").id})
    assert refused.value.fields == {"canteen": "未知职能"}
    with pytest.raises(InvalidInput):
        org.functions.assign(session, None, NOW, {"quality_office": 10**9})
    with pytest.raises(InvalidInput):
        org.functions.assign_by_code(session, NOW, {"quality_office": "NOPE"})
    assert {f.key: f.org_unit_id for f in session.scalars(select(OrgFunction))} == before
    assert org.Assignment.parse("reviewer", "function:canteen").problems() == ["未知职能：canteen"]


def test_staff_of_a_section_count_as_their_department_s(session):
    """A roster may put 职员 in a 科室 (教务处's 教学运行科) and teachers in a 教研室: every rule that asks for "the
    person's own unit" counts the department above too, as it counts its functions. Before, a clerk of the
    教学运行科 was nobody to 教务处's warnings and annual-table rows, and a 质量管理处 clerk in a 科室 of it did not
    see every warning."""
    from engine.models import QualityWarning
    from engine.supervision import records

    jwc01 = User(username="jwc_clerk", display_name="运行干事", password_hash="x", kind="staff",
                 org_unit_id=unit(session, "JWC01").id)  # fmt: skip
    session.add(jwc01)
    session.flush()
    clerk = policy.Viewer.of(jwc01, [org.user_principal(jwc01.id)])
    jwc = unit(session, "JWC").id
    assert clerk.own_units == {unit(session, "JWC01").id, jwc}
    assert FunctionKey.ACADEMIC_AFFAIRS in clerk.unit_functions
    assert policy.may_complete_annual_row(clerk, [jwc])
    assert policy.in_lead_department(clerk, jwc)
    warning = QualityWarning(kind="quality_accident", level="yellow", title="教学事故", org_unit_id=jwc, status="open")
    assert policy.may_decide_accident(clerk, warning)
    assert jwc01 in records.candidates(session, "teaching")  # 教务处 cooperates in 教学质量督导
    # a teacher of the college's 物联网实训中心 reads the college's published assessment results
    tutor = User(username="lab_tutor", display_name="实训教师", password_hash="x", kind="teacher",
                 org_unit_id=unit(session, "DZXY03").id)  # fmt: skip
    session.add(tutor)
    session.flush()
    assert policy.assessment.reads_unit_result(policy.Viewer.of(tutor, [org.user_principal(tutor.id)]),
                                               unit(session, "DZXY").id)  # fmt: skip
    # a unit of the tree's top level is its own and nothing more
    assert viewer(session, "jwc_reviewer").own_units == {jwc}
