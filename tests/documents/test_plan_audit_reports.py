"""The improvement plan and the audit report (SPEC §8), built and printed without the HTTP
views: what they contain, when the audit report can exist, that printing reads only, and that
the audit report's queries do not grow with the référentiel."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.formats import date_format
from pypdf import PdfReader

from audits.models import Constat, ReponseEcart
from audits.selectors import comparison
from audits.services import validate_audit_report
from campagnes.autoevaluations.models import Reponse
from campagnes.plans.models import Action, PlanAmelioration
from labelml.documents.renderers import audit as audit_report
from labelml.documents.renderers import build_html, render, unavailable_reason
from labelml.documents.renderers import plan as plan_report
from referentiel.models import Critere
from tests.audits.conftest import GAP_CRITERE, MINOR_GAP_CRITERE, footprint

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> tuple[str, int]:
    """The PDF's text with whitespace (line breaks, narrow no-break spaces) collapsed, and its
    page count."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u202f", " ").split()), len(reader.pages)


def token(prefix: str, code: str) -> str:
    """A short word naming a criterion or an element, that a line never splits."""
    return prefix + re.sub(r"[^0-9a-z]", "", code.lower()) + "x"


def critere(dossier: Any, code: str) -> Critere:
    return Critere.objects.get(referentiel=dossier.campagne.referentiel, code=code)


def add_actions(dossier: Any, people: Any) -> dict[str, Action]:
    """Four actions: overdue on two criteria, done, without criterion, without due date."""
    plan = PlanAmelioration.objects.get(dossier=dossier)
    today = dt.date.today()
    overdue = Action.objects.create(
        plan=plan,
        titre="Formaliser la charte de gouvernance",
        description="Rédiger la charte.\n\nLa faire adopter en conseil.",
        responsable=people.direction,
        echeance=today - dt.timedelta(days=30),
        statut=Action.Statut.EN_COURS,
        priorite=Action.Priorite.HAUTE,
        avancement=40,
    )
    overdue.criteres.add(critere(dossier, "2.1"), critere(dossier, "1.2"))
    done = Action.objects.create(
        plan=plan,
        titre="Tenir un comité de pilotage trimestriel",
        responsable=people.referent,
        echeance=today + dt.timedelta(days=100),
        statut=Action.Statut.FAIT,
        avancement=100,
        origine=Action.Origine.SUGGESTION,
    )
    done.criteres.add(critere(dossier, "1.1"))
    unlinked = Action.objects.create(
        plan=plan, titre="Revoir le site internet", echeance=today + dt.timedelta(days=200)
    )
    undated = Action.objects.create(plan=plan, titre="Mettre à jour le livret d’accueil")
    undated.criteres.add(critere(dossier, "3.1"))
    return {"overdue": overdue, "done": done, "unlinked": unlinked, "undated": undated}


def plan_rows(dossier: Any) -> list[Any]:
    return list(
        Action.objects.filter(plan__dossier=dossier)
        .order_by("pk")
        .values_list("pk", "titre", "statut", "avancement", "echeance", "updated_at")
    )


# --- the improvement plan ------------------------------------------------------------------


def test_the_plan_lists_every_action_under_its_first_criterion_with_a_schedule(dossier, people):
    actions = add_actions(dossier, people)
    before = plan_rows(dossier)
    assert unavailable_reason("plan", dossier) is None

    pdf, pages = render("plan", dossier)

    text, count = pdf_text(pdf)
    assert count == pages >= 4
    assert dossier.structure.nom in text
    assert "Sommaire" in text and "Calendrier des actions" in text  # the table of contents
    for action in actions.values():
        assert action.titre in text
    assert "Document de travail" in text and "non soumis" in text  # plan not submitted yet
    assert "En retard" in text  # the overdue action, not done
    assert "Concerne aussi : critère 2.1" in text  # filed under 1.2, the first in order
    assert "La faire adopter en conseil." in text  # the description, every paragraph
    assert str(people.direction) in text  # the owner, by name
    assert "Actions sans critère" in text and "Sans échéance" in text
    assert "4 actions : 2 à faire, 1 en cours, 1 réalisée, 0 abandonnée." in text
    assert plan_rows(dossier) == before  # printing changes nothing


def test_the_plan_groups_actions_by_section_in_the_referentiels_order(dossier, people):
    add_actions(dossier, people)
    ctx = plan_report.context(dossier)
    groups = [(g.section.code if g.section else None) for g in ctx["groups"]]
    assert groups == ["1", "3", None]
    first = ctx["groups"][0]
    assert [g.critere.code for g in first.criteres] == ["1.1", "1.2"]
    filed = first.criteres[1].items[0]
    assert filed.overdue and [c.code for c in filed.others] == ["2.1"]
    assert [q.label for q in ctx["schedule"]][-1] == "Sans échéance"
    assert ctx["matrix"]["total"] == 4 and ctx["summary"].en_retard == 1


def test_an_empty_plan_says_so(dossier):
    Action.objects.filter(plan__dossier=dossier).delete()
    html = build_html("plan", dossier)
    assert "ne comporte encore aucune action" in html
    assert 'class="toc"' not in html


def test_a_submitted_plan_names_who_submitted_it(validated):
    text, _ = pdf_text(render("plan", validated.dossier)[0])
    assert "Plan soumis : le" in text and "Document de travail" not in text


