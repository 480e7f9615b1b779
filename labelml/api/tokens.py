"""Creating, finding and revoking personal API tokens. The secret is `lml_` followed by 40
random URL-safe characters; only its SHA-256 digest is stored (a token is random and long: a
slow hash would add nothing but latency to every call)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from labelml.accounts.models import User
from labelml.structures.selectors import requires_two_factor

from .models import JetonAcces

PREFIX = "lml_"
MAX_DAYS = 366
MAX_ACTIVE = 20


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def recent_second_factor(request: HttpRequest) -> bool:
    """Whether the person confirmed their second factor (TOTP or recovery code) within
    allauth's reauthentication timeout, in this session (at login or on
    /comptes/2fa/reauthenticate/)."""
    from allauth.account.internal.flows.login import get_authentication_records

    timeout = getattr(settings, "ACCOUNT_REAUTHENTICATION_TIMEOUT", 300)
    records = get_authentication_records(request, request.user)  # type: ignore[arg-type]
    now = time.time()
    return any(r.get("method") == "mfa" and now - float(r.get("at", 0)) < timeout for r in records)


def second_factor_required(request: HttpRequest) -> bool:
    """Roles with a mandatory second factor (SPEC §2) confirm it before creating a token."""
    return requires_two_factor(request.user) and not recent_second_factor(request)


def active_tokens(user: User) -> Any:
    return JetonAcces.objects.filter(
        user=user, revoque_le__isnull=True, expire_le__gt=timezone.now()
    )


@transaction.atomic
def create_token(*, user: User, nom: str, portee: str, jours: int) -> tuple[JetonAcces, str]:
    """A new token for `user`; returns it with its secret, which is never shown again."""
    nom = (nom or "").strip()
    errors: dict[str, list[str]] = {}
    if not nom:
        errors["nom"] = ["Donnez un nom au jeton (l'outil qui l'utilise, par exemple)."]
    if portee not in JetonAcces.Portee.values:
        errors["portee"] = ["Portée inconnue."]
    if not 1 <= jours <= MAX_DAYS:
        errors["jours"] = [f"La durée de validité va de 1 à {MAX_DAYS} jours."]
    if errors:
        raise ValidationError(errors)
    # Lock the user's row: two creations at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if active_tokens(user).count() >= MAX_ACTIVE:
        raise ValidationError(
            f"Vous avez déjà {MAX_ACTIVE} jetons actifs : révoquez-en un avant d'en créer un autre."
        )
    secret = PREFIX + secrets.token_urlsafe(30)
    jeton = JetonAcces.objects.create(
        user=user,
        nom=nom[:100],
        prefixe=secret[: len(PREFIX) + 6],
        empreinte=digest(secret),
        portee=portee,
        expire_le=timezone.now() + dt.timedelta(days=jours),
    )
    return jeton, secret


def revoke_token(*, user: User, pk: int) -> JetonAcces:
    """Revoke one of `user`'s own tokens (someone else's answers 404, like a missing one)."""
    from django.http import Http404

    with transaction.atomic():
        jeton = JetonAcces.objects.select_for_update().filter(pk=pk, user=user).first()
        if jeton is None:
            raise Http404("Jeton introuvable.")
        if jeton.revoque_le is None:
            jeton.revoque_le = timezone.now()
            jeton.save(update_fields=["revoque_le"])
    return jeton


def token_for_secret(secret: str) -> JetonAcces | None:
    """The token of `secret` if it is usable now (not revoked, not expired, its owner active)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    jeton = JetonAcces.objects.select_related("user").filter(empreinte=digest(secret)).first()
    if jeton is None or not jeton.actif or not jeton.user.is_active:
        return None
    return jeton


def touch(jeton: JetonAcces) -> None:
    """Record the last use, at most once a minute (no write on every call)."""
    now = timezone.now()
    if jeton.dernier_usage is None or now - jeton.dernier_usage > dt.timedelta(minutes=1):
        JetonAcces.objects.filter(pk=jeton.pk).update(dernier_usage=now)
        jeton.dernier_usage = now
