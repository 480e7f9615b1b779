"""Forms of the lead auditor's review (the findings themselves are saved field by field)."""

from __future__ import annotations

from django import forms

from labelml.core.autosave import MAX_TEXT


class RetourForm(forms.Form):
    """Returning a report: the remarks are what the auditor needs to rework it."""

    remarques = forms.CharField(
        label="Remarques pour l'auditeur",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Indiquez vos remarques : l'auditeur en a besoin pour reprendre son "
            "rapport.",
            "max_length": f"Remarques trop longues ({MAX_TEXT} caractères au plus).",
        },
        help_text="Elles sont montrées à l'auditeur en tête de son espace de travail.",
    )

    def clean_remarques(self) -> str:
        value = (self.cleaned_data.get("remarques") or "").replace("\r\n", "\n").strip()
        if not value:
            raise forms.ValidationError(self.fields["remarques"].error_messages["required"])
        return value
