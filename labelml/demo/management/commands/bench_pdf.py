"""`make bench-pdf`: the full audit report of a completely filled dossier, rendered through the
task and by WeasyPrint alone. Prints one JSON object as the last line (docs/benchmarks.md).

Runs in a throwaway test database (created and destroyed here) with files in a temporary
folder, so the working database is never touched. The task runs eagerly: the same code a worker
runs (status changes, context building, rendering, storage), without the broker's latency."""

from __future__ import annotations

import gc
import json
import resource
import statistics
import tempfile
import time
from typing import Any

from celery import current_app
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import override_settings

from labelml.documents.models import Document
from labelml.documents.renderers import build_html, render_pdf
from labelml.documents.services import request_document


class Command(BaseCommand):
    help = "Mesure la génération du rapport d'audit complet (JSON en dernière ligne)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--kind", default="audit", help="Type de document (audit par défaut)")
        parser.add_argument("--repeat", type=int, default=5, help="Mesures par série (médiane)")

    def handle(self, *args: Any, kind: str, repeat: int, **options: Any) -> None:
        # The project's Celery app (labelml/celery.py), without importing the composition root.
        app = current_app
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        try:
            with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
                result = self._measure(kind, repeat)
        finally:
            app.conf.task_always_eager = eager
            connection.creation.destroy_test_db(old_name, verbosity=0)
        self.stdout.write(json.dumps(result))

    def _measure(self, kind: str, repeat: int) -> dict[str, Any]:
        from django.db import transaction

        from labelml.demo.samples import add_concluded_followup, build_complete_dossier

        dossier = build_complete_dossier()
        if kind == Document.Type.SUIVI:
            add_concluded_followup(dossier)
        html = build_html(kind, dossier)
        render_pdf(html)  # warm-up: fonts, hyphenation dictionaries, imports

        task_times: list[float] = []
        weasy_times: list[float] = []

        def through_the_task() -> Document:
            gc.collect()
            started = time.perf_counter()
            with transaction.atomic():  # the request's transaction; the task runs on commit
                document = request_document(dossier=dossier, actor=None, kind=kind)
            document.refresh_from_db()
            task_times.append(time.perf_counter() - started)
            if document.statut != Document.Statut.READY:
                raise RuntimeError(f"Rendu en échec : {document.error}")
            return document

        def weasyprint_alone() -> None:
            gc.collect()
            started = time.perf_counter()
            render_pdf(html)
            weasy_times.append(time.perf_counter() - started)

        for i in range(repeat):
            # Alternate the order so that neither series always runs on a warmer process.
            if i % 2:
                weasyprint_alone()
                document = through_the_task()
            else:
                document = through_the_task()
                weasyprint_alone()
        pages = document.pages
        self.stdout.write(f"{kind} : {pages} pages ; tâche {task_times} ; WeasyPrint {weasy_times}")
        task_seconds = statistics.median(task_times)
        weasyprint_seconds = statistics.median(weasy_times)
        return {
            "pages": document.pages,
            "task_seconds": round(task_seconds, 3),
            "weasyprint_seconds": round(weasyprint_seconds, 3),
            "overhead_ratio": round(task_seconds / weasyprint_seconds, 3),
            # ru_maxrss is in KiB on Linux: the whole process's high-water mark.
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
