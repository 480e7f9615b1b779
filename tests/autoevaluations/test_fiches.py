"""Methodological sheets: downloadable by logged-in members, never directly from storage."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from campagnes.autoevaluations.models import FicheMethodologique
from labelml.structures.roles import Role
from tests.conftest import client_for, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def fiche(referentiel_ml, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    fiche = FicheMethodologique(
        critere=referentiel_ml.criteres.get(code="1.1"), titre="Guide gouvernance"
    )
    fiche.fichier.save("guide.pdf", ContentFile(b"%PDF-1.4 guide"), save=True)
    return fiche


def test_member_downloads_a_sheet_as_attachment(fiche, network):
    response = client_for(member(network["ml_a"], Role.LECTEUR)).get(
        reverse("autoevaluations:fiche_download", args=[fiche.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 guide"


def test_anonymous_is_sent_to_login_and_unknown_sheet_is_404(fiche, network):
    assert (
        Client().get(reverse("autoevaluations:fiche_download", args=[fiche.pk])).status_code == 302
    )
    client = client_for(member(network["ml_a"], Role.LECTEUR))
    assert (
        client.get(reverse("autoevaluations:fiche_download", args=[fiche.pk + 999])).status_code
        == 404
    )
