from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ dict|get_item:key }}` — dictionary lookup with a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def key_for(obj: Any, kind: str) -> str:
    """`{{ reponse|key_for:"reponse" }}` → "reponse-12": the id of a form's status and version."""
    return f"{kind}-{obj.pk}"


# The fields of an answer and a synthesis as a person names them (a conflict message says which
# of her entries was not saved; never the column's name).
CHAMPS = {
    "niveau": "niveau",
    "justification": "justification",
    "synthese": "synthèse du critère",
    "points_forts": "points forts",
    "axes_amelioration": "axes d'amélioration",
}


@register.filter
def champ_label(champ: str) -> str:
    """`{{ champ|champ_label }}`: "justification", "points forts"…"""
    return CHAMPS.get(champ, "saisie")


@register.filter
def niveau_label(value: Any, niveaux: Any) -> str:
    """`{{ mine|niveau_label:page.niveaux }}`: a level's key as its words ("3 — Maîtrisé",
    "Sans objet"); an empty value is "À évaluer"."""
    if not value:
        return "À évaluer"
    for n in niveaux or ():
        if str(n.pk) == str(value):
            return str(n.libelle) if n.code == "sans_objet" else f"{n.code} — {n.libelle}"
    return "niveau inconnu"
