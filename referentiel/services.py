"""Writes on référentiels: import a file (idempotent, all-or-nothing) and export it back."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction

from . import format as fmt
from .models import Aide, Critere, Echelle, Element, Niveau, Referentiel, Section, SousElement


@dataclass(frozen=True)
class ImportResult:
    referentiel: Referentiel
    outcome: str  # "created" | "unchanged" | "replaced"

    @property
    def message(self) -> str:
        label = self.referentiel.label
        return {
            "created": f"Référentiel {label} importé.",
            "unchanged": f"Référentiel {label} déjà à jour : rien n'a changé.",
            "replaced": f"Brouillon {label} remplacé par le contenu du fichier.",
        }[self.outcome]


def normalize_for_search(text: str) -> str:
    """Lower-case, accent-free, apostrophes unified: 'Œuvre' and 'oeuvre' meet."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def import_referentiel_file(path: str | Path) -> ImportResult:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fmt.ReferentielFormatError("", f"fichier illisible : {exc}") from exc
    return import_referentiel(fmt.parse(text))


@transaction.atomic
def import_referentiel(canon: dict[str, Any]) -> ImportResult:
    """Load a validated référentiel. Same content again: nothing changes. Changed content for a
    published version: refused, naming the first node that differs. Draft: replaced."""
    empreinte = fmt.fingerprint(canon)
    existing = (
        Referentiel.objects.select_for_update()
        .filter(code=canon["code"], version=canon["version"])
        .first()
    )
    outcome = "created"
    if existing is not None:
        if existing.empreinte == empreinte:
            return ImportResult(existing, "unchanged")
        if existing.is_published:
            where = fmt.first_difference(export_canon(existing), canon) or ""
            raise fmt.ReferentielFormatError(
                where,
                f"la version publiée {existing.label} est immuable et le fichier la modifie ; "
                f"publiez une nouvelle version (version: {existing.version + 1}).",
            )
        existing.delete()
        outcome = "replaced"
    try:
        with transaction.atomic():
            referentiel = _write(canon, empreinte)
    except IntegrityError as exc:
        # Another import of the same (code, version) committed in between.
        raise fmt.ReferentielFormatError(
            "",
            f"un autre import de {canon['code']} v{canon['version']} vient d'aboutir ; "
            "relancez la commande.",
        ) from exc
    return ImportResult(referentiel, outcome)


def _write(canon: dict[str, Any], empreinte: str) -> Referentiel:
    ref = Referentiel.objects.create(
        code=canon["code"],
        version=canon["version"],
        titre=canon["titre"],
        date_validation=(
            dt.date.fromisoformat(canon["date_validation"])
            if canon.get("date_validation")
            else None
        ),
        statut=canon["statut"],
        cible=canon["cible"],
        preambule=canon.get("preambule", []),
        valeurs=canon.get("valeurs", []),
        principes=canon.get("principes", []),
        empreinte=empreinte,
    )
    echelles = {}
    for i, e in enumerate(canon["echelles"]):
        echelle = Echelle.objects.create(
            referentiel=ref, code=e["code"], usage=e["usage"], libelle=e["libelle"], ordre=i
        )
        echelles[e["code"]] = echelle
        Niveau.objects.bulk_create(
            Niveau(
                echelle=echelle,
                code=n["code"],
                libelle=n["libelle"],
                valeur=None if n.get("valeur") is None else Decimal(str(n["valeur"])),
                couleur=n.get("couleur", ""),
                justification_obligatoire=n.get("justification_obligatoire", False),
                ordre=j,
            )
            for j, n in enumerate(e["niveaux"])
        )
    ref.echelle_autoevaluation = echelles[canon["echelle_autoevaluation"]]
    ref.echelle_audit = echelles[canon["echelle_audit"]]
    ref.save(update_fields=["echelle_autoevaluation", "echelle_audit"])

    counter = {"section": 0, "critere": 0, "element": 0}

    def next_order(kind: str) -> int:
        counter[kind] += 1
        return counter[kind]

    def write_section(node: dict[str, Any], parent: Section | None) -> None:
        section = Section.objects.create(
            referentiel=ref,
            parent=parent,
            code=node["code"],
            titre=node["titre"],
            ordre=next_order("section"),
        )
        for child in node.get("sections", []):
            write_section(child, section)
        for c in node.get("criteres", []):
            write_critere(c, section)

    def write_critere(node: dict[str, Any], section: Section) -> None:
        critere = Critere.objects.create(
            referentiel=ref,
            section=section,
            code=node["code"],
            titre=node["titre"],
            ordre=next_order("critere"),
            texte_recherche=normalize_for_search(node["titre"]),
        )
        aides: list[Aide] = []
        for e in node["elements"]:
            search = " ".join([e["texte"], *(s["texte"] for s in e.get("sous_elements", []))])
            element = Element.objects.create(
                referentiel=ref,
                critere=critere,
                code=e["code"],
                texte=e["texte"],
                ordre=next_order("element"),
                sans_objet_autorise=e.get("sans_objet_autorise", False),
                texte_recherche=normalize_for_search(search),
            )
            for k, s in enumerate(e.get("sous_elements", [])):
                sous = SousElement.objects.create(element=element, texte=s["texte"], ordre=k)
                aides += [
                    Aide(
                        critere=critere,
                        element=element,
                        sous_element=sous,
                        type=Aide.Type.EXEMPLE,
                        texte=t,
                        ordre=len(aides),
                    )
                    for t in s.get("exemples", [])
                ]
            aides += [
                Aide(
                    critere=critere,
                    element=element,
                    type=Aide.Type.EXEMPLE,
                    texte=t,
                    ordre=len(aides) + k,
                )
                for k, t in enumerate(e.get("exemples", []))
            ]
        for kind, key in (
            (Aide.Type.TEXTE_REFERENCE, "textes_reference"),
            (Aide.Type.EXEMPLE, "exemples"),
            (Aide.Type.NOTE, "notes"),
        ):
            for item in node.get(key, []):
                texte = item["texte"] if isinstance(item, dict) else item
                aides.append(Aide(critere=critere, type=kind, texte=texte, ordre=len(aides)))
        for k, aide in enumerate(aides):
            aide.ordre = k
        Aide.objects.bulk_create(aides)

    for node in canon["sections"]:
        write_section(node, None)
    return ref


