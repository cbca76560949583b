"""A report as Word (python-docx) and PDF (WeasyPrint): A4, a title block, its headings in order with their
text, charts (PNG), a table of who wrote what, page numbers; and as Excel (openpyxl), for the colleges' exchange
of figures: the headings and their text on one sheet, each chart's figures on another, who wrote what on a third.
`report` is a plain dict: {"title", "subtitle", "sections": [{"title", "text"}], "charts": [{"title", "png",
"unit", "labels", "values"}], "table": {"head": [...], "rows": [[...]]} | None, "footer"}. WeasyPrint needs Pango
and the CJK fonts (.ci/ensure-pdf.sh installs them)."""

from __future__ import annotations

import base64
from html import escape
from io import BytesIO

from .exports import header_rows

CSS = """
@page { size: A4; margin: 25mm 20mm 22mm 20mm;
  @bottom-center { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 9pt; color: #555; } }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 11pt; line-height: 1.7; }
h1 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 20pt; text-align: center; margin: 0 0 4mm; }
.subtitle { text-align: center; color: #444; margin-bottom: 10mm; }
h2 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 14pt; margin: 8mm 0 3mm; page-break-after: avoid; }
p { text-indent: 2em; margin: 0 0 2mm; }
table { border-collapse: collapse; width: 100%; margin-top: 4mm; font-size: 10pt; }
th, td { border: 0.5pt solid #333; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
th { background: #eee; }
figure { margin: 3mm 0; page-break-inside: avoid; } figure img { width: 100%; }
.footer { margin-top: 10mm; color: #555; font-size: 9pt; text-align: right; }
"""


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


def to_html(report: dict) -> str:
    parts = [f"<h1>{escape(report['title'])}</h1>", f"<div class='subtitle'>{escape(report.get('subtitle', ''))}</div>"]
    for n, section in enumerate(report["sections"], start=1):
        parts.append(f"<h2>{chapter_number(n)}、{escape(section['title'])}</h2>")
        paragraphs = _paragraphs(section.get("text", "")) or ["（本部分暂无内容）"]
        parts += [f"<p>{escape(p)}</p>" for p in paragraphs]
    if report.get("charts"):
        parts.append("<h2>附：状态数据图表</h2>")
        for chart in report["charts"]:
            encoded = base64.b64encode(chart["png"]).decode("ascii")
            parts.append(f"<figure><img src='data:image/png;base64,{encoded}' alt='{escape(chart['title'])}'></figure>")
    table = report.get("table")
    if table and table.get("rows"):
        parts.append(f"<h2>{escape(table.get('title', ''))}</h2><table><thead><tr>")
        parts += [f"<th>{escape(h)}</th>" for h in table["head"]]
        parts.append("</tr></thead><tbody>")
        for row in table["rows"]:
            parts.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
    if report.get("footer"):
        parts.append(f"<div class='footer'>{escape(report['footer'])}</div>")
    return (
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>{escape(report['title'])}</title><style>{CSS}</style></head><body>{''.join(parts)}</body></html>"
    )


def to_pdf(report: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=to_html(report)).write_pdf()


NUMERALS = "一二三四五六七八九十"


def chapter_number(n: int) -> str:
    """Chinese chapter numbers: 一 ... 十, 十一 ... 九十九."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def to_docx(report: dict) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(report["title"])
    run.bold, run.font.size = True, Pt(18)
    sub = doc.add_paragraph(report.get("subtitle", ""))
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for n, part in enumerate(report["sections"], start=1):
        doc.add_heading(f"{chapter_number(n)}、{part['title']}", level=1)
        for p in _paragraphs(part.get("text", "")) or ["（本部分暂无内容）"]:
            para = doc.add_paragraph(p)
            para.paragraph_format.first_line_indent = Pt(22)
    if report.get("charts"):
        doc.add_heading("附：状态数据图表", level=1)
        for chart in report["charts"]:
            doc.add_picture(BytesIO(chart["png"]), width=Mm(160))
    table_data = report.get("table")
    if table_data and table_data.get("rows"):
        doc.add_heading(table_data.get("title", ""), level=1)
        table = doc.add_table(rows=1 + len(table_data["rows"]), cols=len(table_data["head"]))
        table.style = "Table Grid"
        for c, h in enumerate(table_data["head"]):
            table.cell(0, c).text = h
        for r, row in enumerate(table_data["rows"], start=1):
            for c, value in enumerate(row):
                table.cell(r, c).text = str(value)
        header_rows(table, 1)
    if report.get("footer"):
        doc.add_paragraph(report["footer"]).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    # page numbers in the footer: a PAGE field
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "报告正文"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="EEEEEE")

    def head(row) -> None:
        for cell in row:
            cell.font, cell.fill = bold, fill

    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append([report["title"]])
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.append([report.get("subtitle", "")])
    ws.append(["章节", "内容"])
    head(ws[3])
    for n, part in enumerate(report["sections"], start=1):
        ws.append([f"{chapter_number(n)}、{part['title']}", part.get("text", "")])
        ws.cell(ws.max_row, 2).alignment = wrap
    if report.get("footer"):
        ws.append([report["footer"]])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 28, 100
    charts = [c for c in report.get("charts") or [] if c.get("labels")]
    if charts:
        data = wb.create_sheet("状态数据")
        data.append(["指标", "单位", *charts[0]["labels"]])
        for chart in charts:
            data.append([chart["title"], chart.get("unit", ""), *chart["values"]])  # a month without data stays empty
        head(data[1])
        data.column_dimensions["A"].width = 28
    table = report.get("table")
    if table and table.get("rows"):
        sheet = wb.create_sheet(table.get("title") or "表")
        sheet.append(table["head"])
        for row in table["rows"]:
            sheet.append([str(v) for v in row])
        head(sheet[1])
        sheet.column_dimensions["A"].width = sheet.column_dimensions["B"].width = 28
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
