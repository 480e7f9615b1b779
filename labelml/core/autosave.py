"""The request side of field-by-field saves, shared by the audit's findings and report and the
follow-up audit's points: which fields a post asks to save, and saving them in turn.

htmx posts one field at a time (``champ``, set by static/js/app.js); without JavaScript the
form posts them all, and only those that changed are saved, each on the version the previous
one produced."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .types import AuthenticatedHttpRequest

# The longest text a field accepts (a justification, an observation, an answer…).
MAX_TEXT = 10_000


@dataclass
class SaveResult:
    """The outcome of one field's optimistic save (self-assessment, audit, follow-up audit)."""

    ok: bool
    version: int
    value: str  # the stored value (ours when ok, the other person's on conflict)
    by: Any = None
    at: Any = None


def clean_text(value: str) -> str:
    """A text field's value as stored: line ends normalised, refused beyond MAX_TEXT."""
    value = (value or "").replace("\r\n", "\n")
    if len(value) > MAX_TEXT:
        raise ValidationError(f"Texte trop long ({len(value)} caractères, {MAX_TEXT} au plus).")
    return value


def changed_fields(
    request: HttpRequest, order: tuple[str, ...], current: dict[str, str]
) -> list[str]:
    """The fields to save, in `order`: the one htmx names, or those a plain post changed."""
    champ = request.POST.get("champ")
    if champ in order:
        return [champ] if champ in request.POST else []
    return [
        c
        for c in order
        if c in request.POST and request.POST[c].replace("\r\n", "\n") != current[c]
    ]


def run_saves(
    saver: Callable[..., SaveResult],
    champs: list[str],
    request: AuthenticatedHttpRequest,
    version: int,
    **obj: Any,
) -> list[tuple[str, SaveResult, str]]:
    """Save the fields one after the other, each on the version the previous one produced;
    stop at the first conflict. Each result comes with the field and the value posted."""
    results: list[tuple[str, SaveResult, str]] = []
    for champ in champs:
        mine = request.POST.get(champ, "")
        result = saver(actor=request.user, champ=champ, valeur=mine, version=version, **obj)
        results.append((champ, result, mine))
        if not result.ok:
            break
        version = result.version
    return results
