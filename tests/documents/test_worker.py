"""The five documents rendered by a real Celery worker through the real Redis (issue 6), and a
worker killed in the middle of a render: the job is redelivered, completes once, and the dossier
is unchanged."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from pypdf import PdfReader

from labelml.demo.samples import add_concluded_followup, build_complete_dossier
from labelml.documents.models import Document
from labelml.documents.services import request_document
from labelml.documents.tasks import render_document
from tests.worker import Worker, wait_until, worker_queue

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

KINDS = ["autoevaluation", "plan", "audit", "decision", "attestation", "suivi"]
CRITERE_TITLE = "La gouvernance est garante de la cohérence"  # criterion 1.2, shortened


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def dossier_data(dossier: Any) -> dict[str, list[Any]]:
    """Everything a render could touch, read fresh."""
    from audits.commission.models import Decision, Label
    from audits.models import Audit, Constat, ReponseEcart
    from campagnes.autoevaluations.models import Reponse, Snapshot, SyntheseCritere
    from campagnes.models import Dossier, DossierTransition
    from campagnes.plans.models import Action

    return {
        "dossier": list(Dossier.objects.filter(pk=dossier.pk).values()),
        "reponses": list(Reponse.objects.filter(autoevaluation__dossier=dossier).values()),
        "syntheses": list(SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).values()),
        "snapshots": list(Snapshot.objects.filter(dossier=dossier).values()),
        "actions": list(Action.objects.filter(plan__dossier=dossier).values()),
        "audit": list(Audit.objects.filter(dossier=dossier).values()),
        "constats": list(Constat.objects.filter(audit__dossier=dossier).values()),
        "reponses_ecart": list(
            ReponseEcart.objects.filter(constat__audit__dossier=dossier).values()
        ),
        "transitions": list(DossierTransition.objects.filter(dossier=dossier).values()),
        "decisions": list(Decision.objects.filter(dossier=dossier).values()),
        "labels": list(Label.objects.filter(decision__dossier=dossier).values()),
    }


def pdf_text(document: Document) -> tuple[PdfReader, str]:
    with document.fichier.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return reader, " ".join(page.extract_text() for page in reader.pages)


def settled(dossier: Any, count: int) -> bool:
    docs = Document.objects.filter(dossier=dossier)
    return docs.count() == count and all(d.statut in ("ready", "failed") for d in docs)


def test_a_real_worker_renders_every_document(media, tmp_path):
    dossier = build_complete_dossier(seed=1)
    add_concluded_followup(dossier)
    before = dossier_data(dossier)
    with worker_queue() as queue:
        worker = Worker(queue=queue, log=tmp_path / "worker.log", visibility_timeout=3600)
        try:
            for kind in KINDS:
                request_document(dossier=dossier, actor=None, kind=kind)
            wait_until(lambda: settled(dossier, len(KINDS)), timeout=180, what="every render")
        finally:
            worker.stop()
    label = dossier.decisions.get().label
    for document in Document.objects.filter(dossier=dossier):
        assert document.statut == Document.Statut.READY, (document.type, document.error)
        reader, text = pdf_text(document)
        assert len(reader.pages) == document.pages >= 1
        assert dossier.structure.nom in text.replace("’", "'"), document.type
        if document.type in ("autoevaluation", "audit"):
            assert CRITERE_TITLE in text
        if document.type == "plan":
            assert "Formaliser et partager les pratiques du critère 1.1" in text
        if document.type in ("decision", "attestation", "suivi"):
            assert label.numero in text
    assert "render_document" in worker.output()  # the worker, not this process, rendered
    assert dossier_data(dossier) == before


class TableLock:
    """Holds an ACCESS EXCLUSIVE lock on a table from another connection: a render that reaches
    that table waits there, so the worker is reliably killed in the middle of a render."""

    def __init__(self, table: str) -> None:
        s = connection.settings_dict
        self.conn = psycopg.connect(
            host=s["HOST"] or "127.0.0.1",
            port=s["PORT"] or 5432,
            user=s["USER"],
            password=s.get("PASSWORD") or None,
            dbname=s["NAME"],
        )
        self.conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")  # opens a transaction

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


def test_a_worker_killed_mid_render_is_redelivered_and_the_document_exists_once(media, tmp_path):
    dossier = build_complete_dossier(seed=2)
    before = dossier_data(dossier)
    document = Document.objects.create(dossier=dossier, type="audit")
    with worker_queue() as queue:
        first = Worker(queue=queue, log=tmp_path / "first.log", visibility_timeout=8)
        lock = TableLock("audits_constat")  # read by the audit report after it starts
        try:
            render_document.delay(document.pk)
            wait_until(
                lambda: Document.objects.get(pk=document.pk).statut == "rendering",
                timeout=60,
                what="the render to start",
            )
            first.kill()
        finally:
            lock.release()
            first.stop()
        assert Document.objects.get(pk=document.pk).statut == "rendering"
        # A new worker gets the unacknowledged message back once the visibility timeout passed.
        second = Worker(queue=queue, log=tmp_path / "second.log", visibility_timeout=8)
        try:
            wait_until(
                lambda: Document.objects.get(pk=document.pk).statut in ("ready", "failed"),
                timeout=120,
                what="the redelivered render",
            )
        finally:
            second.stop()
    assert "render_document" in second.output()
    documents = Document.objects.filter(dossier=dossier)
    assert documents.count() == 1
    document = documents.get()
    assert document.statut == Document.Statut.READY, document.error
    files = list(Path(media, "documents", str(dossier.pk)).iterdir())
    assert [f.name for f in files] == [Path(document.fichier.name).name]
    reader, text = pdf_text(document)
    assert len(reader.pages) == document.pages and CRITERE_TITLE in text
    assert dossier_data(dossier) == before
