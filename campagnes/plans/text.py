"""Small text helpers of the plan."""

from __future__ import annotations


def shorten(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else cut at the last word boundary with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:(-–") + "…"
