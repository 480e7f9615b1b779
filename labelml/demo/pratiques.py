"""Demo data of issue 18: published remarkable practices, across criteria and regions, so that
the catalogue, the criterion pages ("Pratiques remarquables du réseau") and the public pages show
something real. Written through the real services (propose, consent, publish: each step in the
dossier's journal), a few dozen practices: no bulk writing is needed.

`seed_pratiques()` takes the Missions Locales of the demo campaign round-robin over the regions
(so that every region has some), but ML Paris Est, the demo referent's: its referent finds the
others' practices while filling a criterion. Idempotent: a dossier that already has a practice is
left alone. Called by `seed_demo` after the small demo and, with `--scale national`, after the
national data set (outside `seed_national`, whose rows are proven equal to the workflow's
dossier by dossier: the practices are not a step of a dossier's workflow).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import cycle, zip_longest

from django.contrib.auth.hashers import make_password
from django.db import transaction

from audits.pratiques import services
from audits.pratiques.models import Pratique
from campagnes.models import Campagne, Dossier
from labelml.accounts.models import User
from labelml.core.pluriel import pluriel
from labelml.structures.models import Membership, Structure
from labelml.structures.roles import Role
from referentiel.models import Critere

from .dossiers import CAMPAGNE
from .network import DEMO_DOMAIN, DEMO_PASSWORD

KEEP_OUT = {"ml-paris-est"}  # the demo referent's Mission Locale: it looks for the others'
NATIONAL_COUNT = 48

# (title, description, results, publics, criteria codes, public sharing)
PRACTICES: list[tuple[str, str, str, tuple[str, ...], tuple[str, ...], bool]] = [
    (
        "Parrainage par des chefs d'entreprise",
        "Des dirigeants d'entreprises du territoire parrainent chacun deux jeunes pendant six "
        "mois : rencontres mensuelles, visites d'entreprise, mise en relation avec leur réseau. "
        "La Mission Locale forme les parrains et suit chaque binôme avec le conseiller.",
        "Sept jeunes parrainés sur dix en emploi ou en formation six mois après ; 40 "
        "entreprises engagées.",
        ("jeunes", "entreprises"),
        ("4.4.2", "4.3.2"),
        True,
    ),
    (
        "Bus de l'insertion dans les quartiers et les villages",
        "Un minibus aménagé se rend chaque semaine dans les quartiers prioritaires et les "
        "communes rurales éloignées : accueil sans rendez-vous, information sur les droits, "
        "premier entretien, inscription.",
        "300 premiers accueils par an de jeunes jamais venus à la Mission Locale.",
        ("jeunes", "partenaires"),
        ("4.1.1", "2.1"),
        True,
    ),
    (
        "Diagnostic territorial partagé avec les élus et les services de l'État",
        "Chaque année, un atelier réunit les élus, les services de l'État, France Travail et "
        "les associations pour croiser les données de l'observatoire et fixer trois priorités "
        "d'action communes.",
        "Un programme d'actions partagé, revu chaque année en conseil d'administration.",
        ("partenaires",),
        ("3.1", "3.3", "1.1"),
        False,
    ),
    (
        "Job dating en entreprise avec préparation collective",
        "Les jeunes préparent en atelier (CV, simulation d'entretien) une matinée de "
        "recrutement organisée dans les locaux d'une entreprise partenaire, qui présente ses "
        "métiers avant les entretiens.",
        "Un tiers des participants recrutés lors des quatre dernières sessions.",
        ("jeunes", "entreprises"),
        ("4.4.1", "4.4.2"),
        True,
    ),
    (
        "Référent santé et accès aux soins",
        "Une conseillère formée accompagne les jeunes vers les soins : bilans de santé avec la "
        "CPAM, permanences d'une psychologue, aide à l'ouverture des droits.",
        "150 jeunes accompagnés vers un bilan de santé chaque année.",
        ("jeunes", "partenaires"),
        ("2.2", "2.4"),
        True,
    ),
    (
        "Accueil en langue facile et en langues étrangères",
        "Documents d'accueil réécrits en langage facile à lire et à comprendre, traduits en "
        "quatre langues, et permanences avec des interprètes bénévoles.",
        "Des entretiens d'accueil plus courts et mieux compris, selon l'enquête de satisfaction.",
        ("jeunes",),
        ("4.2.1", "4.2.2"),
        False,
    ),
    (
        "Laboratoire d'idées avec les jeunes",
        "Un groupe de jeunes accompagnés se réunit chaque trimestre pour proposer et tester de "
        "nouveaux services ; deux places au conseil d'administration leur sont réservées.",
        "Trois services nés des propositions des jeunes, dont une permanence le samedi.",
        ("jeunes",),
        ("3.4", "1.2"),
        True,
    ),
    (
        "Plateforme mobilité : permis, vélos et covoiturage",
        "Avec les collectivités et une auto-école sociale, la Mission Locale prête des vélos "
        "électriques, finance une partie du permis et anime un covoiturage vers les zones "
        "d'emploi.",
        "La mobilité n'est plus citée comme premier frein à l'emploi dans le diagnostic.",
        ("jeunes", "partenaires"),
        ("3.2", "4.1.2"),
        True,
    ),
    (
        "Suivi renforcé à la sortie d'un parcours",
        "Chaque jeune sortant d'un parcours vers l'emploi garde un contact avec son conseiller "
        "pendant six mois, et l'employeur a un interlocuteur en cas de difficulté.",
        "Moins de ruptures de contrat pendant la période d'essai.",
        ("jeunes", "entreprises"),
        ("4.3.3", "4.4.1"),
        False,
    ),
    (
        "Évaluation d'impact avec une université",
        "Une convention avec une université évalue chaque année une action de la Mission "
        "Locale : protocole, entretiens de jeunes, restitution au conseil d'administration.",
        "Deux actions réorientées à la suite des évaluations.",
        ("partenaires",),
        ("5.4", "3.3"),
        True,
    ),
]


def _user(structure: Structure, *roles: str) -> User | None:
    membership = (
        Membership.objects.filter(structure=structure, role__in=roles)
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    return membership.user if membership else None


def _direction(structure: Structure) -> User:
    """The structure's direction, who consents; in the small demo, where only ML Paris Est has
    people, an account named as the national data set names them (`direction.<ml>@…`, which
    the national seed then keeps as the structure's direction)."""
    found = _user(structure, Role.DIRECTION)
    if found is not None:
        return found
    user, _created = User.objects.get_or_create(
        email=f"direction.{structure.code.removeprefix('ml-')}@{DEMO_DOMAIN}",
        defaults={
            "first_name": "Direction",
            "last_name": structure.nom,
            "password": make_password(DEMO_PASSWORD),
        },
    )
    Membership.objects.get_or_create(user=user, structure=structure, role=Role.DIRECTION)
    return user


def _spread(dossiers: list[Dossier], limit: int) -> list[Dossier]:
    """Round-robin over the regions: every region gets some before any gets more."""
    by_region: dict[str, list[Dossier]] = defaultdict(list)
    for d in dossiers:
        by_region[d.structure.region].append(d)
    ordered = [
        d
        for row in zip_longest(*(by_region[r] for r in sorted(by_region)))
        for d in row
        if d is not None
    ]
    return ordered[:limit]


@transaction.atomic
def seed_pratiques(limit: int = NATIONAL_COUNT, log: Callable[[str], object] | None = None) -> int:
    """Propose, consent to and publish practices of the demo campaign's Missions Locales.
    Returns how many were created."""
    campagne = Campagne.objects.filter(nom=CAMPAGNE).select_related("referentiel").first()
    admin = (
        Membership.objects.filter(role=Role.ADMIN_UNML, structure__type=Structure.Type.UNML)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if campagne is None or admin is None:
        return 0
    criteres = {c.code: c for c in Critere.objects.filter(referentiel=campagne.referentiel_id)}
    done = set(Pratique.objects.values_list("dossier_id", flat=True))
    dossiers = list(
        Dossier.objects.filter(campagne=campagne, structure__type=Structure.Type.MISSION_LOCALE)
        .exclude(structure__code__in=KEEP_OUT)
        .select_related("structure", "campagne")
        .order_by("structure__region", "structure__code")
    )
    created = 0
    templates = cycle(PRACTICES)
    for dossier in _spread(dossiers, limit):
        titre, description, resultats, publics, codes, public = next(templates)
        if dossier.pk in done:
            continue
        direction = _direction(dossier.structure)
        proposer = _user(dossier.structure, Role.REFERENT_QUALITE) or direction
        pratique = services.propose(
            dossier,
            proposer,
            titre=titre,
            description=description,
            resultats=resultats,
            publics=publics,
            criteres=[criteres[c] for c in codes if c in criteres],
            contact_nom=proposer.get_full_name() or proposer.email,
            contact_email=proposer.email,
        )
        services.consent(pratique, direction, "public" if public else "reseau")
        services.publish(pratique, admin.user)
        created += 1
    if log is not None:
        log("Pratiques remarquables publiées : " + pluriel(created, "{n} créée.", "{n} créées."))
    return created
