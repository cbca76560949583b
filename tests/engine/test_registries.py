"""Who edits a registry entry (engine/org/policy/), and the catalogue loaded again without undoing edits."""

from __future__ import annotations

from sqlalchemy import select

from engine import org, registries
from engine.models import OrgUnit, RegistryEntry, User
from tests.conftest import NOW, user


def entry(session, key) -> RegistryEntry:
    return session.scalar(select(RegistryEntry).where(RegistryEntry.key == key))


def staff_of(session, unit_name: str, username: str) -> User:
    """A staff member of the unit holding no position at all."""
    unit = session.scalar(select(OrgUnit).where(OrgUnit.name == unit_name))
    person = User(username=username, display_name=username, password_hash="x", kind="staff", org_unit_id=unit.id)
    session.add(person)
    session.flush()
    return person


def may_edit(session, person: User, key: str) -> bool:
    return registries.may_edit(person, org.principals_of(session, person.id), entry(session, key))


def test_the_lead_department_and_the_quality_office_edit(session):
    jwc = staff_of(session, "教务处", "jwc_new")
    zlc = staff_of(session, "质量管理处", "zlc_new")  # holds quality_office, no position
    hr_head = user(session, "rsc_reviewer")  # a position in 人力资源处
    expected = {
        (jwc, "major_setting"): True, (jwc, "teaching_equipment_repair"): True, (jwc, "staffing_quota"): False,
        (jwc, "quality_inspection"): False, (zlc, "staffing_quota"): True, (zlc, "network"): True,
        (hr_head, "staffing_quota"): True, (hr_head, "major_setting"): False,
        (user(session, "t01"), "major_setting"): False, (user(session, "s01"), "network"): False,
        (user(session, "zlc_admin"), "network"): True,
    }  # fmt: skip
    assert {k: may_edit(session, *k) for k in expected} == expected


def test_loading_the_catalogue_again_adds_nothing_and_keeps_edits(session):
    network = entry(session, "network")
    registries.set_status(session, network, "in_force", NOW, document_text="全文")
    network.lead_unit_id = None  # as for a school whose units were imported after `init`
    session.flush()
    assert registries.load_catalogue(session, NOW) == 0
    network = entry(session, "network")
    assert (network.status, network.document_text, network.revision) == ("in_force", "全文", 1)
    assert network.lead_unit_id == session.scalar(select(OrgUnit.id).where(OrgUnit.name == "信息化处"))
