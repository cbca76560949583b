"""Quality supervision (质量督导) and third-party satisfaction surveys (第三方满意度调查), seed annex rows
质量督导 and 第三方满意度调查: records.py (plans, records, responses), surveys.py (provider imports, results)."""

from . import records, surveys
from .records import records_for_subject

__all__ = ["records", "records_for_subject", "surveys"]
