"""The home's "À faire" (issue 15): every role finds its work there, each line a link to the
exact page where it is done, with its deadline; the home's queries do not grow with the data."""

from __future__ import annotations

import datetime as dt
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audits.selectors import gap_deadline
from campagnes.autoevaluations.models import Preuve, SyntheseCritere
from campagnes.models import Campagne, Dossier, DossierTransition
from labelml.structures.roles import Role
from tests.audits.conftest import assign, complete_report, to_audit_a_planifier
from tests.campagnes.conftest import fill_dossier, open_dossier
from tests.conftest import client_for, member
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

HOME = "/"


def home(user: Any) -> str:
    return unescape(client_for(user).get(reverse("home")).content.decode())


def a_faire(html: str) -> str:
    """The "À faire" section of the home page."""
    start = html.index('id="titre-a-faire"')
    return unescape(html[start : html.index("</section>", start)])


def link(name: str, *args: Any) -> str:
    return f'href="{reverse(name, args=args)}"'


# --- The structure's people ------------------------------------------------------------------


def test_the_referent_sees_the_criteria_to_fill_with_the_campaign_deadline(dossier, people):
    section = a_faire(home(people.referent))
    assert "Compléter le critère 1.1" in section
    assert link("autoevaluations:autoevaluation_critere", dossier.pk, "1.1") in section
    # The deadline is the campaign's closing of the self-assessments.
    closing = dossier.campagne.date_cloture_autoevaluation
    assert date_format(closing, "j F Y") in section
    # Six criteria one by one, the rest in one line leading to the overview.
    assert section.count("Compléter le critère") == 6
    assert "Et 18 autres critères à compléter" in section
    assert link("autoevaluations:autoevaluation_overview", dossier.pk) in section


def test_a_contributor_sees_only_the_criteria_assigned_to_them(dossier, people):
    assert "Rien ne vous attend" in a_faire(home(people.contributeur))
    SyntheseCritere.objects.filter(autoevaluation__dossier=dossier, critere__code="2.1").update(
        contributeur=people.contributeur
    )
    section = a_faire(home(people.contributeur))
    assert "Critère 2.1 qui vous est assigné" in section
    assert link("autoevaluations:autoevaluation_critere", dossier.pk, "2.1") in section
    assert "Compléter le critère" not in section
    # Once the criterion is complete, it leaves the list.
    fill_dossier(dossier)
    assert "Critère 2.1" not in a_faire(home(people.contributeur))


def test_the_direction_is_asked_to_submit_a_complete_self_assessment(dossier, people):
    assert "la relire et la soumettre" not in home(people.direction)
    fill_dossier(dossier)
    section = a_faire(home(people.direction))
    assert "L'auto-évaluation est complète : la relire et la soumettre" in section
    assert link("autoevaluations:autoevaluation_submit", dossier.pk) in section
    # The référent has nothing left to fill, and does not sign.
    assert "la soumettre" not in a_faire(home(people.referent))


def test_evidence_expiring_soon_is_listed_with_its_expiry_date(dossier, people):
    from referentiel.models import Critere

    expiry = timezone.localdate() + dt.timedelta(days=20)
    Preuve.objects.create(
        dossier=dossier,
        critere=Critere.objects.get(referentiel=dossier.campagne.referentiel, code="1.1"),
        titre="Convention de partenariat",
        fichier="preuves/x.pdf",
        nom_original="x.pdf",
        type_mime="application/pdf",
        taille=10,
        empreinte="0" * 64,
        date_effet=timezone.localdate(),
        date_expiration=expiry,
        ajoute_par=people.referent,
    )
    section = a_faire(home(people.contributeur))
    assert "Preuve bientôt expirée : Convention de partenariat" in section
    assert link("autoevaluations:preuve_list", dossier.pk) in section
    assert f'datetime="{expiry:%Y-%m-%d}"' in section
    assert "Convention de partenariat" not in home(people.lecteur)


