"""The national demo data set (issue 7): `seed_national()`, behind
`python manage.py seed_demo --scale national`.

1 UNML, 15 ARMLs, 436 Missions Locales (see data.py), their people (a direction and a
quality referent per Mission Locale, a labelling referent per ARML, auditors of two auditing
bodies, commission members), and the national campaign whose 436 dossiers are spread over every
state the workflow reaches: filled self-assessments, snapshots, improvement plans, audits with
their findings and the structures' answers, commission séances with votes, decisions and labels,
and the dossiers' history (`DossierTransition`) dated over the campaign.

How. Everything is planned in memory from seeded random generators, then written with
`bulk_create` (a dossier lived through the workflow functions costs ~0.3 s; 436 of them would
take minutes). The rows written are the ones the workflow writes (campagnes/workflow.py,
audits/commission/services.py, campagnes/services.open_campagne), with the same fields, states and
foreign key chains; the dates are those of a campaign opened ~10 months ago. Not written: the
transitions' side effects (notifications, e-mails), the autosave history (`Saisie`) and evidence
files, as in the small demo.

The campaign is the small demo's "Campagne nationale de labellisation 2026": its six dossiers
(lived through the real workflow by labelml/demo/dossiers.py) are kept as they are and the 430
other
Missions Locales get theirs. With `campaigns=N`, N-1 earlier campaigns (one labelling cycle, i.e.
the label validity, apart: 2023, 2020…) are added over the same Missions Locales, all of their
dossiers finished; the 2023 campaign's labels are the ones expiring around now.

`ajourne` is a commission outcome, not a resting state: the workflow sends an adjourned dossier
back to `plan_amelioration` (workflow.record_decision), so `Dossier.Etat.AJOURNE` is never
written; adjourned dossiers are found through their decision.

Deterministic for a seed (and a day: the dates are relative to today); idempotent: a Mission
Locale that already has a dossier in a campaign is left alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from campagnes.models import Campagne, Dossier, DossierTransition, DossierUserObjectPermission

from .data import (
    ACTIONS_CORRECTIVES,
    AUDIT_POINTS_FORTS,
    AUDIT_PROGRES,
    AVIS,
    JUSTIFICATIONS,
    MANUAL_ACTIONS,
    MOTIVATIONS,
    NATIONAL_ML_COUNT,
    NOMS,
    OBSERVATIONS,
    PRENOMS,
    PREUVES_ECART,
    PREUVES_EXAMINEES,
    REGIONS,
    REOPEN_REASONS,
    RETURN_REMARKS,
    SYNTHESES,
    arml_nom,
    de_ville,
)

Etat = Dossier.Etat
AJOURNE = "ajourne"  # a commission outcome; the dossier goes back to plan_amelioration
DECIDED = ("labellise", "labellise_sous_reserve", AJOURNE, "refuse")
CURRENT_YEAR = 2026
CYCLE_YEARS = 3  # earlier campaigns are one label validity apart
BATCH = 2000

# Stage mix of the current campaign, for the 430 Missions Locales outside the small demo (whose
# six dossiers are in autoevaluation, plan_amelioration and audit_planifie).
CURRENT_MIX: tuple[tuple[str, int], ...] = (
    (Etat.AUTOEVALUATION, 105),
    (Etat.PLAN_AMELIORATION, 60),
    (Etat.AUDIT_A_PLANIFIER, 40),
    (Etat.AUDIT_PLANIFIE, 40),
    (Etat.AUDIT_EN_COURS, 35),
    (Etat.REPONSE_STRUCTURE, 30),
    (Etat.EN_COMMISSION, 25),
    ("labellise", 45),
    ("labellise_sous_reserve", 30),
    (AJOURNE, 12),
    ("refuse", 8),
)
# An earlier campaign is over: most dossiers were decided, a few never went to the audit.
PAST_MIX: tuple[tuple[str, int], ...] = (
    (Etat.AUTOEVALUATION, 4),
    (Etat.PLAN_AMELIORATION, 5),
    ("labellise", 52),
    ("labellise_sous_reserve", 30),
    (AJOURNE, 5),
    ("refuse", 4),
)
OPENED_DAYS_AGO = 320  # the current campaign opened ~10 months ago
PAST_CAMPAIGN_DAYS = 500  # an earlier campaign's last séance is ~16 months after its opening

# Typical strengths and weaknesses of the network, by criterion or part (added to each level).
TENDENCY = {
    "1": 0.25,
    "2": 0.15,
    "3": -0.05,
    "3.3": -0.45,  # observatoire du territoire
    "3.4": -0.35,  # innovation
    "4.1": -0.2,  # repérage, « aller vers »
    "4.2": 0.35,  # accueil
    "4.3": 0.25,
    "4.4": -0.3,  # relation aux employeurs
    "5": 0.0,
    "5.2": 0.2,
    "5.4": -0.55,  # évaluation de l'impact
}
# Criteria the auditors find gaps on more often than the self-assessment suggests.
AUDIT_BIAS = {"5.4": -0.45, "3.3": -0.3, "5.2": -0.35, "1.2": -0.2, "4.4.1": -0.25, "2.4": -0.1}

# Days between a step and the previous one (min, max).
GAPS: dict[str, tuple[float, float]] = {
    "reopen_autoevaluation": (4, 25),
    "resubmit_autoevaluation": (6, 30),
    "submit_plan": (5, 45),
    "request_audit": (0.2, 10),
    "assign_audit": (3, 30),
    "start_audit": (14, 50),
    "submit_audit_report": (3, 14),
    "return_audit_report": (2, 6),
    "resubmit_audit_report": (3, 8),
    "validate_audit_report": (2, 10),
    "place_on_agenda": (10, 28),
    "decision": (5, 30),
}

# audits.commission.services.decide appends this when an open major gap forbids « labellisé ».
MAJOR_GAP_RULE = (
    "\n\nUn écart majeur reste ouvert : « labellisé » est exclu par la règle "
    "de la campagne, le label est accordé sous réserve."
)
RECUSAL_MOTIF = "Membre de la structure ou de son ARML (récusation automatique)"

AUDITING_BODIES = (
    # (name, code used in e-mails, auditors, a lead auditor to create: the demo one leads AFNOR)
    ("AFNOR Certification (démo)", "afnor", 8, False),
    ("Qualicert Évaluation (démo)", "qualicert", 6, True),
)
COMMISSION_MEMBERS = 12


ANCHOR_DAYS: dict[
    str, tuple[float, float]
] = {  # how long ago the last step of a dossier in this state happened (min, max)
    Etat.AUTOEVALUATION: (1, 60),  # a reopening
    Etat.PLAN_AMELIORATION: (1, 80),
    Etat.AUDIT_A_PLANIFIER: (1, 35),
    Etat.AUDIT_PLANIFIE: (1, 40),
    Etat.AUDIT_EN_COURS: (1, 22),
    Etat.REPONSE_STRUCTURE: (1, 27),
    Etat.EN_COMMISSION: (1, 30),
}
FIRST_SUBMISSION_DAY = 30  # no self-assessment is submitted in the campaign's first month


class SeedRefused(Exception):
    """The national demo data set never goes to production."""


Log = Callable[[str], None]


def seed_national(*, campaigns: int = 1, seed: int = 2026, log: Log | None = None) -> dict:
    """Create (or complete) the national data set; see the module docstring. Returns what was
    done: structures, users created, and per campaign the dossiers created, the dossiers per
    state, the decisions per outcome and the labels."""
    if settings.ENVIRONMENT == "production":
        raise SeedRefused(
            "seed_demo refuse de s'exécuter avec LABELML_ENV=production : les données de "
            "démonstration ne doivent jamais arriver en production."
        )
    if campaigns < 1:
        raise ValueError("Au moins une campagne.")
    say: Log = log or (lambda message: None)
    started = time.monotonic()
    _ensure_referentiel()
    from labelml.demo.network import seed_demo_network
    from labelml.structures.models import Structure

    seed_demo_network()  # the documented demo accounts, and the current campaign
    with transaction.atomic():
        network = _ensure_network(seed)
    say(
        f"Réseau national : {len(network.mls)} Missions Locales, {len(network.armls)} ARML, "
        f"{network.users_created} compte(s) créé(s)."
    )
    ref = _load_referentiel()
    results = []
    for index in range(campaigns):
        with transaction.atomic():
            results.append(_seed_campaign(index, ref, network, seed, say))
    return {
        "structures": dict(
            Counter(
                Structure.objects.filter(
                    models.Q(type=Structure.Type.UNML)
                    | models.Q(pk__in=[s.pk for s in network.armls.values()])
                    | models.Q(pk__in=[s.pk for s in network.mls])
                ).values_list("type", flat=True)
            )
        ),
        "utilisateurs_crees": network.users_created,
        "campagnes": results,
        "duree": time.monotonic() - started,
    }


def _ensure_referentiel() -> None:
    from referentiel.models import Referentiel
    from referentiel.services import import_referentiel_file

    if not Referentiel.objects.published().filter(code="ML-2022").exists():
        import_referentiel_file(settings.BASE_DIR / "fixtures" / "referentiel-ml-2022.yaml")


# --- The référentiel ---------------------------------------------------------------------------


@dataclass
class _Ref:
    referentiel: Any
    criteres: list[Any]
    elements: list[Any]
    by_critere: dict[int, list[Any]]
    tendency: dict[int, float]
    part: dict[int, str]
    auto: dict[str, Any]
    audit: dict[str, Any]


def _load_referentiel() -> _Ref:
    from referentiel.models import Element, Niveau, Referentiel

    referentiel = Referentiel.objects.published().get(code="ML-2022")
    criteres = list(referentiel.criteres.select_related("section").order_by("ordre"))
    elements = list(
        Element.objects.filter(referentiel=referentiel).select_related("critere").order_by("ordre")
    )
    by_critere: dict[int, list[Any]] = defaultdict(list)
    for e in elements:
        by_critere[e.critere_id].append(e)
    tendency, part = {}, {}
    for c in criteres:
        section = c.section.code
        part[c.pk] = section.split(".")[0]
        tendency[c.pk] = TENDENCY.get(c.code, TENDENCY.get(section, TENDENCY.get(part[c.pk], 0.0)))
    auto_pk, audit_pk = referentiel.echelle_autoevaluation_pk, referentiel.echelle_audit_pk
    return _Ref(
        referentiel=referentiel,
        criteres=criteres,
        elements=elements,
        by_critere=by_critere,
        tendency=tendency,
        part=part,
        auto={n.code: n for n in Niveau.objects.filter(echelle_id=auto_pk)},
        audit={n.code: n for n in Niveau.objects.filter(echelle_id=audit_pk)},
    )


# --- The network and its people ----------------------------------------------------------------


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


def _ensure_network(seed: int) -> _Network:
    """The 15 ARMLs, the 436 Missions Locales and their people; what exists is kept."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    from labelml.demo.network import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_SECRET, ORGANISME
    from labelml.structures.models import (
        Auditeur,
        Membership,
        MembreCommission,
        OrganismeAuditeur,
        Structure,
    )
    from labelml.structures.roles import Role

    User = get_user_model()
    admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    codes = national_ml_codes()
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
        Auditeur(user=users[email], organisme=bodies[nom], est_referent=lead)
        for email, nom, lead in auditor_emails
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


