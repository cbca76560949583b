"""The annual milestone board: status counts by category and department, filters, evidence of done rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from engine import org
from engine.cycle import annual
from engine.models import AnnualTask
from tests.conftest import NOW, user

TABLE = {
    "years": {
        "2017": [
            {"no": 1, "category": "工作标准制定", "task": "部门职责", "responsible": ["教务处"],
             "cooperating": [], "due_text": "11月30日", "note": ""},
            {"no": 2, "category": "工作标准制定", "task": "岗位标准", "responsible": ["教务处", "人力资源处"],
             "cooperating": [], "due_text": "12月20日", "note": ""},
            {"no": 3, "category": "基本标准制定", "task": "教师课时量基本标准", "responsible": ["人力资源处"],
             "cooperating": [], "due_text": "10月15日", "note": ""},
            {"no": 4, "category": "基本标准制定", "task": "专业设置基本标准", "responsible": ["教务处"],
             "cooperating": [], "due_text": "10月20日", "note": ""},
            {"no": 5, "category": "诊改运行", "task": "平台运行", "responsible": ["信息化处"],
             "cooperating": [], "due_text": "全年常态运行", "note": ""},
        ]
    }
}  # fmt: skip


def counts(page: str, testid: str, group: str) -> dict[str, int]:
    table = page.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    row = table.split(f'data-group="{group}"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'data-count="(\w+)">(?:<a[^>]*>|<span[^>]*>)(\d+)<', row)
    return {k: int(v) for k, v in cells if int(v)}


def shown_rows(page: str) -> list[str]:
    return re.findall(r'<tr id="row-(\d+)" data-status="(\w+)"', page)


def test_board_counts_filters_and_evidence(login_as, session, clock):
    annual.instantiate(session, 2026, None, NOW, TABLE)
    staff = user(session, "jwc_staff")
    row4 = session.scalar(select(AnnualTask).where(AnnualTask.year == 2026, AnnualTask.no == 4))
    done_at = datetime(2026, 10, 18, 2, 0, tzinfo=UTC)
    annual.mark_done(session, staff, org.principals_of(session, staff.id), row4.id, "已印发《专业设置基本标准》",
                     done_at)  # fmt: skip
    session.flush()
    office = login_as("zlc_admin")  # NOW is 2026-11-24: row 1 due in 6 days, row 2 in 26, row 3 overdue
    page = office.get("/annual/2026").get_data(as_text=True)
    assert 'data-testid="milestone-board"' in page
    assert counts(page, "board-categories", "工作标准制定") == {"due_soon": 1, "not_due": 1}
    assert counts(page, "board-categories", "基本标准制定") == {"overdue": 1, "done": 1}
    assert counts(page, "board-departments", "教务处") == {"due_soon": 1, "not_due": 1, "done": 1}
    assert counts(page, "board-departments", "人力资源处") == {"not_due": 1, "overdue": 1}
    assert 'data-testid="total-overdue">已逾期 <span class="badge text-bg-danger">1<' in page
    assert "已印发《专业设置基本标准》" in page and "教务处干事，2026-10-18" in page  # the evidence of the done row
    assert page.count('data-testid="category"') == 3  # rows grouped by category

    overdue = office.get("/annual/2026?state=overdue").get_data(as_text=True)
    assert shown_rows(overdue) == [("3", "overdue")]
    jwc = office.get("/annual/2026?department=教务处").get_data(as_text=True)
    assert [no for no, _ in shown_rows(jwc)] == ["1", "2", "4"]
    cell = office.get("/annual/2026?department=人力资源处&state=not_due").get_data(as_text=True)
    assert shown_rows(cell) == [("2", "not_due")]
    empty = office.get("/annual/2026?category=诊改运行&state=overdue").get_data(as_text=True)
    assert shown_rows(empty) == [] and 'data-testid="no-rows"' in empty
    assert login_as("s01").get("/annual/2026").status_code == 404
