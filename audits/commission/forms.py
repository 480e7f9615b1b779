"""Forms of the commission's pages (séances, agenda, votes, conflicts, decisions)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef

from audits.selectors import demande_filed_q
from campagnes.models import Dossier
from labelml.core.forms import IdMultipleChoiceField
from labelml.structures.models import MembreCommission

from .models import PointOrdreDuJour, Vote


def _membres_actifs() -> Any:
    return (
        MembreCommission.objects.filter(actif=True).select_related("user").order_by("user__email")
    )


class SeanceForm(forms.Form):
    date = forms.DateTimeField(
        label="Date et heure",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    lieu = forms.CharField(label="Lieu", max_length=200, required=False)
    president = forms.ModelChoiceField(
        label="Président(e) de séance", queryset=MembreCommission.objects.none()
    )
    membres = IdMultipleChoiceField(
        label="Membres",
        queryset=MembreCommission.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Le (la) président(e) siège d'office.",
    )
    quorum_pourcentage = forms.IntegerField(
        label="Quorum (%)",
        min_value=0,
        max_value=99,
        initial=50,
        required=False,
        help_text="Strictement plus de ce pourcentage des membres non récusés doivent voter "
        "(50 % : plus de la moitié).",
    )

    def clean_quorum_pourcentage(self) -> int:
        value = self.cleaned_data.get("quorum_pourcentage")
        return 50 if value is None else value

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["president"].queryset = _membres_actifs()  # type: ignore[attr-defined]
        self.fields["membres"].queryset = _membres_actifs()  # type: ignore[attr-defined]


class AgendaForm(forms.Form):
    dossier = forms.ModelChoiceField(label="Dossier", queryset=Dossier.objects.none())
    rapporteur = forms.ModelChoiceField(
        label="Rapporteur", queryset=MembreCommission.objects.none(), required=False
    )

    def __init__(self, *args: Any, seance: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The dossiers whose demande de labellisation is filed, not waiting for a vote on
        # another agenda (one closed without quorum comes back here).
        pending = PointOrdreDuJour.objects.filter(
            dossier=OuterRef("pk"), decision__isnull=True
        ).exclude(vote=PointOrdreDuJour.Vote.SANS_QUORUM)
        self.fields["dossier"].queryset = (  # type: ignore[attr-defined]
            Dossier.objects.filter(
                demande_filed_q(),
                statut__in=[Dossier.Statut.REPONSE_STRUCTURE, Dossier.Statut.EN_COMMISSION],
            )
            .exclude(points_commission__seance=seance)
            .exclude(Exists(pending))
            .select_related("structure", "campagne")
            .order_by("structure__nom")
        )
        self.fields["rapporteur"].queryset = seance.membres.select_related(  # type: ignore[attr-defined]
            "user"
        ).order_by("user__email")


class VoteForm(forms.Form):
    choix = forms.ChoiceField(
        label="Votre vote", choices=Vote.Choix.choices, widget=forms.RadioSelect
    )


class ConflitForm(forms.Form):
    motif = forms.CharField(
        label="Motif du conflit d'intérêts",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(forms.Form):
    motivation = forms.CharField(
        label="Motivation de la décision", widget=forms.Textarea(attrs={"rows": 5})
    )
    confirme = forms.BooleanField(
        label="Je confirme l'issue donnée par le décompte",
        error_messages={"required": "Confirmez l'issue donnée par le décompte."},
    )

    def __init__(self, *args: Any, outcome: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if outcome:
            self.fields[
                "confirme"
            ].label = f"Je confirme l'issue donnée par le décompte : {outcome}"


class SeanceEditForm(SeanceForm):
    """The séance's fields, and the agenda's order: one rank per item."""

    def __init__(self, *args: Any, points: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.points = points
        for rank, point in enumerate(points, start=1):
            self.fields[f"ordre_{point.pk}"] = forms.IntegerField(
                label=f"Rang de « {point.dossier.structure.nom} »",
                min_value=1,
                max_value=999,
                initial=rank,
            )

    def ordre(self) -> list[int]:
        """The items' ids in their new order (equal ranks keep the former order)."""
        ranked = [(self.cleaned_data[f"ordre_{p.pk}"], i, p.pk) for i, p in enumerate(self.points)]
        return [pk for _rank, _i, pk in sorted(ranked)]

    def ordre_fields(self) -> list[Any]:
        return [self[f"ordre_{p.pk}"] for p in self.points]


class NoteRapporteurForm(forms.Form):
    note = forms.CharField(
        label="Note du rapporteur",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Lue par les membres avant le vote ; modifiable jusqu'à la clôture du vote.",
    )


class LabelStatutForm(forms.Form):
    """The motivation of a suspension, of its lifting or of a withdrawal."""

    motivation = forms.CharField(
        label="Motivation",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "La motivation est obligatoire."},
    )
