"""The letterhead settings form. Images are checked by labelml.documents.parametres.check_image (the
service checks them again); the form only adds the "remove" checkboxes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .models import ParametresDocuments
from .parametres import ACCEPT_ATTRIBUTE, IMAGE_FIELDS, IMAGE_HELP, check_image


class ParametresDocumentsForm(forms.ModelForm):
    # Plain file inputs (no "clear" checkbox of ClearableFileInput: removal has its own field),
    # and no length limit on the sent name: the stored name is generated.
    logo = forms.FileField(
        label="Nouveau logo",
        required=False,
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=f"{IMAGE_HELP} Imprimé en tête des lettres et des attestations ; sans logo, "
        "le nom de l'émetteur est imprimé à sa place.",
    )
    supprimer_logo = forms.BooleanField(label="Supprimer le logo", required=False)
    signature = forms.FileField(
        label="Nouvelle image de la signature",
        required=False,
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=f"{IMAGE_HELP} Fond blanc ou transparent ; imprimée entre la qualité et le "
        "nom du signataire.",
    )
    supprimer_signature = forms.BooleanField(label="Supprimer la signature", required=False)

    class Meta:
        model = ParametresDocuments
        fields = ["emetteur", "adresse", "signataire_qualite", "signataire_nom"]
        labels = {
            "emetteur": "Émetteur",
            "adresse": "Adresse",
            "signataire_qualite": "Qualité du signataire",
            "signataire_nom": "Nom du signataire",
        }
        help_texts = {
            "emetteur": "Nom de l'organisme qui délivre les lettres de décision et les "
            "attestations.",
            "adresse": "Imprimée sous le logo des lettres, une ligne par ligne d'adresse. La "
            "ville du code postal est le lieu d'émission des documents (Paris à défaut).",
            "signataire_qualite": "Par exemple « Président de l'UNML ».",
        }
        widgets = {"adresse": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in IMAGE_FIELDS:
            upload = self.files.get(name)
            if not upload or self.has_error(name):
                continue
            if data.get(f"supprimer_{name}"):
                self.add_error(
                    f"supprimer_{name}",
                    "Choisissez : envoyer une nouvelle image ou supprimer l'actuelle, pas les "
                    "deux.",
                )
                continue
            try:
                check_image(upload, field=name)
            except ValidationError as exc:
                self.add_error(name, exc)
        return data
