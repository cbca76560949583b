"""Export a document to Excel and Word in the layout of the seed's tables (title, header line, table)."""

from __future__ import annotations

from io import BytesIO

from .cells import text_only
from .columns import row_display


def table_rows(definition: dict, data: dict) -> list[dict]:
    """Included rows in print order, grouped by section (template sections first, then the subject's own)."""
    labels = {s["key"]: s.get("label") or "" for s in definition["sections"]}
    order = [s["key"] for s in definition["sections"]]
    for s in data.get("sections", []):
        labels.setdefault(s["key"], s["label"])
        order.append(s["key"])
    rows = [r for r in data.get("rows", []) if r.get("included", True)]
    rank = {k: i for i, k in enumerate(order)}
    rows.sort(key=lambda r: rank.get(r["section"], len(rank)))
    out = []
    for i, r in enumerate(rows):
        first = i == 0 or rows[i - 1]["section"] != r["section"]
        size = sum(1 for x in rows if x["section"] == r["section"]) if first else 0
        out.append({"id": r["id"], "section_label": labels.get(r["section"], ""), "label": r["label"],
                    "first_in_section": first, "section_size": size,
                    "cells": row_display(definition, r["cells"])})  # fmt: skip
    return out


def _has_sections(definition: dict) -> bool:
    return any(s.get("label") for s in definition["sections"])


def _header_line(definition: dict, meta: dict) -> str:
    values = meta.get("header_values", {})
    return "    ".join(f"{h['label']}：{values.get(h['key'], '')}" for h in definition["header"])


def _footer(meta: dict) -> str:
    if meta.get("version"):
        return f"版本 v{meta['version']}，发布于 {meta.get('published_at') or ''}（{meta.get('status_label', '')}）"
    return f"当前工作稿（{meta.get('status_label', '')}）"


def _heads(definition: dict) -> tuple[list[str], list[tuple[str, int]]]:
    """Leading columns and the group row: [(group label or "", span)]."""
    lead = (["目标"] if _has_sections(definition) else []) + ["项目"]
    groups: list[tuple[str, int]] = []
    for c in definition["columns"]:
        g = c.get("group") or ""
        if groups and groups[-1][0] == g and g:
            groups[-1] = (g, groups[-1][1] + 1)
        else:
            groups.append((g, 1))
    return lead, groups


def to_xlsx(definition: dict, data: dict, meta: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    ws = wb.active
    ws.title = definition["title"][:31].replace("/", "／")
    lead, groups = _heads(definition)
    cols = definition["columns"]
    width = len(lead) + len(cols)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    fill = PatternFill("solid", fgColor="EEEEEE")
    ws.cell(1, 1, meta.get("title", definition["title"])).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, _header_line(definition, meta))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    grouped = any(g for g, _ in groups)
    top = 3
    head_rows = 2 if grouped else 1
    for i, name in enumerate(lead, start=1):
        ws.cell(top, i, name)
        if grouped:
            ws.merge_cells(start_row=top, start_column=i, end_row=top + 1, end_column=i)
    col = len(lead) + 1
    for g, span in groups:
        if grouped and g:
            ws.cell(top, col, g)
            if span > 1:
                ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + span - 1)
        col += span
    for j, c in enumerate(cols):
        r = top + 1 if grouped and c.get("group") else top
        ws.cell(r, len(lead) + 1 + j, c["label"])
        if grouped and not c.get("group"):
            ws.merge_cells(start_row=top, start_column=len(lead) + 1 + j, end_row=top + 1, end_column=len(lead) + 1 + j)
    for r in range(top, top + head_rows):
        for c in range(1, width + 1):
            cell = ws.cell(r, c)
            cell.font, cell.fill, cell.border, cell.alignment = (
                Font(bold=True),
                fill,
                border,
                Alignment(wrap_text=True, horizontal="center", vertical="center"),
            )
    r = top + head_rows
    for row in table_rows(definition, data):
        values = ([row["section_label"]] if len(lead) == 2 else []) + [row["label"]] + row["cells"]
        for c, value in enumerate(values, start=1):
            if c == 1 and len(lead) == 2 and not row["first_in_section"]:
                continue  # inside the merged section cell
            cell = ws.cell(r, c)
            cell.value = value
            cell.border, cell.alignment = border, wrap
        if len(lead) == 2 and row["first_in_section"] and row["section_size"] > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r + row["section_size"] - 1, end_column=1)
        r += 1
    ws.cell(r + 1, 1, _footer(meta))
    from openpyxl.utils import get_column_letter

    for c in range(1, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 18 if c <= len(lead) else 36
    ws.freeze_panes = ws.cell(top + head_rows, 1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    text_only(ws)  # the title, header line, labels and cells are user text: never a formula
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def header_rows(table, count: int) -> None:
    """The first `count` rows of a Word table in bold, repeated at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for r in range(count):
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        table.rows[r]._tr.get_or_add_trPr().append(header)
        for cell in table.rows[r].cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.bold = True


def to_docx(definition: dict, data: dict, meta: dict) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(meta.get("title", definition["title"]))
    run.bold, run.font.size = True, Pt(15)
    doc.add_paragraph(_header_line(definition, meta))
    lead, groups = _heads(definition)
    cols = definition["columns"]
    grouped = any(g for g, _ in groups)
    head_rows = 2 if grouped else 1
    body = table_rows(definition, data)
    table = doc.add_table(rows=head_rows + len(body), cols=len(lead) + len(cols))
    table.style = "Table Grid"
    for i, name in enumerate(lead):
        table.cell(0, i).text = name
        if grouped:
            table.cell(0, i).merge(table.cell(1, i))
    col = len(lead)
    for g, span in groups:
        if grouped and g:
            merged = table.cell(0, col).merge(table.cell(0, col + span - 1)) if span > 1 else table.cell(0, col)
            merged.text = g
        col += span
    for j, c in enumerate(cols):
        idx = len(lead) + j
        if grouped and c.get("group"):
            table.cell(1, idx).text = c["label"]
        elif grouped:
            cell = table.cell(0, idx).merge(table.cell(1, idx))
            cell.text = c["label"]
        else:
            table.cell(0, idx).text = c["label"]
    header_rows(table, head_rows)
    # `table.cell()` walks the whole table on every call (quadratic: ~1 s for 40 rows); take the columns once.
    grid = [table.column_cells(c) for c in range(len(lead) + len(cols))]
    for i, row in enumerate(body):
        r = head_rows + i
        values = ([row["section_label"]] if len(lead) == 2 else []) + [row["label"]] + row["cells"]
        for c, value in enumerate(values):
            if len(lead) == 2 and c == 0 and not row["first_in_section"]:
                continue
            grid[c][r].text = value
        if len(lead) == 2 and row["first_in_section"] and row["section_size"] > 1:
            grid[0][r].merge(grid[0][r + row["section_size"] - 1])
    doc.add_paragraph(_footer(meta))
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()
