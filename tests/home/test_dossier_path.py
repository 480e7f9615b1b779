"""The dossier's path (issue 15): on every page of a dossier, the workflow's steps as an ordered
list, the current one marked `aria-current="step"`, the dates passed and due, and who acts
next, in plain French."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from campagnes.models import Dossier
from campagnes.path import STEPS, dossier_path, step_index
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def path_html(user: Any, url: str) -> str:
    html = unescape(client_for(user).get(url).content.decode())
    start = html.index('<section class="parcours"')
    return html[start : html.index("</section>", start)]


def current_step(section: str) -> str:
    match = re.search(r'<li[^>]*aria-current="step"[^>]*>(.*?)</li>', section, re.S)
    assert match, section
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_every_state_of_the_dossier_has_its_step_and_its_next_actor():
    from campagnes.path import NEXT

    for statut in Dossier.Statut.values:
        assert 0 <= step_index(statut) < len(STEPS)
        assert NEXT[statut]


def test_the_path_is_an_ordered_list_with_the_current_step_and_its_deadline(dossier, people):
    section = path_html(people.referent, reverse("campagnes:dossier_detail", args=[dossier.pk]))
    assert '<ol class="parcours-etapes">' in section
    assert section.count("<li") == len(STEPS)
    assert section.count('aria-current="step"') == 1
    step = current_step(section)
    assert step.startswith("Auto-évaluation (étape en cours)")
    # Since the campaign opened it; due at the campaign's closing of the self-assessments.
    closing = date_format(dossier.campagne.date_cloture_autoevaluation, "j F Y")
    assert "depuis le" in step and f"Clôture des auto-évaluations : {closing}" in step
    assert "(étape à venir)" in section
    assert "Qui agit maintenant :" in section and "la direction la soumet" in section


def test_the_path_is_on_every_tab_of_the_dossier(dossier, people):
    for name in (
        "autoevaluations:autoevaluation_overview",
        "plans:plan_detail",
        "autoevaluations:preuve_list",
        "campagnes:dossier_history",
    ):
        assert 'aria-current="step"' in path_html(
            people.lecteur, reverse(name, args=[dossier.pk])
        ), name


def test_the_path_follows_the_audit_with_its_dates_on_site(assigned, people, auditeur):
    section = path_html(auditeur.user, reverse("audits:audit_overview", args=[assigned.dossier_id]))
    step = current_step(section)
    assert step.startswith("Évaluation externe (étape en cours)")
    assert "Évaluation externe planifiée" in step
    assert "Premier jour sur site : 15 septembre 2025" in step
    # The steps behind it are passed, with their dates.
    assert section.count("(étape franchie)") == 3
    assert "L'auditeur désigné démarre l'évaluation externe sur site." in section


def test_the_path_gives_the_deadline_of_the_answers_to_the_gaps(validated, people):
    from audits.selectors import gap_deadline

    path = dossier_path(validated.dossier)
    assert path.current.title == "Réponse aux écarts"
    assert path.current.due == gap_deadline(validated)
    assert "La direction de la structure répond aux écarts" in path.next_actor
    done = [s for s in path.steps if s.status == "fait"]
    assert all(s.started and s.ended for s in done[1:])


def test_the_path_gives_the_date_of_the_seance(point, seance, people):
    from django.utils import timezone

    path = dossier_path(Dossier.objects.get(pk=point.dossier_id))
    assert path.current.title == "Commission de labellisation"
    assert path.current.due == timezone.localdate(seance.date)
