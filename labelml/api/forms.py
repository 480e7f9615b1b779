from __future__ import annotations

from django import forms

from .models import JetonAcces
from .tokens import MAX_DAYS


class JetonForm(forms.Form):
    nom = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="L'outil ou l'usage qui s'en servira, pour le reconnaître (ex. : tableur ARML).",
    )
    portee = forms.ChoiceField(
        label="Portée",
        choices=JetonAcces.Portee.choices,
        initial=JetonAcces.Portee.LECTURE,
        widget=forms.RadioSelect,
        help_text=(
            "Un jeton agit en votre nom, avec vos droits ; en lecture seule, il ne modifie rien."
        ),
    )
    jours = forms.IntegerField(
        label="Validité (jours)",
        min_value=1,
        max_value=MAX_DAYS,
        initial=90,
        help_text=f"De 1 à {MAX_DAYS} jours ; le jeton cesse ensuite de fonctionner.",
    )
