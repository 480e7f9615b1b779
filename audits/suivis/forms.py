"""Forms of the follow-up audit. The answers and findings are saved field by field (views);
these are the step forms: assignment, evidence, plan progress, videoconference, conclusion."""

from __future__ import annotations

from typing import Any

from django import forms

from audits.forms import auditeur_label
from audits.services import require_certified
from campagnes.autoevaluations.preuves import ACCEPT_ATTRIBUTE, ACCEPTED_LABEL
from campagnes.plans.models import Action
from labelml.core.autosave import MAX_TEXT
from labelml.core.transitions import TransitionError
from labelml.structures.models import Auditeur

from .models import AuditSuivi

FILE_AGAIN = (
    "Par sécurité, le navigateur ne garde pas le fichier choisi : sélectionnez-le à nouveau "
    "avant d'envoyer le formulaire."
)


class AssignationSuiviForm(forms.Form):
    auditeur = forms.ModelChoiceField(
        label="Auditeur",
        queryset=Auditeur.objects.filter(user__is_active=True)
        .select_related("user", "organisme")
        .order_by("organisme__nom", "user__last_name"),
        help_text="L'organisme d'évaluation est celui de l'auditeur.",
        error_messages={
            "required": "Choisissez l'auditeur.",
            "invalid_choice": "Cet auditeur n'existe pas (ou plus) : choisissez-en un autre.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["auditeur"].label_from_instance = auditeur_label  # type: ignore[attr-defined]

    def clean_auditeur(self) -> Auditeur:
        auditeur = self.cleaned_data["auditeur"]
        try:
            require_certified(auditeur, None)
        except TransitionError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return auditeur


class PreuveSuiviForm(forms.Form):
    titre = forms.CharField(
        label="Titre de la preuve",
        max_length=200,
        help_text="Ce que prouve la pièce, par exemple « Procédure d'accueil révisée en 2026 ».",
        error_messages={
            "required": "Donnez un titre à la preuve.",
            "max_length": "Le titre ne doit pas dépasser 200 caractères.",
        },
    )
    date_effet = forms.DateField(
        label="Date du document (facultatif)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Date invalide."},
    )
    fichier = forms.FileField(
        label="Fichier",
        allow_empty_file=True,  # check_upload refuses it, with the common message
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=f"{ACCEPTED_LABEL} ; 20 Mo au plus.",
        error_messages={"required": "Choisissez le fichier à joindre."},
    )


class AvancementForm(forms.Form):
    statut = forms.ChoiceField(label="Statut", choices=Action.Statut.choices)
    avancement = forms.IntegerField(
        label="Avancement (%)",
        min_value=0,
        max_value=100,
        error_messages={
            "required": "Indiquez l'avancement, de 0 à 100.",
            "invalid": "L'avancement est un nombre entier de 0 à 100.",
            # Formatted with the limit's parameters: a percent sign is written %%.
            "min_value": "L'avancement est au moins de 0 %%.",
            "max_value": "L'avancement est au plus de 100 %%.",
        },
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class VisioForm(forms.Form):
    date_visio = forms.DateTimeField(
        label="Date et heure de la visioconférence",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "Indiquez la date et l'heure de la visioconférence.",
            "invalid": "Date invalide : indiquez la date et l'heure (jj/mm/aaaa hh:mm).",
        },
    )


class ConclusionForm(forms.Form):
    conclusion = forms.ChoiceField(
        label="Conclusion",
        choices=AuditSuivi.Conclusion.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez la conclusion de l'audit de suivi."},
    )
    motivation = forms.CharField(
        label="Observations et motivation",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Obligatoires pour un maintien avec observations ou une saisine de la "
        "commission ; elles sont communiquées à la structure.",
        error_messages={"max_length": f"Texte trop long ({MAX_TEXT} caractères au plus)."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        conclusion = data.get("conclusion")
        motivation = (data.get("motivation") or "").replace("\r\n", "\n").strip()
        data["motivation"] = motivation
        if conclusion and conclusion != AuditSuivi.Conclusion.MAINTIEN and not motivation:
            self.add_error(
                "motivation",
                "Rédigez vos observations : elles sont obligatoires pour un maintien avec "
                "observations ou une saisine de la commission.",
            )
        return data
