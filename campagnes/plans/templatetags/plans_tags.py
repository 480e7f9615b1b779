from __future__ import annotations

from django import template

from labelml.accounts.models import User

register = template.Library()


@register.filter
def person(user: User | None, default: str = "—") -> str:
    """A person's display name: full name, else e-mail; `default` for nobody."""
    if user is None:
        return default
    return user.get_full_name() or user.email
