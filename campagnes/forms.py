from django import forms

from labelml.core.autosave import MAX_TEXT
from labelml.core.forms import IdMultipleChoiceField
from labelml.structures.models import Region, Structure
from referentiel.models import Referentiel

from .models import Campagne


class CampagneForm(forms.ModelForm):
    class Meta:
        model = Campagne
        fields = [
            "nom",
            "referentiel",
            "date_ouverture",
            "date_cloture_autoevaluation",
            "delai_reponse_jours",
            "validite_label_annees",
            "ecart_majeur_bloquant",
            "retrait_par",
        ]
        widgets = {
            "date_ouverture": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_cloture_autoevaluation": forms.DateInput(
                attrs={"type": "date"}, format="%Y-%m-%d"
            ),
        }

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["referentiel"].queryset = Referentiel.objects.published()  # type: ignore[attr-defined]
        # Left out, the rule is the default one: the commission decides.
        self.fields["retrait_par"].required = False

    def clean_retrait_par(self):  # type: ignore[no-untyped-def]
        return self.cleaned_data.get("retrait_par") or Campagne.RetraitPar.COMMISSION

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        start, end = data.get("date_ouverture"), data.get("date_cloture_autoevaluation")
        if start and end and end < start:
            self.add_error(
                "date_cloture_autoevaluation", "La clôture doit suivre l'ouverture de la campagne."
            )
        return data


class OuvertureForm(forms.Form):
    region = forms.ChoiceField(
        label="Région", required=False, choices=[("", "Toutes les régions"), *Region.choices]
    )
    structures = IdMultipleChoiceField(
        label="Structures",
        queryset=Structure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Laissez vide pour ouvrir la campagne à toutes les structures concernées "
        "de la région choisie.",
    )

    def __init__(self, *args, campagne: Campagne, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.campagne = campagne
        self.fields["structures"].queryset = Structure.objects.filter(  # type: ignore[attr-defined]
            type=campagne.referentiel.cible, actif=True
        ).order_by("region", "nom")

    def selected(self):  # type: ignore[no-untyped-def]
        chosen = self.cleaned_data["structures"]
        if chosen:
            return list(chosen)
        qs = self.fields["structures"].queryset  # type: ignore[attr-defined]
        if self.cleaned_data["region"]:
            qs = qs.filter(region=self.cleaned_data["region"])
        return list(qs)


class ProlongationForm(forms.Form):
    date_cloture = forms.DateField(
        label="Nouvelle date de clôture des auto-évaluations",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    motif = forms.CharField(
        label="Motif (conservé dans l'historique des dossiers)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReouvertureForm(forms.Form):
    motif = forms.CharField(
        label="Motif de la réouverture", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class EchangeForm(forms.Form):
    texte = forms.CharField(
        label="Votre message",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT}),
        error_messages={"required": "Écrivez votre message."},
    )
