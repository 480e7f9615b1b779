"""The footer of every page links to the RGAA accessibility statement (with its conformity
status, the date of the evaluation and the way to report a problem), the legal notices and the
personal data page; all three are public. A favicon is linked (SVG, ICO fallback)."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PAGES = ("accessibilite", "mentions_legales", "donnees_personnelles")


@pytest.mark.parametrize("name", PAGES)
def test_the_footer_pages_are_public_and_linked_from_every_page(name):
    client = Client()
    response = client.get(reverse(name))
    assert response.status_code == 200
    for other in PAGES:
        assert f'href="{reverse(other)}"' in response.content.decode()
    login = client.get(reverse("account_login")).content.decode()
    assert f'href="{reverse(name)}"' in login


def test_the_accessibility_statement_says_its_status_date_and_how_to_report_a_problem():
    html = Client().get(reverse("accessibilite")).content.decode()
    assert "partiellement conforme" in html
    assert "RGAA" in html
    assert "1er décembre 2026" in html
    assert "Retour d'information et contact" in html
    assert "Défenseur des droits" in html


def test_a_logged_in_page_has_the_footer_and_the_favicon(network):
    from labelml.structures.roles import Role
    from tests.conftest import member

    html = client_for(member(network["ml_a"], Role.REFERENT_QUALITE)).get("/").content.decode()
    assert "Mentions légales" in html and "Données personnelles" in html
    assert 'rel="icon"' in html and "favicon.svg" in html and "favicon.ico" in html
    assert finders.find("favicon.svg") and finders.find("favicon.ico")
