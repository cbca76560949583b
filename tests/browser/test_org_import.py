"""An administrator imports another college's units through the browser: upload, preview, confirm; a file
with a bad row shows the row and offers no confirmation. Screenshots at desktop and phone widths."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

COLLEGE = Path(__file__).resolve().parent.parent / "fixtures" / "college"


def test_import_preview_and_confirmation(live_server, page, tmp_path):
    log_in(page, live_server, "admin")
    page.click("[data-testid=manage-menu]")  # 系统管理 sits in the 管理 menu
    page.click("[data-testid=admin-menu]")
    page.wait_for_url("**/admin/units")
    page.click("[data-testid=admin-nav] >> text=导入")
    page.select_option("#kind", "units")
    page.set_input_files("#file", str(COLLEGE / "units.csv"))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_selector("[data-testid=run-summary]")
    assert "共 11 行：新增 11" in page.inner_text("[data-testid=run-summary]")
    assert "江南交通职业学院" in page.inner_text("[data-testid=sample]")
    shot(page, "org-import-preview-1366")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=run-result]")
    assert "新增 11" in page.inner_text("[data-testid=run-result]")
    page.goto(live_server + "/admin/units")
    assert page.is_visible("[data-testid=unit-JT10]")
    shot(page, "org-units-1366")
    page.goto(live_server + "/admin/positions")
    shot(page, "org-positions-1366")
    page.goto(live_server + "/admin/majors")
    shot(page, "org-majors-1366")

    bad = tmp_path / "staff.csv"
    bad.write_text("工号,姓名,单位代码,人员类别,邮箱\nz1,甲,NOPE,教师,\n", encoding="utf-8")
    page.goto(live_server + "/admin/imports")
    page.select_option("#kind", "staff")
    page.set_input_files("#file", str(bad))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_selector("[data-testid=row-errors]")
    assert "未知单位“NOPE”" in page.inner_text("[data-testid=row-error-2]")
    assert page.locator("[data-testid=confirm]").count() == 0

    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "org-import-errors-390")
    page.goto(live_server + "/admin/people?q=钱")
    shot(page, "org-people-390")
    page.goto(live_server + "/admin/positions")
    shot(page, "org-positions-390")
