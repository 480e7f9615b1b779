"""The action form. Choices are limited to the dossier (its référentiel's criteria, its
structure's members) so that a tampered value is a field error, not a write; services.py checks
the same rules again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campagnes.models import Dossier
from labelml.core.forms import IdMultipleChoiceField
from referentiel.models import Critere, Element

from .models import Action
from .selectors import plan_criteres, plan_elements, structure_members
from .services import DESCRIPTION_MAX, TITLE_MAX, action_version


class CritereChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        titre = obj.titre if len(obj.titre) <= 140 else obj.titre[:139].rsplit(" ", 1)[0] + "…"
        return f"{obj.code} — {titre}"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.email


class ActionForm(forms.Form):
    titre = forms.CharField(
        label=_("Titre"),
        max_length=TITLE_MAX,
        error_messages={
            "required": _("Donnez un titre à l'action."),
            "max_length": _("Le titre tient en %(limit_value)d caractères au plus."),
        },
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ce qui sera fait, avec qui, et comment on saura que c'est atteint."),
        error_messages={
            "max_length": _("La description tient en %(limit_value)d caractères au plus.")
        },
    )
    criteres = CritereChoiceField(
        label=_("Critères concernés"),
        queryset=Critere.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Rattachez l'action à au moins un critère du référentiel."),
            "invalid_choice": _(
                "Le critère « %(value)s » n'appartient pas au référentiel de la campagne."
            ),
            "invalid_pk_value": _("« %(pk)s » n'est pas un critère valide."),
            "invalid_list": _("Choisissez un ou plusieurs critères."),
        },
    )
    responsable = MemberChoiceField(
        label=_("Responsable"),
        queryset=None,  # set in __init__
        required=False,
        empty_label=_("— À désigner —"),
    )
    echeance = forms.DateField(
        label=_("Échéance"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Saisissez une date valide, par exemple 31/12/2026.")},
    )
    priorite = forms.ChoiceField(
        label=_("Priorité"),
        choices=Action.Priorite.choices,
        initial=Action.Priorite.MOYENNE,
        error_messages={"invalid_choice": _("Choisissez une priorité de la liste.")},
    )
    statut = forms.ChoiceField(
        label=_("Statut"),
        choices=Action.Statut.choices,
        initial=Action.Statut.A_FAIRE,
        error_messages={"invalid_choice": _("Choisissez un statut de la liste.")},
    )
    avancement = forms.IntegerField(
        label=_("Avancement (%)"),
        required=False,
        initial=0,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": 5}),
        help_text=_(
            "Une action passée à « Fait » est à 100 %, sauf si vous indiquez un autre avancement."
        ),
        error_messages={
            "invalid": _("L'avancement est un pourcentage entre 0 et 100."),
            "min_value": _("L'avancement est un pourcentage entre 0 et 100."),
            "max_value": _("L'avancement est un pourcentage entre 0 et 100."),
        },
    )
    element_source: forms.ModelChoiceField[Element] = forms.ModelChoiceField(
        queryset=Element.objects.none(),  # set in __init__
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _(
                "L'élément d'appréciation d'origine n'appartient pas au référentiel de la campagne."
            )
        },
    )
    # Optimistic concurrency: the version of the action the form was opened on.
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        dossier: Dossier,
        action: Action | None = None,
        **kwargs: Any,
    ) -> None:
        self.dossier = dossier
        self.action = action
        if action is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from_action(action)
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        # referentiel too: the service checks each chosen criterion's (one query, not one each).
        fields["criteres"].queryset = plan_criteres(dossier).only(
            "pk", "code", "titre", "referentiel"
        )
        fields["element_source"].queryset = plan_elements(dossier)
        fields["responsable"].queryset = structure_members(dossier)
        fields["responsable"].error_messages["invalid_choice"] = _(
            "Le responsable doit être membre de %(structure)s."
        ) % {"structure": dossier.structure.nom}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        element = data.get("element_source")
        criteres = data.get("criteres")
        if element is not None and criteres is not None and element.critere not in criteres:
            self.add_error(
                "criteres",
                _(
                    "L'action répond à l'élément %(element)s : gardez son critère "
                    "%(critere)s parmi les critères concernés."
                )
                % {"element": element.code, "critere": element.critere.code},
            )
        # A progress the person did not touch is "not given": the service then sets 100 % on
        # an action that becomes "fait".
        if "avancement" not in self.changed_data:
            data["avancement"] = None
        return data

    def action_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "titre": data["titre"],
            "description": data.get("description", ""),
            "criteres": list(data["criteres"]),
            "responsable": data.get("responsable"),
            "echeance": data.get("echeance"),
            "priorite": data["priorite"],
            "statut": data["statut"],
            "avancement": data.get("avancement"),
            "element_source": data.get("element_source"),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                target = name if name in self.fields and name != "version" else None
                if target == "element_source":  # hidden: show its error on top of the form
                    target = None
                for error in errors:
                    self.add_error(target, error)
        else:
            for error in exc.messages:
                self.add_error(None, error)


def initial_from_action(action: Action) -> dict[str, Any]:
    return {
        "titre": action.titre,
        "description": action.description,
        "criteres": [c.pk for c in action.criteres.all()],
        "responsable": action.responsable_id,
        "echeance": action.echeance,
        "priorite": action.priorite,
        "statut": action.statut,
        "avancement": action.avancement,
        "element_source": action.element_source_id,
        "version": action_version(action),
    }


class ReserveActionForm(forms.Form):
    """A reservation action while the label runs: owner, date, what was done, status."""

    responsable = MemberChoiceField(
        label=_("Responsable"), queryset=Action.objects.none(), required=False
    )
    echeance = forms.DateField(
        label=_("Échéance"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    statut = forms.ChoiceField(label=_("Statut"), choices=Action.Statut.choices)
    avancement = forms.IntegerField(
        label=_("Avancement (%)"), min_value=0, max_value=100, required=False
    )
    realisation = forms.CharField(
        label=_("Ce qui a été fait et ses justificatifs"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Décrivez l'action réalisée et où trouver ses preuves (procédure, compte rendu, "
            "feuille d'émargement…) : la commission et l'UNML les lisent pour lever la réserve."
        ),
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsable"].queryset = members  # type: ignore[attr-defined]
