"""French plurals: 0 and 1 take the singular ("0 critère", "1 point", "2 points").

Django's `ngettext` and `pluralize` follow the English rule for any message without a compiled
French catalog ("0 critères"), and the application has no catalog: its texts are written in
French. So every count-based text goes through this module:

- in Python, `pluriel(n, "{n} point à compléter", "{n} points à compléter")`;
- in templates, the `pluralize` filter is this module's (declared as a template builtin in
  settings.TEMPLATES, it replaces Django's): `{{ n }} critère{{ n|pluralize }}`,
  `remplacez-{{ n|pluralize:"la,les" }}` — the same arguments as Django's, the French rule.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def is_plural(n: Any) -> bool:
    """French rule: plural from 2 on (0 and 1 are singular)."""
    try:
        count = len(n) if hasattr(n, "__len__") and not isinstance(n, str) else float(n)
    except (TypeError, ValueError):
        return False
    return abs(count) >= 2


def pluriel(n: Any, singulier: str, pluriel_: str) -> str:
    """The singular or the plural text for `n`, with `{n}` replaced by the count."""
    count = len(n) if hasattr(n, "__len__") and not isinstance(n, str) else n
    return (pluriel_ if is_plural(n) else singulier).replace("{n}", str(count))


@register.filter(is_safe=False)
def pluralize(value: Any, arg: str = "s") -> str:
    """Django's `pluralize` with the French rule: `{{ n|pluralize }}`, `{{ n|pluralize:"la,les" }}`
    (singular and plural suffixes)."""
    if "," not in arg:
        arg = "," + arg
    bits = arg.split(",")
    if len(bits) > 2:
        return ""
    singular_suffix, plural_suffix = bits[:2]
    return plural_suffix if is_plural(value) else singular_suffix
