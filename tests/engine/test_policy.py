"""The permission policy (engine/org/policy/) and the principal value type (engine/org/principal.py).

The principal format is what the database stores, so it is checked against every principal the demo year
wrote; the rules that are also read in Python for an object already loaded (acting on a warning,
analysing a process) are checked to agree with their SQL form for every demo user and object; and who may
open a process instance is a matrix written from the README's words, not from the code.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import org
from engine.core.errors import NotFound
from engine.models import (
    DocumentShare,
    ProcessDefinition,
    ProcessInstance,
    QualityWarning,
    Role,
    ScopeType,
    TaskCandidate,
    User,
)
from engine.org import Principal, policy
from engine.oversight import instance_view
from engine.warnings import service as warnings
from tests.conftest import user
from tests.engine.test_deadlines import submit_target

# -- the value type -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("u:12", Principal(user_id=12)),
        ("g:reviewer:unit:3", Principal(role=Role.REVIEWER, scope_type=ScopeType.UNIT, scope_id=3)),
        ("g:monitor:school:0", Principal(role=Role.MONITOR, scope_type=ScopeType.SCHOOL, scope_id=0)),
        ("g:counselor:class:7", Principal(role=Role.COUNSELOR, scope_type=ScopeType.CLASS, scope_id=7)),
        ("g:author:subject:40", Principal(role=Role.AUTHOR, scope_type=ScopeType.SUBJECT, scope_id=40)),
    ],
)
def test_a_principal_reads_and_writes_the_stored_string(text, expected):
    assert Principal.parse(text) == expected
    assert str(expected) == text


def test_the_school_scope_has_id_zero_and_builders_write_the_same_strings():
    assert str(Principal.group("monitor", "school", None)) == "g:monitor:school:0" == org.MONITOR
    assert org.group_principal("head", "unit", 5) == "g:head:unit:5"
    assert org.user_principal(9) == "u:9"
    assert Principal.parse("u:9").is_user and Principal.parse("g:head:unit:5").is_group


@pytest.mark.parametrize(
    "text", ["", "u:", "u:x", "u:1:2", "g:head:unit", "g:head:unit:x", "g:nobody:unit:1", "g:head:planet:1", "x:1"]
)
def test_anything_else_is_not_a_principal(text):
    with pytest.raises(ValueError):
        Principal.parse(text)
    assert policy.positions_of([text]) == ()


def test_every_principal_the_demo_year_stored_round_trips(demo_year_session):
    stored = set(demo_year_session.scalars(select(TaskCandidate.principal).distinct()))
    stored |= set(demo_year_session.scalars(select(DocumentShare.principal)))
    for uid in demo_year_session.scalars(select(User.id)):
        stored |= set(org.principals_of(demo_year_session, uid))
    assert len(stored) > 50
    assert {p for p in stored if str(Principal.parse(p)) != p} == set()


def test_the_roles_are_the_lanes_roles():
    assert set(org.ROLES) == set(Role) and all(isinstance(k, Role) for k in org.ROLES)
    assert org.ROLES["reviewer"] == "审核人"  # a member is its stored string, also as a key


# -- the Python reading of a rule agrees with its SQL ---------------------------------------------------


def _viewers(session):
    for u in session.scalars(select(User).order_by(User.id)):
        yield policy.Viewer.of(u, org.principals_of(session, u.id))


def test_acting_on_a_loaded_warning_agrees_with_the_query(demo_year_session):
    s = demo_year_session
    warnings_ = list(s.scalars(select(QualityWarning)))
    assert len(warnings_) > 10
    checked = 0
    for v in _viewers(s):
        clause = policy.warning_actionable(v)
        in_sql = (
            {w.id for w in warnings_} if clause is None else set(s.scalars(select(QualityWarning.id).where(clause)))
        )
        in_python = {w.id for w in warnings_ if policy.may_act_on_warning(v, w)}
        assert in_python == in_sql, v.user.username
        visible = policy.warning_visible(v)
        seen = (
            {w.id for w in warnings_} if visible is None else set(s.scalars(select(QualityWarning.id).where(visible)))
        )
        assert in_sql <= seen, v.user.username  # nobody acts on what they cannot see
        checked += bool(in_sql) and len(in_sql) < len(warnings_)
    assert checked > 5  # the rule told users apart, not all or nothing


def test_analysing_and_editing_a_loaded_process_agree_with_the_queries(session):
    definitions = list(session.scalars(select(ProcessDefinition)))
    for v in _viewers(session):
        for rule, loaded in (
            (policy.process_analysable, policy.may_analyse_process),
            (policy.process_editable, lambda v, d: policy.owns_process(v.user, v.principals, d)),
        ):
            clause = rule(v)
            stmt = select(ProcessDefinition.key)
            in_sql = set(session.scalars(stmt if clause is None else stmt.where(clause)))
            assert {d.key for d in definitions if loaded(v, d)} == in_sql, v.user.username


# -- who opens a process instance (README: monitors, the head of the subject's department, the process
# owners, the instance's participants; 404 for others) ----------------------------------------------------

INSTANCE_VIEWERS = [
    "t01", "t02", "t06", "s01", "c01", "dzxy_reviewer", "dzxy_reviewer2", "rjxy_reviewer", "jwc_reviewer",
    "rsc_reviewer", "xgb_reviewer", "zlc_admin", "xxh_admin", "admin", "shuji", "fxz_jiang",
]  # fmt: skip
# t01's teacher target waiting for his college's reviewers (the teacher chain is 人力资源处's)
MAY_OPEN = {
    "t01",  # started it and submitted
    "dzxy_reviewer",  # a candidate (the college's reviewers) and head of the college
    "dzxy_reviewer2",  # a candidate
    "rsc_reviewer",  # owner of the teacher chain
    "zlc_admin", "xxh_admin", "admin",  # monitors
}  # fmt: skip


def test_who_opens_a_process_instance(session):
    review = submit_target(session, "t01")
    instance = session.get(ProcessInstance, review.instance_id)
    opened = set()
    for username in INSTANCE_VIEWERS:
        u = user(session, username)
        principals = org.principals_of(session, u.id)
        try:
            assert instance_view.get_instance(session, u, principals, instance.id).id == instance.id
            opened.add(username)
        except NotFound:
            pass
        with pytest.raises(NotFound):  # an unknown id answers the same
            instance_view.get_instance(session, u, principals, instance.id + 10_000)
    assert opened == MAY_OPEN


def test_who_may_report_a_warning_by_hand(session):
    def kinds(username):
        u = user(session, username)
        return warnings.reportable_kinds(u, org.principals_of(session, u.id))

    assert kinds("jwc_staff") == ["quality_accident", "safety_hazard"]  # 教务处 provides accident information
    assert kinds("t01") == ["safety_hazard"]  # any teacher reports a hazard
    assert kinds("zlc_admin") == ["quality_accident", "safety_hazard"]
    assert kinds("s01") == []
