"""The data of the national demo data set (`seed_demo --scale national`, labelml/demo/national/):
one ARML per region, 436 Missions Locales named after real towns of their region, people's names,
and the texts the self-assessments, audits and decisions are written with.

The tables live in fixtures/demo/national.yaml (what each one holds is said there); this module
reads them once, as tuples (immutable, in the file's order: the seeded draws depend on it), and
keeps what is code: the shape of a region's network, the count the network must reach and the
French of "Mission Locale de/d'/du/des <town>".

The six Missions Locales of the small demo (labelml/demo/network.py) are part of the 436: they
sit in Île-de-France and Auvergne-Rhône-Alpes, under the demo ARMLs `arml-idf` and `arml-aura`,
so the documented demo accounts work on the national data set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from labelml.structures.models import Region

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "national.yaml"


@dataclass(frozen=True)
class RegionNetwork:
    region: str  # INSEE code (labelml.structures.models.Region)
    arml_code: str
    capitale: str
    missions_locales: int  # including the small demo's ones
    villes: tuple[str, ...]  # more than needed: the first ones are used


NATIONAL_ML_COUNT = 436


def _frozen(value: Any) -> Any:
    """The YAML's lists as tuples, all the way down."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


def _load() -> dict[str, Any]:
    with FIXTURE.open(encoding="utf-8") as f:
        return {key: _frozen(value) for key, value in yaml.safe_load(f).items()}


_TABLES = _load()

REGIONS: tuple[RegionNetwork, ...] = tuple(
    RegionNetwork(
        Region[row["region"]],
        row["arml_code"],
        row["capitale"],
        row["missions_locales"],
        row["villes"],
    )
    for row in _TABLES["regions"]
)

# "de Haguenau" (aspirated h); every other town starting with a vowel or a mute h takes "d'".
_ASPIRATED = {"Haguenau"}
_VOWELS = "AEIOUYHÉÈÊÂÎÔ"


def de_ville(ville: str) -> str:
    """'de Brest', "d'Amiens", 'du Havre', 'des Mureaux', 'de La Rochelle'."""
    if ville.startswith("Le "):
        return "du " + ville[3:]
    if ville.startswith("Les "):
        return "des " + ville[4:]
    if ville[0] in _VOWELS and ville not in _ASPIRATED:
        return "d'" + ville
    return "de " + ville


def arml_nom(region: str) -> str:
    return f"ARML {Region(region).label}"


# Names for the people of the data set (deterministic draws).
PRENOMS: tuple[str, ...] = _TABLES["prenoms"]
NOMS: tuple[str, ...] = _TABLES["noms"]

# The words of the data set: answers, findings, decisions (drawn at random, deterministically).
JUSTIFICATIONS: dict[str, tuple[str, ...]] = _TABLES["justifications"]  # by level code
SYNTHESES: dict[str, tuple[tuple[str, str, str], ...]] = _TABLES["syntheses"]  # haut, moyen, bas
MANUAL_ACTIONS: tuple[str, ...] = _TABLES["manual_actions"]
OBSERVATIONS: dict[str, tuple[str, ...]] = _TABLES["observations"]  # by finding level
PREUVES_EXAMINEES: tuple[str, ...] = _TABLES["preuves_examinees"]
AUDIT_POINTS_FORTS: tuple[str, ...] = _TABLES["audit_points_forts"]
AUDIT_PROGRES: tuple[str, ...] = _TABLES["audit_progres"]
AVIS: dict[str, str] = _TABLES["avis"]  # by recommendation
RETURN_REMARKS: tuple[str, ...] = _TABLES["return_remarks"]
ACTIONS_CORRECTIVES: tuple[str, ...] = _TABLES["actions_correctives"]
PREUVES_ECART: tuple[str, ...] = _TABLES["preuves_ecart"]
REOPEN_REASONS: tuple[str, ...] = _TABLES["reopen_reasons"]
MOTIVATIONS: dict[str, tuple[str, ...]] = _TABLES["motivations"]  # by outcome
