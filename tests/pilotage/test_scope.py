"""Steering scope: national for UNML administrators, the ARML's Missions Locales for its
référent labellisation, nothing (404) for anyone else; filters outside the scope are 404."""

from __future__ import annotations

import pytest
from django.http import Http404, QueryDict

from labelml.pilotage.scope import dossiers_in_scope, parse_filters, scope_for_user
from labelml.structures.roles import Role
from tests.conftest import member, with_totp

pytestmark = pytest.mark.django_db


def test_a_national_admin_steers_every_region(network):
    scope = scope_for_user(with_totp(member(network["unml"], Role.ADMIN_UNML)))
    assert scope.national and {"11", "84"} <= set(scope.regions)


def test_an_arml_referent_steers_the_missions_locales_of_its_arml_only(network):
    scope = scope_for_user(member(network["arml_a"], Role.REFERENT_ARML))
    assert not scope.national
    assert scope.armls == (network["arml_a"].pk,) and scope.regions == ("11",)
    assert scope.label == "Île-de-France"


@pytest.mark.parametrize("role", [Role.REFERENT_QUALITE, Role.DIRECTION, Role.LECTEUR])
def test_members_of_a_mission_locale_steer_nothing(network, role):
    with pytest.raises(Http404):
        scope_for_user(member(network["ml_a"], role))


def test_a_region_outside_the_scope_or_an_unknown_campaign_is_404(network):
    scope = scope_for_user(member(network["arml_a"], Role.REFERENT_ARML))
    with pytest.raises(Http404):
        parse_filters(QueryDict("region=84"), scope)
    for raw in ("campagne=999", "campagne=abc"):
        with pytest.raises(Http404):
            parse_filters(QueryDict(raw), scope)
    assert parse_filters(QueryDict("region=11"), scope).region == "11"


def test_dossiers_in_scope_keep_to_the_arml_and_the_campaign(admin, campagne, network):
    from campagnes.services import open_campagne

    open_campagne(
        actor=admin,
        campagne=campagne,
        structures=[network["ml_a"], network["ml_a2"], network["ml_b"]],
    )
    arml = scope_for_user(member(network["arml_a"], Role.REFERENT_ARML))
    filters = parse_filters(QueryDict(""), arml)
    assert filters.campagne == campagne
    structures = set(dossiers_in_scope(arml, filters).values_list("structure_id", flat=True))
    assert structures == {network["ml_a"].pk, network["ml_a2"].pk}
    national = scope_for_user(admin)
    assert dossiers_in_scope(national, parse_filters(QueryDict(""), national)).count() == 3
    only_84 = parse_filters(QueryDict("region=84"), national)
    assert list(dossiers_in_scope(national, only_84).values_list("structure_id", flat=True)) == [
        network["ml_b"].pk
    ]
