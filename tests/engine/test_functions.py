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