# --- One campaign -------------------------------------------------------------------------------


def _quotas(mix: tuple[tuple[str, int], ...], n: int) -> list[tuple[str, int]]:
    """Split n along the weights (largest remainder: the counts sum to exactly n)."""
    total = sum(w for _s, w in mix)
    exact = [(s, w * n / total) for s, w in mix]
    counts = {s: math.floor(x) for s, x in exact}
    by_remainder = sorted(exact, key=lambda sx: -(sx[1] - math.floor(sx[1])))
    for s, _x in by_remainder[: n - sum(counts.values())]:
        counts[s] += 1
    return [(s, counts[s]) for s, _w in mix]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _seed_campaign(index: int, ref: _Ref, network: _Network, seed: int, say: Log) -> dict:
    from campagnes.services import create_campagne
    from labelml.demo.dossiers import CAMPAGNE

    started = time.monotonic()
    year = CURRENT_YEAR - CYCLE_YEARS * index
    today = timezone.localdate()
    opening = _years_before(today - dt.timedelta(days=OPENED_DAYS_AGO), CYCLE_YEARS * index)
    if index == 0:
        campagne = Campagne.objects.get(nom=CAMPAGNE)
        end = today
    else:
        end = opening + dt.timedelta(days=PAST_CAMPAIGN_DAYS)
        nom = f"Campagne nationale de labellisation {year}"
        campagne = Campagne.objects.filter(nom=nom).first() or create_campagne(
            actor=network.admin,
            nom=nom,
            referentiel=ref.referentiel,
            date_ouverture=opening,
            date_cloture_autoevaluation=opening + dt.timedelta(days=300),
            delai_reponse_jours=30,
            validite_label_annees=CYCLE_YEARS,
            ecart_majeur_bloquant=True,
        )
    existing = set(campagne.dossiers.values_list("structure_id", flat=True))
    todo = [ml for ml in network.mls if ml.pk not in existing]
    if todo:
        if campagne.date_ouverture > opening:
            campagne.date_ouverture = opening
            campagne.save(update_fields=["date_ouverture"])
        if index:
            Campagne.objects.filter(pk=campagne.pk).update(
                created_at=_aware(opening - dt.timedelta(days=20), 9 * 60)
            )
        builder = _Campaign(campagne, ref, network, seed, year, opening, end, current=index == 0)
        builder.plan(todo)
        builder.write()
    from audits.commission.models import Decision, Label

    etats = dict(sorted(Counter(campagne.dossiers.values_list("etat", flat=True)).items()))
    decisions = dict(
        Counter(
            Decision.objects.filter(dossier__campagne=campagne).values_list("resultat", flat=True)
        )
    )
    result = {
        "nom": campagne.nom,
        "dossiers_crees": len(todo),
        "dossiers": sum(etats.values()),
        "etats": etats,
        "decisions": decisions,
        "labels": Label.objects.filter(decision__dossier__campagne=campagne).count(),
        "duree": time.monotonic() - started,
    }
    say(
        f"{campagne.nom} : {len(todo)} dossier(s) créé(s) en {result['duree']:.1f} s "
        f"({result['dossiers']} au total)."
    )
    return result


