from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def side(row: Any, name: str) -> Any:
    """A row's figures on one scale ("autoevaluation" or "audit")."""
    return getattr(row, name) if name in ("autoevaluation", "audit") else None
