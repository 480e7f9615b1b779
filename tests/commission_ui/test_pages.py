"""The commission's pages (SPEC §2, §7): scoping (404 outside one's séances), secret votes that a
member may change but not duplicate, recused members without a vote form, the chair closing the
vote and recording the decision, the label on the public registry."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from audits.commission import services
from audits.commission.models import Decision, Label, PointOrdreDuJour, Recusation, Seance, Vote
from campagnes.models import Dossier
from labelml.structures.roles import Role
from tests.commission_ui.conftest import make_seance
from tests.conftest import client_for, member, with_totp
from tests.factories import MembreCommissionFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(point: PointOrdreDuJour, name: str = "commission:point_detail") -> str:
    return reverse(name, args=[point.seance_id, point.pk])


def vote(user, point, choix):  # type: ignore[no-untyped-def]
    return client_for(user).post(url(point, "commission:point_vote"), {"choix": choix})


# --- lists and scope --------------------------------------------------------------------------


def test_admin_sees_all_seances_and_creates_one(admin, seance, network):
    other = make_seance(admin, network)
    response = client_for(admin).get(reverse("commission:seance_list"))
    assert response.status_code == 200
    assert response.content.decode().count("Séance du") >= 2
    assert "Nouvelle séance" in response.content.decode()

    m = MembreCommissionFactory(user=with_totp(UserFactory()))
    response = client_for(admin).post(
        reverse("commission:seance_create"),
        {
            "date": "2026-03-12T14:00",
            "lieu": "Lyon",
            "president": seance.chair.pk,
            "membres": [m.pk, other.m1.pk],
        },
    )
    created = Seance.objects.get(lieu="Lyon")
    assert response.status_code == 302 and response.url == reverse(
        "commission:seance_detail", args=[created.pk]
    )
    assert set(created.membres.all()) == {m, other.m1, seance.chair}


def test_members_see_only_their_seances_and_cannot_create(admin, seance, network):
    other = make_seance(admin, network)
    client = client_for(seance.m1.user)
    page = client.get(reverse("commission:seance_list")).content.decode()
    assert reverse("commission:seance_detail", args=[seance.pk]) in page
    assert reverse("commission:seance_detail", args=[other.pk]) not in page
    assert "Nouvelle séance" not in page
    assert client.get(reverse("commission:seance_detail", args=[seance.pk])).status_code == 200
    assert client.get(reverse("commission:seance_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("commission:seance_create")).status_code == 403


def test_non_member_gets_404_on_seance_and_point(point, network):
    for user in (
        with_totp(MembreCommissionFactory(user=UserFactory()).user),  # a member of no séance
        member(network["ml_a"], Role.DIRECTION),
    ):
        client = client_for(user)
        assert (
            client.get(reverse("commission:seance_detail", args=[point.seance_id])).status_code
            == 404
        )
        assert client.get(url(point)).status_code == 404
        assert vote(user, point, "favorable").status_code == 404
    assert not Vote.objects.exists()


def test_a_point_of_another_seance_is_404(point, admin, network):
    other = make_seance(admin, network)
    # The point exists, but not under this séance: same answer as a missing one.
    wrong = reverse("commission:point_detail", args=[other.pk, point.pk])
    assert client_for(other.m1.user).get(wrong).status_code == 404
    assert client_for(other.m1.user).get(url(point)).status_code == 404
    response = client_for(other.m1.user).post(
        reverse("commission:point_vote", args=[other.pk, point.pk]), {"choix": "favorable"}
    )
    assert response.status_code == 404
    assert not Vote.objects.exists()


# --- agenda -----------------------------------------------------------------------------------


def test_admin_places_a_dossier_on_the_agenda(admin, seance, answered):
    client = client_for(admin)
    page = client.get(reverse("commission:seance_detail", args=[seance.pk])).content.decode()
    assert "Inscrire un dossier" in page
    response = client.post(
        reverse("commission:seance_detail", args=[seance.pk]),
        {"dossier": answered.pk, "rapporteur": seance.m2.pk},
    )
    assert response.status_code == 302
    point = PointOrdreDuJour.objects.get(seance=seance, dossier=answered)
    assert point.rapporteur == seance.m2
    assert Recusation.objects.get(point=point).membre == seance.m3
    assert Dossier.objects.get(pk=answered.pk).statut == Dossier.Statut.EN_COMMISSION
    page = client.get(reverse("commission:seance_detail", args=[seance.pk])).content.decode()
    assert answered.structure.nom in page and "Vote ouvert" in page


def test_agenda_errors_are_shown_in_french(admin, seance, validated):
    # Gaps not answered, no demande: the dossier is not offered, the page says so.
    response = client_for(admin).post(
        reverse("commission:seance_detail", args=[seance.pk]), {"dossier": validated.dossier_id}
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not PointOrdreDuJour.objects.exists()


def test_a_member_cannot_change_the_agenda(seance, answered):
    response = client_for(seance.m1.user).post(
        reverse("commission:seance_detail", args=[seance.pk]), {"dossier": answered.pk}
    )
    assert response.status_code == 403
    assert not PointOrdreDuJour.objects.exists()


# --- votes ------------------------------------------------------------------------------------


def test_a_member_votes_once_and_may_change_the_vote(point):
    m1 = point.seance.m1
    page = client_for(m1.user).get(url(point)).content.decode()
    for choix in ("favorable", "favorable_avec_reserves", "defavorable", "abstention"):
        assert f'value="{choix}"' in page
    assert vote(m1.user, point, "defavorable").status_code == 302
    first = Vote.objects.get()
    assert vote(m1.user, point, "favorable").status_code == 302
    assert Vote.objects.count() == 1
    again = Vote.objects.get()
    assert again.pk == first.pk and again.choix == "favorable"
    page = client_for(m1.user).get(url(point)).content.decode()
    assert re.findall(r'value="(\w+)"[^>]*checked', page) == ["favorable"]
    assert "Vous avez voté : <strong>Favorable</strong>" in page


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", html)


def test_nobody_reads_the_votes_before_closing(point):
    s = point.seance
    before = {
        u.pk: _without_tokens(client_for(u).get(url(point)).content.decode())
        for u in (s.chair.user, s.m3.user, s.m2.user)
    }
    vote(s.m1.user, point, "defavorable")
    # Other members' pages are exactly the same as before m1 voted: nothing leaks (the chair
    # sees how many members voted, never what).
    for user in (s.chair.user, s.m3.user, s.m2.user):
        page = _without_tokens(client_for(user).get(url(point)).content.decode())
        if user == s.chair.user:
            assert "1 votant sur 3 membres non récusés" in page
            page = page.replace("1 votant sur", "0 votant sur")
        assert page == before[user.pk]
        assert 'id="decompte"' not in page and "Votes individuels" not in page
        assert "checked" not in page
    vote(s.m2.user, point, "favorable_avec_reserves")
    # m2 sees their own vote only.
    page = client_for(s.m2.user).get(url(point)).content.decode()
    assert "Vous avez voté : <strong>Favorable avec réserves</strong>" in page
    assert re.findall(r'value="(\w+)"[^>]*checked', page) == ["favorable_avec_reserves"]
    assert "Défavorable</strong>" not in page
    # The chair, who has not voted, has nothing preselected.
    page = client_for(s.chair.user).get(url(point)).content.decode()
    assert "Vous n'avez pas encore voté" in page and "checked" not in page


def test_admin_reads_the_point_but_no_vote_before_closing(point, admin):
    vote(point.seance.m1.user, point, "defavorable")
    page = client_for(admin).get(url(point)).content.decode()
    assert 'name="choix"' not in page and 'id="decompte"' not in page
    assert client_for(admin).post(url(point, "commission:point_close")).status_code == 403


def test_a_recused_member_has_no_form_and_cannot_vote(point):
    m3 = point.seance.m3
    page = client_for(m3.user).get(url(point)).content.decode()
    assert "Vous êtes récusé(e)" in page
    assert 'name="choix"' not in page and "commission:point_vote" not in page
    assert url(point, "commission:point_vote") not in page
    assert vote(m3.user, point, "favorable").status_code == 403
    assert not Vote.objects.exists()


def test_declaring_a_conflict_removes_the_form_and_the_vote(point):
    m1 = point.seance.m1
    vote(m1.user, point, "favorable")
    response = client_for(m1.user).post(
        url(point, "commission:point_conflict"), {"motif": "Ancien directeur"}
    )
    assert response.status_code == 302
    assert Recusation.objects.filter(point=point, membre=m1, motif="Ancien directeur").exists()
    assert not Vote.objects.filter(membre=m1).exists()
    page = client_for(m1.user).get(url(point)).content.decode()
    assert "Vous êtes récusé(e)" in page and 'name="choix"' not in page
    assert vote(m1.user, point, "favorable").status_code == 403


def test_cannot_vote_on_a_dossier_outside_ones_seance(point, admin, network):
    other = make_seance(admin, network)
    response = client_for(other.m2.user).post(
        url(point, "commission:point_vote"), {"choix": "favorable"}
    )
    assert response.status_code == 404
    assert not Vote.objects.exists()


# --- closing and decision ---------------------------------------------------------------------


def test_only_the_chair_closes_and_decides(point):
    s = point.seance
    vote(s.m1.user, point, "favorable")
    vote(s.m2.user, point, "favorable")
    assert "Clore le vote" not in client_for(s.m1.user).get(url(point)).content.decode()
    assert client_for(s.m1.user).post(url(point, "commission:point_close")).status_code == 403
    assert PointOrdreDuJour.objects.get(pk=point.pk).vote == "ouvert"
    assert "Clore le vote" in client_for(s.chair.user).get(url(point)).content.decode()
    assert (
        client_for(s.chair.user)
        .post(url(point, "commission:point_close"), {"confirme": "1"})
        .status_code
        == 302
    )
    assert PointOrdreDuJour.objects.get(pk=point.pk).vote == "clos"
    response = client_for(s.m1.user).post(
        url(point, "commission:point_decide"), {"motivation": "x"}
    )
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_the_chair_closes_decides_and_the_label_is_public(point, client):
    s = point.seance
    vote(s.m1.user, point, "defavorable")
    vote(s.m1.user, point, "favorable")
    vote(s.m2.user, point, "favorable")
    vote(s.chair.user, point, "abstention")
    chair = client_for(s.chair.user)
    chair.post(url(point, "commission:point_close"), {"confirme": "1"})
    page = chair.get(url(point)).content.decode()
    assert "Quorum atteint" in page
    assert "3 votants sur 3 membres non récusés" in page
    assert f"{s.m1.user.get_full_name()} : Favorable" in page
    assert "Enregistrer la décision" in page
    # Members read the votes too once closed, but get no decision form.
    page = client_for(s.m2.user).get(url(point)).content.decode()
    assert f"{s.chair.user.get_full_name()} : Abstention" in page
    assert "Enregistrer la décision" not in page

    # The motivation is required.
    response = chair.post(url(point, "commission:point_decide"), {"motivation": "  "})
    assert response.status_code == 400
    assert not Decision.objects.exists()

    response = chair.post(
        url(point, "commission:point_decide"), {"motivation": "Dossier solide.", "confirme": "on"}
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    label = Label.objects.get()
    assert decision.point_id == point.pk and label.decision == decision
    page = chair.get(url(point)).content.decode()
    assert decision.get_resultat_display() in page
    assert reverse("commission:label_verify", args=[label.numero]) in page
    assert "Enregistrer la décision" not in page

    registry = client.get(reverse("commission:label_registry")).content.decode()
    assert point.dossier.structure.nom in registry and label.numero in registry


def test_no_quorum_no_decision(point):
    s = point.seance
    vote(s.m1.user, point, "favorable")
    chair = client_for(s.chair.user)
    chair.post(url(point, "commission:point_close"), {"confirme": "1"})
    page = chair.get(url(point)).content.decode()
    assert "Quorum non atteint" in page
    response = chair.post(
        url(point, "commission:point_decide"), {"motivation": "Pas assez de votants."}
    )
    assert response.status_code == 400
    assert "Quorum non atteint" in response.content.decode()
    assert not Decision.objects.exists()


def test_votes_after_closing_are_refused(point):
    s = point.seance
    services.close_vote(point=point, user=s.chair.user)
    response = vote(s.m1.user, point, "favorable")
    assert response.status_code == 302
    assert not Vote.objects.exists()
    page = client_for(s.m1.user).get(url(point)).content.decode()
    assert 'name="choix"' not in page


def test_dossier_documents_are_linked(point):
    page = client_for(point.seance.m1.user).get(url(point)).content.decode()
    assert reverse("audits:audit_overview", args=[point.dossier_id]) in page
    assert reverse("audits:audit_gaps", args=[point.dossier_id]) in page