def test_the_plan_runs_a_fixed_number_of_queries(dossier, people):
    plan = PlanAmelioration.objects.get(dossier=dossier)
    Action.objects.create(plan=plan, titre="Une action").criteres.add(critere(dossier, "1.1"))
    with CaptureQueriesContext(connection) as few:
        build_html("plan", dossier)
    add_actions(dossier, people)
    with CaptureQueriesContext(connection) as many:
        build_html("plan", dossier)
    assert len(many) == len(few) <= 8


# --- the audit report ----------------------------------------------------------------------


def test_the_audit_report_waits_for_the_validation(submitted, lead):
    assert unavailable_reason("audit", submitted.dossier) == (
        "Le rapport d'audit sera disponible après sa validation par l'auditeur référent."
    )
    with pytest.raises(ValueError):
        build_html("audit", submitted.dossier)
    validate_audit_report(submitted.dossier, lead.user)
    assert unavailable_reason("audit", submitted.dossier) is None


def test_no_audit_no_report(campagne, network, admin):
    from tests.campagnes.conftest import open_dossier

    other = open_dossier(admin, campagne, network["ml_b"])
    assert unavailable_reason("audit", other) == "Aucun audit n'a encore eu lieu pour ce dossier."


def test_the_audit_report_prints_every_finding_justification_and_answer(answered):
    dossier = answered
    # Distinct texts everywhere, so that a dropped one shows.
    for c in Constat.objects.filter(audit__dossier=dossier).select_related("critere"):
        c.observation = f"Observation {token('obs', c.critere.code)}."
        c.preuves_examinees = f"Vu {token('prv', c.critere.code)}."
        c.save(update_fields=["observation", "preuves_examinees"])
    Constat.objects.filter(audit__dossier=dossier, critere__code=GAP_CRITERE).update(
        observation="Aucune procédure écrite."
    )
    for r in Reponse.objects.filter(autoevaluation__dossier=dossier).select_related("element"):
        r.justification = f"Justifié par {token('jst', r.element.code)}."
        r.save(update_fields=["justification"])
    action = Action.objects.filter(plan__dossier=dossier).first()
    ReponseEcart.objects.filter(constat__critere__code=MINOR_GAP_CRITERE).update(
        action_plan=action, preuves="Procédure signée du directeur."
    )
    before = footprint(dossier)

    pdf, pages = render("audit", dossier)

    text, count = pdf_text(pdf)
    assert count == pages > 20
    assert footprint(dossier) == before  # printing changes no data
    assert dossier.structure.nom in text
    assert "Sommaire" in text and "Synthèse de l’audit" in text
    assert "Auto-évaluation et évaluation externe" in text and "Écarts" in text
    assert "La gouvernance est garante de la cohérence" in text  # a criterion title
    assert "Qualicert" in text  # the auditing body
    assert "Réservé" in text  # the recommendation
    assert "Aucune procédure écrite." in text  # an observation
    assert "Action corrective engagée." in text  # the structure's answer
    assert "Procédure signée du directeur." in text and action.titre.replace("'", "’") in text
    assert "Une équipe engagée." in text and "Structure solide." in text
    for c in Constat.objects.filter(audit__dossier=dossier).select_related("critere"):
        if c.critere.code != GAP_CRITERE:
            assert token("obs", c.critere.code) in text, c.critere.code
        assert token("prv", c.critere.code) in text, c.critere.code
    for r in Reponse.objects.filter(autoevaluation__dossier=dossier).select_related("element"):
        assert token("jst", r.element.code) in text, r.element.code


def test_the_gap_table_gives_the_deadline_and_unsent_answers(validated):
    ctx = audit_report.context(validated.dossier)
    assert [g["constat"].critere.code for g in ctx["gaps"]] == [GAP_CRITERE, MINOR_GAP_CRITERE]
    assert all(g["answer"] is None for g in ctx["gaps"])
    assert ctx["deadline"] is not None
    html = build_html("audit", validated.dossier)
    assert html.count("Réponse non envoyée.") == 4  # the gap table and each criterion
    assert date_format(ctx["deadline"], "j F Y") in html


def test_the_audit_report_queries_do_not_grow_with_the_findings(
    answered, django_assert_max_num_queries
):
    dossier = answered
    action = Action.objects.filter(plan__dossier=dossier).first()
    ReponseEcart.objects.update(action_plan=action)
    with django_assert_max_num_queries(14):
        build_html("audit", dossier)
    with CaptureQueriesContext(connection) as full:
        build_html("audit", dossier)
    # Only the two gaps keep a finding: fewer findings, the same queries.
    Constat.objects.filter(audit__dossier=dossier).exclude(
        critere__code__in=[GAP_CRITERE, MINOR_GAP_CRITERE]
    ).delete()
    with CaptureQueriesContext(connection) as few:
        build_html("audit", dossier)
    assert len(few) == len(full)


def test_the_comparison_sets_both_scales_on_100(validated):
    data = comparison(validated.dossier, validated)
    rows = {r.critere.code: r for r in data.rows}
    # Every element rated 3 of 4; findings: 1.1 major gap (1 of 5), 1.2 minor (2 of 5), the
    # rest conforme (4 of 5).
    assert (rows[GAP_CRITERE].auto_pct, rows[GAP_CRITERE].audit_pct) == (75, 20)
    assert rows[MINOR_GAP_CRITERE].audit_pct == 40 and rows["2.1"].audit_pct == 80
    section_1 = data.sections[0]
    assert section_1.section.code == "1" and section_1.auto == 75
    levels = [r.audit_pct for r in data.rows if r.critere.section_id == section_1.section.pk]
    assert round(section_1.audit, 6) == round(Decimal(sum(levels)) / len(levels), 6)
    assert data.radar.count("<polygon") > 4
