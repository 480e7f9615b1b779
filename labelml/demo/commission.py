"""The commission's work in the demo (issue 15): a demande de labellisation for the UNML to
examine and place on an agenda, a séance to come whose items the demo members vote on (the
demo chair presides it), and a label granted « sous réserve » whose reservation the structure
lifts. Three more Missions Locales of the demo network, lived through the real services from
the external audit on (the self-assessment and the plan as the demo's other dossiers).
Idempotent: a structure that already has its dossier is left as it is."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from audits.commission import services as commission
from audits.models import Audit, Constat
from audits.services import (
    answer_gap,
    assign_audit,
    file_demande,
    start_audit,
    submit_audit_report,
    validate_audit_report,
)
from campagnes.models import Campagne, Dossier
from campagnes.services import open_campagne
from labelml.structures.models import Membership, MembreCommission, Structure
from labelml.structures.roles import Role
from referentiel.models import Niveau

from .dossiers import CAMPAGNE, _advance, _fill
from .network import DEMO_DOMAIN, DEMO_PASSWORD, DemoAccount

# (code, name, region, ARML, city, what the commission has to do with it)
STRUCTURES = [
    ("ml-seine-amont", "Mission Locale Seine Amont", "11", "arml-idf", "Ivry-sur-Seine", "demande"),
    ("ml-hauts-de-bievre", "Mission Locale des Hauts-de-Bièvre", "11", "arml-idf", "Antony",
     "seance"),
    ("ml-rhone-sud", "Mission Locale Rhône Sud", "84", "arml-aura", "Vienne", "reserves"),
]  # fmt: skip

ACCOUNTS = [
    DemoAccount(
        f"direction.seine-amont@{DEMO_DOMAIN}",
        "Nadia",
        "Haddad",
        "Direction, ML Seine Amont (demande de labellisation déposée)",
    ),
    DemoAccount(
        f"direction.hauts-de-bievre@{DEMO_DOMAIN}",
        "Thomas",
        "Garnier",
        "Direction, ML des Hauts-de-Bièvre (dossier à l'ordre du jour)",
    ),
    DemoAccount(
        f"referent.rhone-sud@{DEMO_DOMAIN}",
        "Élise",
        "Fabre",
        "Référente qualité, ML Rhône Sud (réserves à lever)",
    ),
    DemoAccount(
        f"direction.rhone-sud@{DEMO_DOMAIN}",
        "Paul",
        "Renaud",
        "Direction, ML Rhône Sud",
    ),
    DemoAccount(
        f"commission2@{DEMO_DOMAIN}",
        "Claire",
        "Vidal",
        "Membre de la commission (collège collectivités)",
    ),
]

GAP_ANSWER = (
    "La procédure d'accueil a été révisée et harmonisée entre les sites ; les conseillers ont "
    "été formés et un indicateur de suivi est présenté chaque trimestre en comité de direction."
)


def _user(account: DemoAccount) -> Any:
    User = get_user_model()
    user = User.objects.filter(email=account.email).first()
    if user is None:
        user = User.objects.create_user(
            email=account.email,
            password=DEMO_PASSWORD,
            first_name=account.first_name,
            last_name=account.last_name,
        )
    return user


def _through_the_audit(
    dossier: Dossier, admin: Any, direction: Any, users: dict[str, Any], rng: random.Random
) -> None:
    """Self-assessment and plan as the demo lives them, then the external audit through the
    real steps (the demo auditor, validated by the demo lead auditor): two gaps, one major."""
    _fill(dossier, 1.0, rng, None)
    _advance(dossier, Dossier.Statut.AUDIT_A_PLANIFIER, rng)
    today = timezone.localdate()
    auditeur = users["auditeur"].auditeur
    assign_audit(
        dossier,
        admin,
        auditeur=auditeur,
        date_debut=today - dt.timedelta(days=40),
        date_fin=today - dt.timedelta(days=39),
        sites="Siège",
    )
    start_audit(dossier, auditeur.user)
    referentiel = dossier.campagne.referentiel
    levels = {n.code: n for n in Niveau.objects.filter(echelle_id=referentiel.echelle_audit_pk)}
    constats = list(Constat.objects.filter(audit__dossier=dossier).order_by("critere__ordre"))
    for i, c in enumerate(constats):
        code = {1: "ecart_majeur", 6: "ecart_mineur"}.get(
            i, rng.choice(["conforme", "conforme", "point_fort", "piste_de_progres"])
        )
        c.niveau = levels[code]
        c.observation = (
            "La procédure existe mais n'est pas appliquée de la même façon sur tous les sites."
            if code.startswith("ecart")
            else "Pratique constatée, connue des équipes et suivie par la direction."
        )
        c.preuves_examinees = "Procédures, comptes rendus de comité, tableau de bord."
    Constat.objects.bulk_update(constats, ["niveau", "observation", "preuves_examinees"])
    Audit.objects.filter(dossier=dossier).update(
        points_forts="Une équipe engagée et des partenariats solides sur le territoire.",
        progres="Le plan d'amélioration issu de l'auto-évaluation est engagé.",
        avis_global="La structure remplit l'essentiel des exigences ; un écart majeur sur "
        "l'accueil appelle une action corrective rapide.",
        recommandation=Audit.Recommandation.RESERVE,
    )
    submit_audit_report(dossier, auditeur.user)
    validate_audit_report(dossier, users["auditeur-referent"])
    for c in Constat.objects.filter(audit__dossier=dossier, niveau__code__in=GAP_CODES):
        answer_gap(constat=c, actor=direction, action_corrective=GAP_ANSWER, envoyer=True)
    file_demande(dossier, direction, "Nous demandons la labellisation de notre structure.")


GAP_CODES = ("ecart_mineur", "ecart_majeur")


def seed_demo_commission() -> list[DemoAccount]:
    """The commission's work in the demo (`seed_demo`, not the national scale, whose network
    is the real one); returns the accounts it adds."""
    roles = ("admin", "auditeur", "auditeur-referent", "commission", "president")
    by_email = get_user_model().objects.in_bulk(
        [f"{role}@{DEMO_DOMAIN}" for role in roles], field_name="email"
    )
    users = {email.split("@")[0]: user for email, user in by_email.items()}
    admin = users["admin"]
    campagne = Campagne.objects.get(nom=CAMPAGNE)
    rng = random.Random(15)  # nosec B311 # seeded on purpose: reproducible demo data
    people = {a.email.split("@")[0]: _user(a) for a in ACCOUNTS}
    arml = {s.code: s for s in Structure.objects.filter(type=Structure.Type.ARML)}
    chair = MembreCommission.objects.get(user=users["president"])
    member = MembreCommission.objects.get(user=users["commission"])
    partner, _ = MembreCommission.objects.get_or_create(
        user=people["commission2"], defaults={"college": MembreCommission.College.COLLECTIVITES}
    )
    existing = Structure.objects.in_bulk([row[0] for row in STRUCTURES], field_name="code")
    opened = set(
        Dossier.objects.filter(campagne=campagne, structure__in=existing.values()).values_list(
            "structure_id", flat=True
        )
    )
    for code, nom, region, parent, ville, role in STRUCTURES:
        structure = existing.get(code) or Structure.objects.create(
            code=code,
            nom=nom,
            type=Structure.Type.MISSION_LOCALE,
            region=region,
            parent=arml[parent],
            ville=ville,
        )
        if structure.pk in opened:
            continue
        slug = code.removeprefix("ml-")
        direction = people.get(f"direction.{slug}")
        Membership.objects.get_or_create(
            user=direction, structure=structure, defaults={"role": Role.DIRECTION}
        )
        if role == "reserves":
            Membership.objects.get_or_create(
                user=people[f"referent.{slug}"],
                structure=structure,
                defaults={"role": Role.REFERENT_QUALITE},
            )
        dossier = open_campagne(actor=admin, campagne=campagne, structures=[structure]).created[0]
        _through_the_audit(dossier, admin, direction, users, rng)
        if role == "seance":
            # Today's séance: the demo members vote on it, the demo chair opens it, closes the
            # vote and records the decision (votes are taken from the séance's day).
            seance = commission.create_seance(
                actor=admin,
                date=timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0),
                president=chair,
                membres=[member, partner],
                lieu="Paris, siège de l'UNML",
            )
            point = commission.add_to_agenda(
                actor=admin, seance=seance, dossier=dossier, rapporteur=member
            )
            commission.save_rapporteur_note(
                point=point,
                user=member.user,
                note="Dossier sérieux : l'écart majeur sur l'accueil a reçu une réponse "
                "précise ; je propose un avis favorable avec réserves.",
            )
        elif role == "reserves":
            # Decided at a past séance « labellisé sous réserve »: the reservation to lift.
            seance = commission.create_seance(
                actor=admin,
                date=timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
                - dt.timedelta(days=20),
                president=chair,
                membres=[member, partner],
                lieu="Visioconférence",
            )
            point = commission.add_to_agenda(
                actor=admin, seance=seance, dossier=dossier, rapporteur=partner
            )
            commission.open_seance(actor=admin, seance=seance)
            for m in (chair, member, partner):
                commission.cast_vote(point=point, user=m.user, choix="favorable_avec_reserves")
            commission.close_vote(point=point, user=chair.user)
            commission.decide(
                point=point,
                user=chair.user,
                motivation="Label accordé sous réserve : l'écart majeur sur l'accueil doit être "
                "levé dans les six mois (procédure appliquée sur tous les sites, justificatifs "
                "à l'appui).",
            )
            commission.close_seance(actor=admin, seance=seance)
    return ACCOUNTS
