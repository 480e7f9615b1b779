"""Placeholder until the document is written."""

from __future__ import annotations

from typing import Any

from campagnes.models import Dossier


def unavailable(dossier: Dossier) -> str | None:
    return "Ce document n'est pas encore disponible."


def context(dossier: Dossier) -> dict[str, Any]:
    raise NotImplementedError
