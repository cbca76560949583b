"""质量督导: supervision plans, records and responses (records.py), satisfaction surveys (surveys.py), and the
small blocks other pages include (the records on a diagnosis or review task, the 满意度 badges of a document,
the surveys' table on the monitoring dashboard)."""

from . import records, surveys  # noqa: E402,F401  (registers the views)
from .blueprint import bp

__all__ = ["bp"]