def _aware(day: dt.date, minutes: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes))


def _thursday(day: dt.date, forward: bool = False) -> dt.date:
    shift = (3 - day.weekday()) % 7 if forward else -((day.weekday() - 3) % 7)
    return day + dt.timedelta(days=shift)


@dataclass
class _Profile:
    """A Mission Locale's level: overall strength and stronger or weaker parts."""

    strength: float
    parts: dict[str, float]


def _profile(seed: int, code: str) -> _Profile:
    rng = random.Random(f"{seed}:profil:{code}")  # nosec B311 # seeded on purpose: reproducible demo data
    strength = rng.gauss(0, 0.45)
    parts = {p: -rng.uniform(0.3, 0.8) for p in rng.sample("12345", rng.choice([1, 1, 2]))}
    strong = rng.choice([p for p in "12345" if p not in parts])
    parts[strong] = rng.uniform(0.2, 0.5)
    return _Profile(strength, parts)


@dataclass
class _Seance:
    seance: Any
    membres: list[Any]
    at: dt.datetime
    points: int = 0


@dataclass
class _Rows:
    """What one campaign writes, in foreign key order."""

    dossiers: list[Any] = field(default_factory=list)
    autoevaluations: list[Any] = field(default_factory=list)
    reponses: list[Any] = field(default_factory=list)
    syntheses: list[Any] = field(default_factory=list)
    snapshots: list[Any] = field(default_factory=list)
    plans: list[Any] = field(default_factory=list)
    actions: list[Any] = field(default_factory=list)
    action_criteres: list[tuple[Any, list[int]]] = field(default_factory=list)
    audits: list[Any] = field(default_factory=list)
    constats: list[Any] = field(default_factory=list)
    revues: list[Any] = field(default_factory=list)
    permissions: list[Any] = field(default_factory=list)
    reponses_ecart: list[Any] = field(default_factory=list)
    points: list[Any] = field(default_factory=list)
    recusations: list[Any] = field(default_factory=list)
    votes: list[Any] = field(default_factory=list)
    decisions: list[Any] = field(default_factory=list)
    labels: list[Any] = field(default_factory=list)
    transitions: list[Any] = field(default_factory=list)


class _Campaign:
    """Plans the dossiers of one campaign in memory, then writes them in bulk."""

    def __init__(
        self,
        campagne: Campagne,
        ref: _Ref,
        network: _Network,
        seed: int,
        year: int,
        opening: dt.date,
        end: dt.date,
        *,
        current: bool,
    ) -> None:
        self.campagne, self.ref, self.net = campagne, ref, network
        self.seed, self.year, self.opening, self.end, self.current = (
            seed,
            year,
            opening,
            end,
            current,
        )
        self.end_day = float((end - opening).days)
        # The network progresses from one cycle to the next (bounded: older is not worse).
        self.drift = max(-0.6, -0.25 * (CURRENT_YEAR - year) / CYCLE_YEARS)
        self.rows = _Rows()
        self.open_at = _aware(opening, 9 * 60)
        self.permission = Permission.objects.get(
            content_type__app_label="campagnes", codename="view_dossier"
        )

    # -- Planning ------------------------------------------------------------------------------

    def plan(self, mls: list[Any]) -> None:
        rng = random.Random(f"{self.seed}:{self.year}:etats")  # nosec B311 # seeded on purpose: reproducible demo data
        quotas = _quotas(CURRENT_MIX if self.current else PAST_MIX, len(mls))
        stages = [stage for stage, count in quotas for _ in range(count)]
        rng.shuffle(stages)
        profiles = [_profile(self.seed, ml.code) for ml in mls]
        # The commission's outcomes follow the structures' level: the weakest are refused.
        decided = [i for i, s in enumerate(stages) if s in DECIDED]
        outcomes = sorted((stages[i] for i in decided), key=DECIDED[::-1].index)
        ranked = sorted(decided, key=lambda i: profiles[i].strength + rng.gauss(0, 0.3))
        for i, outcome in zip(ranked, outcomes, strict=True):
            stages[i] = outcome
        self.seances = self._seances(rng)
        past = [s for s in self.seances if s.at.date() < self.end]
        upcoming = [s for s in self.seances if s.at.date() >= self.end]
        placement: dict[int, _Seance] = {}
        for i, stage in enumerate(stages):
            if stage in DECIDED:
                placement[i] = rng.choice(past)
            elif stage == Etat.EN_COMMISSION:
                placement[i] = upcoming[0]
        for i, ml in enumerate(mls):
            seance = placement.get(i)
            ordre = 0
            if seance is not None:
                seance.points += 1
                ordre = seance.points
            rng_d = random.Random(f"{self.seed}:{self.year}:{ml.code}")  # nosec B311 # seeded on purpose: reproducible demo data
            _Dossier(self, ml, stages[i], profiles[i], rng_d, seance, ordre).build()

    def _seances(self, rng: random.Random) -> list[_Seance]:
        from audits.commission.models import Seance

        if self.current:
            days = [self.end - dt.timedelta(days=d) for d in (147, 119, 91, 63, 35, 7)]
            dates = [_thursday(d) for d in days] + [
                _thursday(self.end + dt.timedelta(days=14), forward=True)
            ]
        else:
            dates = [_thursday(self.opening + dt.timedelta(days=150 + 30 * i)) for i in range(12)]
        others = [m for m in self.net.membres if m not in self.net.chairs and m != self.net.always]
        out = []
        # The members of every session, written at once (not one set() each).
        links: list[Any] = []
        for i, day in enumerate(dates):
            president = self.net.chairs[i % len(self.net.chairs)]
            membres = [president, self.net.always] + rng.sample(others, rng.randint(7, 9))
            at = _aware(day, 14 * 60)
            statut = Seance.Statut.CLOSE if day < self.end else Seance.Statut.PLANIFIEE
            with _historical_dates():
                seance = Seance.objects.create(
                    date=at,
                    lieu="Paris, siège de l'UNML" if i % 2 == 0 else "Visioconférence",
                    president=president,
                    statut=statut,
                    created_at=at - dt.timedelta(days=30),
                )
            links.extend(
                Seance.membres.through(seance=seance, membrecommission=m)
                for m in dict.fromkeys(membres)
            )
            out.append(_Seance(seance, membres, at))
        Seance.membres.through.objects.bulk_create(links)
        return out

    def moment(self, day: float) -> dt.datetime:
        """A day of the campaign (0 = opening) as a working-hours moment (weekends → Friday)."""
        whole = math.floor(day)
        date = self.opening + dt.timedelta(days=whole)
        while date.weekday() >= 5:
            date -= dt.timedelta(days=1)
        return _aware(date, 8 * 60 + 30 + int((day - whole) * 600))

    # -- Writing -------------------------------------------------------------------------------

    def write(self) -> None:
        from audits.commission.models import Decision, Label, PointOrdreDuJour, Recusation, Vote
        from audits.models import Audit, Constat, ReponseEcart, Revue
        from campagnes.autoevaluations.models import (
            AutoEvaluation,
            Reponse,
            Snapshot,
            SyntheseCritere,
        )
        from campagnes.plans.models import Action, PlanAmelioration

        r = self.rows
        self._number_labels()
        with _historical_dates():
            batches: list[tuple[Any, list[Any]]] = [
                (Dossier, r.dossiers),
                (AutoEvaluation, r.autoevaluations),
                (Reponse, r.reponses),
                (SyntheseCritere, r.syntheses),
                (Snapshot, r.snapshots),
                (PlanAmelioration, r.plans),
                (Action, r.actions),
            ]
            for model, objs in batches:
                model.objects.bulk_create(objs, batch_size=BATCH)
            Through = Action.criteres.through
            Through.objects.bulk_create(
                (
                    Through(action_id=action.pk, critere_id=pk)
                    for action, pks in r.action_criteres
                    for pk in pks
                ),
                batch_size=BATCH,
            )
            batches = [
                (Audit, r.audits),
                (Constat, r.constats),
                (Revue, r.revues),
                (DossierUserObjectPermission, r.permissions),
                (ReponseEcart, r.reponses_ecart),
                (PointOrdreDuJour, r.points),
                (Recusation, r.recusations),
                (Vote, r.votes),
                (Decision, r.decisions),
                (Label, r.labels),
                (DossierTransition, r.transitions),
            ]
            for model, objs in batches:
                model.objects.bulk_create(objs, batch_size=BATCH)

    def _number_labels(self) -> None:
        """Certificate numbers LML-YYYY-NNNNN in the order of the decisions, after the existing
        ones of the year (audits.commission.services.next_certificate_number)."""
        from audits.commission.models import Label

        next_of: dict[int, int] = {}
        for label in sorted(self.rows.labels, key=lambda lb: (lb.created_at, lb.structure.code)):
            year = label.date_debut.year
            if year not in next_of:
                next_of[year] = Label.objects.filter(numero__startswith=f"LML-{year}-").count() + 1
            label.numero = f"LML-{year}-{next_of[year]:05d}"
            next_of[year] += 1


