"""The authorization matrix of the API: every endpoint × every actor of SPEC §2, each with a
read-and-write token of their own. The answers are the pages' (tests/test_authorization_matrix.py
RULES, the login page becoming 401): outside the scope 404, a forbidden action 403. A refused
write changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from labelml.api.views import action_etag
from tests.api.conftest import api
from tests.test_authorization_matrix import (
    ACTORS,
    ADMIN,
    ANON,
    D_READ,
    EVERYONE,
    FORBIDDEN,
    LOGGED,
    LOGIN,
    NOT_FOUND,
    OK,
    RULES,
    answers,
    footprint,
)
from tests.urlmap import iter_patterns

pytestmark = pytest.mark.django_db

UNAUTHORIZED = "401"


def page(name: str) -> dict[str, str]:
    """The page's GET answers, a token's 401 standing for the login page."""
    return {a: UNAUTHORIZED if code == LOGIN else code for a, code in RULES[name].get.items()}


def api_answers(**kwargs: Any) -> dict[str, str]:
    return answers(anon=UNAUTHORIZED, **kwargs)


# GET: the labelled dossier and its objects.
GET_RULES: dict[str, dict[str, str]] = {
    "api:api_schema": answers(ok=EVERYONE),
    "api:api_docs": answers(ok=EVERYONE),
    "api:api_referentiels": page("referentiel:referentiel_list"),
    "api:api_referentiel": page("referentiel:referentiel_detail"),
    "api:api_structures": page("structures:structure_list"),
    "api:api_structure": page("structures:structure_detail"),
    "api:api_campagnes": api_answers(ok=LOGGED),
    # The campaign page is the administrators' (campagne_detail); through the API, whoever
    # reads a dossier of the campaign reads the campaign's dates.
    "api:api_campagne": api_answers(ok=D_READ),
    "api:api_dossiers": api_answers(ok=LOGGED),
    "api:api_dossier": page("campagnes:dossier_detail"),
    "api:api_reponses": page("autoevaluations:autoevaluation_overview"),
    "api:api_reponse": page("autoevaluations:autoevaluation_critere"),
    "api:api_syntheses": page("autoevaluations:autoevaluation_overview"),
    "api:api_synthese": page("autoevaluations:autoevaluation_critere"),
    "api:api_actions": page("plans:plan_detail"),
    "api:api_action": page("plans:plan_detail"),
    "api:api_audit": page("audits:audit_gaps"),
    "api:api_decisions": page("campagnes:dossier_detail"),
    "api:api_labels": page("commission:label_list"),
    "api:api_pilotage": page("pilotage:pilotage_dashboard"),
}

# Writes, on the dossier in self-assessment: (method, the page whose POST rule they follow).
WRITE_RULES: dict[str, tuple[str, str]] = {
    "api:api_reponse": ("patch", "autoevaluations:autoevaluation_save_reponse"),
    "api:api_synthese": ("patch", "autoevaluations:autoevaluation_save_synthese"),
    "api:api_actions": ("post", "plans:plan_action_create"),
    "api:api_action": ("patch", "plans:plan_action_edit"),
}


API_ROUTES = sorted({name for name, route, _ in iter_patterns() if route.startswith("api/")})


def url(name: str, side: Any) -> str:
    params = re.findall(r"<(?:\w+:)?(\w+)>", _route_of(name))
    return reverse(name, kwargs={param: _value(name, param, side) for param in params})


def _route_of(name: str) -> str:
    return next(route for qualified, route, _ in iter_patterns() if qualified == name)


def _value(name: str, param: str, side: Any) -> int:
    world, sides = side
    if param == "pk":
        return {
            "api:api_referentiel": world.referentiel.pk,
            "api:api_structure": world.structure.pk,
            "api:api_campagne": world.campagne.pk,
        }.get(name, sides.dossier.pk)
    return {
        "api:api_reponse": sides.reponse.pk,
        "api:api_synthese": sides.synthese.pk,
        "api:api_action": sides.action.pk,
    }[name]


def _code(response: Any) -> str:
    return str(response.status_code)


@pytest.mark.parametrize("name", API_ROUTES)
def test_every_api_route_has_a_rule(name):
    assert name in GET_RULES, f"nouvelle route d'API sans règle d'autorisation : {name}"


@pytest.mark.parametrize(("name", "actor"), [(n, a) for n in sorted(GET_RULES) for a in ACTORS])
def test_get(world, name, actor):
    response = api(world, actor).get(url(name, (world, world.labelled)))
    expected = GET_RULES[name][actor]
    assert _code(response) == expected, f"GET {name} par {actor} : {response.content[:300]!r}"
    if expected != OK:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == int(expected)


WRITE_CELLS = [(n, a) for n in sorted(WRITE_RULES) for a in ACTORS]


def _body(world: Any, name: str) -> tuple[dict[str, Any], dict[str, str]]:
    side = world.open
    if name == "api:api_reponse":
        return {"justification": "Par l'API"}, {"If-Match": f'"{side.reponse.version}"'}
    if name == "api:api_synthese":
        return {"points_forts": "Par l'API"}, {"If-Match": f'"{side.synthese.version}"'}
    critere = side.reponse.element.critere_id
    if name == "api:api_actions":
        return {"titre": "Action par l'API", "criteres": [critere]}, {}
    return {"titre": "Renommée par l'API", "criteres": [critere]}, {
        "If-Match": action_etag(side.action)
    }


@pytest.mark.parametrize(("name", "actor"), WRITE_CELLS)
def test_write(world, name, actor):
    method, page_name = WRITE_RULES[name]
    rule = RULES[page_name]
    allowed = rule.post or frozenset()
    if actor == ANON:
        expected = UNAUTHORIZED
    elif actor in allowed:
        expected = "201" if method == "post" else OK
    else:
        expected = FORBIDDEN if actor in rule.who_sees() else NOT_FOUND
    body, headers = _body(world, name)
    response = getattr(api(world, actor), method)(
        url(name, (world, world.open)), body, headers=headers
    )
    assert _code(response) == expected, f"{method} {name} par {actor} : {response.content[:300]!r}"
    if expected in (OK, "201"):
        assert "ETag" in response
    else:
        assert footprint(world) == world.footprint, f"{method} {name} par {actor} a écrit"


def test_the_cast_has_tokens(world):
    assert set(world.tokens) == set(ACTORS) - {ANON}
    assert ADMIN in world.tokens
