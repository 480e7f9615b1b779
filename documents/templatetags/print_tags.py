"""French typography for printed documents: the narrow no-break space (U+202F) before « ; : ! ? »
and inside guillemets, the no-break space inside numbers, so that a line never starts with a
colon. Applied to people's text too (answers, findings), escaped first."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

NNBSP = "\u202f"
_BEFORE = re.compile(r"[ \u00a0]*([;:!?»])(?=\s|$|[.,)])")
_AFTER = re.compile(r"«[ \u00a0]*")
_PERCENT = re.compile(r"(\d)[ \u00a0]?%")


def french(text: str) -> str:
    text = _BEFORE.sub(lambda m: NNBSP + m.group(1), text)
    text = _AFTER.sub("«" + NNBSP, text)
    text = _PERCENT.sub(lambda m: m.group(1) + NNBSP + "%", text)
    return text.replace("'", "’")


def _escaped(value: object) -> str:
    # Typography first, on the raw text (an escaped entity ends with ";"), then escaping.
    return str(conditional_escape(french(str(value))))


@register.filter(is_safe=True)
def typo(value: object) -> SafeString:
    """Escape, then apply French typography (one line)."""
    if value is None or value == "":
        return mark_safe("")
    return mark_safe(_escaped(value))


@register.filter(is_safe=True)
def typo_paragraphs(value: object) -> SafeString:
    """Escape, apply French typography and keep the author's paragraphs and line breaks."""
    if value is None or value == "":
        return mark_safe("")
    return mark_safe(linebreaks(_escaped(value), autoescape=False))
