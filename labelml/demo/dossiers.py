"""Demo dossiers for `seed_demo`: a national campaign with dossiers in several states, and the
demo referent's self-assessment half filled. Every demo account finds work on its home page
("À faire", issue 15): criteria to fill (Paris Est, Lyon Rhône), an audit to plan that waits
since long (Val-de-Marne Sud: the UNML and the ARML), a mission in progress (Essonne Nord: the
auditor), a report to review (Grenoble Alpes: the lead auditor), a séance to come with a dossier
to vote on (Clermont Volcans: the commission member and the chair). Deterministic (seeded
random), idempotent."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audits.commission.services import add_to_agenda, create_seance
from audits.models import Audit, Constat
from audits.selectors import DEMANDE_ACTION, demande_filed
from audits.services import (
    assign_audit,
    start_audit,
    submit_audit_report,
    validate_audit_report,
)
from campagnes.autoevaluations.models import Reponse, SyntheseCritere
from campagnes.autoevaluations.services import take_snapshot
from campagnes.models import Campagne, Dossier
from campagnes.plans.models import Action, PlanAmelioration
from campagnes.services import create_campagne, open_campagne, post_echange
from campagnes.workflow import log_step, move
from labelml.accounts.models import User
from labelml.structures.models import MembreCommission, Structure
from referentiel.models import Niveau, Referentiel

CAMPAGNE = "Campagne nationale de labellisation 2026"

JUSTIFICATIONS = [
    "Procédure formalisée et connue des équipes ; bilan présenté en conseil d'administration.",
    "Démarche engagée cette année : un groupe de travail se réunit chaque mois.",
    "Pratique réelle mais pas encore formalisée ; un document de référence est en cours.",
    "Indicateurs suivis trimestriellement dans le tableau de bord de la direction.",
    "Actions conduites avec les partenaires du territoire (CAF, France Travail, département).",
    "Point identifié lors du dernier dialogue de gestion : à consolider.",
]
SYNTHESES = [
    "Le critère est globalement atteint ; les pratiques sont partagées par les équipes.",
    "Des pratiques solides, mais une formalisation encore inégale selon les sites.",
    "Critère à renforcer : priorité du prochain plan d'amélioration.",
]

# ML code → (target state, share of elements rated)
PLAN = {
    "ml-paris-est": (Dossier.Statut.AUTOEVALUATION, 0.5),
    "ml-val-de-marne-sud": (Dossier.Statut.AUDIT_A_PLANIFIER, 1.0),
    "ml-essonne-nord": (Dossier.Statut.AUDIT_A_PLANIFIER, 1.0),
    "ml-lyon-rhone": (Dossier.Statut.AUTOEVALUATION, 0.2),
    # Then, through the real steps: a report submitted to the lead auditor (_seed_demo_review)…
    "ml-grenoble-alpes": (Dossier.Statut.AUDIT_A_PLANIFIER, 1.0),
    # … and a dossier on the agenda of a séance to come (_seed_demo_seance).
    "ml-clermont-volcans": (Dossier.Statut.AUDIT_A_PLANIFIER, 1.0),
}
# The audit request of Val-de-Marne Sud waits since this many days (the UNML's audit to plan,
# the ARML's dossier without activity).
WAITING_DAYS = 40
AUDIT_OBSERVATIONS = [
    "Pratique constatée sur site et confirmée en entretien avec les conseillers.",
    "Procédure écrite, connue des équipes ; indicateurs présentés en comité de direction.",
    "Démarche engagée avec les partenaires du territoire ; premiers résultats mesurés.",
]


def _fill(dossier: Dossier, share: float, rng: random.Random, actor: User | None) -> None:
    referentiel = dossier.campagne.referentiel
    niveaux = {
        n.code: n for n in Niveau.objects.filter(echelle_id=referentiel.echelle_autoevaluation_pk)
    }
    reponses = list(
        Reponse.objects.filter(autoevaluation__dossier=dossier)
        .select_related("element")
        .order_by("element__ordre")
    )
    count = round(len(reponses) * share)
    now = timezone.now()
    for r in reponses[:count]:
        r.niveau = niveaux[rng.choice(["1", "2", "3", "3", "3", "4", "4"])]
        r.justification = rng.choice(JUSTIFICATIONS)
        r.version, r.updated_by, r.updated_at = 1, actor, now
    Reponse.objects.bulk_update(
        reponses[:count], ["niveau", "justification", "version", "updated_by", "updated_at"]
    )
    syntheses = list(
        SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).order_by("critere__ordre")
    )
    done = round(len(syntheses) * share)
    for s in syntheses[:done]:
        s.synthese = rng.choice(SYNTHESES)
        s.points_forts = "Engagement des équipes, partenariats actifs."
        s.axes_amelioration = "Formaliser et mesurer."
        s.version, s.updated_by, s.updated_at = 1, actor, now
    SyntheseCritere.objects.bulk_update(
        syntheses[:done],
        ["synthese", "points_forts", "axes_amelioration", "version", "updated_by", "updated_at"],
    )


def _advance(dossier: Dossier, target: str, rng: random.Random) -> None:
    """Move a demo dossier along the workflow as the demo would have lived it."""
    order: list[str] = [
        Dossier.Statut.AUTOEVALUATION,
        Dossier.Statut.PLAN_AMELIORATION,
        Dossier.Statut.AUDIT_A_PLANIFIER,
    ]
    if order.index(target) >= 1:
        take_snapshot(dossier, None)
        move(
            dossier,
            None,
            "submit_autoevaluation",
            Dossier.Statut.PLAN_AMELIORATION,
            "Données de démonstration",
        )
        plan, _ = PlanAmelioration.objects.get_or_create(dossier=dossier)
        weak = Reponse.objects.filter(
            autoevaluation__dossier=dossier, niveau__code__in=["1", "2"]
        ).select_related("element__critere", "niveau")[:3]
        for i, r in enumerate(weak):
            action = Action.objects.create(
                plan=plan,
                titre=f"Améliorer : {r.element.texte[:80]}",
                element_source=r.element,
                origine=Action.Origine.SUGGESTION,
                priorite=Action.Priorite.HAUTE
                if r.niveau and r.niveau.code == "1"
                else Action.Priorite.MOYENNE,
                echeance=dt.date.today() + dt.timedelta(days=60 * (i + 1)),
                statut=rng.choice([Action.Statut.A_FAIRE, Action.Statut.EN_COURS]),
                avancement=rng.choice([0, 20, 40]),
            )
            action.criteres.add(r.element.critere)
    if order.index(target) >= 2:
        plan = PlanAmelioration.objects.get(dossier=dossier)
        plan.soumis_le = timezone.now()
        plan.save(update_fields=["soumis_le"])
        log_step(dossier, None, "submit_plan", "Données de démonstration")
        move(dossier, None, "request_audit", Dossier.Statut.AUDIT_A_PLANIFIER)


@transaction.atomic
def seed_demo_dossiers(admin: User, users: dict[str, Any]) -> Campagne:
    referentiel = Referentiel.objects.published().get(code="ML-2022")
    campagne = Campagne.objects.filter(nom=CAMPAGNE).first()
    if campagne is not None:
        _seed_demo_audit(campagne, admin, users)
        _seed_demo_work(campagne, admin, users)
        return campagne  # already seeded: leave people's demo work alone
    today = dt.date.today()
    campagne = create_campagne(
        actor=admin,
        nom=CAMPAGNE,
        referentiel=referentiel,
        date_ouverture=today - dt.timedelta(days=30),
        date_cloture_autoevaluation=today + dt.timedelta(days=60),
        delai_reponse_jours=30,
        validite_label_annees=3,
        ecart_majeur_bloquant=True,
    )
    structures = list(Structure.objects.filter(code__in=PLAN).order_by("code"))
    open_campagne(actor=admin, campagne=campagne, structures=structures)
    rng = random.Random(2026)  # nosec B311 # seeded on purpose: reproducible demo data
    dossiers = {d.structure_id: d for d in Dossier.objects.filter(campagne=campagne)}
    for structure in structures:
        target, share = PLAN[structure.code]
        dossier = dossiers[structure.pk]
        _fill(
            dossier, share, rng, users.get("referent") if structure.code == "ml-paris-est" else None
        )
        _advance(dossier, target, rng)
    _seed_demo_audit(campagne, admin, users)
    _seed_demo_work(campagne, admin, users)
    # The audit request of Val-de-Marne Sud has waited for weeks.
    waiting = Dossier.objects.get(campagne=campagne, structure__code="ml-val-de-marne-sud")
    waiting.transitions.update(at=F("at") - dt.timedelta(days=WAITING_DAYS))
    # The demo contributor has two criteria to work on.
    paris = Dossier.objects.get(campagne=campagne, structure__code="ml-paris-est")
    SyntheseCritere.objects.filter(
        autoevaluation__dossier=paris, critere__code__in=["4.2.1", "4.2.2"]
    ).update(contributeur=users["contributeur"])
    # The ARML supports Paris Est in the dossier's thread: a question, and the answer.
    post_echange(
        paris,
        users["arml"],
        "Bonjour, pour le critère 4.2, pensez à joindre le compte rendu du dernier comité de "
        "pilotage : c'est la preuve que l'évaluateur demande le plus souvent. Souhaitez-vous "
        "un temps d'échange avant la soumission ?",
    )
    post_echange(
        paris,
        users["referent"],
        "Merci ! Le compte rendu sera ajouté cette semaine. Un point d'une heure début du mois "
        "prochain nous serait très utile.",
    )
    return campagne


def _seed_demo_audit(campagne: Campagne, admin: User, users: dict[str, Any]) -> None:
    """The demo auditor has a mission to start: the audit of ML Essonne Nord (idempotent)."""
    dossier = Dossier.objects.filter(campagne=campagne, structure__code="ml-essonne-nord").first()
    if dossier is None or dossier.statut != Dossier.Statut.AUDIT_A_PLANIFIER:
        return
    if Audit.objects.filter(dossier=dossier).exists():
        return
    today = dt.date.today()
    assign_audit(
        dossier,
        admin,
        auditeur=users["auditeur"].auditeur,
        date_debut=today - dt.timedelta(days=1),
        date_fin=today + dt.timedelta(days=1),
        sites="Siège de Massy ; antenne de Palaiseau",
    )
    # The auditor is on site: her mission is in progress.
    start_audit(dossier, users["auditeur"])


def _seed_demo_work(campagne: Campagne, admin: User, users: dict[str, Any]) -> None:
    """The work of the auditors and of the commission (idempotent: each step only runs from the
    state it starts from)."""
    grenoble = Dossier.objects.filter(
        campagne=campagne, structure__code="ml-grenoble-alpes"
    ).first()
    if grenoble is not None and grenoble.statut == Dossier.Statut.AUDIT_A_PLANIFIER:
        _audit_until_submitted(grenoble, admin, users, days_ago=12, gaps=1)
    clermont = Dossier.objects.filter(
        campagne=campagne, structure__code="ml-clermont-volcans"
    ).first()
    if clermont is not None and clermont.statut == Dossier.Statut.AUDIT_A_PLANIFIER:
        _audit_until_submitted(clermont, admin, users, days_ago=40, gaps=0)
        validate_audit_report(clermont, users["auditeur-referent"])
        clermont.refresh_from_db()
        _seed_demo_seance(clermont, admin, users)


def _audit_until_submitted(
    dossier: Dossier, admin: User, users: dict[str, Any], *, days_ago: int, gaps: int
) -> None:
    """Assign the demo auditor, start the audit, rate every criterion (`gaps` minor gaps, the
    rest conforme or strong points), write the report's opening and submit it."""
    rng = random.Random(dossier.structure.code)  # nosec B311 # seeded: reproducible demo
    today = dt.date.today()
    auditeur = users["auditeur"]
    assign_audit(
        dossier,
        admin,
        auditeur=auditeur.auditeur,
        date_debut=today - dt.timedelta(days=days_ago),
        date_fin=today - dt.timedelta(days=days_ago - 1),
        sites=f"Siège de {dossier.structure.ville}",
    )
    start_audit(dossier, auditeur)
    referentiel = dossier.campagne.referentiel
    levels = {n.code: n for n in Niveau.objects.filter(echelle_id=referentiel.echelle_audit_pk)}
    constats = list(Constat.objects.filter(audit__dossier=dossier).order_by("critere__ordre"))
    for i, c in enumerate(constats):
        if i % 7 == 3 and gaps > 0:
            gaps -= 1
            c.niveau = levels["ecart_mineur"]
            c.observation = (
                "La procédure existe mais n'est pas appliquée de la même façon sur tous les "
                "sites ; aucun indicateur n'en mesure l'effet."
            )
        else:
            c.niveau = levels[rng.choice(["conforme", "conforme", "point_fort"])]
            c.observation = rng.choice(AUDIT_OBSERVATIONS)
        c.preuves_examinees = "Comptes rendus de comité, tableau de bord, procédure d'accueil."
    Constat.objects.bulk_update(constats, ["niveau", "observation", "preuves_examinees"])
    Audit.objects.filter(dossier=dossier).update(
        points_forts="Une équipe engagée et des partenariats solides sur le territoire.",
        progres="Le plan d'amélioration issu de l'auto-évaluation est engagé.",
        avis_global="La structure remplit les exigences du référentiel.",
        recommandation=Audit.Recommandation.FAVORABLE,
    )
    submit_audit_report(dossier, auditeur)


def _seed_demo_seance(dossier: Dossier, admin: User, users: dict[str, Any]) -> None:
    """A séance in two weeks, chaired by the demo chair, with the demo member; the dossier on
    its agenda, its vote open."""
    president = MembreCommission.objects.get(user=users["president"])
    membre = MembreCommission.objects.get(user=users["commission"])
    seance = create_seance(
        actor=admin,
        date=timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
        + dt.timedelta(days=14),
        president=president,
        membres=[membre],
        lieu="Paris, siège de l'UNML",
    )
    # The demande de labellisation comes first (no gap to answer). This demo structure has no
    # direction account: the row is written as the service writes it, without its author.
    if not demande_filed(dossier):
        log_step(
            dossier, None, DEMANDE_ACTION, "Nous demandons la labellisation de notre structure."
        )
    add_to_agenda(actor=admin, seance=seance, dossier=dossier, rapporteur=membre)
