from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ dict|get_item:key }}` — dictionary lookup with a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def key_for(obj: Any, kind: str) -> str:
    """`{{ reponse|key_for:"reponse" }}` → "reponse-12": the id of a form's status and version."""
    return f"{kind}-{obj.pk}"
