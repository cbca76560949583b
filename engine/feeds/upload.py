"""An uploaded export (Excel or CSV) as a batch: columns 记录号, 信息源, 日期, then one column per data item (its
名称 or its key). The file is read by the roster import's reader (engine/org/importing), so its refusals (too
large, not a table, merged cells, missing columns) read the same."""

from __future__ import annotations

import csv
import io

from ..models import FeedDefinition
from ..org.importing.reading import read_table

FIXED = ("记录号", "信息源", "日期")


def columns(feed: FeedDefinition) -> list[str]:
    return [*FIXED, *(f["label"] for f in feed.fields)]


def template_csv(feed: FeedDefinition) -> str:
    """The header row to fill in, as CSV text."""
    out = io.StringIO()
    csv.writer(out).writerow(columns(feed))
    return out.getvalue()


def parse_upload(feed: FeedDefinition, filename: str, data: bytes) -> tuple[list[dict], list]:
    """(records in the push API's shape, notes about the file); BadFile (InvalidInput) for an unreadable file."""
    by_label = {f["label"]: f["key"] for f in feed.fields}
    rows, notes = read_table(filename, data, columns(feed), set(FIXED))
    records = []
    for cells in rows:
        values = {by_label[c]: v for c, v in cells.items() if c in by_label and v != ""}
        records.append({"record_key": cells.get("记录号", ""), "source": cells.get("信息源", ""),
                        "occurred_on": cells.get("日期", ""), "values": values})  # fmt: skip
    return records, notes
