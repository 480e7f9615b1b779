"""The commission under real concurrency (PostgreSQL only, threads with their own
connections): simultaneous decisions get distinct, gapless certificate numbers; votes racing
the closing of the vote are either counted before it or refused after it, never a 500."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audits.commission import services
from audits.commission.models import Label, PointOrdreDuJour, Vote
from labelml.accounts.models import User
from tests.autoevaluations.test_concurrency import run_concurrently
from tests.commission.test_rules_at_the_moment import decisions_for
from tests.commission.test_services import answered, seance  # noqa: F401  (fixtures)
from tests.factories import MembreCommissionFactory
from tests.worker import wait_until

pytestmark = pytest.mark.services

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_simultaneous_decisions_get_distinct_gapless_certificate_numbers(answered):  # noqa: F811
    decisions = decisions_for(answered, THREADS)
    year = timezone.localdate().year

    finished: list[str] = []

    def others_wait_for_the_counter() -> bool:
        # Another connection blocked on the counter's row lock, or nobody left to race.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            waiting = cursor.fetchone()[0]
        return waiting > 0 or len(finished) == THREADS - 1

    def grant(decision_pk: int):  # type: ignore[no-untyped-def]
        def run() -> str:
            with transaction.atomic():
                numero = services.next_certificate_number(year)
                # The decision goes on writing while holding its number, until another one
                # is seen waiting for the counter: the race is real, not left to the timing.
                wait_until(others_wait_for_the_counter, timeout=10, what="the other decisions")
                today = timezone.localdate()
                Label.objects.create(
                    structure_id=answered.structure_id,
                    decision_id=decision_pk,
                    numero=numero,
                    date_debut=today,
                    date_fin=today,
                )
            finished.append(numero)
            return numero

        return run

    numbers = run_concurrently([grant(d.pk) for d in decisions])

    expected = [f"LML-{year}-{n:05d}" for n in range(1, THREADS + 1)]
    assert sorted(numbers) == expected
    assert sorted(Label.objects.values_list("numero", flat=True)) == expected


@pytest.mark.django_db(transaction=True)
def test_votes_racing_the_close_are_counted_before_it_or_refused_after_it(seance, answered, admin):  # noqa: F811
    extra = [MembreCommissionFactory() for _ in range(THREADS - 1)]
    seance.membres.add(*extra)
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=answered)
    voters = [seance.m1, seance.m2, *extra]
    outcomes: dict[int, str] = {}

    def vote(user_pk: int):  # type: ignore[no-untyped-def]
        def run() -> str:
            user = User.objects.get(pk=user_pk)
            try:
                services.cast_vote(
                    point=PointOrdreDuJour.objects.get(pk=point.pk), user=user, choix="favorable"
                )
            except ValidationError as exc:
                assert "clos" in exc.messages[0]
                outcomes[user_pk] = "refused"
                return "refused"
            outcomes[user_pk] = "counted"
            return "counted"

        return run

    def close():  # type: ignore[no-untyped-def]
        # The close starts once the first vote is in: the others race it.
        wait_until(lambda: outcomes, timeout=30, what="the first vote")
        return services.close_vote(
            point=PointOrdreDuJour.objects.get(pk=point.pk),
            user=User.objects.get(pk=seance.chair.user_id),
        )

    results = run_concurrently([vote(m.user_id) for m in voters] + [close])
    tally = results[-1]

    point.refresh_from_db()
    # Closed either way: with its quorum, or without it when the close came before enough votes
    # (the item then goes back to the agenda); the votes it counted are the same.
    assert point.vote in (PointOrdreDuJour.Vote.CLOS, PointOrdreDuJour.Vote.SANS_QUORUM)
    counted = {pk for pk, o in outcomes.items() if o == "counted"}
    stored = set(Vote.objects.filter(point=point).values_list("membre__user_id", flat=True))
    assert stored == counted  # every acknowledged vote is stored, no refused one is
    assert tally.participants == len(counted)  # the closing counted exactly those
    assert all(v.updated_at <= point.clos_le for v in Vote.objects.filter(point=point))
