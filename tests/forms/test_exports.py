"""Excel and Word exports in the layout of the seed's tables."""

from __future__ import annotations

import copy
from io import BytesIO

from docx import Document as Docx
from openpyxl import load_workbook

from forms.exports import table_rows, to_docx, to_xlsx
from forms.templates import builtin_templates, empty_document

META = {"title": "教师发展质量诊改计划（2026）· 张伟", "header_values": {"subject_name": "张伟", "period": "2026",
        "approver": "李校长"}, "version": 1, "published_at": "2026-11-24 10:00", "status_label": "已发布"}  # fmt: skip


def plan_data():
    definition = builtin_templates()["teacher_plan"]
    data = empty_document(definition)
    data["rows"][0]["cells"]["performance"] = "=1+1"
    data["rows"][0]["cells"]["measures"] = "参加师德培训"
    data["rows"][1]["included"] = False
    data["sections"] = [{"key": "cmine", "label": "青年教师导师目标"}]
    data["rows"].append({"id": "cmentor", "section": "cmine", "label": "指导青年教师", "custom": True,
                         "included": True, "cells": {"measures": "结对两名"}})  # fmt: skip
    return definition, data


def test_table_rows_group_by_section():
    definition, data = plan_data()
    rows = table_rows(definition, data)
    assert rows[-1]["section_label"] == "青年教师导师目标" and rows[-1]["first_in_section"]
    assert all(r["label"] != data["rows"][1]["label"] for r in rows)  # excluded row left out
    first = rows[0]
    assert first["first_in_section"] and first["section_size"] == 2  # 师德师风 group minus the excluded row


def test_xlsx_layout():
    definition, data = plan_data()
    ws = load_workbook(BytesIO(to_xlsx(definition, data, META))).active
    assert ws["A1"].value == META["title"]
    assert "教师：张伟" in ws["A2"].value and "审定领导：李校长" in ws["A2"].value
    assert [ws.cell(3, c).value for c in range(1, 4)] == ["目标", "项目", "标准"]
    assert ws.cell(3, 6).value == "诊改计划"  # the group row over 现状/问题/改进措施/考核标准
    assert "C3:E3" in [str(m) for m in ws.merged_cells.ranges]
    assert ws.cell(4, 3).value.startswith("绩效")
    values = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1)]
    assert "指导青年教师" in values and data["rows"][1]["label"] not in values
    assert ws.cell(5, 3).value == "=1+1" and ws.cell(5, 3).data_type == "s"
    assert any(str(m).startswith("A5:") for m in ws.merged_cells.ranges)


def test_docx_layout():
    definition, data = plan_data()
    doc = Docx(BytesIO(to_docx(definition, data, META)))
    assert doc.paragraphs[0].text == META["title"]
    assert doc.sections[0].page_width > doc.sections[0].page_height
    table = doc.tables[0]
    head = [c.text for c in table.rows[0].cells]
    assert head[0] == "目标" and "标准" in head and "诊改计划" in head
    rows = table_rows(definition, data)
    assert len(table.rows) == 2 + len(rows)
    assert "指导青年教师" in [c.text for c in table.rows[-1].cells]


def test_target_has_no_section_column():
    definition = builtin_templates()["teacher_target"]
    data = copy.deepcopy(empty_document(definition))
    ws = load_workbook(BytesIO(to_xlsx(definition, data, META | {"version": None}))).active
    assert [ws.cell(3, c).value for c in range(1, 4)] == ["项目", "描述", "备注"]
    assert ws.cell(ws.max_row, 1).value.startswith("当前工作稿")
