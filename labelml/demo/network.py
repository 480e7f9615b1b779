"""The demo network of `manage.py seed_demo`: a fixed, documented contract (README). The UNML,
two ARMLs, six Missions Locales, an auditing body, one account per role (shared password and
TOTP secret), and the demo campaign's dossiers (labelml/demo/dossiers.py)."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.db import transaction

from labelml.demo.dossiers import seed_demo_dossiers
from labelml.structures.models import (
    Auditeur,
    Membership,
    MembreCommission,
    OrganismeAuditeur,
    Structure,
)
from labelml.structures.roles import Role

DEMO_PASSWORD = "labelml-demo"  # nosec B105 # demo only (seed_demo refuses production)
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # nosec B105 # demo only (seed_demo refuses production)
DEMO_DOMAIN = "demo.labelml.fr"

UNML = ("unml", "Union nationale des Missions Locales", "unml", "", None, "Paris")
ARMLS = [
    ("arml-idf", "ARML Île-de-France", "arml", "11", None, "Paris"),
    ("arml-aura", "ARML Auvergne-Rhône-Alpes", "arml", "84", None, "Lyon"),
]
MLS = [
    ("ml-paris-est", "Mission Locale de Paris Est", "mission_locale", "11", "arml-idf", "Paris"),
    (
        "ml-val-de-marne-sud",
        "Mission Locale Val-de-Marne Sud",
        "mission_locale",
        "11",
        "arml-idf",
        "Créteil",
    ),
    ("ml-essonne-nord", "Mission Locale Essonne Nord", "mission_locale", "11", "arml-idf", "Massy"),
    ("ml-lyon-rhone", "Mission Locale Lyon Rhône", "mission_locale", "84", "arml-aura", "Lyon"),
    (
        "ml-grenoble-alpes",
        "Mission Locale Grenoble Alpes",
        "mission_locale",
        "84",
        "arml-aura",
        "Grenoble",
    ),
    (
        "ml-clermont-volcans",
        "Mission Locale Clermont Volcans",
        "mission_locale",
        "84",
        "arml-aura",
        "Clermont-Ferrand",
    ),
]
ORGANISME = "AFNOR Certification (démo)"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    description: str
    totp: bool = False


ACCOUNTS = [
    DemoAccount(f"admin@{DEMO_DOMAIN}", "Camille", "Admin", "Administrateur UNML", totp=True),
    DemoAccount(f"referent@{DEMO_DOMAIN}", "Rachid", "Benali", "Référent qualité, ML de Paris Est"),
    DemoAccount(f"contributeur@{DEMO_DOMAIN}", "Chloé", "Martin", "Contributrice, ML de Paris Est"),
    DemoAccount(f"direction@{DEMO_DOMAIN}", "Dominique", "Leroy", "Direction, ML de Paris Est"),
    DemoAccount(
        f"lecteur@{DEMO_DOMAIN}", "Louis", "Petit", "Lecteur (administrateur), ML de Paris Est"
    ),
    DemoAccount(
        f"referent2@{DEMO_DOMAIN}", "Sophie", "Garnier", "Référente qualité, ML Lyon Rhône"
    ),
    DemoAccount(
        f"arml@{DEMO_DOMAIN}", "Antoine", "Rousseau", "Référent labellisation, ARML Île-de-France"
    ),
    DemoAccount(
        f"auditeur@{DEMO_DOMAIN}",
        "Agnès",
        "Fontaine",
        "Auditrice, AFNOR Certification (démo)",
        totp=True,
    ),
    DemoAccount(
        f"auditeur-referent@{DEMO_DOMAIN}",
        "Bruno",
        "Girard",
        "Auditeur référent (relecture des rapports), AFNOR Certification (démo)",
        totp=True,
    ),
    DemoAccount(
        f"commission@{DEMO_DOMAIN}",
        "Marc",
        "Lambert",
        "Membre de la commission (collège réseau)",
        totp=True,
    ),
    DemoAccount(
        f"president@{DEMO_DOMAIN}",
        "Hélène",
        "Moreau",
        "Président(e) de séance (collège État)",
        totp=True,
    ),
]

MEMBERSHIPS = {
    "admin": ("unml", Role.ADMIN_UNML),
    "referent": ("ml-paris-est", Role.REFERENT_QUALITE),
    "contributeur": ("ml-paris-est", Role.CONTRIBUTEUR),
    "direction": ("ml-paris-est", Role.DIRECTION),
    "lecteur": ("ml-paris-est", Role.LECTEUR),
    "referent2": ("ml-lyon-rhone", Role.REFERENT_QUALITE),
    "arml": ("arml-idf", Role.REFERENT_ARML),
}


@transaction.atomic
def seed_demo_network() -> list[DemoAccount]:
    """Create or refresh the demo network and accounts. Running it again changes nothing."""
    rows = [UNML, *ARMLS, *MLS]
    # One query for those already there (not one get() per structure).
    existing = Structure.objects.in_bulk([row[0] for row in rows], field_name="code")
    structures: dict[str, Structure] = {}
    for code, nom, kind, region, parent, ville in rows:
        structure = existing.get(code) or Structure(code=code)
        structure.nom, structure.type, structure.region, structure.ville = nom, kind, region, ville
        structure.parent = structures[parent] if parent else None
        structure.save()
        structures[code] = structure

    User = get_user_model()
    users = {}
    for account in ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(
                email=account.email,
                password=DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
            )
        elif not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[account.email.split("@")[0]] = user
        if (
            account.totp
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, DEMO_TOTP_SECRET)
            RecoveryCodes.activate(user)

    admin = users["admin"]
    if not (admin.is_staff and admin.is_superuser):
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])

    memberships = {  # one per user and structure (one_role_per_structure)
        (m.user_id, m.structure_id): m
        for m in Membership.objects.filter(user__in=[users[key] for key in MEMBERSHIPS])
    }
    for key, (code, role) in MEMBERSHIPS.items():
        user, structure = users[key], structures[code]
        membership = memberships.get((user.pk, structure.pk)) or Membership(
            user=user, structure=structure
        )
        membership.role = role
        membership.save()

    organisme, _ = OrganismeAuditeur.objects.get_or_create(nom=ORGANISME)
    Auditeur.objects.get_or_create(user=users["auditeur"], defaults={"organisme": organisme})
    Auditeur.objects.get_or_create(
        user=users["auditeur-referent"], defaults={"organisme": organisme, "est_referent": True}
    )
    MembreCommission.objects.get_or_create(
        user=users["commission"], defaults={"college": MembreCommission.College.RESEAU}
    )
    MembreCommission.objects.get_or_create(
        user=users["president"], defaults={"college": MembreCommission.College.ETAT}
    )
    seed_demo_dossiers(admin, users)
    return ACCOUNTS
