from django import forms


class SuppressionCompteForm(forms.Form):
    confirmer = forms.BooleanField(
        label="Je confirme la suppression de ce compte",
        error_messages={"required": "Cochez la case pour confirmer la suppression."},
    )
    motif = forms.CharField(
        label="Motif (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : départ de la structure, demande de la personne.",
    )
