"""Targets of the load: who saves what, read from the seeded national database.

Run by run.py in the bench database (`python -m scripts.bench_load.prepare OUT.json`). Writes
one JSON file that the locust process reads:

- ``editors``: people who may edit a self-assessment still open (every member of the Mission
  Locale with the capability to edit it, on the dossiers in `autoevaluation`), each with answers
  of their own: a dossier's answers are dealt out between its editors, so no two simulated
  people ever save the same answer (a 409 would then be a bug, not a race of the load);
- ``auditors``: the assigned auditors of the audits open on dossiers in `audit_en_cours`, each
  with the findings of their missions;
- the levels of the two scales, the demo password and TOTP secret.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any


def build_targets() -> dict[str, Any]:
    from audits.models import Audit, Constat
    from campagnes.autoevaluations.models import Reponse
    from campagnes.models import Dossier
    from labelml.demo.network import DEMO_PASSWORD, DEMO_TOTP_SECRET
    from labelml.structures.models import Membership
    from labelml.structures.roles import ROLE_CAPABILITIES, Capability
    from referentiel.models import Niveau

    editing_roles = [
        role for role, caps in ROLE_CAPABILITIES.items() if Capability.EDIT_AUTOEVALUATION in caps
    ]
    dossiers = list(
        Dossier.objects.filter(statut=Dossier.Statut.AUTOEVALUATION)
        .select_related("campagne__referentiel")
        .order_by("pk")
    )
    editors_of: dict[int, list[str]] = defaultdict(list)
    for structure_id, email in (
        Membership.objects.filter(
            structure_id__in=[d.structure_id for d in dossiers],
            role__in=editing_roles,
            user__is_active=True,
        )
        .order_by("structure_id", "user__email")
        .values_list("structure_id", "user__email")
    ):
        if email not in editors_of[structure_id]:
            editors_of[structure_id].append(email)
    reponses_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pk, dossier_id, version, niveau_id, critere, sans_objet in (
        Reponse.objects.filter(autoevaluation__dossier__in=dossiers)
        .order_by("autoevaluation__dossier_id", "element__ordre")
        .values_list(
            "pk",
            "autoevaluation__dossier_id",
            "version",
            "niveau_id",
            "element__critere__code",
            "element__sans_objet_autorise",
        )
    ):
        reponses_of[dossier_id].append(
            {
                "pk": pk,
                "version": version,
                "niveau": str(niveau_id or ""),
                "critere": critere,
                "sans_objet": sans_objet,
            }
        )
    editors: list[dict[str, Any]] = []
    echelles: dict[int, list[int]] = {}
    for dossier in dossiers:
        emails = editors_of.get(dossier.structure_id, [])
        reponses = reponses_of.get(dossier.pk, [])
        if not emails or not reponses:
            continue
        echelle = dossier.campagne.referentiel.echelle_autoevaluation_pk
        echelles.setdefault(echelle, [])
        for i, email in enumerate(emails):
            mine = reponses[i :: len(emails)]
            if mine:
                editors.append(
                    {"email": email, "dossier": dossier.pk, "echelle": echelle, "reponses": mine}
                )
    for echelle in echelles:
        echelles[echelle] = list(
            Niveau.objects.filter(echelle_id=echelle)
            .exclude(code="sans_objet")
            .order_by("ordre")
            .values_list("pk", flat=True)
        )

    audits = list(
        Audit.objects.filter(
            dossier__statut=Dossier.Statut.AUDIT_EN_COURS,
            statut__in=[Audit.Statut.PLANIFIE, Audit.Statut.EN_COURS, Audit.Statut.A_REVOIR],
        )
        .select_related("auditeur__user", "dossier__campagne__referentiel")
        .order_by("pk")
    )
    constats_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pk, audit_id, version, niveau_id, critere in (
        Constat.objects.filter(audit__in=audits)
        .order_by("audit_id", "critere__ordre")
        .values_list("pk", "audit_id", "version", "niveau_id", "critere__code")
    ):
        constats_of[audit_id].append(
            {"pk": pk, "version": version, "niveau": str(niveau_id or ""), "critere": critere}
        )
    missions_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    audit_echelles: dict[int, list[int]] = {}
    for audit in audits:
        echelle = audit.dossier.campagne.referentiel.echelle_audit_pk
        audit_echelles.setdefault(echelle, [])
        if constats_of.get(audit.pk):
            missions_of[audit.auditeur.user.email].append(
                {"dossier": audit.dossier_id, "echelle": echelle, "constats": constats_of[audit.pk]}
            )
    for echelle in audit_echelles:
        audit_echelles[echelle] = list(
            Niveau.objects.filter(echelle_id=echelle).order_by("ordre").values_list("pk", flat=True)
        )
    auditors = [
        {"email": email, "missions": missions} for email, missions in sorted(missions_of.items())
    ]
    return {
        "password": DEMO_PASSWORD,
        "totp_secret": DEMO_TOTP_SECRET,
        "niveaux": {str(k): v for k, v in echelles.items()},
        "niveaux_audit": {str(k): v for k, v in audit_echelles.items()},
        "editors": editors,
        "auditors": auditors,
    }


def main(out: str) -> None:
    import django

    django.setup()
    targets = build_targets()
    Path(out).write_text(json.dumps(targets), encoding="utf-8")
    print(
        f"Cibles : {len(targets['editors'])} personnes sur des auto-évaluations ouvertes, "
        f"{len(targets['auditors'])} auditeurs."
    )


if __name__ == "__main__":
    main(sys.argv[1])
