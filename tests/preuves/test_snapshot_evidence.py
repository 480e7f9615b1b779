"""Evidence of a submitted version: deleted from a reopened self-assessment, it stays (with its
file) for the version that lists it, readable from that version's page and nowhere else."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from campagnes.autoevaluations.models import Preuve, Snapshot
from campagnes.autoevaluations.preuves import add_preuve, delete_preuve
from campagnes.autoevaluations.services import take_snapshot
from tests.conftest import client_for
from tests.preuves import samples
from tests.preuves.samples import upload

pytestmark = pytest.mark.django_db


def _add(dossier, actor, critere, titre="Compte rendu du CA"):  # type: ignore[no-untyped-def]
    return add_preuve(
        dossier=dossier,
        actor=actor,
        critere=critere,
        titre=titre,
        date_effet=datetime.date(2025, 3, 1),
        upload=upload("CR CA.pdf", samples.PDF),
    )


def _snapshot_url(dossier, snapshot):  # type: ignore[no-untyped-def]
    return reverse("autoevaluations:autoevaluation_snapshot", args=[dossier.pk, snapshot.numero])


def _download_url(dossier, snapshot, preuve):  # type: ignore[no-untyped-def]
    return reverse(
        "autoevaluations:autoevaluation_snapshot_preuve",
        args=[dossier.pk, snapshot.numero, preuve.empreinte],
    )


@pytest.fixture
def submitted(dossier, referent, critere):  # type: ignore[no-untyped-def]
    """An evidence listed by a submitted version (the self-assessment open again since)."""
    preuve = _add(dossier, referent, critere, titre="Procès-verbal de l'assemblée 2025")
    snapshot = take_snapshot(dossier, referent)
    return preuve, snapshot


def test_deleting_evidence_a_version_lists_keeps_it_for_that_version(
    dossier, referent, submitted, media_root, django_capture_on_commit_callbacks
):
    preuve, snapshot = submitted
    path = media_root / preuve.fichier.name
    with django_capture_on_commit_callbacks(execute=True):
        delete_preuve(preuve=preuve, actor=referent)

    # Gone from the self-assessment as it stands…
    assert not Preuve.objects.filter(pk=preuve.pk).exists()
    assert not dossier.preuves.exists()
    listing = client_for(referent).get(reverse("autoevaluations:preuve_list", args=[dossier.pk]))
    assert "assemblée 2025" not in listing.content.decode()
    assert (
        client_for(referent)
        .get(reverse("autoevaluations:preuve_download", args=[dossier.pk, preuve.pk]))
        .status_code
        == 404
    )
    # …kept, with its file and who deleted it, for the version that lists it.
    kept = Preuve.with_deleted.get(pk=preuve.pk)
    assert kept.supprimee_le is not None and kept.supprimee_par == referent
    assert path.exists()
    page = client_for(referent).get(_snapshot_url(dossier, snapshot)).content.decode()
    assert _download_url(dossier, snapshot, preuve) in page and "assemblée 2025" in page
    response = client_for(referent).get(_download_url(dossier, snapshot, preuve))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == samples.PDF


def test_evidence_no_version_lists_is_deleted_with_its_file(
    dossier, referent, critere, submitted, media_root, django_capture_on_commit_callbacks
):
    later = _add(dossier, referent, critere, titre="Charte d'accueil 2026")
    later.empreinte = "0" * 64  # another document than the submitted one
    later.save(update_fields=["empreinte"])
    path = media_root / later.fichier.name
    with django_capture_on_commit_callbacks(execute=True):
        delete_preuve(preuve=later, actor=referent)
    assert not Preuve.with_deleted.filter(pk=later.pk).exists()
    assert not path.exists()


def test_a_version_serves_only_the_evidence_it_lists(dossier, referent, critere, submitted):
    preuve, snapshot = submitted
    other = _add(dossier, referent, critere, titre="Ajoutée après la soumission")
    other.empreinte = "f" * 64
    other.save(update_fields=["empreinte"])
    client = client_for(referent)
    assert client.get(_download_url(dossier, snapshot, other)).status_code == 404
    assert client.get(_download_url(dossier, snapshot, preuve)).status_code == 200
    missing = Snapshot(dossier=dossier, numero=snapshot.numero + 1)
    assert client.get(_download_url(dossier, missing, preuve)).status_code == 404


def test_the_version_s_evidence_is_404_outside_the_dossier_s_scope(dossier, outsider, submitted):
    preuve, snapshot = submitted
    assert client_for(outsider).get(_download_url(dossier, snapshot, preuve)).status_code == 404