def test_the_plan_is_written_by_the_referent_and_submitted_by_the_direction(dossier, people):
    from campagnes.autoevaluations.services import submit_autoevaluation

    fill_dossier(dossier)
    submit_autoevaluation(dossier, people.direction)
    assert "Rédiger le plan d'amélioration" in a_faire(home(people.referent))
    section = a_faire(home(people.direction))
    assert "Relire et soumettre le plan d'amélioration" in section
    assert link("plans:plan_detail", dossier.pk) in section


def test_the_reader_sees_where_the_dossier_stands_and_who_acts_next(dossier, people):
    section = a_faire(home(people.lecteur))
    assert "Suivre le dossier" in section and "Auto-évaluation" in section
    assert "la direction la soumet" in section
    assert link("campagnes:dossier_detail", dossier.pk) in section


def test_the_direction_answers_the_gaps_before_their_deadline(validated, people):
    section = a_faire(home(people.direction))
    assert "Répondre aux écarts de l'évaluation externe (2 sans réponse)" in section
    assert link("audits:audit_gaps", validated.dossier_id) in section
    deadline = gap_deadline(validated)
    assert deadline is not None and f'datetime="{deadline:%Y-%m-%d}"' in section


# --- ARML -------------------------------------------------------------------------------------


def test_the_arml_sees_its_regions_stuck_and_late_dossiers_with_their_last_activity(
    dossier, other_dossier_b, people
):
    # ML A's self-assessment closed yesterday without being submitted: late.
    Campagne.objects.filter(pk=dossier.campagne_id).update(
        date_cloture_autoevaluation=timezone.localdate() - dt.timedelta(days=1)
    )
    section = a_faire(home(people.arml))
    assert "Dossier en retard" in section and dossier.structure.nom in section
    assert link("campagnes:dossier_detail", dossier.pk) in section
    assert "dernière activité le" in section
    # ML B is in another region: never listed to ARML A.
    assert other_dossier_b.structure.nom not in section


def test_a_dossier_without_activity_for_a_month_is_flagged_as_stuck(
    campagne, network, admin, people
):
    campagne.date_cloture_autoevaluation = timezone.localdate() + dt.timedelta(days=30)
    campagne.save()
    d = open_dossier(admin, campagne, network["ml_a2"])
    assert network["ml_a2"].nom not in a_faire(home(people.arml))
    DossierTransition.objects.filter(dossier=d).update(at=timezone.now() - dt.timedelta(days=45))
    # While the self-assessment is filled in, its closing date is what counts.
    assert network["ml_a2"].nom not in a_faire(home(people.arml))
    Dossier.objects.filter(pk=d.pk).update(statut=Dossier.Statut.PLAN_AMELIORATION)
    section = a_faire(home(people.arml))
    assert "Dossier sans activité depuis 45 jours" in section and network["ml_a2"].nom in section


@pytest.fixture
def other_dossier_b(campagne, network, admin):  # type: ignore[no-untyped-def]
    return open_dossier(admin, campagne, network["ml_b"])


# --- Auditors ---------------------------------------------------------------------------------


def test_the_auditor_sees_her_missions_with_their_dates_and_next_step(assigned, auditeur):
    html = home(auditeur.user)
    assert "Vous n'êtes membre d'aucune structure" not in html
    section = a_faire(html)
    assert "Préparer et démarrer l'évaluation externe" in section
    assert link("audits:audit_overview", assigned.dossier_id) in section
    assert f'datetime="{assigned.date_debut:%Y-%m-%d}"' in section
    assert "Sur site du 15/09/2025 au 17/09/2025" in section


def test_the_auditor_with_no_mission_is_told_so(auditeur):
    assert "Vos missions d'évaluation apparaîtront ici" in home(auditeur.user)


def test_the_lead_auditor_sees_the_reports_to_review(submitted, lead, auditeur):
    section = a_faire(home(lead.user))
    assert "Relire le rapport d'évaluation" in section
    assert link("audits:audit_review", submitted.dossier_id) in section
    # The auditor who wrote it has nothing to do meanwhile.
    assert "Relire" not in a_faire(home(auditeur.user))


