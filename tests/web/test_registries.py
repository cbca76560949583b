"""The registries of tables 27, 28 and the second 28: the catalogue, the pages as the roles that use them, who
edits an entry, refused edits, and the annual table's rows linked to what they produce."""

from __future__ import annotations

import csv
import re

import pytest
from sqlalchemy import func, select

from engine import registries
from engine.cycle import links
from engine.models import AuditEntry, BasicStandard, OrgUnit, RegistryEntry
from engine.registries.service import CATALOGUE
from tests.conftest import login


def entry(session, key) -> RegistryEntry:
    session.expire_all()
    return session.scalar(select(RegistryEntry).where(RegistryEntry.key == key))


def unit_id(session, name) -> int:
    return session.scalar(select(OrgUnit.id).where(OrgUnit.name == name))


def rows_of(page: str) -> list[str]:
    return re.findall(r'<tr data-entry="([a-z_]+)"', page)


# what the seed's tables list, counted by hand: table 27 (15 mechanisms), table 28 (14 services), the second
# table 28 (10 supervision systems)
SEED_COUNTS = {"mechanism": 15, "service": 14, "supervision": 10}


def test_the_catalogue_holds_every_row_of_the_three_tables(session):
    with CATALOGUE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {k: sum(1 for r in rows if r["kind"] == k) for k in SEED_COUNTS} == SEED_COUNTS
    loaded = session.scalars(select(RegistryEntry)).all()
    assert len(loaded) == 39 and {e.status for e in loaded} == {"planned"}
    network = entry(session, "network")
    assert (network.title, network.lead, network.lead_unit_id) == ("网络服务", "信息化处", unit_id(session, "信息化处"))
    accident = entry(session, "quality_accident")
    assert accident.cooperating == ["党政办公室", "党委组织部", "人力资源处", "教务处", "党委学生工作部"]
    # the support-service catalogue later service requests use: stable keys, in the seed's order
    keys = [s.key for s in registries.services(session)]
    assert keys[:3] == ["teaching_equipment_repair", "student_activity_venue", "student_activity_guidance"]
    assert len(keys) == 14 and registries.services(session, in_force_only=True) == []


def test_a_new_school_gets_the_catalogue_without_demo_status(new_school):
    url, app, eng = new_school
    from sqlalchemy.orm import Session

    with Session(eng) as s:
        loaded = s.scalars(select(RegistryEntry)).all()
        assert len(loaded) == 39 and {e.status for e in loaded} == {"planned"}
        assert {e.lead_unit_id for e in loaded} == {None}  # no units yet: the lead is the name as written
    client = login(app.test_client(), "chief", "pw-for-tests-1")
    page = client.get("/registries/service").get_data(as_text=True)
    assert len(rows_of(page)) == 14 and "图书借阅与推荐服务" in page and "计划中" in page


def test_every_signed_in_user_reads_the_registries(login_as, session):
    client = login_as("t01")
    index = client.get("/registries/").get_data(as_text=True)
    assert "资源开发与配置机制" in index and "监督控制制度" in index
    for kind, n in SEED_COUNTS.items():
        assert f'href="/registries/{kind}"' in index  # followed from the index
        page = client.get(f"/registries/{kind}").get_data(as_text=True)
        assert len(rows_of(page)) == n
        assert 'data-testid="edit-' not in page  # nobody but the lead department and 质量管理处 edits
    student = login_as("s01")
    shown = student.get(f"/registries/entry/{entry(session, 'network').id}").get_data(as_text=True)
    assert "网络服务" in shown and "信息化处" in shown and 'data-testid="edit-entry"' not in shown
    assert student.get("/registries/nonsense").status_code == 404


def test_filters_by_lead_department_and_status(login_as, session):
    client = login_as("t01")
    jwc = unit_id(session, "教务处")
    page = client.get(f"/registries/mechanism?department={jwc}").get_data(as_text=True)
    assert rows_of(page) == ["major_setting", "teaching_projects"]
    page = client.get(f"/registries/service?department={jwc}").get_data(as_text=True)
    assert rows_of(page) == ["teaching_equipment_repair"]
    assert rows_of(client.get("/registries/supervision?status=in_force").get_data(as_text=True)) == []
    huge = client.get("/registries/supervision?department=" + "9" * 30)
    assert huge.status_code == 200 and 'data-testid="no-entries"' in huge.get_data(as_text=True)
    nothing = client.get("/registries/supervision?department=abc&status=zzz")
    assert nothing.status_code == 200 and 'data-testid="no-entries"' in nothing.get_data(as_text=True)


@pytest.mark.slow  # three users, eight pages
def test_the_lead_department_edits_its_own_entry_not_another_s(login_as, session, clock):
    staff = login_as("jwc_staff")  # 教务处
    page = staff.get("/registries/mechanism").get_data(as_text=True)
    assert re.findall(r'data-testid="edit-([a-z_]+)"', page) == ["major_setting", "teaching_projects"]
    own = entry(session, "major_setting")
    form = staff.get(f"/registries/entry/{own.id}/edit").get_data(as_text=True)
    assert 'name="document_text"' in form
    data = {"lead_unit_id": str(own.lead_unit_id), "status": "in_force", "cooperating": "二级学院、招生就业处",
            "document_text": "第一条 专业设置须经论证。", "document_url": "", "document_date": "2026-11-20",
            "note": ""}  # fmt: skip
    saved = staff.post(f"/registries/entry/{own.id}/edit", data=data, follow_redirects=True)
    shown = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "已保存：专业设置" in shown and "第一条 专业设置须经论证。" in shown
    assert "已施行" in shown and "第 1 版" in shown and "2026-11-20" in shown
    own = entry(session, "major_setting")
    assert (own.status, own.revision, own.cooperating) == ("in_force", 1, ["二级学院", "招生就业处"])
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "registry.update"))

    other = entry(session, "staffing_quota")  # 人力资源处's
    assert staff.get(f"/registries/entry/{other.id}/edit").status_code == 404
    refused = staff.post(f"/registries/entry/{other.id}/edit", data={**data, "lead_unit_id": str(other.lead_unit_id)})
    assert refused.status_code == 404 and entry(session, "staffing_quota").status == "planned"

    office = login_as("zlc_admin")  # 质量管理处 edits every entry
    assert 'data-testid="edit-entry"' in office.get(f"/registries/entry/{other.id}").get_data(as_text=True)
    data = {**data, "lead_unit_id": str(other.lead_unit_id), "status": "drafting", "document_text": ""}
    assert office.post(f"/registries/entry/{other.id}/edit", data=data).status_code == 302
    assert entry(session, "staffing_quota").status == "drafting"


