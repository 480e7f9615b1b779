"""The authorization matrix of the API: every endpoint × every actor of SPEC §2, each with a
read-and-write token of their own. The answers are the pages' (tests/test_authorization_matrix.py
RULES, the login page becoming 401): outside the scope 404, a forbidden action 403. A refused
write changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

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

pytestmark = pytest.mark.django_db

UNAUTHORIZED = "401"


def page(name: str) -> dict[str, str]:
    """The page's GET answers, a token's 401 standing for the login page."""
    return {a: UNAUTHORIZED if code == LOGIN else code for a, code in RULES[name].get.items()}


def api_answers(**kwargs: Any) -> dict[str, str]:
    return answers(anon=UNAUTHORIZED, **kwargs)


# GET: the labelled dossier and its objects.
GET_RULES: dict[str, dict[str, str]] = {
    "api_schema": answers(ok=EVERYONE),
    "api_docs": answers(ok=EVERYONE),
    "api_referentiels": page("referentiel_list"),
    "api_referentiel": page("referentiel_detail"),
    "api_structures": page("structure_list"),
    "api_structure": page("structure_detail"),
    "api_campagnes": api_answers(ok=LOGGED),
    # The campaign page is the administrators' (campagne_detail); through the API, whoever
    # reads a dossier of the campaign reads the campaign's dates.
    "api_campagne": api_answers(ok=D_READ),
    "api_dossiers": api_answers(ok=LOGGED),
    "api_dossier": page("dossier_detail"),
    "api_reponses": page("autoevaluation_overview"),
    "api_reponse": page("autoevaluation_critere"),
    "api_syntheses": page("autoevaluation_overview"),
    "api_synthese": page("autoevaluation_critere"),
    "api_actions": page("plan_detail"),
    "api_action": page("plan_detail"),
    "api_audit": page("audit_gaps"),
    "api_decisions": page("dossier_detail"),
    "api_labels": page("label_list"),
    "api_pilotage": page("pilotage_dashboard"),
}

# Writes, on the dossier in self-assessment: (method, the page whose POST rule they follow).
WRITE_RULES: dict[str, tuple[str, str]] = {
    "api_reponse": ("patch", "autoevaluation_save_reponse"),
    "api_synthese": ("patch", "autoevaluation_save_synthese"),
    "api_actions": ("post", "plan_action_create"),
    "api_action": ("patch", "plan_action_edit"),
}


def iter_api_routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from iter_api_routes(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name and (prefix + str(p.pattern)).startswith("api/"):
            yield p.name


API_ROUTES = sorted(set(iter_api_routes()))


def url(name: str, side: Any) -> str:
    params = re.findall(r"<(?:\w+:)?(\w+)>", _route_of(name))
    return reverse(name, kwargs={param: _value(name, param, side) for param in params})


def _route_of(name: str) -> str:
    from labelml.api import urls

    return next(str(p.pattern) for p in urls.urlpatterns if p.name == name)


def _value(name: str, param: str, side: Any) -> int:
    world, sides = side
    if param == "pk":
        return {
            "api_referentiel": world.referentiel.pk,
            "api_structure": world.structure.pk,
            "api_campagne": world.campagne.pk,
        }.get(name, sides.dossier.pk)
    return {
        "api_reponse": sides.reponse.pk,
        "api_synthese": sides.synthese.pk,
        "api_action": sides.action.pk,
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
    if name == "api_reponse":
        return {"justification": "Par l'API"}, {"If-Match": f'"{side.reponse.version}"'}
    if name == "api_synthese":
        return {"points_forts": "Par l'API"}, {"If-Match": f'"{side.synthese.version}"'}
    critere = side.reponse.element.critere_id
    if name == "api_actions":
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
