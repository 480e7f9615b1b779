"""Writes on accounts: the deletion of an account by a national administrator.

A deleted account is pseudonymised, not removed: the history of the dossiers (transitions,
answers and their saves, plan actions, findings, votes, decisions, documents…) keeps pointing to
the same row, which now only says "Utilisateur supprimé". Everything that identifies the person
or lets them act goes: e-mail address and names, password, second factor, sessions, memberships,
object permissions, notifications. The row of `SuppressionCompte` records who did it and when.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone
from guardian.models import UserObjectPermissionBase

from labelml.structures.models import Auditeur, Invitation, Membership, MembreCommission
from labelml.structures.roles import Role
from labelml.structures.selectors import is_national_admin

from .donnees import personal_data_parts
from .models import (
    DELETED_EMAIL_DOMAIN,
    DELETED_EMAIL_PREFIX,
    DELETED_FIRST_NAME,
    DELETED_LAST_NAME,
    SuppressionCompte,
    User,
)

PSEUDONYM = f"{DELETED_FIRST_NAME} {DELETED_LAST_NAME}"


def national_admins() -> QuerySet[User]:
    """Active accounts that administer the platform nationally (as labelml.structures.selectors
    .is_national_admin: superusers and the UNML's administrators)."""
    admins = Membership.objects.filter(role=Role.ADMIN_UNML, structure__type="unml")
    return get_user_model().objects.filter(
        Q(is_superuser=True) | Q(pk__in=admins.values("user_id")), is_active=True
    )


def deleted_email(user: User) -> str:
    return f"{DELETED_EMAIL_PREFIX}{user.pk}{DELETED_EMAIL_DOMAIN}"


def _end_sessions(user: User) -> int:
    """End the person's sessions. Changing the password hash already invalidates every session
    at its next request (Django checks the session's auth hash) and an inactive user is never
    authenticated; the sessions allauth tracks are also deleted from the store now."""
    if not apps.is_installed("allauth.usersessions"):
        return 0
    from allauth.usersessions.models import UserSession  # only when that optional app is on

    sessions = list(UserSession.objects.filter(user_id=user.pk))
    for session in sessions:
        session.end()
    return len(sessions)


def _remove_object_permissions(user: User) -> int:
    """Guardian grants, generic and direct foreign key tables (every model that has one)."""
    removed = 0
    for model in apps.get_models():
        if issubclass(model, UserObjectPermissionBase) and not model._meta.abstract:
            removed += model.objects.filter(user_id=user.pk).delete()[0]
    return removed


def _scrub_texts(user: User, old_email: str, old_name: str) -> int:
    """The name and e-mail address written into free texts of the history (e.g. the reason of
    an audit assignment "Sophie Lambert (Qualicert)") become the pseudonym: the texts the apps
    registered (labelml/accounts/donnees.py)."""
    fields = [text for part in personal_data_parts() for text in part.texts]
    changed = 0
    for needle in {old_email, old_name} - {""}:
        for model, name in fields:
            changed += model._default_manager.filter(**{f"{name}__contains": needle}).update(
                **{name: Replace(F(name), Value(needle), Value(PSEUDONYM))}
            )
    return changed


def _retire_invitations(user: User, old_email: str) -> int:
    invitations = Invitation.objects.filter(email__iexact=old_email)
    invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return invitations.update(email=deleted_email(user))


@transaction.atomic
def pseudonymise_user(*, actor: User, user: User, motif: str = "") -> SuppressionCompte:
    """Delete `user`'s account, keeping the history (see the module's docstring). Only a
    national administrator may; never their own account, nor the last national administrator.
    All or nothing."""
    if not is_national_admin(actor):
        raise PermissionDenied("Seuls les administrateurs nationaux suppriment des comptes.")
    # Lock the national administrators first: two administrators deleting each other at the
    # same time cannot leave the platform without any.
    admin_ids = set(national_admins().select_for_update(of=("self",)).values_list("pk", flat=True))
    if actor.pk not in admin_ids:  # deleted meanwhile, by another administrator
        raise PermissionDenied("Seuls les administrateurs nationaux suppriment des comptes.")
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if user.est_supprime:
        raise ValidationError("Ce compte est déjà supprimé.")
    if user.pk in admin_ids and not admin_ids - {user.pk}:
        raise ValidationError(
            "C'est le dernier administrateur national : nommez-en un autre avant de supprimer "
            "ce compte."
        )
    if user.pk == actor.pk:
        raise ValidationError(
            "Vous ne pouvez pas supprimer votre propre compte : demandez-le à un autre "
            "administrateur national."
        )
    old_email, old_name = user.email, user.get_full_name().strip()
    details = {
        "sessions": _end_sessions(user),
        "adhesions": Membership.objects.filter(user_id=user.pk).delete()[0],
        "permissions_objet": _remove_object_permissions(user),
        "authentificateurs": Authenticator.objects.filter(user_id=user.pk).delete()[0],
        "adresses_email": EmailAddress.objects.filter(user_id=user.pk).delete()[0],
        # Invitations sent to the address: a pending one is revoked; the address goes, the
        # trail of the invitation stays.
        "invitations_recues": _retire_invitations(user, old_email),
        # The commission member and the auditor keep their rows (votes, séances and audits
        # point to them) but no longer sit nor are designated.
        "membre_commission": MembreCommission.objects.filter(user_id=user.pk).update(actif=False),
        "auditeur": Auditeur.objects.filter(user_id=user.pk).update(
            certifie_jusqu_au=None, certification_reference="", certification_organisme=""
        ),
    }
    # What the apps above registered (the notifications go).
    for part in personal_data_parts():
        if part.erase is not None:
            details.update(part.erase(user))
    details["textes"] = _scrub_texts(user, old_email, old_name)
    user.groups.clear()
    user.user_permissions.clear()
    user.email = deleted_email(user)
    user.first_name = DELETED_FIRST_NAME
    user.last_name = DELETED_LAST_NAME
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.save()
    return SuppressionCompte.objects.create(
        user=user, par=actor, motif=(motif or "").strip()[:2000], details=details
    )
