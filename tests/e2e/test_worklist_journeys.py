"""Every role does its job from its home page, in a real browser, by following links only
(issue 15): the référent fills a criterion from its "À faire" and the direction submits; the
auditor records findings from her home; the lead auditor validates a report from his; the
administrator plans an audit from his, and gives a structure more time to answer its gaps. The
only address typed is the login page's."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from audits.models import Audit, Constat
from campagnes.autoevaluations.models import Reponse, SyntheseCritere
from campagnes.models import Dossier
from referentiel.models import Niveau
from tests.audits import conftest as _audits
from tests.browser import login
from tests.conftest import DEMO_TOTP_SECRET

# The external audit's fixtures (a dossier brought through the real workflow).
admin = _audits.admin
campagne = _audits.campagne
dossier = _audits.dossier
people = _audits.people
body = _audits.body
auditeur = _audits.auditeur
lead = _audits.lead
planifiable = _audits.planifiable
assigned = _audits.assigned
started = _audits.started
submitted = _audits.submitted
validated = _audits.validated

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "mot-de-passe-solide-42"


def totp_code() -> str:
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))


def at_home(page: Any, email: str, totp: bool = False) -> None:
    """Log in and land on the home page, its "À faire" shown."""
    login(page, email, PASSWORD)
    if totp:
        expect(page).to_have_url(re.compile(r"/2fa/authenticate/"))
        page.fill("input[name=code]", totp_code())
        page.press("input[name=code]", "Enter")
        page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#titre-a-faire")).to_have_text("À faire")


def work(page: Any, text: str) -> None:
    """Follow the line of "À faire" that says `text`."""
    page.locator(".worklist a", has_text=text).first.click()
    page.wait_for_load_state("networkidle")


def test_the_referent_fills_a_criterion_from_her_home_and_the_direction_submits(
    page, browser, live_server, dossier, people
):
    # Everything is filled but criterion 1.1.
    niveau_3 = Niveau.objects.get(
        echelle_id=dossier.campagne.referentiel.echelle_autoevaluation_id, code="3"
    )
    Reponse.objects.filter(autoevaluation__dossier=dossier).exclude(
        element__critere__code="1.1"
    ).update(niveau=niveau_3, justification="Pratique établie.", version=1)
    SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).exclude(
        critere__code="1.1"
    ).update(synthese="Critère atteint.", version=1)

    at_home(page, people.referent.email)
    work(page, "Compléter le critère 1.1")
    expect(page).to_have_url(re.compile(r"/autoevaluation/criteres/1\.1/$"))
    expect(page.locator('.parcours [aria-current="step"]')).to_contain_text("Auto-évaluation")
    for reponse in Reponse.objects.filter(
        autoevaluation__dossier=dossier, element__critere__code="1.1"
    ):
        page.select_option(f"#niveau-{reponse.pk}", label="3 — Mis en œuvre")
        expect(page.locator(f"#status-reponse-{reponse.pk}")).to_contain_text("Enregistré")
        page.fill(f"#justification-{reponse.pk}", "Statuts de 2019, collèges représentés.")
        page.locator(f"#justification-{reponse.pk}").blur()
        expect(page.locator(f"#status-reponse-{reponse.pk}")).to_contain_text("Enregistré")
    synthese = SyntheseCritere.objects.get(autoevaluation__dossier=dossier, critere__code="1.1")
    page.fill("#synthese-texte", "Gouvernance conforme, financement à diversifier.")
    page.locator("#synthese-texte").blur()
    expect(page.locator(f"#status-synthese-{synthese.pk}")).to_contain_text("Enregistré")

    direction = browser.new_page(base_url=live_server.url)
    at_home(direction, people.direction.email)
    work(direction, "la relire et la soumettre")
    expect(direction.locator("text=Tout est complet")).to_be_visible()
    direction.click("form >> text=Soumettre l'auto-évaluation")
    expect(direction.locator(".messages")).to_contain_text("Auto-évaluation soumise")
    direction.close()
    assert Dossier.objects.get(pk=dossier.pk).statut == Dossier.Statut.PLAN_AMELIORATION


def test_the_auditor_records_findings_from_her_home(page, settings, assigned, auditeur):
    settings.MFA_TOTP_TOLERANCE = 1
    at_home(page, auditeur.user.email, totp=True)
    expect(page.locator("body")).not_to_contain_text("Vous n'êtes membre d'aucune structure")
    work(page, "Préparer et démarrer l'évaluation externe")
    page.click("text=Démarrer l'évaluation")
    expect(page.locator(".messages")).to_contain_text("Évaluation démarrée")
    # Back home: the mission's next step has changed.
    page.locator("header nav a", has_text="Accueil").click()
    work(page, "Renseigner les constats et rédiger le rapport")
    page.locator("a", has_text="1.1").first.click()
    c11 = Constat.objects.get(audit=assigned, critere__code="1.1")
    page.select_option(f"#niveau-{c11.pk}", label="Point fort")
    expect(page.locator(f"#version-constat-{c11.pk}")).to_have_value("1")
    page.fill(f"#observation-{c11.pk}", "Conseil d'administration ouvert aux entreprises.")
    expect(page.locator(f"#version-constat-{c11.pk}")).to_have_value("2")
    c11.refresh_from_db()
    assert c11.niveau is not None and c11.niveau.code == "point_fort"
    assert c11.observation == "Conseil d'administration ouvert aux entreprises."


def test_the_lead_auditor_validates_a_report_from_his_home(page, settings, submitted, lead):
    settings.MFA_TOTP_TOLERANCE = 1
    at_home(page, lead.user.email, totp=True)
    work(page, "Relire le rapport d'évaluation")
    expect(page.locator(".audit-report")).to_contain_text("Une équipe engagée.")
    page.click("form.decision-validation button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Rapport validé")
    assert Audit.objects.get(pk=submitted.pk).statut == Audit.Statut.VALIDE


def test_the_administrator_plans_an_audit_from_his_home(
    page, settings, planifiable, admin, auditeur
):
    settings.MFA_TOTP_TOLERANCE = 1
    at_home(page, admin.email, totp=True)
    work(page, f"Planifier l'évaluation externe : {planifiable.structure.nom}")
    page.select_option("select[name=auditeur]", value=str(auditeur.pk))
    page.fill("input[name=date_debut]", dt.date.today().isoformat())
    page.fill("input[name=date_fin]", (dt.date.today() + dt.timedelta(days=1)).isoformat())
    page.fill("textarea[name=sites]", "Siège")
    page.click("main form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Évaluation externe planifiée")
    assert Dossier.objects.get(pk=planifiable.pk).statut == Dossier.Statut.AUDIT_PLANIFIE


def test_the_administrator_extends_an_overdue_gaps_deadline_from_his_home(
    page, settings, validated, admin
):
    from django.utils import timezone

    from audits.selectors import gap_deadline

    delai = validated.dossier.campagne.delai_reponse_jours
    Audit.objects.filter(pk=validated.pk).update(
        valide_le=timezone.now() - dt.timedelta(days=delai + 2)
    )
    until = timezone.localdate() + dt.timedelta(days=20)
    settings.MFA_TOTP_TOLERANCE = 1
    at_home(page, admin.email, totp=True)
    work(page, "Délai de réponse aux écarts dépassé")
    expect(page.locator("main")).to_contain_text("Le délai de réponse est dépassé")
    page.fill("input[name=until]", until.isoformat())
    page.fill("textarea[name=motif]", "Changement de direction au printemps.")
    page.get_by_role("button", name="Prolonger le délai").click()
    expect(page.locator(".messages")).to_contain_text(f"Délai prolongé jusqu'au {until:%d/%m/%Y}")
    assert (
        gap_deadline(Audit.objects.select_related("dossier__campagne").get(pk=validated.pk))
        == until
    )
