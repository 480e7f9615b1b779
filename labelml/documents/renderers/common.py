"""What every printed document shares: the dossier with its structure and campaign, the
generation time, the letterhead settings (logo and signature as data: URIs, so that WeasyPrint
never reads the storage by URL), and the table of contents entries."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from campagnes.models import Dossier

from ..models import ParametresDocuments
from ..parametres import IMAGE_SIGNATURES


@dataclass(frozen=True)
class TocEntry:
    id: str
    title: str
    level: int = 1


def data_uri(field: Any) -> str:
    """The image as a data: URI, or "" when unset or unreadable (a missing logo must not stop
    a render)."""
    if not field:
        return ""
    try:
        with field.open("rb") as f:
            content = f.read()
    except OSError:
        return ""
    mime = next((m for magic, m in IMAGE_SIGNATURES.items() if content.startswith(magic)), None)
    if mime is None:
        return ""
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def common_context(dossier: Dossier, *, title: str) -> dict[str, Any]:
    dossier = (
        Dossier.objects.select_related("structure", "campagne__referentiel")
        .filter(pk=dossier.pk)
        .get()
    )
    parametres = ParametresDocuments.current()
    return {
        "title": title,
        "dossier": dossier,
        "structure": dossier.structure,
        "campagne": dossier.campagne,
        "referentiel": dossier.campagne.referentiel,
        "generated_at": timezone.localtime(),
        "parametres": parametres,
        "logo_uri": data_uri(parametres.logo),
        "signature_uri": data_uri(parametres.signature),
    }
