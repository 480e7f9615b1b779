"""The commission's services: agenda with automatic recusal, secret votes that can change until
closed, quorum, decision and label (SPEC §7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.commission import services
from audits.commission.models import Decision, Label, Recusation, Vote
from audits.commission.selectors import own_vote, visible_votes
from audits.models import ReponseEcart
from campagnes.models import Dossier
from labelml.structures.models import MembreCommission
from labelml.structures.roles import Role
from tests.audits.conftest import GAP_CRITERE, MINOR_GAP_CRITERE, constat
from tests.conftest import member
from tests.factories import MembreCommissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(validated, people):  # type: ignore[no-untyped-def]
    """A validated audit whose gaps were all answered and sent by the direction."""
    from audits.services import answer_gap

    for code in (GAP_CRITERE, MINOR_GAP_CRITERE):
        answer_gap(
            constat=constat(validated, code),
            actor=people.direction,
            action_corrective="Action corrective engagée.",
            envoyer=True,
        )
    from audits.services import file_demande

    file_demande(validated.dossier, people.direction)
    return validated.dossier


@pytest.fixture
def seance(admin, network):  # type: ignore[no-untyped-def]
    chair = MembreCommissionFactory(college=MembreCommission.College.ETAT)
    m1, m2 = MembreCommissionFactory(), MembreCommissionFactory()
    # m3 is a member of ML A's ARML: recused automatically on ML A's dossier.
    m3 = MembreCommissionFactory(user=member(network["arml_a"], Role.REFERENT_ARML))
    seance = services.create_seance(
        actor=admin,
        date=timezone.now(),
        president=chair,
        membres=[m1, m2, m3],
        lieu="Paris",
    )
    seance.chair, seance.m1, seance.m2, seance.m3 = chair, m1, m2, m3
    return seance


def test_agenda_recuses_members_of_the_structures_arml(seance, answered, admin):
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=answered)
    assert Dossier.objects.get(pk=answered.pk).statut == Dossier.Statut.EN_COMMISSION
    recusal = Recusation.objects.get(point=point)
    assert recusal.membre == seance.m3 and recusal.automatique
    with pytest.raises(PermissionDenied):
        services.cast_vote(point=point, user=seance.m3.user, choix="favorable")


def test_a_dossier_with_unanswered_gaps_cannot_go_on_the_agenda(seance, validated, admin):
    from campagnes.workflow import TransitionError

    with pytest.raises(TransitionError, match="répondu aux écarts"):
        services.add_to_agenda(actor=admin, seance=seance, dossier=validated.dossier)
    assert Dossier.objects.get(pk=validated.dossier_id).statut == Dossier.Statut.REPONSE_STRUCTURE


def test_votes_are_secret_until_closed_change_until_then_and_count_once(seance, answered, admin):
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=answered)
    services.cast_vote(point=point, user=seance.m1.user, choix="defavorable")
    services.cast_vote(point=point, user=seance.m1.user, choix="favorable")  # changed
    services.cast_vote(point=point, user=seance.m2.user, choix="favorable")
    services.cast_vote(point=point, user=seance.chair.user, choix="abstention")
    assert Vote.objects.filter(point=point, membre=seance.m1).count() == 1
    assert own_vote(point, seance.m1.user).choix == "favorable"
    assert visible_votes(point, seance.chair.user) == []  # secret before closing
    with pytest.raises(PermissionDenied):
        services.close_vote(point=point, user=seance.m1.user)  # only the chair
    result = services.close_vote(point=point, user=seance.chair.user)
    assert result.quorum and result.outcome == "labellise"
    point.refresh_from_db()
    assert len(visible_votes(point, seance.m2.user)) == 3
    with pytest.raises(ValidationError):
        services.cast_vote(point=point, user=seance.m2.user, choix="defavorable")


def test_a_member_outside_the_seance_cannot_vote(seance, answered, admin):
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=answered)
    outsider = MembreCommissionFactory()
    with pytest.raises(PermissionDenied):
        services.cast_vote(point=point, user=outsider.user, choix="favorable")
    assert not Vote.objects.exists()


def test_no_quorum_no_decision(seance, answered, admin):
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=answered)
    services.cast_vote(point=point, user=seance.m1.user, choix="favorable")
    services.close_vote(point=point, user=seance.chair.user)
    with pytest.raises(ValidationError, match="Quorum non atteint"):
        services.decide(point=point, user=seance.chair.user, motivation="Dossier solide.")
    assert not Decision.objects.exists() and not Label.objects.exists()
    assert Dossier.objects.get(pk=answered.pk).statut == Dossier.Statut.EN_COMMISSION


def test_decision_creates_the_label_with_its_validity(seance, answered, admin):
    from audits.models import Constat
    from tests.audits.conftest import audit_niveau

    # No major gap in this report: "labellise" is possible.
    Constat.objects.filter(niveau__code="ecart_majeur").update(
        niveau=audit_niveau(answered, "ecart_mineur")
    )
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=answered)
    for m in (seance.m1, seance.m2):
        services.cast_vote(point=point, user=m.user, choix="favorable")
    services.close_vote(point=point, user=seance.chair.user)
    with pytest.raises(ValidationError, match="motivation"):
        services.decide(point=point, user=seance.chair.user, motivation=" ")
    decision = services.decide(
        point=point, user=seance.chair.user, motivation="Démarche qualité solide et partagée."
    )
    assert decision.resultat == "labellise"
    label = Label.objects.get(decision=decision)
    assert label.numero.startswith(f"LML-{timezone.localdate().year}-")
    assert label.date_debut == timezone.localdate()
    assert label.date_fin.year == label.date_debut.year + answered.campagne.validite_label_annees
    assert label.statut_le(label.date_fin + dt.timedelta(days=1)) == "expire"
    assert Dossier.objects.get(pk=answered.pk).statut == Dossier.Statut.LABELLISE


def test_an_open_major_gap_forbids_labellise(seance, answered, admin):
    # Answered (a corrective action was sent) but not lifted: still open for the commission.
    assert ReponseEcart.objects.filter(constat__niveau__code="ecart_majeur").exists()
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=answered)
    for m in (seance.m1, seance.m2):
        services.cast_vote(point=point, user=m.user, choix="favorable")
    services.close_vote(point=point, user=seance.chair.user)
    decision = services.decide(point=point, user=seance.chair.user, motivation="Bon dossier.")
    assert decision.resultat == "labellise_sous_reserve"
    assert Dossier.objects.get(pk=answered.pk).statut == Dossier.Statut.LABELLISE_SOUS_RESERVE
    assert answered.plan.actions.filter(origine="reserve").exists()


def test_a_tie_adjourns_and_sends_the_dossier_back_to_the_plan(seance, answered, admin):
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=answered)
    services.cast_vote(point=point, user=seance.m1.user, choix="favorable")
    services.cast_vote(point=point, user=seance.m2.user, choix="defavorable")
    services.close_vote(point=point, user=seance.chair.user)
    decision = services.decide(point=point, user=seance.chair.user, motivation="Partage des voix.")
    assert decision.resultat == "ajourne" and not Label.objects.exists()
    assert Dossier.objects.get(pk=answered.pk).statut == Dossier.Statut.PLAN_AMELIORATION


def test_sitting_members_read_the_dossier_on_their_agenda_and_its_report(seance, answered, admin):
    from django.urls import reverse

    from tests.conftest import client_for, with_totp

    outsider = with_totp(MembreCommissionFactory().user)
    client = client_for(with_totp(seance.m1.user))
    assert client.get(reverse("audits:audit_overview", args=[answered.pk])).status_code == 404
    services.add_to_agenda(actor=admin, seance=seance, dossier=answered)
    assert client.get(reverse("audits:audit_overview", args=[answered.pk])).status_code == 200
    assert client.get(reverse("audits:audit_gaps", args=[answered.pk])).status_code == 200
    # Reading only: no self-assessment edit, no gap answer.
    assert (
        client.get(reverse("autoevaluations:autoevaluation_submit", args=[answered.pk])).status_code
        == 200
    )
    assert (
        client_for(outsider).get(reverse("audits:audit_overview", args=[answered.pk])).status_code
        == 404
    )


def test_a_closed_seance_takes_no_vote_nor_decision_nor_new_dossier(seance, answered, admin):
    """Its state is read at the moment of the act: a page opened before the séance was closed
    (here, the stale `seance` object) cannot add to it."""
    from audits.commission.models import Seance

    point = services.add_to_agenda(actor=admin, seance=seance, dossier=answered)
    Seance.objects.filter(pk=seance.pk).update(statut=Seance.Statut.CLOSE)
    point.refresh_from_db()
    with pytest.raises(ValidationError, match="séance est close"):
        services.cast_vote(point=point, user=seance.m1.user, choix="favorable")
    with pytest.raises(ValidationError, match="séance est close"):
        services.close_vote(point=point, user=seance.chair.user)
    assert not Vote.objects.exists()
    with pytest.raises(ValidationError, match="séance est close"):
        services.add_to_agenda(actor=admin, seance=seance, dossier=answered)
