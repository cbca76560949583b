"""Text over its limit is refused with the count, at the field, and nothing is stored cut short.

The document forms have their own tests (tests/web/test_forms_keep_work.py); these are the other forms
people type into: batch reminders and reasons, instance actions, annual-table evidence and notes, the
modeler's deploy note and rollback reason, a template's revision note.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engine.core.errors import InvalidInput
from engine.cycle import annual
from engine.models import AnnualTask, AuditEntry, ProcessInstance
from engine.oversight import instance_admin
from tests.conftest import NOW, user
from tests.engine.test_deadlines import submit_target
from tests.web.test_annual_board import TABLE

TOO_LONG = "字" * 501


def test_batch_reminder_and_reasons_over_500_are_refused_at_the_field(login_as, session, clock):
    review = submit_target(session)
    clock.advance(timedelta(days=10))
    office = login_as("zlc_admin")
    page = office.get("/monitor/tasks").get_data(as_text=True)
    assert 'name="message" data-maxlength="500"' in page and 'name="extend_reason" data-maxlength="500"' in page
    for data, field in (
        ({"action": "remind", "message": TOO_LONG}, "message"),
        ({"action": "reassign", "username": "dzxy_reviewer2", "reassign_reason": TOO_LONG}, "reassign_reason"),
        ({"action": "extend", "due_date": "2026-12-30", "extend_reason": TOO_LONG}, "extend_reason"),
    ):
        response = office.post("/monitor/tasks/batch", data={**data, "task_ids": [review.id]})
        text = response.get_data(as_text=True)
        assert response.status_code == 400, field
        assert f'data-testid="error-{field}"' in text and "最多 500 个字（当前 501 个）" in text
        assert TOO_LONG in text  # what was typed is still there
    count = select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("task.%"))
    assert session.scalar(count.where(AuditEntry.action != "task.complete")) == 0


def test_instance_action_reason_is_refused_not_cut(session):
    review = submit_target(session)
    office = user(session, "zlc_admin")
    try:
        instance_admin.suspend(session, office, review.instance_id, TOO_LONG, NOW)
    except InvalidInput as exc:
        assert exc.fields == {"reason": ["最多 500 个字（当前 501 个）"]}
    else:
        raise AssertionError("a 501-character reason was accepted")
    assert session.get(ProcessInstance, review.instance_id).status == "running"


def test_annual_evidence_and_note_over_their_limits(login_as, session):
    annual.instantiate(session, 2026, None, NOW, TABLE)
    row = session.scalar(select(AnnualTask).where(AnnualTask.year == 2026, AnnualTask.no == 1))
    office = login_as("zlc_admin")
    assert 'name="evidence" rows="2" data-maxlength="5000"' in office.get("/annual/2026").get_data(as_text=True)
    response = office.post(f"/annual/rows/{row.id}/done", data={"evidence": "证" * 5001})
    assert response.status_code == 400 and "最多 5000 个字（当前 5001 个）" in response.get_data(as_text=True)
    response = office.post(f"/annual/rows/{row.id}", data={"due_text": "11月30日", "responsible": "教务处",
                                                             "note": "注" * 2001})  # fmt: skip
    assert response.status_code == 400 and "最多 2000 个字（当前 2001 个）" in response.get_data(as_text=True)
    session.refresh(row)
    assert row.status == "open" and row.evidence is None and row.note == ""
