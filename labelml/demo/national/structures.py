"""The national network and its people: the 15 ARMLs, the 436 Missions Locales (the small
demo's six among them), a direction and a quality referent per Mission Locale, a labelling
referent per ARML, the auditors of the auditing bodies and the commission members, with their
memberships and second factors. What already exists is kept."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from labelml.accounts.emails import ensure_email_addresses
from labelml.demo.certification import demo_certification
from labelml.structures.models import (
    Auditeur,
    Membership,
    MembreCommission,
    OrganismeAuditeur,
    Structure,
)
from labelml.structures.roles import Role

from .data import NATIONAL_ML_COUNT, NOMS, PRENOMS, REGIONS, arml_nom, de_ville
from .parameters import AUDITING_BODIES, COMMISSION_MEMBERS


def national_ml_codes() -> list[str]:
    """The codes of the 436 Missions Locales: the small demo's six and one per town."""
    from labelml.demo.network import MLS as DEMO_MLS

    demo_by_region = Counter(ml[3] for ml in DEMO_MLS)
    codes = [ml[0] for ml in DEMO_MLS]
    for rn in REGIONS:
        needed = rn.missions_locales - demo_by_region[rn.region]
        if len(rn.villes) < needed:
            raise ValueError(f"{rn.arml_code} : {needed} villes attendues.")
        codes += ["ml-" + slugify(ville) for ville in rn.villes[:needed]]
    if len(codes) != NATIONAL_ML_COUNT or len(set(codes)) != len(codes):
        raise ValueError("Le réseau national doit compter 436 Missions Locales distinctes.")
    return codes


@dataclass
class _Network:
    admin: Any
    armls: dict[str, Any]  # region → ARML
    mls: list[Any]  # by code
    direction: dict[int, Any]  # ML pk → its direction (a user)
    referent: dict[int, Any]  # ML pk → its quality referent
    auditeurs: list[Any]  # the auditors who audit (lead auditors review)
    leads: dict[int, list[Any]]  # auditing body pk → its lead auditors
    membres: list[Any]  # commission members
    chairs: list[Any]
    always: Any  # the demo commission member sits on every séance
    structures_of: dict[int, set[int]]  # commission member pk → structures of its user
    users_created: int = 0


def _person(seed: int, email: str) -> tuple[str, str]:
    rng = random.Random(f"{seed}:{email}")  # nosec B311 # seeded on purpose: reproducible demo data
    return rng.choice(PRENOMS), rng.choice(NOMS)


