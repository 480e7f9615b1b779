"""An XLSX export built by a real Celery worker through the real Redis, on the national scope
and an ARML's: the worker re-applies the saved scope (no other region's row in the file)."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from openpyxl import load_workbook

from campagnes.autoevaluations.models import Reponse
from campagnes.services import open_campagne
from labelml.demo.samples import build_complete_dossier
from labelml.pilotage.models import Export
from labelml.pilotage.scope import parse_filters, scope_for_user
from labelml.pilotage.services import request_export
from labelml.structures.models import Membership, Structure
from labelml.structures.roles import Role
from tests.factories import UserFactory
from tests.worker import Worker, wait_until, worker_queue

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_builds_the_xlsx_within_the_requesters_scope(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    inside = build_complete_dossier(seed=11)  # region 11, its ARML
    # Another region's Mission Locale in the same campaign, with answers of its own.
    arml_b = Structure.objects.create(
        code="arml-84", nom="ARML Auvergne-Rhône-Alpes", type=Structure.Type.ARML, region="84"
    )
    ml_b = Structure.objects.create(
        code="ml-hors-region",
        nom="ML hors région",
        type=Structure.Type.MISSION_LOCALE,
        parent=arml_b,
        region="84",
    )
    admin = Membership.objects.filter(role=Role.ADMIN_UNML).first().user
    outside = open_campagne(actor=admin, campagne=inside.campagne, structures=[ml_b]).created[0]
    assert Reponse.objects.filter(autoevaluation__dossier=outside).exists()
    arml_user = UserFactory()
    Membership.objects.create(
        user=arml_user, structure=inside.structure.parent, role=Role.REFERENT_ARML
    )
    scope = scope_for_user(arml_user)
    filters = parse_filters(QueryDict(f"campagne={inside.campagne_id}"), scope)
    with worker_queue() as queue:
        worker = Worker(queue=queue, log=tmp_path / "worker.log", visibility_timeout=3600)
        try:
            export = request_export(
                user=arml_user, scope=scope, filters=filters, dataset="reponses"
            )
            wait_until(
                lambda: Export.objects.get(pk=export.pk).statut in ("ready", "failed"),
                timeout=120,
                what="the export",
            )
        finally:
            worker.stop()
    export.refresh_from_db()
    assert export.statut == Export.Statut.READY, export.error
    assert "build_export" in worker.output()  # the worker, not this process, built it
    with export.fichier.open("rb") as f:
        rows = list(load_workbook(f, read_only=True).active.iter_rows(values_only=True))
    body = rows[1:]
    expected = Reponse.objects.filter(autoevaluation__dossier=inside).count()
    assert len(body) == export.lignes == expected
    text = repr(body)
    assert inside.structure.nom in text and "ML hors région" not in text
