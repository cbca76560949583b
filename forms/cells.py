"""Spreadsheet cells that are text, never a formula: every Excel export goes through `text_only`."""

from __future__ import annotations

# what Excel (and LibreOffice) would read as the start of a formula, or what hides one (tab, CR, LF)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def text_only(ws) -> None:
    """Make every cell of worksheet `ws` that could be read as a formula plain text (quote-prefixed).

    openpyxl turns any string starting with "=" into a formula; the other starts are formulas once the
    user edits the cell or saves the sheet as CSV. Numbers and dates stay as they are.
    """
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str) and value.startswith(FORMULA_START):
                cell.data_type = "s"
                cell.quotePrefix = True
