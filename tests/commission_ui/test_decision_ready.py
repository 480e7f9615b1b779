"""Issue 15, the commission's pages: the decision-ready item page (everything a member reads
before voting, in a fixed number of queries), the chair's participation count, the confirmation
before closing, the decision form stating the tally's outcome, the vote reopened after a close
without quorum, the séance edited until it opens, the demande de labellisation, and the lifting
of reservations on the structure's and the UNML's pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.commission import services
from audits.commission.models import Decision, PointOrdreDuJour, Seance
from audits.models import Audit
from campagnes.plans.models import Action
from tests.audits.conftest import add_action
from tests.conftest import client_for
from tests.factories import MembreCommissionFactory, UserFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


def url(point: PointOrdreDuJour, name: str = "commission:point_detail") -> str:
    return reverse(name, args=[point.seance_id, point.pk])


def vote(user, point, choix):  # type: ignore[no-untyped-def]
    return client_for(user).post(url(point, "commission:point_vote"), {"choix": choix})


# --- the decision-ready item page -------------------------------------------------------------


def test_the_item_page_holds_everything_to_decide_on(point, people):
    s = point.seance
    services.save_rapporteur_note(
        point=point, user=s.m1.user, note="Dossier solide, écart majeur en cours de correction."
    )
    audit = Audit.objects.get(dossier=point.dossier)
    html = client_for(s.m2.user).get(url(point)).content.decode()
    # Scores by part, findings by class and by criterion, each gap with its answer.
    assert 'id="scores"' in html and "Auto-évaluation et évaluation externe par partie" in html
    assert 'id="constats"' in html and "Écart majeur" in html
    assert html.count("Réponse de la structure (") == 2
    assert "Action corrective engagée." in html
    # The auditor's recommendation, the plan's state, the rapporteur's note, the documents.
    assert audit.get_recommandation_display() in html
    assert 'id="plan"' in html and "À faire : 1" in html
    assert "Dossier solide, écart majeur en cours de correction." in html
    assert reverse("documents:document_list", args=[point.dossier_id]) in html
    assert "Demande de labellisation déposée le" in html
    # …and the vote form on the same page.
    assert 'action="' + url(point, "commission:point_vote") + '"' in html


def test_the_item_page_costs_the_same_queries_whatever_the_size_of_the_dossier(point, people):
    s = point.seance
    member = client_for(s.m2.user)
    small = page_queries(member, url(point))
    # More of everything the page lists: plan actions, votes, recusals.
    for i in range(6):
        add_action(point.dossier, people.referent, titre=f"Action {i}")
    vote(s.m1.user, point, "favorable")
    vote(s.chair.user, point, "abstention")
    for _ in range(3):
        extra = MembreCommissionFactory(user=UserFactory())
        s.membres.add(extra)
        services.declare_conflict(point=point, user=extra.user, motif="Lien")
    large = page_queries(member, url(point))
    assert large.count == small.count, large.sql
    assert small.count == 24, small.sql


def test_only_the_rapporteur_writes_the_note(point):
    s = point.seance
    response = client_for(s.m2.user).post(url(point, "commission:point_note"), {"note": "Intrus"})
    assert response.status_code == 403
    response = client_for(s.m1.user).post(url(point, "commission:point_note"), {"note": "Ma note"})
    assert response.status_code == 302
    assert PointOrdreDuJour.objects.get(pk=point.pk).note_rapporteur == "Ma note"
    assert 'action="' + url(point, "commission:point_note") + '"' not in (
        client_for(s.m2.user).get(url(point)).content.decode()
    )


# --- the chair's view ---------------------------------------------------------------------------


def test_the_chair_sees_the_participation_and_the_quorum_members_do_not(point):
    s = point.seance
    vote(s.m1.user, point, "favorable")
    chair_page = client_for(s.chair.user).get(url(point)).content.decode()
    assert "1 votant sur 3 membres non récusés ; 2 requis" in chair_page
    assert "Quorum non atteint." in chair_page
    vote(s.m2.user, point, "defavorable")
    chair_page = client_for(s.chair.user).get(url(point)).content.decode()
    assert "2 votants sur 3 membres non récusés ; 2 requis" in chair_page
    assert "Quorum atteint." in chair_page
    assert "votants sur" not in client_for(s.m2.user).get(url(point)).content.decode()


def test_closing_asks_for_a_confirmation_that_states_the_count(point):
    s = point.seance
    vote(s.m1.user, point, "favorable")
    chair = client_for(s.chair.user)
    page = chair.get(url(point, "commission:point_close"))
    html = page.content.decode()
    assert page.status_code == 200 and "1 votant sur 3 membres non récusés" in html
    assert "il manque 1 votant" in html and "Confirmer la clôture du vote" in html
    chair.post(url(point, "commission:point_close"))  # without the confirmation: nothing happens
    assert PointOrdreDuJour.objects.get(pk=point.pk).vote == PointOrdreDuJour.Vote.OUVERT
    assert client_for(s.m1.user).get(url(point, "commission:point_close")).status_code == 403
    chair.post(url(point, "commission:point_close"), {"confirme": "1"})
    assert PointOrdreDuJour.objects.get(pk=point.pk).vote == PointOrdreDuJour.Vote.SANS_QUORUM


def test_the_decision_form_states_the_outcome_and_the_chair_confirms_it(point):
    s = point.seance
    vote(s.m1.user, point, "favorable_avec_reserves")
    vote(s.m2.user, point, "favorable_avec_reserves")
    chair = client_for(s.chair.user)
    chair.post(url(point, "commission:point_close"), {"confirme": "1"})
    html = chair.get(url(point)).content.decode()
    assert "Issue donnée par le décompte : <strong>Labellisé sous réserve</strong>" in html
    assert "Je confirme l&#x27;issue donnée par le décompte : Labellisé sous réserve" in html
    response = chair.post(
        url(point, "commission:point_decide"), {"motivation": "Réserves à lever."}
    )
    assert response.status_code == 400 and not Decision.objects.exists()
    assert "Confirmez l&#x27;issue donnée par le décompte." in response.content.decode()
    response = chair.post(
        url(point, "commission:point_decide"), {"motivation": "Réserves à lever.", "confirme": "on"}
    )
    assert response.status_code == 302
    assert Decision.objects.get().resultat == Decision.Resultat.LABELLISE_SOUS_RESERVE


def test_a_vote_closed_without_quorum_offers_to_reopen_it(point):
    s = point.seance
    chair = client_for(s.chair.user)
    chair.post(url(point, "commission:point_close"), {"confirme": "1"})
    html = chair.get(url(point)).content.decode()
    assert "Vote clos sans quorum" in html and "Rouvrir le vote" in html
    assert "Enregistrer la décision" not in html
    assert client_for(s.m1.user).post(url(point, "commission:point_reopen")).status_code == 403
    assert chair.post(url(point, "commission:point_reopen")).status_code == 302
    assert PointOrdreDuJour.objects.get(pk=point.pk).vote == PointOrdreDuJour.Vote.OUVERT


# --- the séance ---------------------------------------------------------------------------------


def test_the_admin_edits_the_seance_until_it_opens(point, admin):
    s = point.seance
    edit = reverse("commission:seance_edit", args=[s.pk])
    assert client_for(s.m1.user).get(edit).status_code == 403
    client = client_for(admin)
    html = client.get(reverse("commission:seance_detail", args=[s.pk])).content.decode()
    assert edit in html and "Ouvrir la séance" in html
    form = client.get(edit).content.decode()
    # The form starts from the séance as it is: its members ticked, its place, its agenda.
    assert re.search(rf'value="{s.m1.pk}"[^>]*checked', form) and 'value="Paris"' in form
    assert f'name="ordre_{point.pk}"' in form
    when = timezone.localtime(s.date + dt.timedelta(days=2))
    response = client.post(
        edit,
        {
            "date": when.strftime("%Y-%m-%dT%H:%M"),
            "lieu": "Marseille",
            "president": s.m2.pk,
            "membres": [s.m1.pk, s.chair.pk],
            "quorum_pourcentage": 50,
            f"ordre_{point.pk}": 1,
        },
    )
    assert response.status_code == 302, response.content.decode()
    seance = Seance.objects.get(pk=s.pk)
    assert seance.lieu == "Marseille" and seance.president == s.m2
    assert (
        client_for(s.m1.user).post(reverse("commission:seance_open", args=[s.pk])).status_code
        == 403
    )
    client.post(reverse("commission:seance_open", args=[s.pk]))
    assert Seance.objects.get(pk=s.pk).statut == Seance.Statut.OUVERTE
    html = client.get(reverse("commission:seance_detail", args=[s.pk])).content.decode()
    assert edit not in html and "Clore la séance" in html
    assert "plus modifiable" in client.get(edit).content.decode()


# --- the demande de labellisation ---------------------------------------------------------------


def test_the_direction_files_the_demande_from_the_gaps_page(validated, people):
    from audits.services import answer_gap
    from tests.audits.conftest import GAP_CRITERE, MINOR_GAP_CRITERE, constat

    dossier = validated.dossier
    demande = reverse("audits:audit_demande", args=[dossier.pk])
    direction = client_for(people.direction)
    assert (
        demande in direction.get(reverse("audits:audit_gaps", args=[dossier.pk])).content.decode()
    )
    html = direction.get(demande).content.decode()
    assert "2 écarts attendent encore votre réponse envoyée" in html
    assert "Déposer la demande" not in html
    for code in (GAP_CRITERE, MINOR_GAP_CRITERE):
        answer_gap(
            constat=constat(validated, code),
            actor=people.direction,
            action_corrective="Corrigé.",
            envoyer=True,
        )
    assert client_for(people.referent).post(demande).status_code == 403
    assert "Déposer la demande" not in client_for(people.referent).get(demande).content.decode()
    assert "Déposer la demande" in direction.get(demande).content.decode()
    response = direction.post(demande, {"message": "Nous sommes prêts."})
    assert response.status_code == 302
    html = direction.get(demande).content.decode()
    assert "Demande de labellisation déposée le" in html and "Nous sommes prêts." in html


# --- lifting the reservations -------------------------------------------------------------------


@pytest.fixture
def sous_reserve(point):  # type: ignore[no-untyped-def]
    s = point.seance
    for m in (s.m1, s.m2, s.chair):
        services.cast_vote(point=point, user=m.user, choix="favorable_avec_reserves")
    services.close_vote(point=point, user=s.chair.user)
    return services.decide(point=point, user=s.chair.user, motivation="Réserves.").label


def test_the_structure_lifts_a_reservation_and_the_unml_records_it(sous_reserve, people, admin):
    label = sous_reserve
    dossier = label.decision.dossier
    action = Action.objects.get(plan__dossier=dossier, origine=Action.Origine.RESERVE)
    page = reverse("plans:plan_reserve_action", args=[dossier.pk, action.pk])
    referent = client_for(people.referent)
    assert page in referent.get(reverse("plans:plan_detail", args=[dossier.pk])).content.decode()
    assert client_for(people.lecteur).post(page, {"statut": "fait"}).status_code == 403
    assert "<form" not in client_for(people.lecteur).get(page).content.decode().split("<main")[-1]
    response = referent.post(
        page,
        {
            "responsable": people.referent.pk,
            "echeance": "2027-03-01",
            "statut": "fait",
            "realisation": "Procédure révisée, compte rendu joint.",
        },
    )
    assert response.status_code == 302, response.content.decode()

    detail = reverse("commission:label_detail", args=[label.numero])
    html = client_for(admin).get(detail).content.decode()
    assert "Procédure révisée, compte rendu joint." in html and "Réserves à lever" in html
    lift = reverse("commission:label_lift_reserves", args=[label.numero])
    assert client_for(people.direction).post(lift, {"motivation": "x"}).status_code == 403
    response = client_for(admin).post(lift, {"motivation": "Justificatifs vus."})
    assert response.status_code == 302
    assert "Réserves levées le" in client_for(people.referent).get(detail).content.decode()
    public = client_for(UserFactory()).get(reverse("commission:label_verify", args=[label.numero]))
    assert "Réserves levées le" in public.content.decode()
