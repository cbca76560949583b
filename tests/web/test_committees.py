"""诊改组织 through the pages: the demo school's committees listed and read by staff, kept by 质量管理处; a change
that breaks a rule is refused with the rule named and nothing saved; a committee lane resolves to the members;
an unknown committee kind is refused at deploy and by the modeler's check."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import org
from engine.modeling.validation import validate
from engine.models import Committee, ProcessDefinition, Subject
from engine.org import committees
from engine.workflow import deploy
from engine.workflow.bpmn.compiler import InvalidBpmn
from tests.conftest import user

KINDS = ("work_committee", "office", "dept_group", "college_group", "platform_group", "expert_committee", "expert_pool")


def _committee(session, kind) -> Committee:
    return session.scalar(select(Committee).where(Committee.kind == kind).order_by(Committee.id))


def test_the_demo_school_has_every_committee_and_each_keeps_its_rules(session, login_as):
    page = login_as("t01").get("/committees").get_data(as_text=True)
    for kind in KINDS:
        assert f'data-testid="committee-{kind}"' in page
        for c in session.scalars(select(Committee).where(Committee.kind == kind)):
            assert committees.check(session, committees.draft_of(c)) == [], c.name
    assert (
        page.count('data-testid="committee-college_group"') == 2
        and page.count('data-testid="committee-dept_group"') == 4
    )
    work = _committee(session, "work_committee")
    shown = login_as("t01").get(f"/committees/{work.id}").get_data(as_text=True)
    assert "王书记" in shown and "主任委员" in shown and "常务副主任委员" in shown
    assert 'data-testid="edit-committee"' not in shown  # a teacher reads, 质量管理处 keeps


def test_quality_office_edits_a_committee_and_a_broken_rule_is_named(session, login_as):
    group = session.scalar(select(Committee).where(Committee.kind == "dept_group", Committee.name == "部门诊改工作组"))
    client = login_as("zlc_admin")
    show = client.get(f"/committees/{group.id}").get_data(as_text=True)
    assert 'data-testid="edit-committee"' in show
    form = client.get(f"/committees/{group.id}/edit").get_data(as_text=True)
    assert 'name="m-4-name" value="周工程师"' in form
    fields = {"name": group.name, "unit": str(group.org_unit_id), "term_start": "2016-09-01", "term_end": "2019-08-31"}
    for i, m in enumerate(group.members):
        fields |= {f"m-{i}-role": m.role, f"m-{i}-username": m.user.username if m.user else "",
                   f"m-{i}-name": m.external_name or "", f"m-{i}-employer": m.external_employer or ""}  # fmt: skip
    without_expert = {k: v for k, v in fields.items() if not k.startswith("m-4-")}
    refused = client.post(f"/committees/{group.id}/edit", data=without_expert)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "成员总数须为 5 名及以上的奇数，现有 4 名" in text and "职能部门牵头的诊改工作组须有校外专家" in text
    session.expire_all()
    assert len(session.get(Committee, group.id).members) == 5  # nothing saved
    added = fields | {"m-5-role": "member", "m-5-username": "t02", "m-6-role": "member", "m-6-name": "王工",
                      "m-6-employer": "某企业"}  # fmt: skip
    saved = client.post(f"/committees/{group.id}/edit", data=added)
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "王芳" in page and "王工" in page
    unknown = client.post(
        f"/committees/{group.id}/edit", data=fields | {"m-5-role": "member", "m-5-username": "nobody"}
    )
    assert unknown.status_code == 400 and "工号不存在" in unknown.get_data(as_text=True)


def test_only_quality_office_and_administrators_edit(session, login_as):
    office = _committee(session, "office")
    assert login_as("t01").get(f"/committees/{office.id}/edit").status_code == 404
    assert login_as("t01").post(f"/committees/{office.id}/edit", data={"name": "x"}).status_code == 404
    assert login_as("jwc_reviewer").get("/committees/new?kind=dept_group").status_code == 404
    assert login_as("s01").get("/committees").status_code == 404
    assert login_as("s01").get(f"/committees/{office.id}").status_code == 404
    assert login_as("admin").get(f"/committees/{office.id}/edit").status_code == 200


def test_a_new_committee_from_the_list(session, login_as):
    client = login_as("zlc_admin")
    page = client.get("/committees").get_data(as_text=True)
    assert 'value="dept_group"' in page
    form = client.get("/committees/new?kind=dept_group").get_data(as_text=True)
    assert "诊改工作组（职能部门牵头）" in form
    unit = org.functions.holder_id(session, "human_resources")
    data = {"name": "新工作组", "unit": str(unit), "m-0-role": "leader", "m-0-username": "rsc_reviewer"}
    refused = client.post("/committees/new?kind=dept_group", data=data)
    assert refused.status_code == 400 and "成员总数须为 5 名及以上的奇数，现有 1 名" in refused.get_data(as_text=True)
    assert session.scalar(select(Committee).where(Committee.name == "新工作组")) is None


def test_a_committee_lane_resolves_to_its_members(session):
    leaders = org.Assignment.parse("director,executive_vice,vice_director", "committee:work_committee")
    principals, label = org.resolve(session, leaders, None)
    ids = {user(session, n).id for n in ("shuji", "xiaozhang", "fxz_jiang", "fxz_he")}
    assert sorted(principals) == sorted(org.user_principal(i) for i in ids)
    assert label.startswith("诊改工作委员会")
    everyone = org.resolve(session, org.Assignment.parse("any", "committee:work_committee"), None)[0]
    assert len(everyone) == 8
    # a group kind takes the group of the subject's unit
    t01 = session.scalar(select(Subject).where(Subject.user_id == user(session, "t01").id))
    group = org.resolve(session, org.Assignment.parse("leader", "committee:college_group"), t01)[0]
    assert group == [org.user_principal(user(session, "dzxy_reviewer").id)]


BPMN = "workflows/chain_basic_standard.bpmn"


def test_an_unknown_committee_kind_is_refused_at_deploy_and_in_the_modeler(session):
    xml = open(BPMN, encoding="utf-8").read().replace("committee:work_committee", "committee:senate")
    with pytest.raises(InvalidBpmn) as caught:
        deploy.compile_for_deploy(session, xml)
    assert "未知的诊改组织：senate" in str([p.message for p in caught.value.problems])
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == "chain_basic_standard"))
    assert any("未知的诊改组织：senate" in p["message"] for p in validate(session, definition, xml))
