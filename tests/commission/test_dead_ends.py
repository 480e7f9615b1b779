"""Issue 15, the commission's dead ends: the demande de labellisation before the agenda; a vote
without quorum goes back to the agenda; a séance is edited until it opens and has its own
states; the reservations of a "labellisé sous réserve" decision are lifted by the structure and
recorded by the UNML. Each rule: who may (403), in which state, and the journal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.commission import services
from audits.commission.forms import AgendaForm
from audits.commission.models import Decision, Label, PointOrdreDuJour, Recusation, Seance, Vote
from audits.services import answer_gap, file_demande
from campagnes.models import Dossier, DossierTransition
from campagnes.plans.models import Action
from campagnes.plans.services import update_reserve_action
from labelml.core.transitions import TransitionError
from labelml.structures.roles import Role
from tests.audits.conftest import GAP_CRITERE, MINOR_GAP_CRITERE, constat
from tests.commission_ui.conftest import make_seance
from tests.conftest import member
from tests.factories import MembreCommissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gaps_answered(validated, people):  # type: ignore[no-untyped-def]
    for code in (GAP_CRITERE, MINOR_GAP_CRITERE):
        answer_gap(
            constat=constat(validated, code),
            actor=people.direction,
            action_corrective="Action corrective engagée.",
            envoyer=True,
        )
    return validated.dossier


@pytest.fixture
def filed(gaps_answered, people):  # type: ignore[no-untyped-def]
    file_demande(gaps_answered, people.direction, "Nous demandons la labellisation.")
    return gaps_answered


def journal(dossier: Dossier, action: str) -> list[DossierTransition]:
    return list(DossierTransition.objects.filter(dossier=dossier, action=action))


# --- the demande de labellisation ------------------------------------------------------------


def test_the_demande_waits_for_every_gap_answer(validated, people):
    with pytest.raises(TransitionError) as exc:
        file_demande(validated.dossier, people.direction)
    assert "Répondez d'abord" in exc.value.message and len(exc.value.missing) == 2
    assert not journal(validated.dossier, "demande_labellisation")


def test_only_the_direction_files_the_demande(gaps_answered, people):
    with pytest.raises(PermissionDenied):
        file_demande(gaps_answered, people.referent)
    file_demande(gaps_answered, people.direction, "Merci.")
    (row,) = journal(gaps_answered, "demande_labellisation")
    assert row.actor == people.direction and row.reason == "Merci."
    assert row.from_state == row.to_state == Dossier.Statut.REPONSE_STRUCTURE
    assert row.action_label == "Demande de labellisation déposée"
    with pytest.raises(TransitionError, match="déjà déposée"):
        file_demande(gaps_answered, people.direction)


def test_no_agenda_without_the_demande_and_the_agenda_lists_only_filed_dossiers(
    gaps_answered, admin, network, people
):
    seance = make_seance(admin, network)
    assert gaps_answered not in AgendaForm(seance=seance).fields["dossier"].queryset
    with pytest.raises(TransitionError, match="demande de labellisation"):
        services.add_to_agenda(actor=admin, seance=seance, dossier=gaps_answered)
    assert not PointOrdreDuJour.objects.exists()
    file_demande(gaps_answered, people.direction)
    assert gaps_answered in AgendaForm(seance=seance).fields["dossier"].queryset
    services.add_to_agenda(actor=admin, seance=seance, dossier=gaps_answered)
    assert Dossier.objects.get(pk=gaps_answered.pk).statut == Dossier.Statut.EN_COMMISSION


# --- a vote without quorum goes back to the agenda ---------------------------------------------


def test_a_vote_without_quorum_goes_back_to_the_agenda_and_is_decided_at_a_later_seance(
    filed, admin, network
):
    seance = make_seance(admin, network)
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=filed)
    services.cast_vote(point=point, user=seance.m1.user, choix="favorable")
    result = services.close_vote(point=point, user=seance.chair.user)
    assert not result.quorum
    point.refresh_from_db()
    assert point.vote == PointOrdreDuJour.Vote.SANS_QUORUM
    (row,) = journal(filed, services.VOTE_SANS_QUORUM)
    assert "1 votant sur 3 membres non récusés ; 2 requis" in row.reason
    assert row.action_label.startswith("Vote clos sans quorum")
    with pytest.raises(ValidationError, match="Quorum non atteint"):
        services.decide(point=point, user=seance.chair.user, motivation="x")
    with pytest.raises(ValidationError):
        services.cast_vote(point=point, user=seance.m2.user, choix="favorable")

    # Back on the agenda of a later séance, where it is voted and decided.
    later = make_seance(admin, network)
    assert filed in AgendaForm(seance=later).fields["dossier"].queryset
    again = services.add_to_agenda(actor=admin, seance=later, dossier=filed)
    for m in (later.m1, later.m2, later.chair):
        services.cast_vote(point=again, user=m.user, choix="favorable_avec_reserves")
    assert services.close_vote(point=again, user=later.chair.user).quorum
    decision = services.decide(point=again, user=later.chair.user, motivation="Réserves.")
    assert decision.resultat == Decision.Resultat.LABELLISE_SOUS_RESERVE


def test_a_dossier_waiting_for_its_vote_cannot_go_on_another_agenda(filed, admin, network):
    seance = make_seance(admin, network)
    services.add_to_agenda(actor=admin, seance=seance, dossier=filed)
    other = make_seance(admin, network)
    assert filed not in AgendaForm(seance=other).fields["dossier"].queryset
    with pytest.raises(ValidationError, match="autre séance"):
        services.add_to_agenda(actor=admin, seance=other, dossier=filed)


def test_the_chair_reopens_a_vote_closed_without_quorum(filed, admin, network):
    seance = make_seance(admin, network)
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=filed)
    services.cast_vote(point=point, user=seance.m1.user, choix="favorable")
    with pytest.raises(ValidationError, match="sans quorum"):
        services.reopen_vote(point=point, user=seance.chair.user)  # still open
    services.close_vote(point=point, user=seance.chair.user)
    with pytest.raises(PermissionDenied):
        services.reopen_vote(point=point, user=seance.m1.user)
    services.reopen_vote(point=point, user=seance.chair.user)
    point.refresh_from_db()
    assert point.vote == PointOrdreDuJour.Vote.OUVERT and point.clos_le is None
    assert Vote.objects.filter(point=point).count() == 1  # the earlier vote is kept
    assert journal(filed, services.REOPEN_VOTE)
    services.cast_vote(point=point, user=seance.m2.user, choix="favorable")
    assert services.close_vote(point=point, user=seance.chair.user).quorum


# --- the séance: edited until it opens; planned → open → closed --------------------------------


def test_the_admin_edits_a_planned_seance_and_its_agenda_order(filed, admin, network, people):
    seance = make_seance(admin, network)
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=filed)
    new_chair = MembreCommissionFactory()
    # A member of the structure joins: recused automatically on its dossier.
    insider = MembreCommissionFactory(user=member(filed.structure, Role.LECTEUR))
    with pytest.raises(PermissionDenied):
        services.update_seance(
            actor=seance.chair.user,
            seance=seance,
            date=seance.date,
            president=new_chair,
            membres=[seance.m1],
        )
    services.update_seance(
        actor=admin,
        seance=seance,
        date=seance.date + dt.timedelta(days=1),
        president=new_chair,
        membres=[seance.m1, seance.m2, insider],
        lieu="Lyon",
        ordre=[point.pk],
    )
    seance.refresh_from_db()
    assert seance.president == new_chair and seance.lieu == "Lyon"
    assert set(seance.membres.all()) == {new_chair, seance.m1, seance.m2, insider}
    assert Recusation.objects.filter(point=point, membre=insider, automatique=True).exists()
    assert not Recusation.objects.filter(point=point, membre=seance.m3).exists()  # left
    (row,) = journal(filed, Seance.Action.MODIFICATION)
    assert row.subject == "seance" and "lieu : Lyon" in row.reason and "présidence" in row.reason
    assert row.action_label == "Séance modifiée"


def test_a_seance_opens_then_closes_once_no_vote_is_open_and_is_no_longer_editable(
    filed, admin, network
):
    seance = make_seance(admin, network)
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=filed)
    with pytest.raises(PermissionDenied):
        services.open_seance(actor=seance.m1.user, seance=seance)
    with pytest.raises(TransitionError):
        services.close_seance(actor=seance.chair.user, seance=seance)  # not open yet
    services.open_seance(actor=seance.chair.user, seance=seance)
    assert Seance.objects.get(pk=seance.pk).statut == Seance.Statut.OUVERTE
    with pytest.raises(TransitionError, match="étape « Ouverte »"):
        services.update_seance(
            actor=admin, seance=seance, date=seance.date, president=seance.chair, membres=[]
        )
    with pytest.raises(TransitionError, match="Un vote est encore ouvert"):
        services.close_seance(actor=admin, seance=seance)
    services.close_vote(point=point, user=seance.chair.user)  # no vote: without quorum
    services.close_seance(actor=admin, seance=seance)
    assert Seance.objects.get(pk=seance.pk).statut == Seance.Statut.CLOSE
    with pytest.raises(ValidationError, match="séance est close"):
        services.reopen_vote(point=point, user=seance.chair.user)
    steps = [
        (r.action, r.from_state, r.to_state)
        for r in DossierTransition.objects.filter(dossier=filed, subject="seance")
    ]
    assert steps == [
        ("ouverture_seance", "planifiee", "ouverte"),
        ("cloture_seance", "ouverte", "close"),
    ]


# --- lifting the reservations ------------------------------------------------------------------


@pytest.fixture
def sous_reserve(filed, admin, network):  # type: ignore[no-untyped-def]
    seance = make_seance(admin, network)
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=filed)
    for m in (seance.m1, seance.m2, seance.chair):
        services.cast_vote(point=point, user=m.user, choix="favorable_avec_reserves")
    services.close_vote(point=point, user=seance.chair.user)
    decision = services.decide(point=point, user=seance.chair.user, motivation="Réserves.")
    return decision.label


def test_the_structure_owns_dates_documents_and_completes_a_reservation_action(
    sous_reserve, people, admin
):
    dossier = sous_reserve.decision.dossier
    action = Action.objects.get(plan__dossier=dossier, origine=Action.Origine.RESERVE)
    for outsider in (people.lecteur, admin):
        with pytest.raises(PermissionDenied):
            update_reserve_action(actor=outsider, dossier=dossier, action=action)
    with pytest.raises(ValidationError, match="Décrivez ce qui a été fait"):
        update_reserve_action(
            actor=people.referent, dossier=dossier, action=action, statut=Action.Statut.FAIT
        )
    due = timezone.localdate() + dt.timedelta(days=60)
    update_reserve_action(
        actor=people.referent,
        dossier=dossier,
        action=action,
        responsable=people.referent,
        echeance=due,
        statut=Action.Statut.FAIT,
        realisation="Procédure révisée (compte rendu du comité du 3 mars).",
    )
    action.refresh_from_db()
    assert action.responsable == people.referent and action.echeance == due
    assert action.statut == Action.Statut.FAIT and action.avancement == 100
    assert journal(dossier, "action_reserve")


def test_an_ordinary_plan_action_stays_read_only_while_the_label_runs(sous_reserve, people):
    dossier = sous_reserve.decision.dossier
    other = Action.objects.create(plan=dossier.plan, titre="Autre", created_by=people.referent)
    with pytest.raises(ValidationError, match="ne lève pas une réserve"):
        update_reserve_action(actor=people.referent, dossier=dossier, action=other)


def test_the_unml_records_the_lifting_once_every_reservation_action_is_done(
    sous_reserve, people, admin
):
    label = sous_reserve
    dossier = label.decision.dossier
    action = Action.objects.get(plan__dossier=dossier, origine=Action.Origine.RESERVE)
    with pytest.raises(ValidationError, match="pas encore réalisée"):
        services.record_reserves_lifted(actor=admin, label=label, motivation="Vu.")
    update_reserve_action(
        actor=people.direction,
        dossier=dossier,
        action=action,
        statut=Action.Statut.FAIT,
        realisation="Fait.",
    )
    with pytest.raises(PermissionDenied):
        services.record_reserves_lifted(actor=people.direction, label=label, motivation="Vu.")
    services.record_reserves_lifted(actor=admin, label=label, motivation="Justificatifs vus.")
    label.refresh_from_db()
    assert label.reserves_levees_le is not None
    (row,) = label.journal.filter(action=Label.Action.LEVEE_RESERVES)
    assert row.reason == "Justificatifs vus." and row.action_label == "Levée des réserves"
    with pytest.raises(ValidationError, match="déjà levées"):
        services.record_reserves_lifted(actor=admin, label=label, motivation="Encore.")
    # Once recorded, the structure no longer edits the reservation actions.
    with pytest.raises(TransitionError, match="levées"):
        update_reserve_action(actor=people.direction, dossier=dossier, action=action)


def test_a_seance_does_not_close_before_its_decisions_are_recorded(filed, admin, network):
    seance = make_seance(admin, network)
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=filed)
    services.open_seance(actor=admin, seance=seance)
    for m in (seance.m1, seance.m2, seance.chair):
        services.cast_vote(point=point, user=m.user, choix="favorable_avec_reserves")
    services.close_vote(point=point, user=seance.chair.user)
    with pytest.raises(TransitionError, match="Une décision reste à enregistrer"):
        services.close_seance(actor=seance.chair.user, seance=seance)
    services.decide(point=point, user=seance.chair.user, motivation="Réserves.")
    services.close_seance(actor=seance.chair.user, seance=seance)
    assert Seance.objects.get(pk=seance.pk).statut == Seance.Statut.CLOSE
