"""Writes through the API: the self-assessment's answers and syntheses with the pages'
optimistic versions (ETag / If-Match: 412 on a stale version, never an overwrite, nothing
changed), plan actions, and every write in the dossier's journal as the token's owner."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from campagnes.autoevaluations.models import Reponse, Saisie, SyntheseCritere
from campagnes.models import DossierTransition
from campagnes.plans.models import Action
from labelml.api.views import JOURNAL_ACTION, action_etag
from tests.api.conftest import ApiClient, api, make_token
from tests.test_authorization_matrix import DIR, LECT, RQ

pytestmark = pytest.mark.django_db


def reponse_url(world: Any) -> str:
    return reverse("api:api_reponse", args=[world.open.dossier.pk, world.open.reponse.pk])


def journal(world: Any) -> list[tuple[str, int | None, str]]:
    return list(
        DossierTransition.objects.filter(dossier=world.open.dossier, action=JOURNAL_ACTION)
        .order_by("pk")
        .values_list("action", "actor_id", "reason")
    )


def state(world: Any) -> tuple[Any, ...]:
    reponse = Reponse.objects.get(pk=world.open.reponse.pk)
    return (reponse.version, reponse.justification, reponse.niveau_id, Saisie.objects.count())


def test_the_etag_is_the_version(world):
    response = api(world, RQ).get(reponse_url(world))
    assert response.status_code == 200
    assert response["ETag"] == f'"{world.open.reponse.version}"'
    assert response.json()["version"] == world.open.reponse.version


def test_a_current_if_match_saves_and_journals_as_the_owner(world):
    version = world.open.reponse.version
    response = api(world, RQ).patch(
        reponse_url(world),
        {"justification": "Écrit par le SI"},
        headers={"If-Match": f'"{version}"'},
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{version + 1}"'
    reponse = Reponse.objects.get(pk=world.open.reponse.pk)
    assert (reponse.justification, reponse.version, reponse.updated_by) == (
        "Écrit par le SI",
        version + 1,
        world.users[RQ],
    )
    assert Saisie.objects.filter(reponse=reponse, user=world.users[RQ]).exists()
    [(action, actor, reason)] = journal(world)
    assert actor == world.users[RQ].pk
    assert "via l'API" in reason and reponse.element.code in reason


def test_a_stale_if_match_answers_412_and_changes_nothing(world):
    before, journal_before = state(world), journal(world)
    stale = f'"{world.open.reponse.version + 7}"'
    response = api(world, RQ).patch(
        reponse_url(world), {"justification": "Écrasement ?"}, headers={"If-Match": stale}
    )
    assert response.status_code == 412
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Version périmée"
    assert state(world) == before
    assert journal(world) == journal_before


def test_a_save_made_in_between_is_never_overwritten(world):
    """Two tools read version v; the first saves; the second, still on v, gets 412."""
    headers = {"If-Match": f'"{world.open.reponse.version}"'}
    first = api(world, RQ).patch(reponse_url(world), {"justification": "Premier"}, headers=headers)
    assert first.status_code == 200
    second = api(world, DIR).patch(reponse_url(world), {"justification": "Second"}, headers=headers)
    assert second.status_code == 412
    assert Reponse.objects.get(pk=world.open.reponse.pk).justification == "Premier"


def test_without_if_match_the_write_answers_428(world):
    before = state(world)
    response = api(world, RQ).patch(reponse_url(world), {"justification": "Sans version"})
    assert response.status_code == 428
    assert state(world) == before


def test_all_fields_or_none(world):
    """An unknown level with a justification: 400, and the justification is not saved either."""
    before = state(world)
    response = api(world, RQ).patch(
        reponse_url(world),
        {"justification": "Avec un mauvais niveau", "niveau": 999_999},
        headers={"If-Match": f'"{world.open.reponse.version}"'},
    )
    assert response.status_code == 400
    assert "Niveau inconnu" in response.json()["detail"]
    assert state(world) == before


def test_a_read_only_token_may_not_write(world):
    secret = make_token(world.users[RQ], portee="lecture")
    before = state(world)
    response = ApiClient(secret).patch(
        reponse_url(world),
        {"justification": "Lecture seule"},
        headers={"If-Match": f'"{world.open.reponse.version}"'},
    )
    assert response.status_code == 403
    assert state(world) == before


def test_a_synthesis_is_saved_with_its_version(world):
    synthese = world.open.synthese
    url = reverse("api:api_synthese", args=[world.open.dossier.pk, synthese.pk])
    response = api(world, DIR).patch(
        url,
        {"synthese": "Synthèse", "points_forts": "Accueil"},
        headers={"If-Match": f'W/"{synthese.version}"'},
    )
    assert response.status_code == 200, response.content
    fresh = SyntheseCritere.objects.get(pk=synthese.pk)
    assert (fresh.synthese, fresh.points_forts, fresh.version) == (
        "Synthèse",
        "Accueil",
        synthese.version + 2,
    )
    assert response["ETag"] == f'"{fresh.version}"'
    stale = api(world, DIR).patch(
        url, {"synthese": "Autre"}, headers={"If-Match": f'"{synthese.version}"'}
    )
    assert stale.status_code == 412
    assert SyntheseCritere.objects.get(pk=synthese.pk).synthese == "Synthèse"


def test_plan_actions_are_created_and_edited_through_the_service(world):
    dossier = world.open.dossier
    critere = world.open.reponse.element.critere_id
    created = api(world, RQ).post(
        reverse("api:api_actions", args=[dossier.pk]),
        {"titre": "Former l'équipe", "criteres": [critere], "echeance": "2030-01-31"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    action = Action.objects.get(pk=body["id"])
    assert (action.titre, action.created_by, body["criteres"]) == (
        "Former l'équipe",
        world.users[RQ],
        [critere],
    )
    url = reverse("api:api_action", args=[dossier.pk, action.pk])
    etag = created["ETag"]
    edited = api(world, DIR).patch(url, {"statut": "fait"}, headers={"If-Match": etag})
    assert edited.status_code == 200, edited.content
    assert edited.json()["avancement"] == 100  # as on the page: done means 100 %
    stale = api(world, RQ).patch(url, {"titre": "Écrasement"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert Action.objects.get(pk=action.pk).titre == "Former l'équipe"
    assert [a for a, _, _ in journal(world)] == [JOURNAL_ACTION, JOURNAL_ACTION]


def test_a_reader_may_not_add_an_action(world):
    before = Action.objects.count()
    response = api(world, LECT).post(
        reverse("api:api_actions", args=[world.open.dossier.pk]),
        {"titre": "Non", "criteres": [world.open.reponse.element.critere_id]},
    )
    assert response.status_code == 403
    assert Action.objects.count() == before


def test_an_action_etag_follows_each_save(world):
    action = world.open.action
    response = api(world, RQ).get(
        reverse("api:api_action", args=[world.open.dossier.pk, action.pk])
    )
    assert response["ETag"] == action_etag(action)
