from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from labelml.core.ids import parse_id
from referentiel.models import Critere

from .models import Pratique
from .selectors import PUBLICS


class CritereChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Critere) -> str:  # type: ignore[override]
        return f"{obj.code} — {obj.titre}"

    def clean(self, value: Any) -> Any:
        # An id no database column can hold is refused here, not by the database (a 500).
        if value and any(parse_id(v) is None for v in value):
            raise forms.ValidationError("Choisissez des critères de la liste.")
        return super().clean(value)


class PratiqueForm(forms.Form):
    titre = forms.CharField(label="Titre", max_length=200)
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="Ce qui est fait, avec qui (jeunes, partenaires, entreprises) et comment.",
    )
    resultats = forms.CharField(
        label="Résultats obtenus",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        required=False,
    )
    publics = forms.MultipleChoiceField(
        label="Avec qui",
        choices=[(code, label) for code, label, _ in PUBLICS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    criteres = CritereChoices(
        label="Critères du référentiel auxquels elle répond",
        queryset=Critere.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    contact_nom = forms.CharField(label="Personne à contacter", max_length=200)
    contact_email = forms.EmailField(label="E-mail de la personne à contacter", required=False)

    def __init__(self, *args: Any, criteres: QuerySet[Critere], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteres"].queryset = criteres  # type: ignore[attr-defined]


class ConsentForm(forms.Form):
    consentement = forms.ChoiceField(
        label="Partage consenti",
        choices=[
            (
                Pratique.Consentement.RESEAU,
                "Dans le réseau (personnes connectées)",
            ),
            (
                Pratique.Consentement.PUBLIC,
                "Publiquement (page publique de la structure)",
            ),
        ],
        widget=forms.RadioSelect,
    )


class ReasonForm(forms.Form):
    motif = forms.CharField(
        label="Motif", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )
