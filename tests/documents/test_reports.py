"""PDF reports: a request creates a Document, the task renders it with WeasyPrint (eager here; a
real worker is issue 6's integration test), downloads are permission-checked."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from autoevaluations.models import Reponse
from documents.models import Document
from documents.tasks import render_document
from labelml.celery import app as celery_app
from structures.roles import Role
from tests.conftest import client_for, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def request_report(client, dossier, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("document_request", args=[dossier.pk]), {"kind": "autoevaluation"}
        )
    assert response.status_code == 302
    return Document.objects.get(dossier=dossier)


def test_the_self_assessment_report_is_rendered_and_downloadable(
    filled_dossier, people, django_capture_on_commit_callbacks
):
    before = list(
        Reponse.objects.filter(autoevaluation__dossier=filled_dossier).values_list(
            "pk", "version", "niveau_id"
        )
    )
    document = request_report(
        client_for(people.referent), filled_dossier, django_capture_on_commit_callbacks
    )
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.pages >= 2
    response = client_for(people.lecteur).get(
        reverse("document_download", args=[filled_dossier.pk, document.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    pdf = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert len(pdf.pages) == document.pages
    assert filled_dossier.structure.nom in text
    assert "La gouvernance est garante de la cohérence" in text  # a criterion title
    # Rendering never changes dossier data.
    after = list(
        Reponse.objects.filter(autoevaluation__dossier=filled_dossier).values_list(
            "pk", "version", "niveau_id"
        )
    )
    assert before == after


def test_a_redelivered_task_does_not_render_twice(
    filled_dossier, people, django_capture_on_commit_callbacks
):
    document = request_report(
        client_for(people.referent), filled_dossier, django_capture_on_commit_callbacks
    )
    assert render_document(document.pk) == "skipped"
    assert Document.objects.filter(dossier=filled_dossier).count() == 1


def test_a_failed_render_shows_its_error_and_can_be_retried(
    filled_dossier, people, monkeypatch, django_capture_on_commit_callbacks
):
    import documents.tasks as tasks

    def broken(kind, dossier):  # type: ignore[no-untyped-def]
        raise ValueError("gabarit introuvable")

    monkeypatch.setattr(tasks, "render", broken)
    client = client_for(people.referent)
    document = request_report(client, filled_dossier, django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED and "gabarit introuvable" in document.error
    assert (
        "gabarit introuvable"
        in client.get(reverse("document_list", args=[filled_dossier.pk])).content.decode()
    )
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("document_retry", args=[filled_dossier.pk, document.pk]))
    document.refresh_from_db()
    assert document.status == Document.Status.READY


def test_only_readers_of_the_dossier_get_its_documents(
    filled_dossier, people, network, django_capture_on_commit_callbacks
):
    document = request_report(
        client_for(people.referent), filled_dossier, django_capture_on_commit_callbacks
    )
    url = reverse("document_download", args=[filled_dossier.pk, document.pk])
    outsider = client_for(member(network["ml_b"], Role.DIRECTION))
    assert outsider.get(url).status_code == 404
    assert outsider.get(reverse("document_list", args=[filled_dossier.pk])).status_code == 404
    assert Client().get(url).status_code == 302
