"""Free text that services receive: trimmed, counted as the page counts it, refused (never cut) when too long."""

from __future__ import annotations

from forms.text import clean_text, length_error

from .errors import N_, InvalidInput


def limited_text(value, limit: int, field: str) -> str:
    """The cleaned text, or InvalidInput naming the field with "最多 N 个字（当前 M 个）"."""
    text = clean_text(value)
    problem = length_error(text, limit)
    if problem:
        raise InvalidInput(N_("请检查填写的内容"), fields={field: [problem]})
    return text
