"""`seed_national()`, the orchestration of the national data set: refuse production, make sure
the référentiel and the small demo are there, then the network (structures.py) and each
campaign (campaign.py); returns what was done. Also loads the référentiel once (`_Ref`)."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction

from labelml.core.pluriel import pluriel
from labelml.structures.models import Structure
from referentiel.models import Element, Niveau, Referentiel
from referentiel.services import import_referentiel_file

from .campaign import _seed_campaign
from .data import NATIONAL_ML_COUNT
from .parameters import TENDENCY
from .structures import _ensure_network


class SeedRefused(Exception):
    """The national demo data set never goes to production."""


Log = Callable[[str], None]


def seed_national(
    *,
    campaigns: int = 1,
    seed: int = 2026,
    missions_locales: int | None = None,
    log: Log | None = None,
) -> dict:
    """Create (or complete) the national data set; see the package's docstring. Returns what
    was done: structures, users created, and per campaign the dossiers created, the dossiers per
    state, the decisions per outcome and the labels.

    `missions_locales` (tests): only the first N Missions Locales of `national_ml_codes()` (the
    small demo's six first) get people and dossiers, the stage mix scaled down to them (every
    state still reached once N - 6 covers the 11 stages); None, the default, is the whole
    network of 436."""
    if settings.ENVIRONMENT == "production":
        raise SeedRefused(
            "seed_demo refuse de s'exécuter avec LABELML_ENV=production : les données de "
            "démonstration ne doivent jamais arriver en production."
        )
    if campaigns < 1:
        raise ValueError("Au moins une campagne.")
    if missions_locales is not None and not 1 <= missions_locales <= NATIONAL_ML_COUNT:
        raise ValueError(f"Entre 1 et {NATIONAL_ML_COUNT} Missions Locales.")
    say: Log = log or (lambda message: None)
    started = time.monotonic()
    _ensure_referentiel()
    from labelml.demo.network import seed_demo_network

    seed_demo_network()  # the documented demo accounts, and the current campaign
    with transaction.atomic():
        network = _ensure_network(seed, missions_locales)
    say(
        f"Réseau national : {len(network.mls)} Missions Locales, {len(network.armls)} ARML, "
        + pluriel(network.users_created, "{n} compte créé.", "{n} comptes créés.")
    )
    ref = _load_referentiel()
    results = []
    # The oldest first, as they were lived: a campaign renews the labels of the one before.
    for index in reversed(range(campaigns)):
        with transaction.atomic():
            results.append(_seed_campaign(index, ref, network, seed, say))
    results.reverse()  # the current campaign first
    return {
        "structures": dict(
            Counter(
                Structure.objects.filter(
                    models.Q(type=Structure.Type.UNML)
                    | models.Q(pk__in=[s.pk for s in network.armls.values()])
                    | models.Q(pk__in=[s.pk for s in network.mls])
                ).values_list("type", flat=True)
            )
        ),
        "utilisateurs_crees": network.users_created,
        "campagnes": results,
        "duree": time.monotonic() - started,
    }


def _ensure_referentiel() -> None:
    if not Referentiel.objects.published().filter(code="ML-2022").exists():
        import_referentiel_file(settings.BASE_DIR / "fixtures" / "referentiel-ml-2022.yaml")


# --- The référentiel ---------------------------------------------------------------------------


@dataclass
class _Ref:
    referentiel: Any
    criteres: list[Any]
    elements: list[Any]
    by_critere: dict[int, list[Any]]
    tendency: dict[int, float]
    part: dict[int, str]
    auto: dict[str, Any]
    audit: dict[str, Any]


def _load_referentiel() -> _Ref:
    referentiel = Referentiel.objects.published().get(code="ML-2022")
    criteres = list(referentiel.criteres.select_related("section").order_by("ordre"))
    elements = list(
        Element.objects.filter(referentiel=referentiel).select_related("critere").order_by("ordre")
    )
    by_critere: dict[int, list[Any]] = defaultdict(list)
    for e in elements:
        by_critere[e.critere_id].append(e)
    tendency, part = {}, {}
    for c in criteres:
        section = c.section.code
        part[c.pk] = section.split(".")[0]
        tendency[c.pk] = TENDENCY.get(c.code, TENDENCY.get(section, TENDENCY.get(part[c.pk], 0.0)))
    auto_pk, audit_pk = referentiel.echelle_autoevaluation_pk, referentiel.echelle_audit_pk
    return _Ref(
        referentiel=referentiel,
        criteres=criteres,
        elements=elements,
        by_critere=by_critere,
        tendency=tendency,
        part=part,
        auto={n.code: n for n in Niveau.objects.filter(echelle_id=auto_pk)},
        audit={n.code: n for n in Niveau.objects.filter(echelle_id=audit_pk)},
    )
