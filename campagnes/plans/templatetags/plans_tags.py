from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def person(user: Any, default: str = "—") -> str:
    """A person's display name: full name, else e-mail; `default` for nobody."""
    if user is None:
        return default
    return user.get_full_name() or user.email
