"""The demo holds published practices across criteria and regions (issue 18), written through
the real services; the demo referent finds other Missions Locales' practices on the criterion
page it fills. The demo is seeded once for the module (`demo`, rolled back after its last
test); each test reads it, or writes more, in its own savepoint."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from audits.pratiques.models import Pratique
from campagnes.models import Dossier, DossierTransition
from labelml.demo.dossiers import CAMPAGNE
from labelml.demo.pratiques import NATIONAL_COUNT, seed_pratiques
from labelml.structures.models import Structure
from tests.conftest import client_for
from tests.worlds import rolled_back_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """`seed_demo` run once on the database, its data kept for the module."""
    with rolled_back_world(django_db_blocker) as settle:
        call_command("seed_demo", stdout=io.StringIO())
        yield settle(None)  # the seeded database is the world


def test_seed_demo_publishes_practices_of_both_regions_and_is_idempotent(demo):
    published = Pratique.objects.shared_with_network()
    assert published.count() == 4
    assert set(published.values_list("structure__region", flat=True)) == {"11", "84"}
    assert published.values("criteres").distinct().count() >= 4
    assert not published.filter(structure__code="ml-paris-est").exists()
    steps = DossierTransition.objects.filter(subject="pratique").count()
    assert steps == 3 * published.count()  # proposed, consented, published: the journal's
    call_command("seed_demo", stdout=io.StringIO())
    assert Pratique.objects.count() == 4
    others = Dossier.objects.filter(campagne__nom=CAMPAGNE).exclude(structure__code="ml-paris-est")
    assert seed_pratiques() == others.count() - 4  # the rest (Paris Est is kept out)
    assert seed_pratiques() == 0


def test_the_demo_referent_finds_them_on_the_criterion_page_it_fills(demo):
    from labelml.accounts.models import User

    referent = User.objects.get(email="referent@demo.labelml.fr")
    dossier = Dossier.objects.get(campagne__nom=CAMPAGNE, structure__code="ml-paris-est")
    pratique = Pratique.objects.shared_with_network().prefetch_related("criteres").first()
    code = pratique.criteres.all()[0].code
    html = (
        client_for(referent)
        .get(reverse("autoevaluations:autoevaluation_critere", args=[dossier.pk, code]))
        .content.decode()
    )
    assert "Pratiques remarquables du réseau" in html and pratique.titre in html


def test_the_national_demo_spreads_practices_over_the_regions(demo):
    from labelml.demo.national import seed_national

    seed_national(campaigns=1, missions_locales=40)
    seed_pratiques()
    published = Pratique.objects.shared_with_network()
    regions = set(published.values_list("structure__region", flat=True))
    with_dossier = set(
        Structure.objects.filter(
            dossiers__campagne__nom=CAMPAGNE, type="mission_locale"
        ).values_list("region", flat=True)
    )
    assert regions == with_dossier and len(regions) >= 2
    assert published.filter(consentement="public").exists()
    assert published.values("criteres").distinct().count() >= 15
    # One per Mission Locale with a dossier of the campaign (the national seed's 40 and the
    # commission demo's), Paris Est kept out.
    mls = (
        Structure.objects.filter(dossiers__campagne__nom=CAMPAGNE, type="mission_locale")
        .distinct()
        .count()
    )
    assert published.count() == min(NATIONAL_COUNT, mls - 1)
