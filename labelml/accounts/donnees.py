"""A person's own data, as the JSON file of "Mes données" (right of access and portability),
and what each app keeps about them.

One query per section, whatever the volume: the profile, memberships and roles, second-factor
devices (their kind and dates, never a secret), sessions, then what the person wrote or decided
in the application — saves of the self-assessment, evidence, plan actions, answers to audit
gaps, findings and reviews (auditors), their own votes and recusals (commission members),
decisions, workflow steps — and their notifications. Other people's data is left out: the
votes of the other members, the addresses the person invited, the content of the dossiers
beyond what they wrote.

The apps above accounts hold most of it: each registers its part (register_personal_data) in its
AppConfig.ready() — its sections of the file, and what the deletion of the account
(labelml/accounts/services.py) removes or rewrites.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.utils import timezone

from labelml.core.hooks import Hook
from labelml.structures.models import Auditeur, Invitation, Membership, MembreCommission

from .models import User

FORMAT = "labelml-donnees-personnelles/1"


# What an app exports: its sections of the file, by key (each one query, see rows).
Exporter = Callable[[User], dict[str, list[dict[str, Any]]]]
# What an app removes when the account is deleted: counts by key, for the deletion's trail.
Eraser = Callable[[User], dict[str, int]]


@dataclass(frozen=True)
class PersonalDataPart:
    """One app's part of a person's data."""

    export: Exporter | None = None
    erase: Eraser | None = None
    # Free texts of the history where the person's name and e-mail address are replaced by the
    # pseudonym when the account is deleted: (model, field).
    texts: tuple[tuple[type[Model], str], ...] = ()


# Why a registry: accounts sits below the apps that keep what a person wrote or decided; each
# registers its part in its AppConfig.ready().
_PARTS: Hook[PersonalDataPart] = Hook("accounts.personal_data")


def register_personal_data(
    label: str,
    *,
    export: Exporter | None = None,
    erase: Eraser | None = None,
    texts: Iterable[tuple[type[Model], str]] = (),
) -> None:
    """Register the part of the app `label` (registering it again replaces it). The sections
    follow the order of registration, that of INSTALLED_APPS."""
    _PARTS.register(PersonalDataPart(export=export, erase=erase, texts=tuple(texts)), name=label)


def personal_data_parts() -> list[PersonalDataPart]:
    return list(_PARTS)


def rows(queryset: Any, **fields: str) -> list[dict[str, Any]]:
    """`fields` maps an output key to a lookup path; one query."""
    return [
        {key: row[path] for key, path in fields.items()}
        for row in queryset.values(*fields.values())
    ]


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "prenom": user.first_name,
        "nom": user.last_name,
        "date_creation": user.date_joined,
        "derniere_connexion": user.last_login,
        "actif": user.is_active,
    }


def _sessions(user: User) -> list[dict[str, Any]]:
    if not apps.is_installed("allauth.usersessions"):
        return []
    from allauth.usersessions.models import UserSession  # only when that optional app is on

    return rows(
        UserSession.objects.filter(user_id=user.pk).order_by("-last_seen_at"),
        adresse_ip="ip",
        navigateur="user_agent",
        ouverte_le="created_at",
        derniere_activite="last_seen_at",
    )


def personal_data(user: User) -> dict[str, Any]:
    uid = user.pk
    data: dict[str, Any] = {
        "format": FORMAT,
        "genere_le": timezone.now(),
        "profil": _profile(user),
        "adresses_email": rows(
            EmailAddress.objects.filter(user_id=uid).order_by("pk"),
            email="email",
            verifiee="verified",
            principale="primary",
        ),
        "adhesions": rows(
            Membership.objects.filter(user_id=uid).order_by("created_at", "pk"),
            structure_id="structure_id",
            structure_code="structure__code",
            structure="structure__nom",
            role="role",
            depuis="created_at",
        ),
        "invitations_recues": rows(
            Invitation.objects.filter(email__iexact=user.email).order_by("created_at", "pk"),
            structure="structure__nom",
            role="role",
            envoyee_le="created_at",
            acceptee_le="accepted_at",
            annulee_le="revoked_at",
        ),
        "auditeur": rows(
            Auditeur.objects.filter(user_id=uid),
            organisme="organisme__nom",
            auditeur_referent="est_referent",
            certification_organisme="certification_organisme",
            certification_reference="certification_reference",
            certifie_jusqu_au="certifie_jusqu_au",
        ),
        "membre_commission": rows(
            MembreCommission.objects.filter(user_id=uid), college="college", actif="actif"
        ),
        "double_authentification": rows(
            Authenticator.objects.filter(user_id=uid).order_by("pk"),
            type="type",
            active_le="created_at",
            derniere_utilisation="last_used_at",
        ),
        "sessions": _sessions(user),
    }
    for part in personal_data_parts():
        if part.export is not None:
            data.update(part.export(user))
    return data


def personal_data_json(user: User) -> bytes:
    return json.dumps(
        personal_data(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    ).encode("utf-8")
