"""The demo auditors' certification: only a certified auditor is assigned a mission
(audits.services.require_certified), so every demo auditor holds one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

CERTIFICATEUR = "Comité de certification des auditeurs du label (démo)"


def demo_certification(reference: str, years: int = 2) -> dict[str, Any]:
    """The certification fields of a demo auditor, valid `years` from today."""
    return {
        "certification_organisme": CERTIFICATEUR,
        "certification_reference": reference,
        "certifie_jusqu_au": timezone.localdate() + dt.timedelta(days=365 * years),
    }
