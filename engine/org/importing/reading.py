"""Reading an uploaded table: Excel (.xlsx) or CSV (UTF-8, or GBK as Excel saves it in China).

Everything that is not a readable table with the expected header is refused here with a message in the
user's words (a `BadFile`): too large, not a table, an unknown encoding, merged cells, missing columns.
"""

from __future__ import annotations

import csv
import io
import zipfile

from ...core.errors import N_, InvalidInput

MAX_BYTES = 10 * 1024 * 1024  # a roster of 20,000 students is about 1 MB
MAX_ROWS = 100_000


class BadFile(InvalidInput):
    """The upload cannot be read as the expected table; nothing was imported."""


def read_table(filename: str, data: bytes, columns: list[str], required: set[str]) -> tuple[list[dict], list[str]]:
    """The rows (dicts by column title, values stripped strings) and notes about the file (message ids with
    their parameters)."""
    if not data:
        raise BadFile(N_("文件是空的"))
    if len(data) > MAX_BYTES:
        raise BadFile(N_("文件超过 10 MB，无法导入；请检查是否选错了文件"))
    name = (filename or "").lower()
    notes: list[str] = []
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        header, rows = _read_xlsx(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        header, rows, encoding = _read_csv(data)
        if encoding != "utf-8":
            notes.append({"message": N_("文件按 GBK 编码读取"), "params": {}})
    elif name.endswith(".xls"):
        raise BadFile(N_("不支持旧版 Excel (.xls) 文件，请另存为 .xlsx 或 CSV 后再导入"))
    else:
        raise BadFile(N_("只能导入 Excel (.xlsx) 或 CSV 文件"))
    header = [(h or "").strip().lstrip("*").strip() for h in header]
    if not any(header):
        raise BadFile(N_("文件没有表头，请使用下载的模板"))
    missing = [c for c in columns if c in required and c not in header]
    if missing:
        raise BadFile(N_("缺少列：%(columns)s。请使用下载的模板"), columns="、".join(missing))
    extra = [h for h in header if h and h not in columns]
    if extra:
        notes.append({"message": N_("已忽略模板以外的列：%(columns)s"), "params": {"columns": "、".join(extra[:10])}})
    if len(rows) > MAX_ROWS:
        raise BadFile(N_("文件超过 %(n)s 行，请分批导入"), n=MAX_ROWS)
    index = {h: i for i, h in enumerate(header) if h in columns}
    out = []
    for values in rows:
        cells = {c: _text(values[i]) if i < len(values) else "" for c, i in index.items()}
        out.append(cells)
    return out, notes


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "date") and hasattr(value, "hour"):  # a datetime cell: its day
        value = value.date()
    return str(value).strip()


def _read_xlsx(data: bytes) -> tuple[list, list[list]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise BadFile(N_("文件不是有效的 Excel (.xlsx) 文件")) from exc
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged file
        raise BadFile(N_("文件不是有效的 Excel (.xlsx) 文件")) from exc
    ws = wb.worksheets[0]
    merged = [str(r) for r in ws.merged_cells.ranges]
    if merged:
        raise BadFile(N_("文件含有合并单元格（%(ranges)s），请取消合并并在每行填写完整后再导入"),
                      ranges="、".join(merged[:5]))  # fmt: skip
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    rows = [r for r in rows if any(v not in (None, "") for v in r)]
    if not rows:
        raise BadFile(N_("文件是空的"))
    return rows[0], rows[1:]


def _read_csv(data: bytes) -> tuple[list, list[list], str]:
    if b"\x00" in data[:4096]:
        raise BadFile(N_("文件不是文本格式的 CSV，无法读取"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BadFile(N_("文件编码无法识别，请另存为 UTF-8 编码的 CSV 或 Excel (.xlsx) 文件"))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [r for r in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise BadFile(N_("CSV 文件格式有误，无法读取")) from exc
    if not rows:
        raise BadFile(N_("文件是空的"))
    return rows[0], rows[1:], "utf-8" if encoding == "utf-8-sig" else "gbk"
