"""E-mail ownership (issue 16): every account has its allauth `EmailAddress` row, primary and
verified (the invitation was sent to that address); an address added later is a login only
once verified; an address another account holds cannot be claimed.

- `ensure_email_addresses`: the row of each account that lacks it (accounts created by the
  invitations, the demonstration data, the admin: the `post_save` receiver below; rows written
  in bulk: called by who writes them).
- `VerifiedEmailBackend`: allauth's login by e-mail, restricted to the account's own address
  (`User.email`) and its verified addresses.
- `AddEmailForm`: an address of another account gets a clear message (never a 500 later, when
  it would be made primary).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from .models import DELETED_EMAIL_DOMAIN


def ensure_email_addresses(user_ids: Iterable[int] | None = None) -> int:
    """Create the primary, verified `EmailAddress` row of every account (of `user_ids`) that
    has none for its own address. Returns how many were created."""
    User = get_user_model()
    users = User.objects.exclude(email__endswith=DELETED_EMAIL_DOMAIN)
    if user_ids is not None:
        users = users.filter(pk__in=list(user_ids))
    have = set(EmailAddress.objects.filter(user__in=users).values_list("user_id", "email"))
    primaries = set(
        EmailAddress.objects.filter(user__in=users, primary=True).values_list("user_id", flat=True)
    )
    rows = [
        EmailAddress(user_id=pk, email=email, verified=True, primary=pk not in primaries)
        for pk, email in users.values_list("pk", "email")
        if (pk, email) not in have
    ]
    EmailAddress.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def on_user_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    """post_save of the user model: a new account gets its address row."""
    if created and not raw and not instance.email.endswith(DELETED_EMAIL_DOMAIN):
        EmailAddress.objects.get_or_create(
            user=instance, email=instance.email, defaults={"verified": True, "primary": True}
        )


def held_by_another(email: str, user: Any) -> bool:
    """Is `email` the address of another account, or a verified address of another account?"""
    User = get_user_model()
    return (
        User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True)
        .exclude(user=user)
        .exists()
    )


class AddEmailForm(AllauthAddEmailForm):
    def clean_email(self) -> str:
        value = self.cleaned_data["email"].lower()
        if self.user is not None and held_by_another(value, self.user):
            raise forms.ValidationError(
                "Cette adresse est celle d'un autre compte : elle ne peut pas être ajoutée au "
                "vôtre. Si elle vous appartient, demandez à l'administrateur de votre structure."
            )
        return super().clean_email()


class VerifiedEmailBackend(AuthenticationBackend):
    """Login by e-mail through allauth, only with the account's own address or one of its
    verified addresses: an address added but not verified is not a login."""

    def _authenticate_by_email(self, email: str, password: str) -> Any:
        if not email:
            return None
        User = get_user_model()
        email = email.lower()
        verified = EmailAddress.objects.filter(email__iexact=email, verified=True).values("user_id")
        for user in User.objects.filter(Q(email__iexact=email) | Q(pk__in=verified)):
            if self._check_password(user, password):
                return user
        return None
