"""Reads through the API: the same figures as the pages, filters, cursor pages, problem details,
and list endpoints whose number of queries does not grow with the data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campagnes.autoevaluations.selectors import dossier_progress
from labelml.pilotage import selectors as pilotage
from labelml.pilotage.scope import Filters, scope_for_user
from tests.api.conftest import api
from tests.test_authorization_matrix import ADMIN, ARML, ARML_X, OUT, RQ

pytestmark = pytest.mark.django_db


def test_a_dossier_has_its_state_path_progress_and_scores(world):
    dossier = world.labelled.dossier
    body = api(world, RQ).get(reverse("api:api_dossier", args=[dossier.pk])).json()
    progress = dossier_progress(dossier)
    assert body["statut"] == dossier.statut
    assert body["progression"]["pourcentage"] == progress.percent
    assert body["progression"]["elements_notes"] == progress.rated
    leaves = {s.section.code: s for s in progress.leaf_sections()}
    scores = {row["code"]: row for row in body["scores"]}
    for code, section in leaves.items():
        expected = section.score.quantize(Decimal("0.01")) if section.score is not None else None
        assert scores[code]["score"] == (str(expected) if expected is not None else None)
    steps = [step["action"] for step in body["parcours"]]
    assert steps == list(dossier.journal.order_by("at", "pk").values_list("action", flat=True))
    assert "submit_autoevaluation" in steps


def test_lists_are_filtered_by_campaign_region_and_state(world):
    client = api(world, ADMIN)
    url = reverse("api:api_dossiers")
    dossier = world.labelled.dossier
    ids = {
        row["id"]
        for row in client.get(
            url, {"campagne": dossier.campagne_id, "statut": dossier.statut, "region": "11"}
        ).json()["results"]
    }
    assert ids == {dossier.pk}
    assert client.get(url, {"region": "84", "statut": dossier.statut}).json()["results"] == []


def test_a_bad_filter_is_a_400_problem(world):
    response = api(world, ADMIN).get(
        reverse("api:api_dossiers"), {"region": "XX", "statut": "perdu"}
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["erreurs"]) == {"region", "statut"}
    assert body["type"] == "about:blank" and body["instance"].startswith("/api/v1/dossiers/")


def test_cursor_pages_walk_the_whole_list(world):
    client = api(world, ADMIN)
    seen: list[int] = []
    url: str | None = reverse("api:api_dossiers") + "?taille=1"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    everything = client.get(reverse("api:api_dossiers"), {"taille": 200}).json()["results"]
    assert seen == [row["id"] for row in everything] and len(seen) >= 3


def test_an_outsider_gets_the_same_404_as_a_missing_dossier(world):
    outsider = api(world, OUT).get(reverse("api:api_dossier", args=[world.labelled.dossier.pk]))
    missing = api(world, OUT).get(reverse("api:api_dossier", args=[10**9]))
    assert outsider.status_code == missing.status_code == 404
    assert outsider.json()["detail"] == missing.json()["detail"]


@pytest.mark.parametrize("actor", [ADMIN, ARML, ARML_X])
def test_the_steering_figures_are_the_dashboards(world, actor):
    user = world.users[actor]
    scope = scope_for_user(user)
    campagne = world.labelled.dossier.campagne
    body = api(world, actor).get(reverse("api:api_pilotage"), {"campagne": campagne.pk}).json()
    data = pilotage.dashboard(scope, Filters(campagne=campagne, region=None))
    assert body["dossiers"] == sum(r.count for r in data.statuts.rows)
    assert body["graphiques"]["statuts"]["values"] == [r.count for r in data.statuts.rows]
    assert body["perimetre"] == scope.label


def test_an_arml_cannot_read_another_regions_figures(world):
    response = api(world, ARML).get(reverse("api:api_pilotage"), {"region": "84"})
    assert response.status_code == 404


def test_the_audit_is_hidden_from_the_structure_until_validated(world):
    from audits.models import Audit

    url = reverse("api:api_audit", args=[world.labelled.dossier.pk])
    body = api(world, RQ).get(url).json()
    assert body["statut"] == Audit.Statut.VALIDE and body["constats"]
    Audit.objects.filter(dossier=world.labelled.dossier).update(statut=Audit.Statut.SOUMIS)
    assert api(world, RQ).get(url).status_code == 404
    assert api(world, ADMIN).get(url).status_code == 200


def test_decisions_and_labels(world):
    decisions = api(world, RQ).get(reverse("api:api_decisions", args=[world.labelled.dossier.pk]))
    [decision] = decisions.json()["results"]
    labels = api(world, RQ).get(reverse("api:api_labels")).json()["results"]
    assert decision["label"]["numero"] == world.label.numero
    assert world.label.numero in {row["numero"] for row in labels}


def test_the_referentiel_tree_is_whole(world):
    from referentiel.models import Critere, Element

    ref = world.referentiel
    body = api(world, RQ).get(reverse("api:api_referentiel", args=[ref.pk])).json()
    criteres = [c for s in body["sections"] for c in s["criteres"]]
    assert len(criteres) == Critere.objects.filter(referentiel=ref).count()
    assert (
        sum(len(c["elements"]) for c in criteres) == Element.objects.filter(referentiel=ref).count()
    )
    assert body["echelle_autoevaluation"]


# --- the same number of queries at 1× and 10× the data ----------------------------------------

LISTS = [
    ("api:api_dossiers", lambda w: []),
    ("api:api_structures", lambda w: []),
    ("api:api_campagnes", lambda w: []),
    ("api:api_labels", lambda w: []),
    ("api:api_referentiels", lambda w: []),
    ("api:api_reponses", lambda w: [w.labelled.dossier.pk]),
    ("api:api_syntheses", lambda w: [w.labelled.dossier.pk]),
    ("api:api_actions", lambda w: [w.labelled.dossier.pk]),
    ("api:api_decisions", lambda w: [w.labelled.dossier.pk]),
]


def _count(world: Any, name: str, args: list[int]) -> tuple[int, int]:
    client = api(world, ADMIN)
    client.get(reverse(name, args=args))  # the token's last use is recorded once a minute
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name, args=args), {"taille": 200})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["results"])


def _grow(world: Any) -> None:
    """Ten times the dossiers and structures (a campaign opened for 27 more Missions Locales),
    four times the labels and decisions (three more complete dossiers), ten times the plan."""
    import datetime as dt

    from django.utils import timezone

    from campagnes.plans.models import Action
    from campagnes.services import create_campagne, open_campagne
    from labelml.demo.samples import build_complete_dossier
    from tests.factories import MissionLocaleFactory

    for seed in range(3):
        build_complete_dossier(seed=100 + seed)
    today = timezone.localdate()
    campagne = create_campagne(
        actor=world.users[ADMIN],
        nom="Campagne de charge",
        referentiel=world.referentiel,
        date_ouverture=today,
        date_cloture_autoevaluation=today + dt.timedelta(days=30),
    )
    arml = world.structure.parent
    mls = [MissionLocaleFactory(parent=arml, region=arml.region) for _ in range(27)]
    open_campagne(actor=world.users[ADMIN], campagne=campagne, structures=mls)
    plan = world.labelled.dossier.plan
    critere = world.labelled.reponse.element.critere
    for i in range(50):
        action = Action.objects.create(plan=plan, titre=f"Action {i}", created_by=world.users[RQ])
        action.criteres.add(critere)


def test_list_queries_do_not_grow_with_the_data(world):
    small = {name: _count(world, name, args(world)) for name, args in LISTS}
    _grow(world)
    large = {name: _count(world, name, args(world)) for name, args in LISTS}
    for name, _ in LISTS:
        q_small, q_large = small[name][0], large[name][0]
        assert q_large == q_small, f"{name} : {q_small} requêtes, puis {q_large}"
    for name in (
        "api:api_dossiers",
        "api:api_structures",
        "api:api_campagnes",
        "api:api_labels",
        "api:api_actions",
    ):
        assert large[name][1] > small[name][1], name
    assert large["api:api_dossiers"][1] >= 10 * small["api:api_dossiers"][1] - 5
