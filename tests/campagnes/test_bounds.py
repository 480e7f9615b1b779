"""Numeric and date fields of a campaign hold their meaning (issue 16, finding 5): a label is
valid 1 to 10 years, gaps are answered within 1 to 365 days, the closing follows the opening —
in the form, in the service and in the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from campagnes.models import Campagne
from campagnes.services import create_campagne
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def form_data(referentiel, **over):  # type: ignore[no-untyped-def]
    data = {
        "nom": "Campagne bornée",
        "referentiel": referentiel.pk,
        "date_ouverture": "2026-01-01",
        "date_cloture_autoevaluation": "2026-06-30",
        "delai_reponse_jours": "30",
        "validite_label_annees": "3",
    }
    data.update(over)
    return data


@pytest.mark.parametrize(
    "field,value",
    [
        ("validite_label_annees", "0"),
        ("validite_label_annees", "11"),
        ("validite_label_annees", "32767"),
        ("delai_reponse_jours", "0"),
        ("delai_reponse_jours", "366"),
    ],
)
def test_the_campaign_form_refuses_values_out_of_their_meaning(referentiel_ml, admin, field, value):
    response = client_for(admin).post(
        reverse("campagnes:campagne_create"), form_data(referentiel_ml, **{field: value})
    )
    assert response.status_code == 400
    assert not Campagne.objects.exists()


@pytest.mark.parametrize("years", [0, 11, 32767])
def test_the_service_refuses_a_label_validity_out_of_1_to_10_years(referentiel_ml, admin, years):
    with pytest.raises(ValidationError) as exc:
        create_campagne(
            actor=admin,
            nom="Campagne",
            referentiel=referentiel_ml,
            date_ouverture=dt.date(2026, 1, 1),
            date_cloture_autoevaluation=dt.date(2026, 6, 30),
            validite_label_annees=years,
        )
    assert "validite_label_annees" in exc.value.message_dict
    assert not Campagne.objects.exists()


def test_the_database_refuses_a_validity_written_around_the_service(referentiel_ml):
    with pytest.raises(IntegrityError), transaction.atomic():
        Campagne.objects.create(
            nom="Campagne",
            referentiel=referentiel_ml,
            date_ouverture=dt.date(2026, 1, 1),
            date_cloture_autoevaluation=dt.date(2026, 6, 30),
            validite_label_annees=32767,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Campagne.objects.create(
            nom="Campagne",
            referentiel=referentiel_ml,
            date_ouverture=dt.date(2026, 6, 30),
            date_cloture_autoevaluation=dt.date(2026, 1, 1),
        )


def test_ten_years_is_accepted(referentiel_ml, admin):
    response = client_for(admin).post(
        reverse("campagnes:campagne_create"), form_data(referentiel_ml, validite_label_annees="10")
    )
    assert response.status_code == 302
    assert Campagne.objects.get().validite_label_annees == 10
