"""The report of the follow-up audit (audit de suivi à mi-parcours, SPEC §7b): a document of the
labelled dossier, available once its follow-up is concluded, printing every point with the
structure's answer and the auditor's finding, the conclusion and its motivation, and the
history; a fixed number of queries whatever the number of points."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audits.models import Constat
from audits.suivis import services
from audits.suivis.models import AuditSuivi, PointSuivi
from campagnes.plans.models import Action
from labelml.celery import app as celery_app
from labelml.documents.models import Document
from labelml.documents.renderers import build_html, render, unavailable_reason
from labelml.documents.renderers import suivi as suivi_report
from labelml.structures.roles import Role
from tests.audits.conftest import GAP_CRITERE, MINOR_GAP_CRITERE, audit_niveau
from tests.conftest import client_for, member
from tests.suivis.conftest import (
    assigned_suivi,
    fresh,
    label,
    labelled,
    suivi,
    suivi_auditeur,
)
from tests.suivis.helpers import OBS_MAJEUR, OBS_MINEUR, OBS_PISTE, PISTE_CRITERE, pdf_upload

pytestmark = pytest.mark.django_db

# The follow-up fixtures of tests/suivis, made available to this module.
__all__ = ["assigned_suivi", "label", "labelled", "suivi", "suivi_auditeur"]

BILAN = "Depuis le label, la structure a réorganisé son accueil et suit son plan chaque trimestre."
MOTIVATION = "Les écarts sont levés ; l'accueil sans rendez-vous des antennes reste à formaliser."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def answer(suivi: AuditSuivi, actor: Any, *, evidence: bool = True) -> None:
    """The structure's file through the services: its note, then on every point an answer, the
    plan action that carries it and a piece of evidence."""
    suivi = fresh(suivi)
    services.save_bilan(suivi=suivi, actor=actor, valeur=BILAN, version=suivi.version)
    action = Action.objects.filter(plan__dossier=suivi.dossier).order_by("pk").first()
    assert action is not None
    for p in PointSuivi.objects.filter(suivi=suivi).select_related("critere"):
        for champ, valeur in (
            ("reponse", f"Réponse de la structure sur le critère {p.critere.code}."),
            ("action", str(action.pk)),
        ):
            p = fresh(p)
            assert services.answer_point(
                point=p, actor=actor, champ=champ, valeur=valeur, version=p.version
            ).ok
        if evidence:
            services.add_point_preuve(
                point=p,
                actor=actor,
                titre=f"Procédure du critère {p.critere.code}",
                upload=pdf_upload(),
            )


AVIS = {GAP_CRITERE: "leve", MINOR_GAP_CRITERE: "en_cours", PISTE_CRITERE: "non_leve"}


def review_and_conclude(
    suivi: AuditSuivi,
    auditor: Any,
    *,
    conclusion: str = AuditSuivi.Conclusion.MAINTIEN_AVEC_OBSERVATIONS,
    motivation: str = MOTIVATION,
) -> AuditSuivi:
    """The auditor's review through the services: a finding and a comment on every point, the
    videoconference held yesterday, the conclusion."""
    services.start_review(suivi, auditor)
    for p in PointSuivi.objects.filter(suivi=suivi).select_related("critere"):
        for champ, valeur in (
            ("avis", AVIS.get(p.critere.code, "leve")),
            ("commentaire", f"Commentaire de l'auditeur sur le critère {p.critere.code}."),
        ):
            p = fresh(p)
            assert services.record_finding(
                point=p, actor=auditor, champ=champ, valeur=valeur, version=p.version
            ).ok
    services.set_visio_date(suivi, auditor, timezone.now() - dt.timedelta(days=1))
    services.conclude(suivi, auditor, conclusion=conclusion, motivation=motivation)
    return fresh(suivi)


@pytest.fixture
def concluded(assigned_suivi, people, suivi_auditeur):  # type: ignore[no-untyped-def]
    answer(assigned_suivi, people.direction)
    services.send_file(assigned_suivi, people.direction)
    return review_and_conclude(assigned_suivi, suivi_auditeur.user)


# --- availability --------------------------------------------------------------------------------


def test_a_dossier_without_follow_up_has_no_report(validated):
    assert unavailable_reason("suivi", validated.dossier) == suivi_report.NO_SUIVI


def test_the_report_waits_for_the_conclusion(
    assigned_suivi, people, suivi_auditeur, django_capture_on_commit_callbacks
):
    dossier = assigned_suivi.dossier
    client = client_for(people.referent)

    def refused() -> None:
        assert unavailable_reason("suivi", dossier) == suivi_report.NOT_CONCLUDED
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(
                reverse("documents:document_request", args=[dossier.pk]),
                {"type": "suivi"},
                follow=True,
            )
        assert callbacks == []  # nothing queued
        assert not Document.objects.filter(type=Document.Type.SUIVI).exists()
        assert (
            "Le rapport d&#x27;audit de suivi sera disponible une fois l&#x27;audit de suivi "
            "conclu." in response.content.decode()
        )

    refused()  # scheduled, auditor designated
    answer(assigned_suivi, people.direction, evidence=False)
    services.send_file(assigned_suivi, people.direction)
    refused()  # sent
    services.start_review(assigned_suivi, suivi_auditeur.user)
    refused()  # in review: the findings are the auditor's work in progress
    with pytest.raises(ValueError):
        build_html("suivi", dossier)

    suivi = fresh(assigned_suivi)
    for p in PointSuivi.objects.filter(suivi=suivi):
        assert services.record_finding(
            point=p, actor=suivi_auditeur.user, champ="avis", valeur="leve", version=p.version
        ).ok
    services.set_visio_date(suivi, suivi_auditeur.user, timezone.now() - dt.timedelta(hours=2))
    services.conclude(suivi, suivi_auditeur.user, conclusion="maintien", motivation="")
    assert unavailable_reason("suivi", dossier) is None


def test_the_reports_tab_lists_the_follow_up_report(concluded, people, suivi_auditeur, network):
    url = reverse("documents:document_list", args=[concluded.dossier.pk])
    for user in (people.lecteur, suivi_auditeur.user):
        text = client_for(user).get(url).content.decode()
        assert "Rapport d&#x27;audit de suivi" in text
        assert 'value="suivi"' in text  # can be generated
    outsider = client_for(member(network["ml_b"], Role.DIRECTION))
    assert outsider.get(url).status_code == 404


def test_the_follow_up_page_links_to_the_reports_once_concluded(concluded, people):
    page = client_for(people.lecteur).get(reverse("suivis:suivi_detail", args=[concluded.pk]))
    assert reverse("documents:document_list", args=[concluded.dossier.pk]) in page.content.decode()


def test_the_follow_up_page_has_no_report_link_before_the_conclusion(suivi, people):
    page = client_for(people.lecteur).get(reverse("suivis:suivi_detail", args=[suivi.pk]))
    assert 'id="rapport-suivi"' not in page.content.decode()


# --- content -------------------------------------------------------------------------------------


def test_the_report_prints_every_point_finding_and_the_conclusion(concluded, suivi_auditeur):
    before = (
        AuditSuivi.objects.filter(pk=concluded.pk).values().get(),
        list(PointSuivi.objects.filter(suivi=concluded).values().order_by("pk")),
    )
    html = build_html("suivi", concluded.dossier)
    label = concluded.label
    assert "<h1>Rapport d&#x27;audit de suivi</h1>" in html
    assert label.numero in html
    assert concluded.organisme.nom in html
    assert "Maintien du label avec observations" in html
    assert "Les écarts sont levés" in html  # the motivation
    assert "réorganisé son accueil" in html  # the structure's note
    for obs in (OBS_MAJEUR, OBS_MINEUR, OBS_PISTE):
        assert obs.replace("'", "’") in html  # the initial audit's observations
    points = list(PointSuivi.objects.filter(suivi=concluded).select_related("critere", "action"))
    assert len(points) == 3
    for p in points:
        code = p.critere.code
        assert f'id="p-{p.pk}"' in html and f'href="#p-{p.pk}"' in html  # section and contents
        assert f"Réponse de la structure sur le critère {code}." in html
        assert f"Commentaire de l’auditeur sur le critère {code}." in html
        assert f"Procédure du critère {code}" in html  # the evidence
        assert p.action.titre.replace("'", "’") in html
    for text in ("Écart majeur", "Écart mineur", "Piste de progrès"):
        assert text in html
    for text in ("Levé", "En cours de levée", "Non levé"):
        assert f">{text}</span>" in html
    assert "1 écart majeur, 1 écart mineur et 1 piste de progrès" in html
    # The history, with who did what.
    for text in ("Audit de suivi planifié", "Dossier transmis", "Audit de suivi conclu"):
        assert text in html
    assert str(suivi_auditeur.user) in html
    # Printing only reads.
    after = (
        AuditSuivi.objects.filter(pk=concluded.pk).values().get(),
        list(PointSuivi.objects.filter(suivi=concluded).values().order_by("pk")),
    )
    assert before == after


def test_people_text_is_escaped(assigned_suivi, people, suivi_auditeur):
    answer(assigned_suivi, people.direction, evidence=False)
    services.send_file(assigned_suivi, people.direction)
    suivi = review_and_conclude(
        assigned_suivi,
        suivi_auditeur.user,
        conclusion=AuditSuivi.Conclusion.SAISINE_COMMISSION,
        motivation="<script>alert(1)</script> à revoir",
    )
    html = build_html("suivi", suivi.dossier)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "Saisine de la commission de labellisation" in html


# --- queries -------------------------------------------------------------------------------------


def add_pistes(audit: Any, count: int) -> None:
    """More pistes de progrès in the validated report, as tests/suivis/helpers.add_piste does."""
    codes = (
        Constat.objects.filter(audit=audit, niveau__code="conforme")
        .exclude(critere__code__in=[GAP_CRITERE, MINOR_GAP_CRITERE, PISTE_CRITERE])
        .order_by("critere__ordre")
        .values_list("critere__code", flat=True)[:count]
    )
    Constat.objects.filter(audit=audit, critere__code__in=list(codes)).update(
        niveau=audit_niveau(audit.dossier, "piste_de_progres"), observation="À formaliser."
    )


def test_the_context_runs_a_fixed_number_of_queries(
    validated, admin, people, suivi_auditeur, django_assert_max_num_queries
):
    from tests.suivis.helpers import add_piste, due_in, label_dossier

    add_piste(validated)
    add_pistes(validated, 5)
    label = due_in(label_dossier(validated, admin, people.direction), 30)
    suivi = services.schedule_followup(label, today=timezone.localdate())
    assert suivi is not None
    services.assign_followup(suivi, admin, auditeur=suivi_auditeur)
    answer(suivi, people.direction)
    services.send_file(fresh(suivi), people.direction)
    review_and_conclude(fresh(suivi), suivi_auditeur.user)
    dossier = validated.dossier
    assert PointSuivi.objects.filter(suivi=suivi).count() == 8

    with django_assert_max_num_queries(6):
        suivi_report.context(dossier)
    with CaptureQueriesContext(connection) as many:
        html = build_html("suivi", dossier)
    assert html.count('class="point"') == 8
    # The same follow-up with a single point: the same queries.
    PointSuivi.objects.filter(suivi=suivi).exclude(critere__code=GAP_CRITERE).delete()
    with CaptureQueriesContext(connection) as few:
        html = build_html("suivi", dossier)
    assert html.count('class="point"') == 1
    assert len(few) == len(many), [q["sql"] for q in many.captured_queries]


# --- the PDF -------------------------------------------------------------------------------------


def test_the_report_is_rendered_to_a_pdf(concluded):
    pdf, pages = render("suivi", concluded.dossier)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == pages >= 1
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert concluded.label.numero in text
    assert "Maintien du label avec observations" in text
    assert reader.trailer["/Root"]["/Lang"] == "fr"


def test_the_report_is_requested_rendered_and_downloaded(
    concluded, people, django_capture_on_commit_callbacks
):
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        dossier = concluded.dossier
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(people.referent).post(
                reverse("documents:document_request", args=[dossier.pk]), {"type": "suivi"}
            )
        assert response.status_code == 302
    finally:
        celery_app.conf.task_always_eager = previous
    document = Document.objects.get(dossier=dossier, type=Document.Type.SUIVI)
    assert document.statut == Document.Statut.READY, document.error
    assert document.pages >= 1
    response = client_for(people.lecteur).get(
        reverse("documents:document_download", args=[dossier.pk, document.pk])
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment")
    assert "suivi-" in response["Content-Disposition"]
