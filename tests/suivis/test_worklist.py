"""The follow-up audit's lines of the home's "À faire" (issue 15): the UNML designates the
auditor, the structure prepares and sends its file before the mid-term date, the auditor reviews
it; each line a link to the page where it is done."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def a_faire(user: Any) -> str:
    html = unescape(client_for(user).get(reverse("home")).content.decode())
    start = html.index('id="titre-a-faire"')
    return html[start : html.index("</section>", start)]


def test_the_unml_designates_the_auditor_of_a_follow_up(suivi, admin):
    section = a_faire(admin)
    assert "Désigner l'auditeur de l'audit de suivi" in section
    assert f'href="{reverse("suivis:suivi_assign", args=[suivi.pk])}"' in section
    assert f'datetime="{suivi.date_prevue:%Y-%m-%d}"' in section


def test_the_structure_prepares_its_file_and_the_auditor_reviews_it(
    assigned_suivi, people, suivi_auditeur, admin
):
    url = f'href="{reverse("suivis:suivi_detail", args=[assigned_suivi.pk])}"'
    for user in (people.direction, people.referent):
        section = a_faire(user)
        assert "Préparer et transmettre le dossier de l'audit de suivi" in section
        assert url in section
    assert "Préparer et transmettre" not in a_faire(people.lecteur)
    assert "Désigner l'auditeur" not in a_faire(admin)
    assert "Revoir le dossier de suivi" not in a_faire(suivi_auditeur.user)


def test_the_auditor_reviews_a_transmitted_file(transmitted, suivi_auditeur, people):
    section = a_faire(suivi_auditeur.user)
    assert "Revoir le dossier de suivi" in section
    assert f'href="{reverse("suivis:suivi_detail", args=[transmitted.pk])}"' in section
    assert "Préparer et transmettre" not in a_faire(people.direction)
