"""The self-diagnosis record (forms/record.py) to Excel and Word in the seed's layout (tables 29-36).

A title block (the record's title, then subject, year and 吻合度), two grouped header rows (标准 · 诊改计划
· 自我诊断 · 上一级复核意见 · 学校抽样复核结论 over their columns; 项目 and 吻合度 spanning both rows), then a
section row (目标：…) before each section's items. `tr` translates the headings (the web passes gettext).
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from .cells import text_only
from .exports import header_rows
from .record import AGREEMENT_HEADING, GROUPS, N_, columns, percent


def _identity(text: str) -> str:
    return text


def title_lines(meta: dict, record: dict, tr: Callable[[str], str]) -> tuple[str, str]:
    subject, year = tr(N_("主体")), tr(N_("年度"))  # outside the f-strings, where the catalog finds them
    line = "    ".join(
        [f"{subject}：{meta.get('subject', '')}", f"{year}：{meta.get('year', '')}",
         f"{tr(AGREEMENT_HEADING)}：{percent(record.get('agreement'))}"]
    )  # fmt: skip
    return meta.get("title", tr(N_("自我诊断记录"))), line


def _body(record: dict, tr) -> list[tuple[str, list[str]]]:
    """("section", [label]) and ("item", [项目, cells..., 吻合度]) rows in order."""
    out: list[tuple[str, list[str]]] = []
    goal = tr(N_("目标"))
    for section in record["sections"]:
        if section["label"]:
            out.append(("section", [f"{goal}：{section['label']}"]))
        for row in section["rows"]:
            out.append(("item", [row["label"], *row["cells"], percent(row["agreement"])]))
    return out


def to_xlsx(record: dict, meta: dict, tr: Callable[[str], str] = _identity) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = tr(N_("自我诊断记录"))[:31]
    cols = columns()
    width = len(cols) + 2
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(wrap_text=True, horizontal="center", vertical="center")
    title, line = title_lines(meta, record, tr)
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, line)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    top = 3
    ws.cell(top, 1, tr(N_("项目")))
    ws.merge_cells(start_row=top, start_column=1, end_row=top + 1, end_column=1)
    col = 2
    for group, group_cols in GROUPS:
        ws.cell(top, col, tr(group))
        ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + len(group_cols) - 1)
        for j, (_part, _key, label) in enumerate(group_cols):
            ws.cell(top + 1, col + j, tr(label))
        col += len(group_cols)
    ws.cell(top, width, tr(AGREEMENT_HEADING))
    ws.merge_cells(start_row=top, start_column=width, end_row=top + 1, end_column=width)
    for r in (top, top + 1):
        for c in range(1, width + 1):
            cell = ws.cell(r, c)
            cell.font, cell.border, cell.alignment = Font(bold=True), border, center
            cell.fill = PatternFill("solid", fgColor="EEEEEE")
    r = top + 2
    for kind, values in _body(record, tr):
        if kind == "section":
            ws.cell(r, 1, values[0]).font = Font(bold=True)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        else:
            for c, value in enumerate(values, start=1):
                cell = ws.cell(r, c, value)
                cell.border, cell.alignment = border, Alignment(wrap_text=True, vertical="top")
        r += 1
    for c in range(1, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 16 if c in (1, width) else 24
    ws.freeze_panes = f"B{top + 2}"  # a string: the cell may sit in a merged section row
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    text_only(ws)  # every cell is user text: never a formula
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_docx(record: dict, meta: dict, tr: Callable[[str], str] = _identity) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(9)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    page = doc.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = Mm(297), Mm(210)
    page.left_margin = page.right_margin = Mm(12)
    title, line = title_lines(meta, record, tr)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(title)
    run.bold, run.font.size = True, Pt(15)
    doc.add_paragraph(line)
    cols = columns()
    width = len(cols) + 2
    body = _body(record, tr)
    table = doc.add_table(rows=2 + len(body), cols=width)
    table.style = "Table Grid"
    grid = [table.column_cells(c) for c in range(width)]  # table.cell() walks the whole table each call
    grid[0][0].merge(grid[0][1]).text = tr(N_("项目"))
    col = 1
    for group, group_cols in GROUPS:
        head = grid[col][0].merge(grid[col + len(group_cols) - 1][0]) if len(group_cols) > 1 else grid[col][0]
        head.text = tr(group)
        for j, (_part, _key, label) in enumerate(group_cols):
            grid[col + j][1].text = tr(label)
        col += len(group_cols)
    grid[width - 1][0].merge(grid[width - 1][1]).text = tr(AGREEMENT_HEADING)
    header_rows(table, 2)
    for i, (kind, values) in enumerate(body):
        r = 2 + i
        if kind == "section":
            merged = grid[0][r].merge(grid[width - 1][r])
            merged.text = values[0]
            for piece in merged.paragraphs[0].runs:
                piece.bold = True
            continue
        for c, value in enumerate(values):
            grid[c][r].text = value
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()
