"""Free text as people type it: one newline convention, one way to count, one message for too long."""

from __future__ import annotations


def clean_text(value) -> str:
    """Trimmed text with browser newlines (CRLF) made plain, so the server counts what the page counted."""
    if not isinstance(value, str):
        return ""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def length_error(text: str, limit: int) -> str | None:
    """The message for text over its limit, with the current count (web/static/app.js counts the same way)."""
    if len(text) <= limit:
        return None
    return f"最多 {limit} 个字（当前 {len(text)} 个）"
