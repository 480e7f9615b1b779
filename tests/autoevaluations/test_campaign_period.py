"""The campaign's dates hold in the services (issue 16, finding 6): answers are written and the
self-assessment submitted only between the opening and the closing date, with a French message
naming the date; the UNML extends a closing date, and the dossiers' journals say so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from campagnes.autoevaluations.models import Reponse
from campagnes.autoevaluations.services import save_reponse_field, submit_autoevaluation
from campagnes.models import Campagne, DossierTransition
from campagnes.services import extend_closing
from labelml.core.transitions import TransitionError
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def move_dates(campagne: Campagne, opening: dt.date, closing: dt.date) -> None:
    Campagne.objects.filter(pk=campagne.pk).update(
        date_ouverture=opening, date_cloture_autoevaluation=closing
    )


def a_reponse(dossier) -> Reponse:  # type: ignore[no-untyped-def]
    return Reponse.objects.select_related(
        "element", "autoevaluation__dossier__campagne__referentiel"
    ).get(autoevaluation__dossier=dossier, element__code="1.1.e1")


def save(dossier, user, text="Constat"):  # type: ignore[no-untyped-def]
    reponse = a_reponse(dossier)
    return save_reponse_field(
        reponse=reponse, actor=user, champ="justification", valeur=text, version=reponse.version
    )


def test_no_answer_after_the_closing_date(dossier, campagne, people):
    today = dt.date.today()
    move_dates(campagne, today - dt.timedelta(days=100), today - dt.timedelta(days=1))
    closing = today - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match=f"close depuis le {closing:%d/%m/%Y}"):
        save(dossier, people.referent)
    assert a_reponse(dossier).version == 0


def test_no_answer_before_the_opening_date(dossier, campagne, people):
    today = dt.date.today()
    move_dates(campagne, today + dt.timedelta(days=3), today + dt.timedelta(days=90))
    with pytest.raises(ValidationError, match=f"ouvre le {today + dt.timedelta(days=3):%d/%m/%Y}"):
        save(dossier, people.referent)


def test_the_closing_day_itself_is_open(dossier, campagne, people):
    today = dt.date.today()
    move_dates(campagne, today - dt.timedelta(days=100), today)
    assert save(dossier, people.referent).ok


def test_the_autosave_answers_400_with_the_date_after_closing(dossier, campagne, people):
    today = dt.date.today()
    move_dates(campagne, today - dt.timedelta(days=100), today - dt.timedelta(days=2))
    reponse = a_reponse(dossier)
    response = client_for(people.referent).post(
        reverse("autoevaluations:autoevaluation_save_reponse", args=[dossier.pk, reponse.pk]),
        {"champ": "justification", "version": 0, "justification": "Trop tard"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert f"{today - dt.timedelta(days=2):%d/%m/%Y}" in response.content.decode()
    assert a_reponse(dossier).version == 0


def test_no_submission_after_the_closing_date(filled_dossier, campagne, people):
    today = dt.date.today()
    move_dates(campagne, today - dt.timedelta(days=100), today - dt.timedelta(days=1))
    with pytest.raises(TransitionError, match="close depuis le"):
        submit_autoevaluation(filled_dossier, people.direction)


def test_the_unml_extends_the_closing_and_the_journal_says_so(dossier, campagne, people, admin):
    today = dt.date.today()
    move_dates(campagne, today - dt.timedelta(days=100), today - dt.timedelta(days=1))
    new = today + dt.timedelta(days=15)

    response = client_for(admin).post(
        reverse("campagnes:campagne_extend", args=[campagne.pk]),
        {"date_cloture": new.isoformat(), "motif": "Retard de la plateforme"},
    )

    assert response.status_code == 302
    assert Campagne.objects.get(pk=campagne.pk).date_cloture_autoevaluation == new
    step = DossierTransition.objects.get(dossier=dossier, action="extend_closing")
    assert step.actor == admin and "Retard de la plateforme" in step.reason
    assert f"{new:%d/%m/%Y}" in step.reason
    assert step.action_label == "Clôture des auto-évaluations prolongée"
    assert save(dossier, people.referent).ok  # open again


def test_an_extension_never_brings_the_closing_forward(campagne, admin):
    before = campagne.date_cloture_autoevaluation
    with pytest.raises(ValidationError):
        extend_closing(
            actor=admin, campagne=campagne, date_cloture=before - dt.timedelta(days=1), motif="x"
        )
    response = client_for(admin).post(
        reverse("campagnes:campagne_extend", args=[campagne.pk]),
        {"date_cloture": before.isoformat(), "motif": "Rien"},
    )
    assert response.status_code == 400
    assert Campagne.objects.get(pk=campagne.pk).date_cloture_autoevaluation == before


def test_only_the_unml_extends_a_campaign(campagne, people):
    url = reverse("campagnes:campagne_extend", args=[campagne.pk])
    new = (campagne.date_cloture_autoevaluation + dt.timedelta(days=10)).isoformat()
    for user in (people.direction, people.arml):
        assert client_for(user).post(url, {"date_cloture": new, "motif": "x"}).status_code == 404
    assert not DossierTransition.objects.filter(action="extend_closing").exists()
