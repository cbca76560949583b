"""Data feeds of table 37 (教学过程信息采集) and table 39's (管理过程): definitions as data, one validating way
in for the push API, uploads and forms, and the records shown back to their 信息源.
`values_of` is what the table-39 rules read; `aggregate` the yearly figures per subject or unit, which
`indicators.for_subject` (a subject's 平台数据) and the leaders' 质量看板 (engine.quality) read."""

from .aggregate import Cell, Measure, aggregate
from .catalogue import CATALOGUE, SELF_ENTRY, TABLE39, TABLE39_KEYS, load_catalogue
from .ingest import MAX_BATCH, InvalidBatch, ingest, validate
from .service import (
    DELIVERY_LABELS,
    SOURCE_LABELS,
    all_feeds,
    entry_sources,
    feed_of_token,
    issue_token,
    lead_unit_id,
    managed_feed,
    managed_feeds,
    own_series,
    records_seen,
    revoke_token,
    tokens_of,
    update_definition,
    values_of,
)
from .upload import columns, parse_upload, template_csv

__all__ = [
    "CATALOGUE", "DELIVERY_LABELS", "TABLE39", "TABLE39_KEYS", "MAX_BATCH", "SELF_ENTRY", "SOURCE_LABELS",
    "Cell", "InvalidBatch", "Measure", "aggregate", "all_feeds",
    "entry_sources", "feed_of_token", "ingest", "issue_token", "lead_unit_id", "load_catalogue", "managed_feed",
    "managed_feeds", "own_series", "records_seen", "revoke_token", "tokens_of", "update_definition", "validate",
    "values_of", "columns", "parse_upload", "template_csv",
]  # fmt: skip
