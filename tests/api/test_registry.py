"""The registry of labels in force as open data: CSV and JSON without login, the columns of its
Table Schema, the same labels as the public page, and a Last-Modified that follows decisions."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import http_date, parse_http_date

from audits.commission.models import Decision, Label
from audits.commission.services import suspend_label
from labelml.api.registry import COLUMNS, SCHEMA
from labelml.structures.models import Membership
from labelml.structures.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def labels(db):  # type: ignore[no-untyped-def]
    from labelml.demo.samples import build_complete_dossier

    dossiers = [build_complete_dossier(seed=seed) for seed in (1, 2)]
    return list(Label.objects.filter(decision__dossier__in=dossiers).select_related("structure"))


def read_csv() -> tuple[list[str], list[dict[str, str]], object]:
    response = Client().get(reverse("api:label_registre_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8")))
    rows = list(reader)
    return list(reader.fieldnames or []), rows, response


def test_the_schema_describes_exactly_the_columns():
    path = finders.find(SCHEMA)
    assert path is not None
    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    assert [f["name"] for f in schema["fields"]] == list(COLUMNS)
    for field in schema["fields"]:
        assert field["type"] in {"string", "date"} and field["title"] and field["description"]
    assert schema["primaryKey"] == ["numero_certificat"]


def test_the_csv_answers_without_login_and_agrees_with_the_public_page(labels):
    columns, rows, response = read_csv()
    assert columns == list(COLUMNS)
    assert {r["numero_certificat"] for r in rows} == {label.numero for label in labels}
    page = Client().get(reverse("commission:label_registry")).content.decode()
    for row in rows:
        assert row["numero_certificat"] in page and escape(row["structure_nom"]) in page
        assert row["statut"] == "valide"
        dt.date.fromisoformat(row["date_debut_validite"])
        dt.date.fromisoformat(row["date_fin_validite"])
    assert response["Access-Control-Allow-Origin"] == "*"
    assert SCHEMA in response["Link"]


def test_the_json_has_the_same_rows(labels):
    _, rows, _ = read_csv()
    response = Client().get(reverse("api:label_registre_json"))
    assert response.status_code == 200
    body = response.json()
    assert body["labels"] == rows
    assert body["schema"].endswith(SCHEMA)


def test_last_modified_follows_each_decision_and_each_change_of_a_label(labels):
    _, _, first = read_csv()
    since = first["Last-Modified"]
    assert (
        Client()
        .get(reverse("api:label_registre_csv"), headers={"If-Modified-Since": since})
        .status_code
        == 304
    )
    # A decision recorded later (an hour on): the registry changed.
    later = timezone.now() + dt.timedelta(hours=1)
    Decision.objects.filter(pk=labels[1].decision_id).update(decide_le=later)
    _, _, second = read_csv()
    assert parse_http_date(second["Last-Modified"]) == int(later.timestamp())
    assert (
        Client()
        .get(reverse("api:label_registre_json"), headers={"If-Modified-Since": since})
        .status_code
        == 200
    )
    # A suspension: out of the registry, and a newer Last-Modified.
    admin = Membership.objects.filter(role=Role.ADMIN_UNML).first().user
    suspend_label(actor=admin, label=labels[0], motivation="Contrôle")
    from campagnes.models import DossierTransition

    DossierTransition.objects.filter(subject="label").update(at=later + dt.timedelta(hours=1))
    _, rows, third = read_csv()
    assert labels[0].numero not in {r["numero_certificat"] for r in rows}
    assert third["Last-Modified"] == http_date(int((later + dt.timedelta(hours=1)).timestamp()))
