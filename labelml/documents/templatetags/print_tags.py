"""French typography for printed documents: the narrow no-break space (U+202F) before « ; : ! ? »
and inside guillemets, the no-break space inside numbers, so that a line never starts with a
colon. Applied to people's text too (answers, findings), escaped first."""

from __future__ import annotations

import datetime
import re

from django import template
from django.utils import timezone
from django.utils.formats import date_format
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
        return SafeString("")
    escaped = _escaped(value)
    return mark_safe(escaped)  # nosec B308, B703 # escaped just above


@register.filter(is_safe=True)
def typo_paragraphs(value: object) -> SafeString:
    """Escape, apply French typography and keep the author's paragraphs and line breaks."""
    if value is None or value == "":
        return SafeString("")
    # Safe: _escaped() escapes; linebreaks() only adds <p> and <br>.
    paragraphs = linebreaks(_escaped(value), autoescape=False)
    return mark_safe(paragraphs)  # nosec B308, B703


@register.filter
def date_longue(value: object) -> str:
    """The French long date of letters and certificates: "12 mars 2026", "1er mars 2026" (the
    first day of a month is an ordinal), with a no-break space after the day. A datetime is
    shown in local time."""
    if not isinstance(value, datetime.date):
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    day = "1er" if value.day == 1 else str(value.day)
    # No line break between the day and the month.
    return f"{day}\u00a0{date_format(value, 'F Y')}"


@register.filter
def pluriel(count: object, forms: str = "s") -> str:
    """French plural: "0 voix favorable", "1 abstention", "2 abstentions" (the plural starts at
    two, unlike `pluralize`). `forms` is "plural" or "singular,plural"."""
    singular, _, plural = forms.rpartition(",")
    try:
        many = abs(int(str(count))) >= 2
    except ValueError:
        many = False
    return plural if many else singular
