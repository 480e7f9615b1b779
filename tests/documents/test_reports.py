"""PDF reports: a request creates a Document, the task renders it with WeasyPrint (eager here; a
real worker is issue 6's integration test), downloads are permission-checked."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from campagnes.autoevaluations.models import Reponse
from labelml.celery import app as celery_app
from labelml.documents.models import Document
from labelml.documents.tasks import render_document
from labelml.structures.roles import Role
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
            reverse("documents:document_request", args=[dossier.pk]), {"type": "autoevaluation"}
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
    assert document.statut == Document.Statut.READY and document.pages >= 2
    response = client_for(people.lecteur).get(
        reverse("documents:document_download", args=[filled_dossier.pk, document.pk])
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
    import labelml.documents.tasks as tasks

    def broken(kind, dossier):  # type: ignore[no-untyped-def]
        raise ValueError("gabarit introuvable")

    monkeypatch.setattr(tasks, "render", broken)
    client = client_for(people.referent)
    document = request_report(client, filled_dossier, django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.statut == Document.Statut.FAILED and "gabarit introuvable" in document.error
    assert (
        "gabarit introuvable"
        in client.get(reverse("documents:document_list", args=[filled_dossier.pk])).content.decode()
    )
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("documents:document_retry", args=[filled_dossier.pk, document.pk]))
    document.refresh_from_db()
    assert document.statut == Document.Statut.READY


def test_only_readers_of_the_dossier_get_its_documents(
    filled_dossier, people, network, django_capture_on_commit_callbacks
):
    document = request_report(
        client_for(people.referent), filled_dossier, django_capture_on_commit_callbacks
    )
    url = reverse("documents:document_download", args=[filled_dossier.pk, document.pk])
    outsider = client_for(member(network["ml_b"], Role.DIRECTION))
    assert outsider.get(url).status_code == 404
    assert (
        outsider.get(reverse("documents:document_list", args=[filled_dossier.pk])).status_code
        == 404
    )
    assert Client().get(url).status_code == 302


def test_the_page_lists_the_five_documents_and_says_why_one_cannot_exist_yet(
    filled_dossier, people
):
    html = client_for(people.lecteur).get(
        reverse("documents:document_list", args=[filled_dossier.pk])
    )
    text = html.content.decode()
    for label in Document.Type.labels:
        assert label.replace("'", "&#x27;") in text
    assert "Aucun audit n&#x27;a encore eu lieu pour ce dossier." in text
    assert 'value="autoevaluation"' in text and 'value="audit"' not in text


def test_a_document_that_cannot_exist_yet_is_refused_and_nothing_is_queued(
    filled_dossier, people, django_capture_on_commit_callbacks
):
    client = client_for(people.referent)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("documents:document_request", args=[filled_dossier.pk]),
            {"type": "audit"},
            follow=True,
        )
    assert callbacks == []
    assert not Document.objects.exists()
    assert "Aucun audit n&#x27;a encore eu lieu" in response.content.decode()
    response = client.post(
        reverse("documents:document_request", args=[filled_dossier.pk]),
        {"type": "inconnu"},
        follow=True,
    )
    assert "Type de rapport inconnu" in response.content.decode()
    assert not Document.objects.exists()


def _pdf(filled_dossier):  # type: ignore[no-untyped-def]
    from labelml.documents.renderers import render

    pdf, pages = render("autoevaluation", filled_dossier)
    return PdfReader(io.BytesIO(pdf)), pages, pdf


def test_the_table_of_contents_gives_the_page_of_each_criterion(filled_dossier):
    import re

    reader, pages, _ = _pdf(filled_dossier)
    toc = reader.pages[1].extract_text()
    assert "Sommaire" in toc
    match = re.search(r"1\.2 La gouvernance est garante.*?(\d+)\s*$", toc, re.M | re.S)
    assert match, toc
    page = int(match.group(1))
    assert 2 < page <= pages
    assert "Critère 1.2" in reader.pages[page - 1].extract_text()
    assert "Critère 1.2" not in reader.pages[page - 2].extract_text()


def test_a_transient_error_is_retried_then_the_document_is_ready(
    filled_dossier, people, monkeypatch, django_capture_on_commit_callbacks
):
    import labelml.documents.tasks as tasks

    real = tasks.render
    calls = []

    def flaky(kind, dossier):  # type: ignore[no-untyped-def]
        calls.append(kind)
        if len(calls) == 1:
            raise OSError("police momentanément illisible")
        return real(kind, dossier)

    monkeypatch.setattr(tasks, "render", flaky)
    document = request_report(
        client_for(people.referent), filled_dossier, django_capture_on_commit_callbacks
    )
    document.refresh_from_db()
    assert len(calls) == 2 and document.statut == Document.Statut.READY


def test_a_transient_error_that_persists_fails_the_document_with_a_french_message(
    filled_dossier, people, monkeypatch, django_capture_on_commit_callbacks
):
    import labelml.documents.tasks as tasks

    def broken(kind, dossier):  # type: ignore[no-untyped-def]
        raise OSError("disque plein")

    monkeypatch.setattr(tasks, "render", broken)
    document = request_report(
        client_for(people.referent), filled_dossier, django_capture_on_commit_callbacks
    )
    document.refresh_from_db()
    assert document.statut == Document.Statut.FAILED
    assert "relancez" in document.error


def test_a_render_interrupted_by_a_dead_worker_is_finished_by_the_redelivered_task(
    filled_dossier,
):
    document = Document.objects.create(
        dossier=filled_dossier, type="autoevaluation", statut=Document.Statut.RENDERING
    )
    assert render_document(document.pk) == "ready"
    document.refresh_from_db()
    assert document.statut == Document.Statut.READY and document.fichier
    assert Document.objects.count() == 1
