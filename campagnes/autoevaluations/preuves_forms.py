"""The form that adds an evidence file. Criteria and elements are chosen by their code, as in
the URLs (?critere=<code>); the file itself is checked by preuves.check_upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import Truncator

from referentiel.models import Critere, Element, Referentiel

from .preuves import ACCEPT_ATTRIBUTE, ACCEPTED_LABEL, check_upload

FILE_AGAIN = (
    "Par sécurité, le navigateur ne garde pas le fichier choisi : sélectionnez-le à nouveau "
    "avant d'envoyer le formulaire."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PreuveForm(forms.Form):
    critere = forms.ChoiceField(label="Critère")
    element = forms.ChoiceField(
        label="Élément d'appréciation (facultatif)",
        required=False,
        help_text="Laissez vide si la pièce vaut pour l'ensemble du critère.",
    )
    titre = forms.CharField(
        label="Titre",
        max_length=200,
        help_text="Ce que prouve la pièce, par exemple « Compte rendu du CA du 12 mars 2024 ».",
    )
    date_effet = forms.DateField(
        label="Date d'effet",
        widget=DateInput(),
        help_text="Date du document, ou début de sa validité.",
    )
    date_expiration = forms.DateField(
        label="Date d'expiration (facultatif)",
        required=False,
        widget=DateInput(),
        help_text="Pour une pièce qui se renouvelle (agrément, attestation, contrat…).",
    )
    fichier = forms.FileField(
        label="Fichier",
        # Emptiness and every other property are checked by check_upload, with one message
        # style for all refusals.
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=f"{ACCEPTED_LABEL} ; 20 Mo au plus.",
        error_messages={"required": "Choisissez le fichier à joindre."},
    )

    def __init__(self, *args: Any, referentiel: Referentiel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        criteres = list(Critere.objects.filter(referentiel=referentiel).order_by("ordre"))
        elements = list(
            Element.objects.filter(referentiel=referentiel)
            .select_related("critere")
            .order_by("critere__ordre", "ordre")
        )
        self._criteres = {c.code: c for c in criteres}
        self._elements = {e.code: e for e in elements}
        critere_field = self.fields["critere"]
        assert isinstance(critere_field, forms.ChoiceField)
        critere_field.choices = [("", "— Choisissez un critère —")] + [
            (c.code, f"{c.code} — {Truncator(c.titre).chars(90)}") for c in criteres
        ]
        groups: dict[str, list[tuple[str, str]]] = {}
        for e in elements:
            groups.setdefault(f"Critère {e.critere.code}", []).append(
                (e.code, f"{e.code} — {Truncator(e.texte).chars(90)}")
            )
        element_field = self.fields["element"]
        assert isinstance(element_field, forms.ChoiceField)
        element_field.choices = [("", "— Aucun : tout le critère —"), *groups.items()]

    def clean_critere(self) -> Critere:
        return self._criteres[self.cleaned_data["critere"]]

    def clean_element(self) -> Element | None:
        code = self.cleaned_data.get("element")
        return self._elements[code] if code else None

    def clean_fichier(self) -> Any:
        upload = self.cleaned_data["fichier"]
        check_upload(upload)  # the service checks again: it is the authority
        return upload

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        critere, element = data.get("critere"), data.get("element")
        if critere and element and element.critere_id != critere.pk:
            self.add_error("element", "Cet élément d'appréciation n'appartient pas au critère.")
        effet, expiration = data.get("date_effet"), data.get("date_expiration")
        if effet and expiration and expiration <= effet:
            self.add_error("date_expiration", "La date d'expiration doit suivre la date d'effet.")
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, messages in exc.message_dict.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
