"""Every POST commits once, at the request's commit point: a request lost there (another request changed the
same rows first) is a clean 409 that writes nothing and announces no success, in the modeler as elsewhere."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.models import AuditEntry, BatchRun, OrgUnit, ProcessDraft, ProcessInstance, QualityWarning
from tests.engine.test_modeling import TEACHER, start_teacher, with_extra_review
from tests.web.test_modeler import deploy, versions_of


@pytest.fixture
def lose_the_next_commit(monkeypatch):
    """`arm()`: the next commit finds a row changed by somebody else meanwhile (a lost optimistic-lock race)."""
    real = Session.commit
    armed = []

    def commit(self):
        if armed:
            armed.clear()
            raise StaleDataError(
                "UPDATE statement on table 'process_draft' expected to update 1 row(s); 0 were matched."
            )
        return real(self)

    monkeypatch.setattr(Session, "commit", commit)
    return lambda: armed.append(True)


def audited(session, action: str) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_a_draft_save_lost_at_the_commit_is_a_409_and_stores_nothing(login_as, session, lose_the_next_commit):
    client = login_as("rsc_reviewer")
    lose_the_next_commit()
    as_the_modeler = {"Accept": "application/json"}  # what web/static/modeler.js sends
    response = client.post("/processes/chain_teacher/draft", json={"xml": with_extra_review()}, headers=as_the_modeler)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"
    session.expire_all()
    assert session.scalar(select(ProcessDraft)) is None and audited(session, "process.draft_save") == 0
    saved = client.post("/processes/chain_teacher/draft", json={"xml": with_extra_review()})  # trying again works
    assert saved.status_code == 200 and saved.get_json()["ok"]


def test_discard_and_import_lost_at_the_commit_change_nothing_and_say_nothing(login_as, session, lose_the_next_commit):
    client = login_as("rsc_reviewer")
    assert client.post("/processes/chain_teacher/draft", json={"xml": with_extra_review()}).get_json()["ok"]
    lose_the_next_commit()
    discarded = client.post("/processes/chain_teacher/discard")
    assert discarded.status_code == 409 and "草稿已丢弃" not in discarded.get_data(as_text=True)
    page = client.get("/processes/chain_teacher").get_data(as_text=True)
    assert "草稿已丢弃" not in page
    session.expire_all()
    assert session.scalar(select(ProcessDraft)) is not None and audited(session, "process.draft_discard") == 0

    lose_the_next_commit()
    upload = {"file": (io.BytesIO(TEACHER.encode()), "v1.bpmn")}
    imported = client.post("/processes/chain_teacher/import", data=upload)
    assert imported.status_code == 409 and "已导入为草稿" not in client.get("/processes/chain_teacher").get_data(
        as_text=True
    )
    assert audited(session, "process.import") == 0


def test_a_deploy_lost_at_the_commit_deploys_nothing(login_as, session, lose_the_next_commit):
    client = login_as("rsc_reviewer")
    saved = client.post("/processes/chain_teacher/draft", json={"xml": with_extra_review()}).get_json()
    lose_the_next_commit()
    lost = client.post("/processes/chain_teacher/deploy", data={"note": "增加复核", "lock": saved["lock"]})
    assert lost.status_code == 409 and "已部署为第" not in lost.get_data(as_text=True)
    assert "已部署为第" not in client.get("/processes/chain_teacher/versions").get_data(as_text=True)
    session.expire_all()
    assert versions_of(session) == 1 and session.scalar(select(ProcessDraft)) is not None


def test_a_migration_lost_at_the_commit_moves_nothing(login_as, session, lose_the_next_commit):
    first = start_teacher(session)
    old_version = session.get(ProcessInstance, first.instance_id).version_id
    client = login_as("rsc_reviewer")
    assert deploy(client, with_extra_review(), "增加人事处复核").status_code == 302
    lose_the_next_commit()
    lost = client.post("/processes/chain_teacher/migrate", data={"instance_id": [str(first.instance_id)]})
    assert lost.status_code == 409 and "已迁移" not in lost.get_data(as_text=True)
    session.expire_all()
    assert session.get(ProcessInstance, first.instance_id).version_id == old_version
    assert session.scalar(select(BatchRun)) is None and audited(session, "instance.migrate") == 0
    page = client.get("/processes/chain_teacher/migrate").get_data(as_text=True)
    assert "已迁移" not in page and f'value="{first.instance_id}"' in page  # still offered


def test_the_migration_results_are_their_own_page_read_only_by_who_ran_it(login_as, session):
    first = start_teacher(session)
    client = login_as("rsc_reviewer")
    deploy(client, with_extra_review(), "增加人事处复核")
    done = client.post("/processes/chain_teacher/migrate", data={"instance_id": [str(first.instance_id), "x"]})
    results = done.headers["Location"]
    page = client.get(results).get_data(as_text=True)
    assert 'data-testid="migration-results"' in page and "实例编号无效" in page and "已迁移" in page
    assert client.get(results).get_data(as_text=True).count('data-testid="migration-results"') == 1
    assert login_as("admin").get(results).status_code == 404  # another user's run
    other_process = "/processes/chain_faculty_team/migrate?run=" + results.rsplit("=", 1)[1]
    assert client.get(other_process).status_code == 404  # the run belongs to the teacher chain's page


def test_a_warning_report_lost_at_the_commit_reports_nothing(login_as, session, lose_the_next_commit):
    client = login_as("jwc_reviewer")
    college = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "DZXY"))
    form = {"kind": "quality_accident", "concerns": "teacher_teaching", "level": "yellow", "org_unit_id": str(college),
            "title": "考试试卷印错",
            "description": "两个班发放了错误的试卷。"}  # fmt: skip
    lose_the_next_commit()
    lost = client.post("/warnings/new", data=form)
    assert lost.status_code == 409 and "已报告预警" not in lost.get_data(as_text=True)
    assert "已报告预警" not in client.get("/warnings").get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(QualityWarning).where(QualityWarning.title == "考试试卷印错")) is None
    reported = client.post("/warnings/new", data=form, follow_redirects=True)
    assert "已报告预警：考试试卷印错" in reported.get_data(as_text=True)