def _ensure_network(seed: int, count: int | None = None) -> _Network:
    """The 15 ARMLs, the 436 Missions Locales (the first `count` of them if given) and their
    people; what exists is kept."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    from labelml.demo.network import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_SECRET, ORGANISME

    User = get_user_model()
    admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    codes = national_ml_codes()[:count]
    existing = set(Structure.objects.values_list("code", flat=True))
    Structure.objects.bulk_create(
        Structure(
            code=rn.arml_code,
            nom=arml_nom(rn.region),
            type=Structure.Type.ARML,
            region=rn.region,
            ville=rn.capitale,
        )
        for rn in REGIONS
        if rn.arml_code not in existing
    )
    armls = {
        s.region: s for s in Structure.objects.filter(code__in=[rn.arml_code for rn in REGIONS])
    }
    new_mls = []
    for rn in REGIONS:
        for ville in rn.villes:
            code = "ml-" + slugify(ville)
            if code in codes and code not in existing:
                new_mls.append(
                    Structure(
                        code=code,
                        nom=f"Mission Locale {de_ville(ville)}",
                        type=Structure.Type.MISSION_LOCALE,
                        region=rn.region,
                        ville=ville,
                        parent=armls[rn.region],
                    )
                )
    Structure.objects.bulk_create(new_mls)
    mls = list(Structure.objects.filter(code__in=codes).select_related("parent").order_by("code"))

    # Who is needed: e-mails, and (e-mail, structure, role) memberships.
    wanted: list[tuple[str, Any, str]] = []
    held: dict[tuple[int, str], Any] = {
        (m.structure_id, m.role): m.user
        for m in Membership.objects.filter(
            structure__in=mls, role__in=[Role.DIRECTION, Role.REFERENT_QUALITE]
        )
        .select_related("user")
        .order_by("-pk")
    }
    for ml in mls:
        for role, prefix in ((Role.DIRECTION, "direction"), (Role.REFERENT_QUALITE, "referent")):
            if (ml.pk, role) not in held:
                wanted.append((f"{prefix}.{ml.code[3:]}@{DEMO_DOMAIN}", ml, role))
    for rn in REGIONS:
        wanted.append((f"{rn.arml_code}@{DEMO_DOMAIN}", armls[rn.region], Role.REFERENT_ARML))
    auditor_emails: list[tuple[str, str, bool]] = []  # (e-mail, body, lead)
    for nom, code, count, with_lead in AUDITING_BODIES:
        auditor_emails += [
            (f"auditeur-{code}-{i:02d}@{DEMO_DOMAIN}", nom, False) for i in range(1, count + 1)
        ]
        if with_lead:
            auditor_emails.append((f"auditeur-referent-{code}@{DEMO_DOMAIN}", nom, True))
    commission_emails = [
        f"commission-{i:02d}@{DEMO_DOMAIN}" for i in range(1, COMMISSION_MEMBERS + 1)
    ]
    # Two network representatives sit on the board of an ARML: recused on its region's dossiers.
    board = {commission_emails[0]: "arml-bretagne", commission_emails[4]: "arml-occitanie"}
    by_code = {s.code: s for s in armls.values()}
    wanted += [(email, by_code[code], Role.LECTEUR) for email, code in board.items()]

    emails = {email for email, _s, _r in wanted}
    emails |= {email for email, _nom, _lead in auditor_emails} | set(commission_emails)
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    missing = sorted(emails - set(users))
    if missing:
        password = make_password(DEMO_PASSWORD)  # hashed once, shared by the demo accounts
        created = User.objects.bulk_create(
            User(email=email, password=password, first_name=first, last_name=last)
            for email in missing
            for first, last in [_person(seed, email)]
        )
        users.update({u.email: u for u in created})
        ensure_email_addresses(u.pk for u in created)
    have = set(
        Membership.objects.filter(user__in=users.values()).values_list("user_id", "structure_id")
    )
    Membership.objects.bulk_create(
        Membership(user=users[email], structure=structure, role=role)
        for email, structure, role in wanted
        if (users[email].pk, structure.pk) not in have
    )
    for email, structure, held_role in wanted:
        if structure.type == Structure.Type.MISSION_LOCALE:
            held[(structure.pk, held_role)] = users[email]

    noms = [nom for nom, *_ in AUDITING_BODIES]
    bodies = OrganismeAuditeur.objects.in_bulk(noms, field_name="nom")
    bodies |= {
        body.nom: body
        for body in OrganismeAuditeur.objects.bulk_create(
            OrganismeAuditeur(nom=nom) for nom in noms if nom not in bodies
        )
    }
    auditors = {a.user_id: a for a in Auditeur.objects.select_related("user", "organisme")}
    Auditeur.objects.bulk_create(
        Auditeur(
            user=users[email],
            organisme=bodies[nom],
            est_referent=lead,
            **demo_certification(f"AUD-NAT-{i + 1:03d}"),
        )
        for i, (email, nom, lead) in enumerate(auditor_emails)
        if users[email].pk not in auditors
    )
    membres = {m.user_id: m for m in MembreCommission.objects.all()}
    colleges = list(MembreCommission.College.values)
    MembreCommission.objects.bulk_create(
        MembreCommission(user=users[email], college=colleges[i % len(colleges)])
        for i, email in enumerate(commission_emails)
        if users[email].pk not in membres
    )
    needs_totp = [users[email] for email, _n, _l in auditor_emails] + [
        users[email] for email in commission_emails
    ]
    with_totp = set(
        Authenticator.objects.filter(user__in=needs_totp, type=Authenticator.Type.TOTP).values_list(
            "user_id", flat=True
        )
    )
    for user in needs_totp:  # auditors and commission members log in with a second factor
        if user.pk not in with_totp:
            TOTP.activate(user, DEMO_TOTP_SECRET)
            RecoveryCodes.activate(user)

    demo_bodies = [bodies[nom] for nom, *_ in AUDITING_BODIES] + list(
        OrganismeAuditeur.objects.filter(nom=ORGANISME)
    )
    all_auditors = list(
        Auditeur.objects.filter(organisme__in=demo_bodies)
        .select_related("user", "organisme")
        .order_by("user__email")
    )
    leads: dict[int, list[Any]] = defaultdict(list)
    for a in all_auditors:
        if a.est_referent:
            leads[a.organisme_id].append(a)
    commission_users = commission_emails + [f"commission@{DEMO_DOMAIN}", f"president@{DEMO_DOMAIN}"]
    members = list(
        MembreCommission.objects.filter(user__email__in=commission_users, actif=True)
        .select_related("user")
        .order_by("user__email")
    )
    by_email = {m.user.email: m for m in members}
    structures_of: dict[int, set[int]] = defaultdict(set)
    for user_id, structure_id in Membership.objects.filter(
        user__in=[m.user_id for m in members]
    ).values_list("user_id", "structure_id"):
        for m in members:
            if m.user_id == user_id:
                structures_of[m.pk].add(structure_id)
    return _Network(
        admin=admin,
        armls=armls,
        mls=mls,
        direction={ml.pk: held[(ml.pk, Role.DIRECTION)] for ml in mls},
        referent={ml.pk: held[(ml.pk, Role.REFERENT_QUALITE)] for ml in mls},
        auditeurs=[a for a in all_auditors if not a.est_referent and leads[a.organisme_id]],
        leads=leads,
        membres=members,
        chairs=[by_email[f"president@{DEMO_DOMAIN}"], by_email[commission_emails[1]]],
        always=by_email[f"commission@{DEMO_DOMAIN}"],
        structures_of=structures_of,
        users_created=len(missing),
    )
