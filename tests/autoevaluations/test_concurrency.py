"""Optimistic concurrency under real concurrency (PostgreSQL only): ten people save the same field
at the same instant. Exactly one wins per version, the others get the winner's value, and no
acknowledged save is ever lost (SPEC §4)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from campagnes.autoevaluations.models import Reponse, Saisie, SyntheseCritere
from campagnes.autoevaluations.services import save_reponse_field, save_synthese_field
from campagnes.services import create_campagne, open_campagne
from labelml.core.autosave import SaveResult
from labelml.structures.roles import Role
from tests.conftest import member, with_totp

pytestmark = pytest.mark.services

THREADS = 10
MAX_ATTEMPTS = 200


def run_concurrently(workers: list[Callable[[], Any]], timeout: float = 60) -> list[Any]:
    """Run each worker in its own thread (hence its own database connection), all released at
    once by a barrier. Returns each worker's result, re-raising the first error."""
    barrier = threading.Barrier(len(workers), timeout=timeout)
    results: list[Any] = [None] * len(workers)
    errors: list[BaseException] = []

    def run(i: int, worker: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = worker()
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def editors(referentiel_ml, network):  # type: ignore[no-untyped-def]
    """The dossier of ML A and ten of its members allowed to edit it."""
    import datetime as dt

    admin = with_totp(member(network["unml"], Role.ADMIN_UNML))
    campagne = create_campagne(
        actor=admin,
        nom="Campagne concurrente",
        referentiel=referentiel_ml,
        date_ouverture=dt.date.today() - dt.timedelta(days=60),
        date_cloture_autoevaluation=dt.date.today() + dt.timedelta(days=120),
    )
    [dossier] = open_campagne(actor=admin, campagne=campagne, structures=[network["ml_a"]]).created
    roles = [Role.REFERENT_QUALITE, Role.DIRECTION]
    users = [member(network["ml_a"], roles[i % 2]) for i in range(THREADS)]
    return dossier, users


def fresh_reponse(pk: int) -> Reponse:
    return Reponse.objects.select_related(
        "element", "autoevaluation__dossier__campagne__referentiel"
    ).get(pk=pk)


def fresh_synthese(pk: int) -> SyntheseCritere:
    return SyntheseCritere.objects.select_related("autoevaluation__dossier").get(pk=pk)


def fresh_user(user: Any) -> Any:
    return type(user).objects.get(pk=user.pk)


def reponse_saver(pk: int, user: Any, value: str, version: int) -> Callable[[], SaveResult]:
    def save() -> SaveResult:
        return save_reponse_field(
            reponse=fresh_reponse(pk),
            actor=fresh_user(user),
            champ="justification",
            valeur=value,
            version=version,
        )

    return save


def retrying_reponse_saver(
    pk: int, user: Any, value: str, version: int
) -> Callable[[], list[SaveResult]]:
    """Retry with the version each conflict returns until the save is acknowledged."""

    def save() -> list[SaveResult]:
        reponse, actor = fresh_reponse(pk), fresh_user(user)
        attempts: list[SaveResult] = []
        current = version
        for _ in range(MAX_ATTEMPTS):
            result = save_reponse_field(
                reponse=reponse, actor=actor, champ="justification", valeur=value, version=current
            )
            attempts.append(result)
            if result.ok:
                return attempts
            current = result.version
        raise AssertionError(f"{value!r} never got through in {MAX_ATTEMPTS} attempts")

    return save


def assert_one_winner(results: list[SaveResult], values: list[str], version: int) -> int:
    """Exactly one save acknowledged at version+1; the others carry the winner's value."""
    winners = [i for i, r in enumerate(results) if r.ok]
    assert len(winners) == 1, results
    [w] = winners
    assert results[w].version == version + 1
    assert results[w].value == values[w]
    for i, r in enumerate(results):
        if i != w:
            assert r.version == version + 1
            assert r.value == values[w]
    return w


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_answer_saves_one_wins_none_is_lost_and_retries_all_land(editors):
    dossier, users = editors
    reponse = Reponse.objects.get(autoevaluation__dossier=dossier, element__code="1.1.e1")
    assert reponse.version == 0

    # Round 1: everyone saves from version 0.
    values = [f"Justification de la personne {i}" for i in range(THREADS)]
    results = run_concurrently(
        [reponse_saver(reponse.pk, users[i], values[i], 0) for i in range(THREADS)]
    )

    winner = assert_one_winner(results, values, 0)
    reponse.refresh_from_db()
    assert (reponse.justification, reponse.version) == (values[winner], 1)
    assert reponse.updated_by_id == users[winner].pk
    rows = list(
        Saisie.objects.filter(reponse=reponse, champ="justification").values_list(
            "valeur", "version", "user_id"
        )
    )
    assert rows == [(values[winner], 1, users[winner].pk)]

    # Round 2: each loser retries with the version it got back, until it gets through.
    losers = [i for i in range(THREADS) if i != winner]
    retry_values = [f"Reprise de la personne {i}" for i in losers]
    attempts = run_concurrently(
        [
            retrying_reponse_saver(reponse.pk, users[i], value, results[i].version)
            for i, value in zip(losers, retry_values, strict=True)
        ]
    )

    acknowledged = [(results[winner].value, results[winner].version)] + [
        (a[-1].value, a[-1].version) for a in attempts
    ]
    assert all(a[-1].ok for a in attempts)
    assert all(not r.ok for a in attempts for r in a[:-1])
    assert sorted(v for _, v in acknowledged) == list(range(1, THREADS + 1))
    saisies = list(
        Saisie.objects.filter(reponse=reponse, champ="justification")
        .order_by("pk")
        .values_list("valeur", "version")
    )
    assert len(saisies) == THREADS
    assert [v for _, v in saisies] == list(range(1, THREADS + 1))  # strictly increasing
    assert sorted(saisies, key=lambda s: s[1]) == sorted(acknowledged, key=lambda s: s[1])
    last_value = max(acknowledged, key=lambda s: s[1])[0]
    reponse.refresh_from_db()
    assert (reponse.justification, reponse.version) == (last_value, THREADS)


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_level_saves_one_wins(editors):
    from referentiel.models import Niveau

    dossier, users = editors
    reponse = Reponse.objects.get(autoevaluation__dossier=dossier, element__code="2.1.e1")
    levels = list(
        Niveau.objects.filter(
            echelle_id=dossier.campagne.referentiel.echelle_autoevaluation_id,
            code__in=["1", "2", "3", "4"],
        )
    )
    values = [str(levels[i % len(levels)].pk) for i in range(THREADS)]

    def saver(i: int) -> Callable[[], SaveResult]:
        def save() -> SaveResult:
            return save_reponse_field(
                reponse=fresh_reponse(reponse.pk),
                actor=fresh_user(users[i]),
                champ="niveau",
                valeur=values[i],
                version=0,
            )

        return save

    results = run_concurrently([saver(i) for i in range(THREADS)])

    winner = assert_one_winner(results, values, 0)
    reponse.refresh_from_db()
    assert (str(reponse.niveau_id), reponse.version) == (values[winner], 1)
    assert list(
        Saisie.objects.filter(reponse=reponse).values_list("champ", "valeur", "version")
    ) == [("niveau", values[winner], 1)]


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_synthesis_saves_one_wins_none_is_lost(editors):
    dossier, users = editors
    synthese = SyntheseCritere.objects.get(autoevaluation__dossier=dossier, critere__code="3.1")
    values = [f"Synthèse rédigée par la personne {i}" for i in range(THREADS)]

    def saver(i: int) -> Callable[[], SaveResult]:
        def save() -> SaveResult:
            return save_synthese_field(
                synthese=fresh_synthese(synthese.pk),
                actor=fresh_user(users[i]),
                champ="synthese",
                valeur=values[i],
                version=0,
            )

        return save

    results = run_concurrently([saver(i) for i in range(THREADS)])

    winner = assert_one_winner(results, values, 0)
    synthese.refresh_from_db()
    assert (synthese.synthese, synthese.version) == (values[winner], 1)
    assert synthese.updated_by_id == users[winner].pk
    assert list(
        Saisie.objects.filter(synthese=synthese).values_list("champ", "valeur", "version")
    ) == [("synthese", values[winner], 1)]
