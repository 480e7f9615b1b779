"""Writes on tenants: invitations and memberships, CSV import of structures."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from labelml.core.types import Actor

from .models import Auditeur, Invitation, Membership, Region, Structure
from .roles import INVITABLE_BY_ROLE, ROLES_BY_STRUCTURE_TYPE, Capability, Role
from .selectors import has_capability, is_national_admin, roles_for


def invitable_roles(user: Actor, structure: Structure) -> list[str]:
    """Roles `user` may hand out on `structure`."""
    allowed = set(ROLES_BY_STRUCTURE_TYPE[structure.type])
    if is_national_admin(user):
        return [r for r in Role.values if r in allowed]
    mine: set[str] = set()
    for role in roles_for(user, structure):
        mine |= set(INVITABLE_BY_ROLE.get(role, []))
    return [r for r in Role.values if r in mine and r in allowed]


@transaction.atomic
def invite_member(*, actor: Actor, structure: Structure, email: str, role: str) -> Invitation:
    if not has_capability(actor, structure, Capability.INVITE):
        raise PermissionDenied("Votre rôle ne permet pas d'inviter des membres.")
    if role not in invitable_roles(actor, structure):
        raise ValidationError(
            {"role": "Vous ne pouvez pas attribuer ce rôle dans cette structure."}
        )
    email = email.strip().lower()
    if Membership.objects.filter(structure=structure, user__email__iexact=email).exists():
        raise ValidationError({"email": "Cette personne est déjà membre de la structure."})
    # A new invitation replaces any pending one for the same address and structure.
    Invitation.objects.filter(
        structure=structure, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    invitation = Invitation.objects.create(
        email=email, structure=structure, role=role, invited_by=actor
    )
    transaction.on_commit(lambda: send_invitation_email(invitation.pk))
    return invitation


def send_invitation_email(invitation_pk: int) -> None:
    invitation = Invitation.objects.select_related("structure", "invited_by").get(pk=invitation_pk)
    link = settings.SITE_URL.rstrip("/") + reverse(
        "structures:invitation_accept", args=[invitation.token]
    )
    context = {"invitation": invitation, "link": link}
    send_mail(
        subject=f"[labelml] Invitation à rejoindre {invitation.structure.nom}",
        message=render_to_string("structures/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def revoke_invitation(*, actor: Actor, invitation: Invitation) -> None:
    if not has_capability(actor, invitation.structure, Capability.INVITE):
        raise PermissionDenied("Votre rôle ne permet pas de gérer les invitations.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


@transaction.atomic
def accept_invitation(
    *,
    token: str,
    user: Actor | None = None,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> Membership:
    """Accept an invitation: creates the account if needed, then the membership."""
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or not invitation.is_pending:
        raise ValidationError("Cette invitation n'est plus valable : demandez-en une nouvelle.")
    if user is None:
        User = get_user_model()
        if (
            User.objects.filter(email__iexact=invitation.email).exists()
            or EmailAddress.objects.filter(email__iexact=invitation.email, verified=True).exists()
        ):
            raise ValidationError(
                "Un compte existe déjà pour cette adresse : connectez-vous pour accepter."
            )
        user = User.objects.create_user(
            email=invitation.email, password=password, first_name=first_name, last_name=last_name
        )
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError("Cette invitation a été envoyée à une autre adresse e-mail.")
    membership, _ = Membership.objects.get_or_create(
        user=user, structure=invitation.structure, defaults={"role": invitation.role}
    )
    if invitation.role == Role.ADMIN_UNML and not user.is_staff:
        # National administrators run the Django admin too (TOTP is enforced there as well).
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


# --- CSV import ----------------------------------------------------------------------------------

CSV_COLUMNS = ["code", "nom", "type", "region", "arml", "ville", "email"]
_REGION_BY_LABEL = {label.lower(): code for code, label in Region.choices}


@dataclass
class StructureImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _region(value: str) -> str | None:
    value = value.strip()
    if value in Region.values:
        return value
    return _REGION_BY_LABEL.get(value.lower())


@transaction.atomic
def import_structures(text: str) -> StructureImportReport:
    """Create or update structures from CSV (columns CSV_COLUMNS, `;` or `,`). All-or-nothing:
    any faulty line refuses the whole file, and every error is reported with its line number."""
    report = StructureImportReport()
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=";,")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    missing = [c for c in ("code", "nom", "type", "region") if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(f"colonnes manquantes : {', '.join(missing)}")
        return report
    rows = list(enumerate(reader, start=2))
    types = {t.lower(): t for t in Structure.Type.values}
    # ARMLs first so that MLs of the same file can point to them.
    rows.sort(key=lambda r: 0 if (r[1].get("type") or "").strip().lower() == "arml" else 1)
    for line, row in rows:
        code = (row.get("code") or "").strip()
        kind = types.get((row.get("type") or "").strip().lower())
        region = _region(row.get("region") or "")
        arml_code = (row.get("arml") or "").strip()
        problems = []
        if not code:
            problems.append("code manquant")
        if not (row.get("nom") or "").strip():
            problems.append("nom manquant")
        if kind is None:
            problems.append(f"type « {row.get('type')} » inconnu (mission_locale, arml ou unml)")
        if kind != "unml" and region is None:
            problems.append(f"région « {row.get('region')} » inconnue")
        parent = None
        if kind == "mission_locale" and arml_code:
            parent = Structure.objects.filter(code=arml_code, type="arml").first()
            if parent is None:
                problems.append(f"ARML « {arml_code} » inconnue")
        if problems:
            report.errors.append(f"ligne {line} ({code or '?'}) : " + " ; ".join(problems))
            continue
        values = {
            "nom": row["nom"].strip(),
            "type": kind,
            "region": region or "",
            "parent": parent,
            "ville": (row.get("ville") or "").strip(),
            "email": (row.get("email") or "").strip(),
        }
        existing = Structure.objects.filter(code=code).first()
        if existing is None:
            Structure.objects.create(code=code, **values)
            report.created += 1
        elif all(getattr(existing, k) == v for k, v in values.items()):
            report.unchanged += 1
        else:
            for k, v in values.items():
                setattr(existing, k, v)
            existing.save(update_fields=list(values))
            report.updated += 1
    if report.errors:
        transaction.set_rollback(True)
    return report


# --- Auditors' certification ----------------------------------------------------------------------


def update_certification(
    *, actor: Actor, auditeur: Auditeur, organisme: str, reference: str, jusqu_au: date | None
) -> Auditeur:
    """The UNML administrator records an auditor's certification (body, reference, end). Only a
    certified auditor can then be assigned a mission (audits.services.require_certified)."""
    if not is_national_admin(actor):
        raise PermissionDenied("Seuls les administrateurs UNML gèrent les certifications.")
    with transaction.atomic():
        auditeur = Auditeur.objects.select_for_update().get(pk=auditeur.pk)
        auditeur.certification_organisme = organisme.strip()
        auditeur.certification_reference = reference.strip()
        auditeur.certifie_jusqu_au = jusqu_au
        auditeur.save(
            update_fields=[
                "certification_organisme",
                "certification_reference",
                "certifie_jusqu_au",
            ]
        )
    return auditeur