def test_the_administrator_sees_the_audits_to_plan(planifiable, admin):
    section = a_faire(home(admin))
    assert "Planifier l'évaluation externe" in section
    assert link("audits:audit_assign", planifiable.pk) in section


def test_the_administrator_sees_reports_waiting_too_long_for_their_review(submitted, admin):
    from audits.models import Audit

    assert "Rapport en attente de relecture" not in home(admin)
    Audit.objects.filter(pk=submitted.pk).update(soumis_le=timezone.now() - dt.timedelta(days=20))
    section = a_faire(home(admin))
    assert "Rapport en attente de relecture depuis le" in section
    assert link("audits:audit_overview", submitted.dossier_id) in section


# --- Commission -------------------------------------------------------------------------------


def test_a_member_sees_the_seance_to_come_and_the_dossier_to_vote_on(point, seance):
    section = a_faire(home(seance.m1.user))
    assert "à l'ordre du jour" in section and link("commission:seance_detail", seance.pk) in section
    assert "Voter sur le dossier" in section and "déclarer un conflit d'intérêts" in section
    assert link("commission:point_detail", seance.pk, point.pk) in section


def test_a_member_who_voted_or_was_recused_has_no_vote_left(point, seance):
    from audits.commission.services import cast_vote

    cast_vote(point=point, user=seance.m1.user, choix="favorable")
    assert "Voter sur le dossier" not in home(seance.m1.user)
    # m3 belongs to ML A's ARML: recused automatically.
    assert "Voter sur le dossier" not in home(seance.m3.user)


def test_before_the_seance_day_a_member_prepares_the_dossier_and_is_told_when_to_vote(
    point, seance
):
    from audits.commission.models import Seance

    day = timezone.localdate() + dt.timedelta(days=3)
    Seance.objects.filter(pk=seance.pk).update(date=timezone.now() + dt.timedelta(days=3))
    section = a_faire(home(seance.m1.user))
    assert "Voter sur le dossier" not in section
    assert f"vote à partir du {day:%d/%m/%Y}" in section
    assert link("commission:point_detail", seance.pk, point.pk) in section
    # Nor is there a séance to open yet.
    assert "Ouvrir la séance" not in a_faire(home(seance.chair.user))


def test_on_the_seance_day_the_chair_is_asked_to_open_it_until_it_is_open(point, seance):
    from audits.commission.services import open_seance

    section = a_faire(home(seance.chair.user))
    # The place keeps its capitals inside the sentence.
    assert "Ouvrir la séance du" in section and ", Paris</a>" in section
    assert link("commission:seance_detail", seance.pk) in section
    assert "Ouvrir la séance" not in a_faire(home(seance.m1.user))
    open_seance(actor=seance.chair.user, seance=seance)
    assert "Ouvrir la séance" not in a_faire(home(seance.chair.user))


def test_the_chair_sees_the_count_and_the_quorum_then_the_decision_to_record(point, seance):
    from audits.commission.services import cast_vote, close_vote

    section = a_faire(home(seance.chair.user))
    # Chair, m1, m2 eligible; m3 recused.
    assert "Présider le vote sur" in section
    assert "0 votant sur 3 membres non récusés, quorum non atteint" in section
    cast_vote(point=point, user=seance.m1.user, choix="favorable")
    cast_vote(point=point, user=seance.m2.user, choix="favorable")
    assert "2 votants sur 3 membres non récusés, quorum atteint" in home(seance.chair.user)
    close_vote(point=point, user=seance.chair.user)
    section = a_faire(home(seance.chair.user))
    assert "Enregistrer la décision sur" in section
    assert link("commission:point_decide", seance.pk, point.pk) in section


def test_the_administrator_sees_the_dossiers_ready_for_the_commission(answered, seance, admin):
    section = a_faire(home(admin))
    assert "Inscrire à l'ordre du jour de la commission" in section
    assert link("commission:seance_detail", seance.pk) in section


