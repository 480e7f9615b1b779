"""Demo dossiers for `seed_demo`: a national campaign with dossiers in several states, and the
demo referent's self-assessment half filled. Deterministic (seeded random), idempotent."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from audits.models import Audit
from audits.services import assign_audit
from campagnes.autoevaluations.models import Reponse, SyntheseCritere
from campagnes.autoevaluations.services import take_snapshot
from campagnes.models import Campagne, Dossier
from campagnes.plans.models import Action, PlanAmelioration
from campagnes.services import create_campagne, open_campagne, post_echange
from campagnes.workflow import log_step, move
from labelml.accounts.models import User
from labelml.structures.models import Structure
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
    "ml-paris-est": (Dossier.Etat.AUTOEVALUATION, 0.5),
    "ml-val-de-marne-sud": (Dossier.Etat.PLAN_AMELIORATION, 1.0),
    "ml-essonne-nord": (Dossier.Etat.AUDIT_A_PLANIFIER, 1.0),
    "ml-lyon-rhone": (Dossier.Etat.AUTOEVALUATION, 0.2),
    "ml-grenoble-alpes": (Dossier.Etat.PLAN_AMELIORATION, 1.0),
    "ml-clermont-volcans": (Dossier.Etat.AUTOEVALUATION, 0.0),
}


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
        Dossier.Etat.AUTOEVALUATION,
        Dossier.Etat.PLAN_AMELIORATION,
        Dossier.Etat.AUDIT_A_PLANIFIER,
    ]
    if order.index(target) >= 1:
        take_snapshot(dossier, None)
        move(
            dossier,
            None,
            "submit_autoevaluation",
            Dossier.Etat.PLAN_AMELIORATION,
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
        move(dossier, None, "request_audit", Dossier.Etat.AUDIT_A_PLANIFIER)


@transaction.atomic
def seed_demo_dossiers(admin: User, users: dict[str, Any]) -> Campagne:
    referentiel = Referentiel.objects.published().get(code="ML-2022")
    campagne = Campagne.objects.filter(nom=CAMPAGNE).first()
    if campagne is not None:
        _seed_demo_audit(campagne, admin, users)
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
    if dossier is None or dossier.etat != Dossier.Etat.AUDIT_A_PLANIFIER:
        return
    if Audit.objects.filter(dossier=dossier).exists():
        return
    today = dt.date.today()
    assign_audit(
        dossier,
        admin,
        auditeur=users["auditeur"].auditeur,
        date_debut=today + dt.timedelta(days=7),
        date_fin=today + dt.timedelta(days=8),
        sites="Siège de Massy ; antenne de Palaiseau",
    )
