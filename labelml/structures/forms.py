from django import forms
from django.contrib.auth import password_validation

from .models import Invitation
from .roles import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Adresse e-mail")
    role = forms.ChoiceField(label="Rôle")

    def __init__(self, *args, roles: list[str], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        labels = dict(Role.choices)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [(r, labels[r]) for r in roles]


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        widget=forms.PasswordInput,
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(label="Confirmation du mot de passe", widget=forms.PasswordInput)

    def __init__(self, *args, invitation: Invitation, **kwargs):  # type: ignore[no-untyped-def]
        self.invitation = invitation
        super().__init__(*args, **kwargs)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "Les deux mots de passe ne correspondent pas.")
        elif p1:
            try:
                password_validation.validate_password(p1)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class CertificationForm(forms.Form):
    organisme = forms.CharField(
        label="Organisme certificateur",
        max_length=200,
        required=False,
        help_text="Par exemple l'organisme qui a délivré la certification d'auditeur.",
    )
    reference = forms.CharField(
        label="Référence de la certification",
        max_length=100,
        required=False,
        help_text="Laissez vide si l'auditeur n'est pas certifié : il ne pourra pas être désigné.",
    )
    jusqu_au = forms.DateField(
        label="Valable jusqu'au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("reference") and not data.get("jusqu_au"):
            self.add_error("jusqu_au", "Indiquez la date de fin de validité de la certification.")
        if data.get("jusqu_au") and not data.get("reference"):
            self.add_error("reference", "Indiquez la référence de la certification.")
        return data