def test_nobody_sees_the_work_of_another_role(point, seance, people, auditeur):
    for user in (people.outsider, people.outsider_referent, auditeur.user):
        assert "Voter sur le dossier" not in home(user)
    assert "Inscrire à l'ordre du jour" not in home(seance.chair.user)


# --- Query counts -------------------------------------------------------------------------------


def test_the_home_page_runs_a_constant_number_of_queries_for_every_role(
    point, seance, people, admin, auditeur, lead, campagne, network
):
    from audits.commission.models import PointOrdreDuJour
    from audits.models import Audit
    from campagnes.plans.models import Action

    users = {
        "referent": people.referent,
        "contributeur": people.contributeur,
        "direction": people.direction,
        "lecteur": people.lecteur,
        "arml": people.arml,
        "auditeur": auditeur.user,
        "lead": lead.user,
        "membre": seance.m1.user,
        "president": seance.chair.user,
        "admin": admin,
    }
    small = {name: page_queries(client_for(u), HOME).count for name, u in users.items()}

    # More of everything: a second dossier in each region with the same people on it, at
    # another step; criteria assigned; a second audit for the auditor; more points to vote.
    ml_a2 = network["ml_a2"]
    for role, user in (
        (Role.REFERENT_QUALITE, people.referent),
        (Role.CONTRIBUTEUR, people.contributeur),
        (Role.DIRECTION, people.direction),
        (Role.LECTEUR, people.lecteur),
    ):
        from labelml.structures.models import Membership

        Membership.objects.create(user=user, structure=ml_a2, role=role)
    d2 = open_dossier(admin, campagne, ml_a2)
    direction2 = member(ml_a2, Role.DIRECTION)
    to_audit_a_planifier(d2, direction2)
    audit2 = assign(d2, admin, auditeur)
    Audit.objects.filter(pk=audit2.pk).update(statut=Audit.Statut.SOUMIS, soumis_le=timezone.now())
    complete_report(audit2)
    ml_b = network["ml_b"]
    d3 = open_dossier(admin, campagne, ml_b)
    SyntheseCritere.objects.filter(autoevaluation__dossier=d3).update(
        contributeur=people.contributeur
    )
    Action.objects.filter(plan__dossier=d2).update(responsable=people.referent)
    for d in (d2, d3):
        PointOrdreDuJour.objects.create(seance=seance, dossier=d, ordre=5)
    Audit.objects.filter(pk=audit2.pk).update(soumis_le=timezone.now() - dt.timedelta(days=30))
    large = {name: page_queries(client_for(u), HOME) for name, u in users.items()}
    assert {name: page.count for name, page in large.items()} == small, {
        name: page.sql for name, page in large.items() if page.count != small[name]
    }
    # The larger data did show more work.
    assert a_faire(large["membre"].html).count("Voter sur le dossier") == 3
    assert "Relire le rapport" in large["lead"].html


def test_once_every_gap_is_answered_the_direction_has_nothing_left_there(answered, people):
    assert "Répondre aux écarts" not in home(people.direction)


def test_a_long_list_of_one_kind_is_cut_with_a_line_to_the_rest(campagne, network, admin):
    from campagnes.services import open_campagne
    from tests.factories import MissionLocaleFactory

    mls = [MissionLocaleFactory(parent=network["arml_a"], region="11") for _ in range(12)]
    open_campagne(actor=admin, campagne=campagne, structures=mls)
    Dossier.objects.filter(structure__in=mls).update(statut=Dossier.Statut.AUDIT_A_PLANIFIER)
    section = a_faire(home(admin))
    assert section.count("Planifier l'évaluation externe :") == 10
    assert "Et 2 autres évaluations externes à planifier" in section
    assert link("campagnes:campagne_list") in section
    Dossier.objects.filter(structure=mls[0]).update(statut=Dossier.Statut.AUTOEVALUATION)
    assert "Et 1 autre évaluation externe à planifier" in a_faire(home(admin))
