"""`seed_demo` leaves work for every demo account (issue 15): each one's home lists at least one
piece of its own work in "À faire", as a link to a page that answers."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from labelml.demo.network import ACCOUNTS

pytestmark = pytest.mark.django_db

# What each account's "À faire" shows first of all (its own job).
EXPECTED = {
    "admin": "Planifier l'évaluation externe : Mission Locale Val-de-Marne Sud",
    "referent": "Compléter le critère",
    "contributeur": "qui vous est assigné",
    "direction": "Compléter le critère",
    "lecteur": "Suivre le dossier Mission Locale de Paris Est",
    "referent2": "Compléter le critère",
    "arml": "Dossier sans activité depuis 40 jours : Mission Locale Val-de-Marne Sud",
    "auditeur": "Renseigner les constats et rédiger le rapport : Mission Locale Essonne Nord",
    "auditeur-referent": "Relire le rapport d'évaluation : Mission Locale Grenoble Alpes",
    "commission": "Voter sur le dossier Mission Locale des Hauts-de-Bièvre",
    "president": "Présider le vote sur Mission Locale des Hauts-de-Bièvre et le clore",
}


def test_every_demo_account_finds_its_work_on_its_home_page():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent: the work is still there once
    users = get_user_model().objects.in_bulk(
        [account.email for account in ACCOUNTS], field_name="email"
    )
    assert set(EXPECTED) == {a.email.split("@")[0] for a in ACCOUNTS}
    for account in ACCOUNTS:
        client = Client()
        client.force_login(users[account.email])
        html = unescape(client.get("/").content.decode())
        start = html.index('id="titre-a-faire"')
        section = html[start : html.index("</section>", start)]
        name = account.email.split("@")[0]
        assert EXPECTED[name] in section, (name, section)
        links = re.findall(r'<a href="(/[^"]*)">', section)
        assert links, name
        for url in links[:5]:
            assert client.get(url).status_code == 200, (name, url)