def test_a_refused_edit_names_the_field_keeps_the_input_and_changes_nothing(login_as, session):
    office = login_as("zlc_admin")
    target = entry(session, "info_feedback")
    url = f"/registries/entry/{target.id}/edit"
    base = {"lead_unit_id": str(target.lead_unit_id), "cooperating": "信息化处", "document_url": "", "note": "备忘",
            "document_text": "", "document_date": ""}  # fmt: skip
    cases = [
        ({"status": "in_force"}, "document_text", "生效或修订中的制度须填写制度文本或链接"),
        ({"status": "in_force", "document_text": "全文"}, "document_date", "请填写生效日期"),
        (
            {"status": "drafting", "document_url": "ftp://files/x.pdf"},
            "document_url",
            "链接须以 http:// 或 https:// 开头",
        ),
        ({"status": "drafting", "document_date": "2026-02-31"}, "document_date", "请填写有效日期"),
        ({"status": "abolished"}, "status", "请选择状态"),
        ({"status": "drafting", "lead_unit_id": "999999"}, "lead_unit_id", "请选择牵头部门"),
        ({"status": "drafting", "note": "长" * 2001}, "note", "最多 2000 个字（当前 2001 个）"),
    ]
    for change, field, message in cases:
        response = office.post(url, data={**base, **change})
        page = response.get_data(as_text=True)
        assert response.status_code == 400, change
        assert f'data-testid="error-{field}"' in page and message in page, change
        assert "备忘" in page or field == "note"  # what was typed is still there
        after = entry(session, "info_feedback")
        assert (after.status, after.note, after.revision, after.cooperating) == (
            "planned", None, 0, target.cooperating
        ), change  # fmt: skip


def test_the_board_links_its_rows_to_what_they_produce(demo_year_app, demo_year_session):
    """The demo year's table (from the 2017 table): a mechanism row, a support-service row and a supervision row
    lead to their registry entries, a 工作标准 row to that category's work standards, a target row to the
    documents of its subject type; the entry's page names the row and its date."""
    client = login(demo_year_app.test_client(), "t01")
    board = client.get("/annual/2026").get_data(as_text=True)

    def followed(task: str):
        row = board.split(f"{task} <a", 1)[1].split("</td>", 1)[0]
        href = re.search(r'href="([^"]+)" data-testid="row-link"', row).group(1).replace("&amp;", "&")
        return client.get(href)

    page = followed("专业设置机制").get_data(as_text=True)
    assert 'data-testid="entry-title">专业设置' in page and "已施行" in page
    assert "年度任务：2026 · 机制建设 · 专业设置机制" in page and "截止 2026-06-30" in page
    listed = client.get("/registries/mechanism").get_data(as_text=True)
    row = listed.split('data-entry="major_setting"', 1)[1].split("</tr>", 1)[0]
    assert "2026-06-30" in row.split('data-testid="annual-due"', 1)[1]  # the registry lists the annual dates
    assert 'data-testid="entry-title">网络服务' in followed("网络服务").get_data(as_text=True)
    assert 'data-testid="entry-title">质量督导制度' in followed("质量督导制度").get_data(as_text=True)
    work = followed("岗位标准").get_data(as_text=True)
    assert "岗位标准：任职条件、责任清单、负面清单、权利清单" in work and "已发布" in work
    standard = followed("专业设置基本标准").get_data(as_text=True)  # a basic standard (table 10) and its criteria
    assert "BS08" in standard and "专业设置基本标准" in standard and "现行指标" in standard
    docs = followed("职能部门质量目标、标准、诊改计划")
    assert docs.status_code == 200 and docs.request.args["subject_type"] == "functional_dept"
    assert board.count('data-testid="row-link"') == len([t for t in links.table() if f">{t} <a" in board])


def test_the_link_table_names_known_kinds_and_existing_targets(session):
    keys = {(e.kind, e.key) for e in session.scalars(select(RegistryEntry))}
    for task, link in links.table().items():
        assert link.kind in links.KINDS, task
        if link.kind in ("mechanism", "service", "supervision"):
            assert (link.kind, link.key) in keys, task
    assert {link.key for link in links.table().values() if link.kind == "work_standard"} == {
        "duty", "post", "management", "venue", "technical", "process", "record"
    }  # fmt: skip
    standards = {b.key for b in session.scalars(select(BasicStandard))}
    linked = {link.key for link in links.table().values() if link.kind == "basic_standard"}
    assert linked <= standards and len(linked) == 26  # all but 专业实训条件基本标准, which no row of the seed names
    # every registry entry is produced by a row of the annual table
    assert {(lk.kind, lk.key) for lk in links.table().values() if lk.kind in SEED_COUNTS} == keys
