"""The attestation (certificate) of a granted label (SPEC §7): the structure, the référentiel, the
certificate number and validity, the reservations if any, and a QR code of the public
verification page, whose address is also printed. A one-page A4 landscape certificate.

Only a label that is valid today can be printed: a withdrawn, suspended or expired label has no
attestation (the verification page says so to whoever scans an older copy)."""

from __future__ import annotations

from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import timezone

from audits.commission.models import Label
from campagnes.models import Dossier

from ..templatetags.print_tags import date_longue
from .commission_common import (
    emitter_subject,
    label_of,
    latest_decision,
    place_of_issue,
    verification_url,
)
from .common import common_context
from .pdf import FONTS_DIR

NO_LABEL = "L'attestation sera disponible une fois le label accordé par la commission."
TEMPLATE = "documents/print/attestation.html"


def current_label(dossier: Dossier) -> Label | None:
    """The label granted by the dossier's latest decision, if any."""
    return label_of(latest_decision(dossier))


def unavailable(dossier: Dossier) -> str | None:
    label = current_label(dossier)
    if label is None:
        return NO_LABEL
    statut = label.statut_le(timezone.localdate())
    if statut == Label.Statut.RETIRE:
        return "Le label de cette structure est retiré."
    if statut == Label.Statut.SUSPENDU:
        return "Le label de cette structure est suspendu."
    if statut == "expire":
        return f"Le label de cette structure a expiré le {date_longue(label.date_fin)}."
    return None


def qr_data_uri(url: str) -> str:
    """The QR code of `url` as an SVG data: URI: vector, so WeasyPrint prints it sharp at any
    size. Error correction M (15 %) survives a stamp or a fold; the 4-module quiet zone is
    part of the image."""
    return str(segno.make(url, error="m").svg_data_uri(dark="#1f2328", scale=4))


def context(dossier: Dossier) -> dict[str, Any]:
    ctx = common_context(dossier, title="Attestation de labellisation")
    label = current_label(ctx["dossier"])
    if label is None:  # the task checks availability first
        raise ValueError(NO_LABEL)
    url = verification_url(label)
    ctx.update(
        {
            "label": label,
            "decision": label.decision,
            "decided_on": timezone.localtime(label.decision.decide_le).date(),
            "verification_url": url,
            "qr_uri": qr_data_uri(url),
            "reserves_in_full": True,
            "long_name": len(ctx["structure"].nom) > 60,
            "place": place_of_issue(ctx["parametres"].adresse),
            "emitter_subject": emitter_subject(ctx["parametres"].emetteur),
        }
    )
    if label.reserves.strip() and not _fits_on_one_page(ctx):
        # The certificate stays on one page: it then refers to the decision letter, which
        # carries the reservations in full (never a truncated text).
        ctx["reserves_in_full"] = False
    return ctx


def _fits_on_one_page(ctx: dict[str, Any]) -> bool:
    """Lay the certificate out (no PDF written) to see whether it keeps to one page."""
    import weasyprint

    html = render_to_string(TEMPLATE, ctx)
    return len(weasyprint.HTML(string=html, base_url=f"{FONTS_DIR}/").render().pages) == 1
