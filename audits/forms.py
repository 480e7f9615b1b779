from django import forms

from labelml.core.transitions import TransitionError
from labelml.structures.models import Auditeur

from .models import ReponseEcart
from .services import require_certified


def auditeur_label(a: Auditeur) -> str:
    """An auditor as the assignment lists show them: body, lead, certification state."""
    referent = " (référent)" if a.est_referent else ""
    return f"{a.user} — {a.organisme}{referent} — {a.certification_libelle}"


class AssignationForm(forms.Form):
    auditeur = forms.ModelChoiceField(
        label="Auditeur",
        # A deleted account (labelml.accounts.services.pseudonymise_user) is never designated.
        queryset=Auditeur.objects.filter(user__is_active=True).select_related("user", "organisme"),
        help_text="L'organisme d'évaluation est celui de l'auditeur.",
    )
    date_debut = forms.DateField(
        label="Premier jour sur site", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_fin = forms.DateField(
        label="Dernier jour sur site", widget=forms.DateInput(attrs={"type": "date"})
    )
    sites = forms.CharField(
        label="Sites à visiter",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["auditeur"].label_from_instance = auditeur_label  # type: ignore[attr-defined]

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if (
            data.get("date_debut")
            and data.get("date_fin")
            and data["date_fin"] < data["date_debut"]
        ):
            self.add_error("date_fin", "Le dernier jour sur site doit suivre le premier.")
        auditeur = data.get("auditeur")
        if auditeur is not None:
            try:
                require_certified(auditeur, data.get("date_fin"))
            except TransitionError as exc:
                self.add_error("auditeur", str(exc))
        return data


class ReponseEcartForm(forms.ModelForm):
    class Meta:
        model = ReponseEcart
        fields = ["action_corrective", "preuves", "action_plan"]
        widgets = {
            "action_corrective": forms.Textarea(attrs={"rows": 3, "maxlength": 10000}),
            "preuves": forms.Textarea(attrs={"rows": 2, "maxlength": 10000}),
        }

    def __init__(self, *args, actions=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["action_plan"].queryset = actions  # type: ignore[attr-defined]
        self.fields["action_plan"].required = False


class DemandeForm(forms.Form):
    message = forms.CharField(
        label="Message à la commission (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProlongationEcartsForm(forms.Form):
    """A UNML administrator gives the structure more time to answer the gaps."""

    until = forms.DateField(
        label="Nouvelle échéance",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )
    motif = forms.CharField(
        label="Motif (transmis à la structure et gardé dans l'historique du dossier)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )
