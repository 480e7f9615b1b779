"""Rules that hold at the moment of the act (issue 16): the conflict of interest is checked when
a member votes, when the chair closes the vote and when the decision is recorded; votes and
decisions wait for the séance's day; certificate numbers come from a per-year counter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audits.commission import services
from audits.commission.models import (
    CompteurCertificat,
    Decision,
    Label,
    PointOrdreDuJour,
    Recusation,
    Seance,
    Vote,
)
from campagnes.models import Dossier
from labelml.structures.models import Membership
from labelml.structures.roles import Role
from tests.commission.test_services import answered, seance  # noqa: F401  (fixtures)
from tests.conftest import client_for, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def point(seance, answered, admin):  # type: ignore[no-untyped-def]  # noqa: F811
    return services.add_to_agenda(actor=admin, seance=seance, dossier=answered)


def join_structure(user, dossier) -> None:  # type: ignore[no-untyped-def]
    """The member accepts an invitation to the dossier's structure, as lecteur."""
    Membership.objects.create(user=user, structure=dossier.structure, role=Role.LECTEUR)


def test_a_member_who_joined_the_structure_after_the_agenda_cannot_vote(seance, point):  # noqa: F811
    assert not Recusation.objects.filter(point=point, membre=seance.m1).exists()
    join_structure(seance.m1.user, point.dossier)

    with pytest.raises(PermissionDenied, match="membre de la structure"):
        services.cast_vote(point=point, user=seance.m1.user, choix="favorable")

    assert not Vote.objects.filter(point=point, membre=seance.m1).exists()
    recusal = Recusation.objects.get(point=point, membre=seance.m1)  # kept, not rolled back
    assert recusal.automatique


def test_the_vote_page_answers_403_with_a_message_to_the_member_who_joined(seance, point):  # noqa: F811
    join_structure(seance.m1.user, point.dossier)
    response = client_for(with_totp(seance.m1.user)).post(
        reverse("commission:point_vote", args=[seance.pk, point.pk]), {"choix": "favorable"}
    )
    assert response.status_code == 403
    assert not Vote.objects.filter(point=point).exists()


def test_a_vote_cast_before_joining_the_structure_never_counts(seance, point, answered):  # noqa: F811
    for m in (seance.m1, seance.m2, seance.chair):
        services.cast_vote(point=point, user=m.user, choix="defavorable")
    join_structure(seance.m1.user, answered)

    result = services.close_vote(point=point, user=seance.chair.user)

    assert result.eligible == 2  # m3 (ARML) and m1 (joined) are recused
    assert result.counts["defavorable"] == 2
    assert not Vote.objects.filter(point=point, membre=seance.m1).exists()
    assert Recusation.objects.filter(point=point, membre=seance.m1, automatique=True).exists()


def test_a_chair_who_declared_a_conflict_can_neither_close_nor_decide(seance, point):  # noqa: F811
    for m in (seance.m1, seance.m2):
        services.cast_vote(point=point, user=m.user, choix="favorable")
    services.declare_conflict(point=point, user=seance.chair.user, motif="Ancien directeur")

    with pytest.raises(PermissionDenied, match="récusé"):
        services.close_vote(point=point, user=seance.chair.user)
    assert PointOrdreDuJour.objects.get(pk=point.pk).vote == PointOrdreDuJour.Vote.OUVERT

    # Even when the vote was closed before the conflict was declared.
    PointOrdreDuJour.objects.filter(pk=point.pk).update(vote=PointOrdreDuJour.Vote.CLOS)
    with pytest.raises(PermissionDenied, match="récusé"):
        services.decide(point=point, user=seance.chair.user, motivation="Bon dossier.")
    assert not Decision.objects.exists()
    assert Dossier.objects.get(pk=point.dossier_id).statut == Dossier.Statut.EN_COMMISSION


def test_the_close_and_decide_pages_answer_403_to_a_recused_chair(seance, point):  # noqa: F811
    services.declare_conflict(point=point, user=seance.chair.user, motif="Lien familial")
    client = client_for(with_totp(seance.chair.user))
    assert (
        client.post(reverse("commission:point_close", args=[seance.pk, point.pk])).status_code
        == 403
    )
    PointOrdreDuJour.objects.filter(pk=point.pk).update(vote=PointOrdreDuJour.Vote.CLOS)
    response = client.post(
        reverse("commission:point_decide", args=[seance.pk, point.pk]),
        {"motivation": "Bon dossier."},
    )
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_a_chair_who_joined_the_structure_after_closing_cannot_decide(seance, point, answered):  # noqa: F811
    for m in (seance.m1, seance.m2):
        services.cast_vote(point=point, user=m.user, choix="favorable")
    services.close_vote(point=point, user=seance.chair.user)
    join_structure(seance.chair.user, answered)
    with pytest.raises(PermissionDenied):
        services.decide(point=point, user=seance.chair.user, motivation="Bon dossier.")
    assert not Decision.objects.exists()


def test_no_vote_nor_decision_before_the_seances_day(seance, point):  # noqa: F811
    day = timezone.localdate() + dt.timedelta(days=3)
    Seance.objects.filter(pk=seance.pk).update(date=timezone.now() + dt.timedelta(days=3))
    point = PointOrdreDuJour.objects.get(pk=point.pk)

    with pytest.raises(ValidationError, match=f"{day:%d/%m/%Y}"):
        services.cast_vote(point=point, user=seance.m1.user, choix="favorable")
    assert not Vote.objects.exists()
    with pytest.raises(ValidationError, match=f"{day:%d/%m/%Y}"):
        services.close_vote(point=point, user=seance.chair.user)
    PointOrdreDuJour.objects.filter(pk=point.pk).update(vote=PointOrdreDuJour.Vote.CLOS)
    with pytest.raises(ValidationError, match=f"{day:%d/%m/%Y}"):
        services.decide(point=point, user=seance.chair.user, motivation="Bon dossier.")
    assert not Decision.objects.exists()


def test_certificate_numbers_follow_the_years_counter_without_gaps():
    year = 2031
    assert [services.next_certificate_number(year) for _ in range(3)] == [
        "LML-2031-00001",
        "LML-2031-00002",
        "LML-2031-00003",
    ]
    assert CompteurCertificat.objects.get(annee=year).dernier == 3
    assert services.next_certificate_number(2032) == "LML-2032-00001"


def decisions_for(dossier: Dossier, n: int) -> list[Decision]:
    """`n` decisions on `dossier` (one point per séance), written directly for the counter's
    tests."""
    from tests.factories import MembreCommissionFactory

    out = []
    for _ in range(n):
        sitting = Seance.objects.create(date=timezone.now(), president=MembreCommissionFactory())
        point = PointOrdreDuJour.objects.create(seance=sitting, dossier=dossier, vote="clos")
        out.append(
            Decision.objects.create(
                point=point, dossier=dossier, resultat="labellise", motivation="Bon dossier."
            )
        )
    return out


def label_for(decision: Decision, numero: str) -> Label:
    today = timezone.localdate()
    return Label.objects.create(
        structure_id=decision.dossier.structure_id,
        decision=decision,
        numero=numero,
        date_debut=today,
        date_fin=today + dt.timedelta(days=365),
    )


def test_certificate_numbers_never_reuse_a_number_written_by_other_means(answered):  # noqa: F811
    first, third, fresh = decisions_for(answered, 3)
    # Numbers written without the counter (the demonstration data), with a gap.
    label_for(first, "LML-2031-00001")
    label_for(third, "LML-2031-00003")
    numero = services.next_certificate_number(2031)
    assert numero == "LML-2031-00004"
    label_for(fresh, numero)  # no collision on the unique number


def test_a_conflict_declared_from_a_page_shown_before_the_closing_changes_no_count(
    seance,  # noqa: F811
    point,
):
    for m in (seance.m1, seance.m2):
        services.cast_vote(point=point, user=m.user, choix="favorable")
    shown = PointOrdreDuJour.objects.get(pk=point.pk)  # the page, vote still open
    services.close_vote(point=point, user=seance.chair.user)

    with pytest.raises(ValidationError, match="clos"):
        services.declare_conflict(point=shown, user=seance.m1.user, motif="Après coup")

    assert Vote.objects.filter(point=point, membre=seance.m1).exists()
    assert not Recusation.objects.filter(point=point, membre=seance.m1).exists()