_AUTO_FIELDS: list[Any] = []


@contextmanager
def _historical_dates() -> Iterator[None]:
    """Let the data set keep its past dates: auto_now / auto_now_add fields are switched off
    while it is written (every row written here sets them explicitly). Seeding only: never
    used by the application's own code paths."""
    if not _AUTO_FIELDS:
        from django.apps import apps

        for model in apps.get_models():
            f: Any
            for f in model._meta.concrete_fields:
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    _AUTO_FIELDS.append((f, f.auto_now, f.auto_now_add))
    for f, _now, _add in _AUTO_FIELDS:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in _AUTO_FIELDS:
            f.auto_now, f.auto_now_add = now, add


GAP_CODES = ("ecart_mineur", "ecart_majeur")


def _audit_level(x: float) -> str:
    if x >= 3.55:
        return "point_fort"
    if x >= 2.7:
        return "conforme"
    if x >= 2.15:
        return "piste_de_progres"
    if x >= 1.55:
        return "ecart_mineur"
    return "ecart_majeur"


def _label_end(start: dt.date, years: int) -> dt.date:
    """As audits.commission.services.decide computes it."""
    try:
        return start.replace(year=start.year + years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def _fingerprint(content: dict) -> str:
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


class _Dossier:
    """One Mission Locale's dossier in the campaign, planned as the workflow would have left it
    in its state; the rows go to the campaign's lists."""

    def __init__(
        self,
        campaign: _Campaign,
        ml: Any,
        stage: str,
        profile: _Profile,
        rng: random.Random,
        seance: _Seance | None,
        ordre: int,
    ) -> None:
        self.c, self.ml, self.stage, self.profile, self.rng = campaign, ml, stage, profile, rng
        self.seance, self.ordre = seance, ordre
        self.ref, self.net, self.rows = campaign.ref, campaign.net, campaign.rows
        self.direction = self.net.direction[ml.pk]
        self.referent = self.net.referent[ml.pk]
        self.etat = Etat.PLAN_AMELIORATION if stage == AJOURNE else stage
        self.when: dict[str, dt.datetime] = {}

    # -- helpers -------------------------------------------------------------------------------

    def between(self, start: dt.datetime, stop: dt.datetime) -> dt.datetime:
        if stop <= start:
            return start
        return start + (stop - start) * self.rng.random()

    @property
    def end_at(self) -> dt.datetime:
        """The last moment of the story: yesterday evening for the current campaign."""
        return _aware(self.c.end - dt.timedelta(days=1), 18 * 60)

    def chain(self) -> list[str]:
        rng, stage = self.rng, self.stage
        self.reopened = self.c.current and rng.random() < 0.05
        self.returned = rng.random() < 0.12
        self.audit_sub = rng.choices(["en_cours", "soumis", "a_revoir"], [55, 30, 15])[0]
        self.plan_submitted = stage != Etat.PLAN_AMELIORATION or rng.random() < 0.35
        if stage == Etat.AUTOEVALUATION:
            return ["submit_autoevaluation", "reopen_autoevaluation"] if self.reopened else []
        steps = ["submit_autoevaluation"]
        if self.reopened:
            steps += ["reopen_autoevaluation", "resubmit_autoevaluation"]
        if stage == Etat.PLAN_AMELIORATION:
            return steps + (["submit_plan"] if self.plan_submitted else [])
        steps += ["submit_plan", "request_audit"]
        if stage == Etat.AUDIT_A_PLANIFIER:
            return steps
        steps.append("assign_audit")
        if stage == Etat.AUDIT_PLANIFIE:
            return steps
        steps.append("start_audit")
        if stage == Etat.AUDIT_EN_COURS:
            if self.audit_sub != "en_cours":
                steps.append("submit_audit_report")
            if self.audit_sub == "a_revoir":
                steps.append("return_audit_report")
            return steps
        steps.append("submit_audit_report")
        if self.returned:
            steps += ["return_audit_report", "resubmit_audit_report"]
        steps.append("validate_audit_report")
        if stage == Etat.REPONSE_STRUCTURE:
            return steps
        steps.append("place_on_agenda")
        if stage == Etat.EN_COMMISSION:
            return steps
        return [*steps, "decision"]

    def times(self, steps: list[str]) -> None:
        """Date the steps backwards from the last one (the séance of a decided dossier, else a
        recent day), compressing the gaps when the story would start too early."""
        if not steps:
            return
        rng, c = self.rng, self.c
        if self.seance is not None and steps[-1] == "decision":
            decision_at = self.seance.at + dt.timedelta(minutes=10 * self.ordre)
            anchor = float((self.seance.at.date() - c.opening).days) + 0.55
        else:
            lo, hi = ANCHOR_DAYS[self.etat]
            anchor = c.end_day - rng.uniform(lo, hi)
        gaps = [rng.uniform(*GAPS[s]) for s in steps[1:]]
        earliest = FIRST_SUBMISSION_DAY + rng.uniform(0, 40)
        room = anchor - earliest
        if sum(gaps) > room:
            mins = [GAPS[s][0] for s in steps[1:]]
            spare = sum(g - m for g, m in zip(gaps, mins, strict=True))
            if room > sum(mins) and spare > 0:
                f = (room - sum(mins)) / spare
                gaps = [m + (g - m) * f for g, m in zip(gaps, mins, strict=True)]
            else:
                f = max(anchor - FIRST_SUBMISSION_DAY, 1.0) / max(sum(gaps), 1.0)
                gaps = [g * f for g in gaps]
        days = [anchor]
        for g in reversed(gaps):
            days.append(days[-1] - g)
        days.reverse()
        moments = [c.moment(d) for d in days]
        if steps[-1] == "decision":
            moments[-1] = decision_at
        for i in range(len(moments) - 2, -1, -1):  # strictly increasing, the last one fixed
            if moments[i] >= moments[i + 1]:
                moments[i] = moments[i + 1] - dt.timedelta(minutes=30)
        self.when = dict(zip(steps, moments, strict=True))

    # -- the dossier ---------------------------------------------------------------------------

    def build(self) -> None:
        steps = self.chain()
        self.times(steps)
        self.levels = self.draw_levels()
        self.means = self.criterion_means()
        self.dossier = Dossier(campagne=self.c.campagne, structure=self.ml, etat=self.etat)
        self.rows.dossiers.append(self.dossier)
        self.self_assessment()
        self.improvement_plan()
        self.audit: Any = None
        if "assign_audit" in self.when:
            self.external_audit()
        self.point: Any = None
        if "place_on_agenda" in self.when:
            self.commission()
        self.history(steps)

    def draw_levels(self) -> dict[int, str]:
        rng, p = self.rng, self.profile
        out = {}
        for c in self.ref.criteres:
            base = (
                2.75
                + p.strength
                + self.c.drift
                + self.ref.tendency[c.pk]
                + p.parts.get(self.ref.part[c.pk], 0.0)
                + rng.gauss(0, 0.25)
            )
            for e in self.ref.by_critere[c.pk]:
                if e.sans_objet_autorise and rng.random() < 0.12:
                    out[e.pk] = "sans_objet"
                else:
                    out[e.pk] = str(min(4, max(1, round(base + rng.gauss(0, 0.55)))))
        return out

    def criterion_means(self) -> dict[int, float]:
        means = {}
        for c in self.ref.criteres:
            values = [
                int(self.levels[e.pk])
                for e in self.ref.by_critere[c.pk]
                if self.levels[e.pk] != "sans_objet"
            ]
            means[c.pk] = sum(values) / len(values) if values else 2.5
        return means

    def self_assessment(self) -> None:
        from campagnes.autoevaluations.models import (
            AutoEvaluation,
            Reponse,
            Snapshot,
            SyntheseCritere,
        )

        rng, ref, c = self.rng, self.ref, self.c
        open_at = c.open_at
        self.dossier.created_at = open_at
        self.autoevaluation = AutoEvaluation(dossier=self.dossier, created_at=open_at)
        self.rows.autoevaluations.append(self.autoevaluation)
        submitted_at = self.when.get("submit_autoevaluation")
        if submitted_at is not None:
            progress = 1.0
            stop = submitted_at - dt.timedelta(hours=1)
        else:
            u = rng.random()
            if not c.current:
                progress = rng.uniform(0.1, 0.8)
            else:
                progress = 0.0 if u < 0.12 else 1.0 if u > 0.9 else rng.uniform(0.05, 0.97)
            stop = self.end_at
        start = open_at + dt.timedelta(days=2)
        target = round(progress * len(ref.elements))
        rated: set[int] = set()
        written: set[int] = set()
        for critere in sorted(ref.criteres, key=lambda cr: cr.ordre + rng.gauss(0, 5)):
            if len(rated) >= target:
                break
            elements = ref.by_critere[critere.pk]
            taken = elements[: target - len(rated)]
            rated.update(e.pk for e in taken)
            if len(taken) == len(elements) and (progress == 1.0 or rng.random() < 0.75):
                written.add(critere.pk)
        self.progress = progress
        answers = []  # (element, level code or None, justification), in référentiel order
        for e in ref.elements:
            code = self.levels[e.pk] if e.pk in rated else None
            justification = ""
            if code is not None and (progress == 1.0 or code == "sans_objet" or rng.random() > 0.1):
                justification = rng.choice(JUSTIFICATIONS[code])
            answers.append((e, code, justification))
            self.rows.reponses.append(
                Reponse(
                    autoevaluation=self.autoevaluation,
                    element_id=e.pk,
                    niveau_id=ref.auto[code].pk if code else None,
                    justification=justification,
                    version=rng.randint(1, 3) if code else 0,
                    updated_by=(self.referent if rng.random() < 0.75 else self.direction)
                    if code
                    else None,
                    updated_at=self.between(start, stop) if code else None,
                )
            )
        syntheses = []  # (critere, synthese, points forts, axes)
        for critere in ref.criteres:
            if critere.pk in written:
                mean = self.means[critere.pk]
                bucket = "haut" if mean >= 3.2 else "moyen" if mean >= 2.4 else "bas"
                texts = rng.choice(SYNTHESES[bucket])
                syntheses.append((critere, *texts))
                self.rows.syntheses.append(
                    SyntheseCritere(
                        autoevaluation=self.autoevaluation,
                        critere_id=critere.pk,
                        synthese=texts[0],
                        points_forts=texts[1],
                        axes_amelioration=texts[2],
                        version=rng.randint(1, 2),
                        updated_by=self.referent,
                        updated_at=self.between(start, stop),
                    )
                )
            else:
                syntheses.append((critere, "", "", ""))
                self.rows.syntheses.append(
                    SyntheseCritere(autoevaluation=self.autoevaluation, critere_id=critere.pk)
                )
        self.answers = answers
        # What was submitted, frozen (campagnes.autoevaluations.services.take_snapshot).
        self.fingerprints: list[str] = []
        if submitted_at is None:
            return
        versions = [(submitted_at, answers)]
        if "resubmit_autoevaluation" in self.when:
            # The first version had a few levels that the reopening corrected.
            corrected = set(
                rng.sample([e.pk for e, code, _j in answers if code in ("2", "3", "4")], 3)
            )
            first = [
                (e, str(int(code) - 1) if code and e.pk in corrected else code, j)
                for e, code, j in answers
            ]
            versions = [(submitted_at, first), (self.when["resubmit_autoevaluation"], answers)]
        for numero, (at, version) in enumerate(versions, start=1):
            content = self.snapshot_content(version, syntheses)
            empreinte = _fingerprint(content)
            self.fingerprints.append(empreinte)
            self.rows.snapshots.append(
                Snapshot(
                    dossier=self.dossier,
                    numero=numero,
                    contenu=content,
                    empreinte=empreinte,
                    soumis_par=self.direction,
                    soumis_le=at,
                )
            )

    def snapshot_content(self, answers: list, syntheses: list) -> dict:
        """campagnes.autoevaluations.services.snapshot_content, from memory."""
        auto = self.ref.auto
        return {
            "referentiel": self.ref.referentiel.label,
            "structure": {"code": self.ml.code, "nom": self.ml.nom},
            "campagne": self.c.campagne.nom,
            "reponses": [
                {
                    "element": e.code,
                    "critere": e.critere.code,
                    "niveau": code,
                    "niveau_libelle": auto[code].libelle if code else None,
                    "valeur": str(auto[code].valeur)
                    if code and auto[code].valeur is not None
                    else None,
                    "justification": justification,
                }
                for e, code, justification in answers
            ],
            "syntheses": [
                {
                    "critere": critere.code,
                    "synthese": synthese,
                    "points_forts": forts,
                    "axes_amelioration": axes,
                }
                for critere, synthese, forts, axes in syntheses
            ],
            "preuves": [],
        }

    def improvement_plan(self) -> None:
        from campagnes.plans.models import Action, PlanAmelioration
        from campagnes.plans.services import suggested_description, suggested_title

        rng, ref = self.rng, self.ref
        submitted_plan_at = self.when.get("submit_plan")
        self.plan = PlanAmelioration(
            dossier=self.dossier,
            soumis_le=submitted_plan_at,
            soumis_par=self.direction if submitted_plan_at else None,
        )
        self.rows.plans.append(self.plan)
        self.actions_by_critere: dict[int, Any] = {}
        self.plan_actions = 0
        weak = sorted(
            ((code, e) for e, code, _j in self.answers if code in ("1", "2")),
            key=lambda ce: (ce[0], ce[1].ordre),
        )
        submitted_at = self.when.get("submit_autoevaluation")
        if submitted_at is None:
            if not (self.progress > 0.6 and rng.random() < 0.3 and weak):
                return
            planned: list[tuple[str, Any]] = [("suggestion", w) for w in weak[: rng.randint(1, 2)]]
            start, stop = self.c.open_at + dt.timedelta(days=10), self.end_at
        else:
            planned = [("suggestion", w) for w in weak[: rng.randint(2, 6)]]
            by_mean = sorted(ref.criteres, key=lambda cr: self.means[cr.pk])
            planned += [("manuelle", cr) for cr in by_mean[: rng.randint(1, 2)]]
            start = submitted_at
            if submitted_plan_at is not None:
                stop = submitted_plan_at - dt.timedelta(hours=1)
            else:
                stop = self.end_at
                planned = planned[: rng.randint(0, len(planned))]
        request_at = self.when.get("request_audit")
        # The plan is read-only from the audit request on (until an adjournment reopens it).
        frozen = request_at if request_at and self.stage != AJOURNE else self.end_at
        for kind, item in planned:
            created = self.between(start, stop)
            echeance = created.date() + dt.timedelta(days=rng.randint(45, 365))
            statut, avancement, updated = self.action_progress(created, echeance, frozen)
            if kind == "suggestion":
                code, element = item
                critere_pk = element.critere_id
                action = Action(
                    plan=self.plan,
                    titre=suggested_title(element),
                    description=suggested_description(element, ref.auto[code].libelle),
                    element_source_id=element.pk,
                    priorite=Action.Priorite.HAUTE if code == "1" else Action.Priorite.MOYENNE,
                    origine=Action.Origine.SUGGESTION,
                )
            else:
                critere_pk = item.pk
                action = Action(
                    plan=self.plan,
                    titre=rng.choice(MANUAL_ACTIONS).format(code=item.code),
                    description="Rédiger la procédure, la présenter en réunion d'équipe et "
                    "suivre un indicateur trimestriel.",
                    priorite=rng.choice(list(Action.Priorite.values)),
                    origine=Action.Origine.MANUELLE,
                )
            action.responsable = rng.choice([self.referent, self.direction, None])
            action.echeance = echeance
            action.statut, action.avancement = statut, avancement
            action.created_by = self.referent
            action.created_at, action.updated_at = created, updated
            self.rows.actions.append(action)
            self.rows.action_criteres.append((action, [critere_pk]))
            self.actions_by_critere.setdefault(critere_pk, action)
        self.plan_actions = len(planned)

    def action_progress(
        self, created: dt.datetime, echeance: dt.date, frozen: dt.datetime
    ) -> tuple[str, int, dt.datetime]:
        from campagnes.plans.models import Action

        rng = self.rng
        S = Action.Statut
        if echeance <= frozen.date():
            statut = rng.choices([S.FAIT, S.EN_COURS, S.ABANDONNE], [60, 30, 10])[0]
        elif (frozen - created).days > 45:
            statut = rng.choices([S.EN_COURS, S.A_FAIRE, S.FAIT], [50, 40, 10])[0]
        else:
            statut = rng.choices([S.A_FAIRE, S.EN_COURS], [80, 20])[0]
        avancement = {
            S.FAIT: 100,
            S.A_FAIRE: 0,
            S.EN_COURS: rng.choice([10, 20, 30, 40, 50, 60, 70, 80]),
            S.ABANDONNE: rng.choice([0, 10, 20]),
        }[statut]
        updated = created if statut == S.A_FAIRE else self.between(created, frozen)
        return statut, avancement, updated

    def findings(self, outcome: str | None) -> tuple[dict[int, str], dict[int, float]]:
        """The auditor's level per criterion: the self-assessment, the auditor's own eye, the
        criteria where gaps are common; consistent with the commission's outcome."""
        rng = self.rng
        severity = rng.gauss(0, 0.2)
        score = {
            c.pk: self.means[c.pk] + severity + AUDIT_BIAS.get(c.code, 0.0) + rng.gauss(0, 0.45)
            for c in self.ref.criteres
        }
        codes = {pk: _audit_level(x) for pk, x in score.items()}
        weakest = sorted(score, key=lambda pk: score[pk])

        def gaps() -> list[int]:
            return [pk for pk in weakest if codes[pk] in GAP_CODES]

        if outcome == "labellise":
            for pk in gaps():
                codes[pk] = "ecart_mineur"
            for pk in gaps()[2:]:
                codes[pk] = "piste_de_progres"
        elif outcome == "labellise_sous_reserve" and not gaps():
            codes[weakest[0]] = "ecart_mineur"
        elif outcome == "refuse":
            codes[weakest[0]] = "ecart_majeur"
            for pk in weakest[1:3]:
                if codes[pk] not in GAP_CODES:
                    codes[pk] = "ecart_mineur"
        elif outcome == AJOURNE:
            for pk in weakest[:2]:
                if codes[pk] not in GAP_CODES:
                    codes[pk] = "ecart_mineur"
        return codes, score

    def external_audit(self) -> None:
        from audits.models import Audit, Constat, ReponseEcart, Revue

        rng, ref, when, net = self.rng, self.ref, self.when, self.net
        auditeur = rng.choice(net.auditeurs)
        lead = rng.choice(net.leads[auditeur.organisme_id])
        self.auditeur, self.lead = auditeur, lead
        assigned = when["assign_audit"]
        if "start_audit" in when:
            debut = when["start_audit"].date()
        else:  # planned: the visit is to come
            debut = max(
                self.c.end + dt.timedelta(days=rng.randint(3, 45)),
                assigned.date() + dt.timedelta(days=10),
            )
            while debut.weekday() >= 5:
                debut += dt.timedelta(days=1)
        fin = debut + dt.timedelta(days=rng.randint(0, 2))
        report_at = when.get("resubmit_audit_report") or when.get("submit_audit_report")
        first_report = when.get("submit_audit_report")
        if first_report is not None and first_report.date() <= fin:
            fin = max(debut, first_report.date() - dt.timedelta(days=1))
        self.debut, self.fin = debut, fin
        others = [v for v in self.c.net.mls if v.region == self.ml.region and v.pk != self.ml.pk]
        sites = f"Siège {de_ville(self.ml.ville)}"
        if others and rng.random() < 0.6:
            sites += f" ; antenne {de_ville(rng.choice(others).ville)}"
        S = Audit.Statut
        if self.stage == Etat.AUDIT_PLANIFIE:
            statut = S.PLANIFIE
        elif self.stage == Etat.AUDIT_EN_COURS:
            statut = {"en_cours": S.EN_COURS, "soumis": S.SOUMIS, "a_revoir": S.A_REVOIR}[
                self.audit_sub
            ]
        else:
            statut = S.VALIDE
        outcome = self.stage if self.stage in DECIDED else None
        codes, _score = self.findings(outcome)
        self.codes = codes
        if statut == S.PLANIFIE:
            filled = 0
        elif statut == S.EN_COURS:
            filled = round(rng.uniform(0.1, 0.9) * len(ref.criteres))
        else:
            filled = len(ref.criteres)
        started = when.get("start_audit")
        stop = (report_at or self.end_at) - dt.timedelta(hours=2)
        audit = Audit(
            dossier=self.dossier,
            organisme_id=auditeur.organisme_id,
            auditeur=auditeur,
            date_debut=debut,
            date_fin=fin,
            sites=sites,
            statut=statut,
            created_at=assigned,
        )
        self.audit = audit
        reported = statut in (S.SOUMIS, S.A_REVOIR, S.VALIDE)
        if reported:
            gap_codes = [codes[c.pk] for c in ref.criteres]
            majeurs = gap_codes.count("ecart_majeur")
            n_gaps = majeurs + gap_codes.count("ecart_mineur")
            if self.stage == "refuse" or majeurs >= 2:
                recommandation = Audit.Recommandation.DEFAVORABLE
            elif n_gaps >= 2 or majeurs or (n_gaps == 1 and rng.random() < 0.5):
                recommandation = Audit.Recommandation.RESERVE
            else:
                recommandation = Audit.Recommandation.FAVORABLE
            audit.points_forts = rng.choice(AUDIT_POINTS_FORTS)
            audit.progres = rng.choice(AUDIT_PROGRES)
            audit.avis_global = AVIS[recommandation]
            audit.recommandation = recommandation
            audit.version = rng.randint(3, 6)
            audit.soumis_le = report_at
        elif statut == S.EN_COURS and rng.random() < 0.5:
            audit.points_forts = rng.choice(AUDIT_POINTS_FORTS)
            audit.version = 1
        if statut == S.VALIDE:
            audit.valide_le = when["validate_audit_report"]
            audit.valide_par = lead.user
        self.rows.audits.append(audit)
        self.constats = {}
        for i, c in enumerate(ref.criteres):
            constat = Constat(audit=audit, critere_id=c.pk)
            if i < filled and started is not None:
                code = codes[c.pk]
                constat.niveau_id = ref.audit[code].pk
                if code in GAP_CODES or rng.random() < 0.65:
                    constat.observation = rng.choice(OBSERVATIONS[code])
                if rng.random() < 0.8:
                    constat.preuves_examinees = rng.choice(PREUVES_EXAMINEES)
                constat.version = rng.randint(1, 2)
                constat.updated_by = auditeur.user
                constat.updated_at = self.between(started, stop)
            self.constats[c.pk] = constat
            self.rows.constats.append(constat)
        self.rows.permissions.append(
            DossierUserObjectPermission(
                user=auditeur.user, permission=self.c.permission, content_object=self.dossier
            )
        )
        self.remarques = rng.choice(RETURN_REMARKS)
        if "return_audit_report" in when:
            self.rows.revues.append(
                Revue(
                    audit=audit,
                    decision=Revue.Decision.RENVOYE,
                    remarques=self.remarques,
                    par=lead.user,
                    le=when["return_audit_report"],
                )
            )
        if statut == S.VALIDE:
            self.rows.revues.append(
                Revue(
                    audit=audit,
                    decision=Revue.Decision.VALIDE,
                    par=lead.user,
                    le=when["validate_audit_report"],
                )
            )
            # The structure answers the gaps within the campaign's delay.
            validated = when["validate_audit_report"]
            deadline = _aware(
                timezone.localdate(validated)
                + dt.timedelta(days=self.c.campagne.delai_reponse_jours),
                17 * 60,
            )
            placed = when.get("place_on_agenda")
            elapsed = (self.end_at - validated) / (deadline - validated)
            for c in ref.criteres:
                if codes[c.pk] not in GAP_CODES:
                    continue
                u = rng.random()
                if placed is not None or u < min(0.85, elapsed):
                    envoye: dt.datetime | None = self.between(
                        validated, min(placed or self.end_at, deadline, self.end_at)
                    )
                elif u < min(0.85, elapsed) + 0.25:
                    envoye = None
                else:
                    continue
                action = self.actions_by_critere.get(c.pk) if rng.random() < 0.5 else None
                self.rows.reponses_ecart.append(
                    ReponseEcart(
                        constat=self.constats[c.pk],
                        action_corrective=rng.choice(ACTIONS_CORRECTIVES),
                        preuves=rng.choice(PREUVES_ECART),
                        action_plan=action,
                        envoye_le=envoye,
                        auteur=self.direction,
                        updated_at=envoye or self.between(validated, self.end_at),
                    )
                )

    def commission(self) -> None:
        from audits.commission import tally as t
        from audits.commission.models import Decision, Label, PointOrdreDuJour, Recusation, Vote
        from campagnes.plans.models import Action

        rng, when = self.rng, self.when
        seance = self.seance
        assert seance is not None
        placed = when["place_on_agenda"]
        president = seance.seance.president
        structures = {self.ml.pk, self.ml.parent_id}
        recused = [
            m for m in seance.membres if self.net.structures_of.get(m.pk, set()) & structures
        ]
        eligible = [m for m in seance.membres if m not in recused]
        point = PointOrdreDuJour(
            seance=seance.seance,
            dossier=self.dossier,
            rapporteur=rng.choice([m for m in eligible if m != president]),
            ordre=self.ordre,
        )
        self.point = point
        self.rows.points.append(point)
        for m in recused:
            self.rows.recusations.append(
                Recusation(
                    point=point,
                    membre=m,
                    automatique=True,
                    motif=RECUSAL_MOTIF,
                    created_at=placed,
                )
            )
        if self.stage not in DECIDED:
            return
        decided_at = when["decision"]
        if rng.random() < 0.04:  # a member declares a conflict of interest
            member = rng.choice([m for m in eligible if m not in (president, point.rapporteur)])
            eligible.remove(member)
            recused.append(member)
            self.rows.recusations.append(
                Recusation(
                    point=point,
                    membre=member,
                    automatique=False,
                    motif="Conflit d'intérêts déclaré : ancien administrateur de la structure",
                    created_at=self.between(placed, decided_at - dt.timedelta(hours=1)),
                )
            )
        has_major = any(code == "ecart_majeur" for code in self.codes.values())
        target = self.stage
        if target == "labellise_sous_reserve" and has_major and rng.random() < 0.5:
            target = "labellise"  # the commission votes the label, the campaign's rule tempers it
        members = [m.pk for m in seance.membres]
        votes, result = self.votes(target, eligible, members, [m.pk for m in recused])
        outcome = result.outcome
        assert outcome is not None
        motivation = rng.choice(MOTIVATIONS[outcome]).strip()
        if outcome == t.LABELLISE and self.c.campagne.ecart_majeur_bloquant and has_major:
            outcome = t.LABELLISE_SOUS_RESERVE
            motivation += MAJOR_GAP_RULE
        assert outcome == self.stage, (outcome, self.stage)
        self.outcome, self.motivation = outcome, motivation
        point.vote = PointOrdreDuJour.Vote.CLOS
        point.clos_le = decided_at - dt.timedelta(minutes=2)
        for membre_pk, choix in votes.items():
            self.rows.votes.append(
                Vote(
                    point=point,
                    membre_id=membre_pk,
                    choix=choix,
                    updated_at=decided_at - dt.timedelta(minutes=rng.randint(3, 40)),
                )
            )
        decision = Decision(
            point=point,
            dossier=self.dossier,
            resultat=outcome,
            motivation=motivation,
            decompte={
                "counts": result.counts,
                "eligible": result.eligible,
                "participants": result.participants,
            },
            decide_par=president.user,
            decide_le=decided_at,
        )
        self.rows.decisions.append(decision)
        if outcome not in (t.LABELLISE, t.LABELLISE_SOUS_RESERVE):
            return
        day = timezone.localdate(decided_at)
        self.rows.labels.append(
            Label(
                structure=self.ml,
                decision=decision,
                numero="",  # numbered in the order of the decisions, at writing
                date_debut=day,
                date_fin=_label_end(day, self.c.campagne.validite_label_annees),
                reserves=motivation if outcome == t.LABELLISE_SOUS_RESERVE else "",
                created_at=decided_at,
            )
        )
        if outcome == t.LABELLISE_SOUS_RESERVE:
            # audits.commission.services._reserve_criteres: the gaps, else the improvement tracks.
            criteres = [c.pk for c in self.ref.criteres if self.codes[c.pk] in GAP_CODES] or [
                c.pk for c in self.ref.criteres if self.codes[c.pk] == "piste_de_progres"
            ]
            action = Action(
                plan=self.plan,
                titre="Lever les réserves de la commission",
                description=motivation.strip(),
                echeance=day + dt.timedelta(days=180),
                priorite=Action.Priorite.HAUTE,
                origine=Action.Origine.RESERVE,
                created_by=president.user,
                created_at=decided_at,
                updated_at=decided_at,
            )
            self.rows.actions.append(action)
            self.rows.action_criteres.append((action, criteres or [self.ref.criteres[0].pk]))

    def votes(
        self, target: str, eligible: list[Any], members: list[int], recused: list[int]
    ) -> tuple[dict[int, str], Any]:
        """Votes of the members present whose count gives `target` (audits.commission.tally)."""
        from audits.commission import tally as t

        rng = self.rng
        mix = {
            t.LABELLISE: ([t.FAVORABLE, t.FAVORABLE_AVEC_RESERVES, t.ABSTENTION], [72, 16, 12]),
            t.LABELLISE_SOUS_RESERVE: (
                [t.FAVORABLE_AVEC_RESERVES, t.FAVORABLE, t.DEFAVORABLE, t.ABSTENTION],
                [68, 14, 6, 12],
            ),
            t.REFUSE: ([t.DEFAVORABLE, t.FAVORABLE_AVEC_RESERVES, t.ABSTENTION], [70, 15, 15]),
        }
        needed = t.quorum_required(len(eligible))
        for _attempt in range(50):
            absent = min(rng.choice([0, 0, 1, 1, 2]), len(eligible) - needed)
            voters = rng.sample(eligible, len(eligible) - absent)
            if target == t.AJOURNE:  # a tie between the two leading options
                pair = rng.choice(
                    [
                        (t.FAVORABLE_AVEC_RESERVES, t.DEFAVORABLE),
                        (t.FAVORABLE, t.FAVORABLE_AVEC_RESERVES),
                    ]
                )
                half = len(voters) // 2
                choices = [pair[0]] * half + [pair[1]] * half + [t.ABSTENTION] * (len(voters) % 2)
            else:
                options, weights = mix[target]
                choices = rng.choices(options, weights, k=len(voters))
            votes = {m.pk: choix for m, choix in zip(voters, choices, strict=True)}
            result = t.tally(members, recused, votes)
            if result.quorum and result.outcome == target:
                return votes, result
        raise AssertionError(f"no vote gives {target}")

    def history(self, steps: list[str]) -> None:
        """The DossierTransition rows of the workflow, in order."""
        c, when, net = self.c, self.when, self.net
        rows = self.rows.transitions
        state: str = Etat.AUTOEVALUATION
        rows.append(
            DossierTransition(
                dossier=self.dossier,
                action="open",
                from_etat="",
                to_etat=state,
                actor=net.admin,
                reason=f"Ouverture de la campagne « {c.campagne.nom} »",
                at=c.open_at,
            )
        )

        at = c.open_at

        def move(action: str, to: str, actor: Any, reason: str = "") -> None:
            nonlocal state
            rows.append(
                DossierTransition(
                    dossier=self.dossier,
                    action=action,
                    from_etat=state,
                    to_etat=to,
                    actor=actor,
                    reason=reason,
                    at=at,
                )
            )
            state = to

        versions = iter(enumerate(self.fingerprints, start=1))
        for step in steps:
            at = when[step]
            if step in ("submit_autoevaluation", "resubmit_autoevaluation"):
                numero, empreinte = next(versions)
                move(
                    "submit_autoevaluation",
                    Etat.PLAN_AMELIORATION,
                    self.direction,
                    f"Version {numero} soumise (empreinte {empreinte[:12]}…)",
                )
            elif step == "reopen_autoevaluation":
                move(step, Etat.AUTOEVALUATION, net.admin, self.rng.choice(REOPEN_REASONS))
            elif step == "submit_plan":
                move(step, state, self.direction, f"{self.plan_actions} action(s)")
            elif step == "request_audit":
                move(step, Etat.AUDIT_A_PLANIFIER, self.direction)
            elif step == "assign_audit":
                a = self.auditeur
                move(
                    step,
                    Etat.AUDIT_PLANIFIE,
                    net.admin,
                    f"{a.user} ({a.organisme}), du {self.debut:%d/%m/%Y} au {self.fin:%d/%m/%Y}",
                )
            elif step == "start_audit":
                move(step, Etat.AUDIT_EN_COURS, self.auditeur.user)
            elif step in ("submit_audit_report", "resubmit_audit_report"):
                move("submit_audit_report", state, self.auditeur.user)
            elif step == "return_audit_report":
                move(step, state, self.lead.user, self.remarques)
            elif step == "validate_audit_report":
                move(step, Etat.REPONSE_STRUCTURE, self.lead.user)
            elif step == "place_on_agenda":
                move(step, Etat.EN_COMMISSION, net.admin)
            elif step == "decision":
                assert self.seance is not None
                move(
                    f"decision_{self.outcome}",
                    self.etat,
                    self.seance.seance.president.user,
                    self.motivation,
                )
        assert state == self.etat, (state, self.etat)
        self.dossier.updated_at = rows[-1].at