def export_canon(ref: Referentiel) -> dict[str, Any]:
    """Rebuild the canonical dict of a référentiel from the database (7 queries)."""
    echelles = list(ref.echelles.prefetch_related("niveaux"))
    sections = list(ref.sections.all())
    criteres = list(ref.criteres.all())
    elements = list(ref.elements.prefetch_related("sous_elements").all())
    aides = list(Aide.objects.filter(critere__referentiel=ref).order_by("critere_id", "ordre"))

    aides_by_owner: dict[tuple[str, int | None], list[Aide]] = {}
    for aide in aides:
        if aide.sous_element_id:
            key = ("sous", aide.sous_element_id)
        elif aide.element_id:
            key = ("element", aide.element_id)
        else:
            key = (f"critere:{aide.type}", aide.critere_id)
        aides_by_owner.setdefault(key, []).append(aide)

    def texts(key: tuple[str, int | None]) -> list[str]:
        return [a.texte for a in aides_by_owner.get(key, [])]

    elements_by_critere: dict[int, list[dict[str, Any]]] = {}
    for e in elements:
        elements_by_critere.setdefault(e.critere_id, []).append(
            {
                "code": e.code,
                "texte": e.texte,
                "sans_objet_autorise": e.sans_objet_autorise or None,
                "sous_elements": [
                    {"texte": s.texte, "exemples": texts(("sous", s.pk))}
                    for s in e.sous_elements.all()
                ],
                "exemples": texts(("element", e.pk)),
            }
        )
    criteres_by_section: dict[int, list[dict[str, Any]]] = {}
    for c in criteres:
        criteres_by_section.setdefault(c.section_id, []).append(
            {
                "code": c.code,
                "titre": c.titre,
                "elements": elements_by_critere.get(c.pk, []),
                "textes_reference": [
                    {"texte": t} for t in texts((f"critere:{Aide.Type.TEXTE_REFERENCE}", c.pk))
                ],
                "exemples": texts((f"critere:{Aide.Type.EXEMPLE}", c.pk)),
                "notes": texts((f"critere:{Aide.Type.NOTE}", c.pk)),
            }
        )
    children: dict[int | None, list[Section]] = {}
    for s in sections:
        children.setdefault(s.parent_id, []).append(s)

    def section_dict(s: Section) -> dict[str, Any]:
        out: dict[str, Any] = {"code": s.code, "titre": s.titre}
        if s.pk in children:
            out["sections"] = [section_dict(c) for c in children[s.pk]]
        else:
            out["criteres"] = criteres_by_section.get(s.pk, [])
        return out

    by_pk = {e.pk: e for e in echelles}
    assert ref.echelle_autoevaluation_id and ref.echelle_audit_id, "set by every import"
    canon = {
        "code": ref.code,
        "version": ref.version,
        "titre": ref.titre,
        "date_validation": ref.date_validation.isoformat() if ref.date_validation else None,
        "statut": ref.statut,
        "cible": ref.cible,
        "echelle_autoevaluation": by_pk[ref.echelle_autoevaluation_id].code,
        "echelle_audit": by_pk[ref.echelle_audit_id].code,
        "echelles": [
            {
                "code": e.code,
                "usage": e.usage,
                "libelle": e.libelle,
                "niveaux": [
                    {
                        "code": n.code,
                        "libelle": n.libelle,
                        "valeur": fmt._number(n.valeur),
                        "couleur": n.couleur or None,
                        "justification_obligatoire": n.justification_obligatoire or None,
                    }
                    for n in e.niveaux.all()
                ],
            }
            for e in echelles
        ],
        # jsonb does not keep key order: rebuild each block in the file's order.
        "preambule": [
            {"code": b["code"], "titre": b["titre"], "texte": b["texte"]} for b in ref.preambule
        ],
        "valeurs": ref.valeurs,
        "principes": ref.principes,
        "sections": [section_dict(s) for s in children.get(None, [])],
    }
    return fmt._prune(canon)


def export_referentiel(ref: Referentiel) -> str:
    return fmt.dump(export_canon(ref))
