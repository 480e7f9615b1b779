"""A complete sample dossier, lived through the real workflow: every element rated with a
justification, every synthesis, plan actions, a validated audit with a finding and an observation
on every criterion, answered gaps, a vote, a decision and a label. The PDF benchmark and the
real-worker tests print its five documents; `add_concluded_followup` adds the follow-up audit
that the sixth one prints. Deterministic for a given seed."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audits.commission import services as commission
from audits.commission.models import Label
from audits.models import Audit, Constat
from audits.services import (
    answer_gap,
    assign_audit,
    file_demande,
    start_audit,
    submit_audit_report,
    validate_audit_report,
)
from audits.suivis import services as suivis
from audits.suivis.models import AuditSuivi, PointSuivi
from campagnes.autoevaluations.models import Reponse, SyntheseCritere
from campagnes.autoevaluations.services import submit_autoevaluation
from campagnes.models import Dossier
from campagnes.plans.models import Action, PlanAmelioration
from campagnes.plans.services import request_audit, submit_plan
from campagnes.services import create_campagne, open_campagne
from labelml.accounts.models import User
from labelml.demo.certification import demo_certification
from labelml.structures.models import (
    Auditeur,
    Membership,
    MembreCommission,
    OrganismeAuditeur,
    Structure,
)
from labelml.structures.roles import Role
from referentiel.models import Critere, Niveau, Referentiel
from referentiel.services import import_referentiel_file

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "referentiel-ml-2022.yaml"

JUSTIFICATIONS = [
    "La procédure est formalisée, connue des équipes et revue chaque année en comité de "
    "direction ; le bilan est présenté au conseil d'administration.",
    "La démarche est engagée depuis cette année : un groupe de travail de six conseillers se "
    "réunit chaque mois et a produit une première version du document.",
    "La pratique est réelle sur les trois sites mais n'est pas encore formalisée ; un document "
    "de référence est en cours de rédaction avec l'appui de l'ARML.",
    "Les indicateurs sont suivis chaque trimestre dans le tableau de bord de la direction et "
    "partagés avec les partenaires financeurs lors du dialogue de gestion.",
    "Les actions sont conduites avec les partenaires du territoire (CAF, France Travail, "
    "département, PLIE) dans le cadre de conventions signées et évaluées.",
    "Le point a été identifié lors du dernier dialogue de gestion comme à consolider ; des "
    "actions correctives figurent au plan d'amélioration.",
]
OBSERVATIONS = [
    "Les entretiens avec la direction et quatre conseillers confirment l'auto-évaluation ; les "
    "comptes rendus des trois derniers comités ont été consultés.",
    "La pratique est effective et partagée ; les preuves présentées sont récentes et datées. "
    "Une formalisation plus homogène entre les antennes est recommandée.",
    "Les documents consultés et les échanges avec les jeunes accueillis montrent une pratique "
    "maîtrisée, suivie par des indicateurs pertinents.",
]


def _referentiel() -> Any:
    existing = Referentiel.objects.published().filter(code="ML-2022").first()
    return existing or import_referentiel_file(FIXTURE).referentiel


def _user(email: str, first: str, last: str) -> Any:
    # Each address carries the new Mission Locale's unique code: always a new account.
    return User.objects.create(email=email, first_name=first, last_name=last)


@transaction.atomic
def build_complete_dossier(seed: int = 0) -> Dossier:
    """A labelled dossier with every piece of data the five documents print."""
    rng = random.Random(seed)  # nosec B311 # seeded on purpose: reproducible samples
    referentiel = _referentiel()
    unml, _ = Structure.objects.get_or_create(
        code="unml",
        defaults={"nom": "Union nationale des Missions Locales", "type": Structure.Type.UNML},
    )
    arml, _ = Structure.objects.get_or_create(
        code=f"sample-arml-{seed}",
        defaults={
            "nom": "Association régionale des Missions Locales d'Île-de-France",
            "type": Structure.Type.ARML,
            "region": "11",
        },
    )
    ml = Structure.objects.create(
        code=f"sample-ml-{seed}-{Structure.objects.count()}",
        nom="Mission Locale de l'Essonne Nord",
        type=Structure.Type.MISSION_LOCALE,
        parent=arml,
        region="11",
        ville="Massy",
    )
    tag = ml.code
    admin = _user(f"admin-{tag}@sample.labelml.fr", "Claire", "Morel")
    Membership.objects.get_or_create(user=admin, structure=unml, role=Role.ADMIN_UNML)
    direction = _user(f"direction-{tag}@sample.labelml.fr", "Karim", "Benali")
    Membership.objects.create(user=direction, structure=ml, role=Role.DIRECTION)

    today = timezone.localdate()
    campagne = create_campagne(
        actor=admin,
        nom=f"Campagne de labellisation {today.year} ({tag})",
        referentiel=referentiel,
        date_ouverture=today - dt.timedelta(days=120),
        date_cloture_autoevaluation=today + dt.timedelta(days=60),
    )
    dossier = open_campagne(actor=admin, campagne=campagne, structures=[ml]).created[0]

    # Self-assessment: every element rated and justified, every synthesis written.
    niveaux = {
        n.code: n for n in Niveau.objects.filter(echelle_id=referentiel.echelle_autoevaluation_pk)
    }
    reponses = list(Reponse.objects.filter(autoevaluation__dossier=dossier))
    for r in reponses:
        r.niveau = niveaux[rng.choice(["2", "3", "3", "3", "4", "4"])]
        r.justification = " ".join(rng.sample(JUSTIFICATIONS, 2))
        r.a_confirmer = False
    Reponse.objects.bulk_update(reponses, ["niveau", "justification", "a_confirmer"])
    SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).update(
        synthese="Le critère est globalement atteint : les pratiques sont partagées par les "
        "équipes et suivies par la direction, avec des différences selon les antennes.",
        points_forts="Engagement des équipes, partenariats actifs, indicateurs suivis.",
        axes_amelioration="Formaliser les pratiques des antennes et mesurer leurs effets.",
    )
    submit_autoevaluation(dossier, direction)

    # Improvement plan: one action per part of the référentiel.
    plan = PlanAmelioration.objects.get(dossier=dossier)
    criteres = list(Critere.objects.filter(referentiel=referentiel).order_by("ordre"))
    for i, critere in enumerate(criteres[::3]):
        action = Action.objects.create(
            plan=plan,
            titre=f"Formaliser et partager les pratiques du critère {critere.code}",
            description="Rédiger la procédure, la présenter en réunion d'équipe et suivre un "
            "indicateur trimestriel.",
            responsable=direction,
            echeance=today + dt.timedelta(days=45 * (i + 1)),
            priorite=rng.choice(list(Action.Priorite.values)),
            statut=rng.choice([Action.Statut.A_FAIRE, Action.Statut.EN_COURS]),
            avancement=rng.choice([0, 20, 50]),
            created_by=direction,
        )
        action.criteres.add(critere)
    submit_plan(dossier, direction)
    request_audit(dossier, direction)

    # External audit: a finding and an observation on every criterion, two minor gaps.
    organisme, _ = OrganismeAuditeur.objects.get_or_create(nom="Qualicert Évaluation")
    auditeur = Auditeur.objects.create(
        user=_user(f"auditeur-{tag}@sample.labelml.fr", "Sophie", "Lambert"),
        organisme=organisme,
        **demo_certification(f"AUD-{tag}-1"),
    )
    lead = Auditeur.objects.create(
        user=_user(f"referent-{tag}@sample.labelml.fr", "Marc", "Dubois"),
        organisme=organisme,
        est_referent=True,
        **demo_certification(f"AUD-{tag}-2"),
    )
    assign_audit(
        dossier,
        admin,
        auditeur=auditeur,
        date_debut=today - dt.timedelta(days=30),
        date_fin=today - dt.timedelta(days=28),
        sites="Siège de Massy ; antenne de Palaiseau",
    )
    start_audit(dossier, auditeur.user)
    audit_levels = {
        n.code: n for n in Niveau.objects.filter(echelle_id=referentiel.echelle_audit_pk)
    }
    gaps = {criteres[1].pk, criteres[7].pk}
    constats = list(Constat.objects.filter(audit__dossier=dossier))
    for c in constats:
        if c.critere_id in gaps:
            c.niveau = audit_levels["ecart_mineur"]
            c.observation = (
                "La procédure existe mais n'est pas appliquée de la même façon sur les deux "
                "sites ; aucun indicateur n'en mesure l'effet."
            )
        else:
            c.niveau = audit_levels[rng.choice(["conforme", "conforme", "point_fort"])]
            c.observation = rng.choice(OBSERVATIONS)
        c.preuves_examinees = "Comptes rendus de comité, tableau de bord, procédure d'accueil."
    Constat.objects.bulk_update(constats, ["niveau", "observation", "preuves_examinees"])
    Audit.objects.filter(dossier=dossier).update(
        points_forts="Une équipe engagée, une direction attentive à la qualité, des partenariats "
        "solides avec les acteurs de l'emploi du territoire.",
        progres="Le plan d'amélioration issu de l'auto-évaluation est suivi et déjà engagé.",
        avis_global="La structure remplit les exigences du référentiel ; deux écarts mineurs "
        "appellent des actions correctives simples.",
        recommandation=Audit.Recommandation.FAVORABLE,
    )
    submit_audit_report(dossier, auditeur.user)
    validate_audit_report(dossier, lead.user)
    for c in Constat.objects.filter(audit__dossier=dossier, critere_id__in=gaps):
        answer_gap(
            constat=c,
            actor=direction,
            action_corrective="Harmonisation de la procédure entre les sites, formation des "
            "conseillers et indicateur de suivi présenté au comité de direction.",
            preuves="Procédure révisée, feuille d'émargement de la formation.",
            envoyer=True,
        )
    file_demande(dossier, direction)

    # Commission: three members vote favourably, the chair decides.
    members = [
        MembreCommission.objects.create(
            user=_user(f"commission{i}-{tag}@sample.labelml.fr", prenom, nom),
            college=MembreCommission.College.RESEAU,
        )
        for i, (prenom, nom) in enumerate(
            [("Hélène", "Rousseau"), ("Thomas", "Garnier"), ("Nadia", "Haddad")]
        )
    ]
    seance = commission.create_seance(
        actor=admin,
        date=timezone.now(),
        president=members[0],
        membres=members[1:],
        lieu="Paris, siège de l'UNML",
    )
    point = commission.add_to_agenda(
        actor=admin, seance=seance, dossier=dossier, rapporteur=members[1]
    )
    for m in members:
        commission.cast_vote(point=point, user=m.user, choix="favorable")
    commission.close_vote(point=point, user=members[0].user)
    commission.decide(
        point=point,
        user=members[0].user,
        motivation="La commission relève la qualité de l'auto-évaluation et la pertinence des "
        "réponses apportées aux deux écarts mineurs constatés lors de l'audit.",
    )
    dossier.refresh_from_db()
    return dossier


@transaction.atomic
def add_concluded_followup(dossier: Dossier) -> Any:
    """The follow-up audit of the sample dossier's label, lived through the real steps and
    concluded: scheduled, given to the auditor of the initial audit, the structure's note and
    an answer on every point (the first linked to a plan action), the file sent, reviewed, a
    finding on every point, the videoconference held yesterday and a « maintien avec
    observations ». Returns the `AuditSuivi`."""
    label = Label.objects.get(decision__dossier=dossier)
    direction = Membership.objects.get(structure=dossier.structure, role=Role.DIRECTION).user
    admin = Membership.objects.filter(role=Role.ADMIN_UNML, structure__type="unml").first()
    assert admin is not None
    auditeur = Audit.objects.select_related("auditeur__user").get(dossier=dossier).auditeur
    assert auditeur is not None
    suivi = suivis.schedule_followup(label) or AuditSuivi.objects.get(label=label)
    suivis.assign_followup(suivi, admin.user, auditeur=auditeur)
    suivi.refresh_from_db()
    suivis.save_bilan(
        suivi=suivi,
        actor=direction,
        valeur="Depuis le label, la structure a harmonisé ses procédures entre les sites et "
        "suit chaque trimestre l'avancement de son plan d'amélioration en comité de direction.",
        version=suivi.version,
    )
    action = Action.objects.filter(plan__dossier=dossier).order_by("pk").first()
    for i, point in enumerate(PointSuivi.objects.filter(suivi=suivi).order_by("ordre", "pk")):
        point.refresh_from_db()
        suivis.answer_point(
            point=point,
            actor=direction,
            champ="reponse",
            valeur="La procédure révisée est appliquée sur les deux sites depuis six mois ; "
            "l'indicateur de suivi est présenté chaque trimestre au comité de direction.",
            version=point.version,
        )
        if i == 0 and action is not None:
            point.refresh_from_db()
            suivis.answer_point(
                point=point,
                actor=direction,
                champ="action",
                valeur=str(action.pk),
                version=point.version,
            )
    suivis.send_file(suivi, direction)
    suivis.start_review(suivi, auditeur.user)
    for i, point in enumerate(PointSuivi.objects.filter(suivi=suivi).order_by("ordre", "pk")):
        for champ, valeur in (
            ("avis", PointSuivi.Avis.LEVE if i == 0 else PointSuivi.Avis.EN_COURS),
            (
                "commentaire",
                "Procédure appliquée, comptes rendus de comité consultés."
                if i == 0
                else "Démarche engagée ; l'indicateur n'a encore que deux trimestres de recul.",
            ),
        ):
            point.refresh_from_db()
            suivis.record_finding(
                point=point, actor=auditeur.user, champ=champ, valeur=valeur, version=point.version
            )
    suivis.set_visio_date(suivi, auditeur.user, timezone.now() - dt.timedelta(days=1))
    return suivis.conclude(
        suivi,
        auditeur.user,
        conclusion=AuditSuivi.Conclusion.MAINTIEN_AVEC_OBSERVATIONS,
        motivation="Les écarts de l'audit initial sont traités ; l'indicateur de suivi doit "
        "être consolidé d'ici le renouvellement du label.",
    )
