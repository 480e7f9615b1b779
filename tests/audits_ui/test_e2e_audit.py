"""The external audit in a real browser. The administrator assigns the audit on its planning
page; the auditor logs in with TOTP on a 768 px wide tablet, starts the audit and records findings
(a point fort, an écart mineur with its observation...). The network drops while an observation is
typed: the page says « hors ligne — sera envoyé », keeps the text, and sends it when the
connection returns; a value changed meanwhile on the server is shown as a conflict, not
overwritten; a text typed offline survives closing the page. The auditor writes the report
(strengths first) and submits it; the lead auditor returns it once with a remark, the auditor sees
it and resubmits, the lead validates; the direction then answers a gap."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.db.models import F
from playwright.sync_api import expect

from audits.models import Audit, Constat, Revue
from campagnes.models import Dossier
from tests.audits_ui.helpers import JUSTIFICATION_1_1, audit_niveau, to_audit_request
from tests.browser import login
from tests.conftest import DEMO_TOTP_SECRET

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "mot-de-passe-solide-42"
TABLET = {"width": 768, "height": 1024}


def totp_code() -> str:
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))


def login_with_totp(page: Any, email: str) -> None:
    login(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/2fa/authenticate/"))
    page.fill("input[name=code]", totp_code())
    page.press("input[name=code]", "Enter")
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("Se déconnecter")


def constat(dossier: Dossier, code: str) -> Constat:
    return Constat.objects.select_related("niveau").get(audit__dossier=dossier, critere__code=code)


def test_auditor_records_findings_offline_and_the_lead_reviews_the_report(
    browser,
    live_server,
    settings,
    tmp_path,
    dossier,
    people,
    admin,
    auditeur,
    lead,
):
    settings.MEDIA_ROOT = tmp_path
    # A code computed at the very end of its 30-s window may reach the server in the next one.
    settings.MFA_TOTP_TOLERANCE = 1
    to_audit_request(dossier, people.direction)

    # The administrator (TOTP) assigns the audit on the planning page.
    admin_page = browser.new_page(base_url=live_server.url)
    login_with_totp(admin_page, admin.email)
    admin_page.goto(f"/dossiers/{dossier.pk}/audit/planifier/")
    admin_page.select_option("select[name=auditeur]", value=str(auditeur.pk))
    admin_page.fill("input[name=date_debut]", dt.date.today().isoformat())
    admin_page.fill("input[name=date_fin]", (dt.date.today() + dt.timedelta(days=1)).isoformat())
    admin_page.fill("textarea[name=sites]", "Siège")
    admin_page.click("main form button[type=submit]")
    expect(admin_page.locator(".messages")).to_contain_text("Évaluation externe planifiée")
    admin_page.close()
    assert Dossier.objects.get(pk=dossier.pk).statut == Dossier.Statut.AUDIT_PLANIFIE
    base = f"/dossiers/{dossier.pk}/audit/"
    tablet = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=TABLET)
    tablet.set_default_timeout(15_000)
    page = tablet.new_page()

    # --- the auditor logs in with TOTP and starts the audit ---------------------------------------
    login_with_totp(page, auditeur.user.email)
    page.goto(base)
    page.click("text=Démarrer l'évaluation")
    expect(page.locator(".messages")).to_contain_text("Évaluation démarrée")
    assert Dossier.objects.get(pk=dossier.pk).statut == Dossier.Statut.AUDIT_EN_COURS

    # --- side by side, at 768 px: the declaration, then the finding form --------------------------
    c11 = constat(dossier, "1.1")
    page.goto(f"{base}criteres/1.1/")
    expect(page.locator(".declared")).to_contain_text(JUSTIFICATION_1_1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.select_option(f"#niveau-{c11.pk}", label="Point fort")
    expect(page.locator(f"#version-constat-{c11.pk}")).to_have_value("1")
    expect(page.locator(f"#badge-constat-{c11.pk}")).to_contain_text("Point fort")
    page.fill(f"#observation-{c11.pk}", "Conseil d'administration ouvert aux entreprises.")
    expect(page.locator(f"#version-constat-{c11.pk}")).to_have_value("2")
    expect(page.locator(f"#status-constat-{c11.pk}")).to_contain_text("Enregistré")

    c12 = constat(dossier, "1.2")
    page.click("a[rel=next]")
    page.select_option(f"#niveau-{c12.pk}", label="Écart mineur")
    expect(page.locator(f"#version-constat-{c12.pk}")).to_have_value("1")
    page.fill(f"#observation-{c12.pk}", "Le comité de pilotage ne s'est pas réuni en 2024.")
    expect(page.locator(f"#version-constat-{c12.pk}")).to_have_value("2")

    # --- the network drops while an observation is typed ------------------------------------------
    c21 = constat(dossier, "2.1")
    page.goto(f"{base}criteres/2.1/")
    page.select_option(f"#niveau-{c21.pk}", label="Conforme")
    expect(page.locator(f"#version-constat-{c21.pk}")).to_have_value("1")
    tablet.set_offline(True)
    page.fill(f"#observation-{c21.pk}", "Accueil sans rendez-vous observé le matin.")
    expect(page.locator(f"#status-constat-{c21.pk}")).to_contain_text("hors ligne — sera envoyé")
    expect(page.locator("#offline-banner")).to_contain_text("1 constat en attente d'envoi")
    assert constat(dossier, "2.1").observation == ""
    tablet.set_offline(False)
    expect(page.locator(f"#status-constat-{c21.pk}")).to_contain_text("Enregistré", timeout=30_000)
    expect(page.locator(f"#version-constat-{c21.pk}")).to_have_value("2")
    expect(page.locator("#offline-banner")).to_be_hidden()
    assert constat(dossier, "2.1").observation == "Accueil sans rendez-vous observé le matin."

    # --- offline again, and meanwhile the finding changed on the server: a conflict, shown --------
    tablet.set_offline(True)
    page.fill(f"#preuves-{c21.pk}", "Registre des présences consulté.")
    expect(page.locator(f"#status-constat-{c21.pk}")).to_contain_text("hors ligne")
    Constat.objects.filter(pk=c21.pk).update(
        preuves_examinees="Saisi depuis un autre appareil.", version=F("version") + 1
    )
    tablet.set_offline(False)
    conflict = page.locator(f"#constat-{c21.pk}-block .conflict")
    expect(conflict).to_contain_text("Saisi depuis un autre appareil.", timeout=30_000)
    expect(conflict).to_contain_text("Registre des présences consulté.")
    expect(page.locator(f"#preuves-{c21.pk}")).to_have_value("Saisi depuis un autre appareil.")
    assert constat(dossier, "2.1").preuves_examinees == "Saisi depuis un autre appareil."
    conflict.locator("text=Remplacer par ma saisie").click()
    expect(page.locator(f"#version-constat-{c21.pk}")).to_have_value("4")
    expect(page.locator(f"#preuves-{c21.pk}")).to_have_value("Registre des présences consulté.")
    assert constat(dossier, "2.1").preuves_examinees == "Registre des présences consulté."

    # --- typed offline, page closed, reopened online: the text is restored and sent ---------------
    c22 = constat(dossier, "2.2")
    page.goto(f"{base}criteres/2.2/")
    tablet.set_offline(True)
    page.fill(f"#observation-{c22.pk}", "Texte saisi avant la fermeture de l'onglet.")
    expect(page.locator(f"#status-constat-{c22.pk}")).to_contain_text("hors ligne")
    page.close()
    tablet.set_offline(False)
    page = tablet.new_page()
    page.goto(f"{base}criteres/2.2/")
    expect(page.locator(f"#observation-{c22.pk}")).to_have_value(
        "Texte saisi avant la fermeture de l'onglet."
    )
    expect(page.locator(f"#version-constat-{c22.pk}")).to_have_value("1")
    assert constat(dossier, "2.2").observation == "Texte saisi avant la fermeture de l'onglet."

    # The other criteria were recorded on another device (directly in the database).
    Constat.objects.filter(audit__dossier=dossier, niveau__isnull=True).update(
        niveau=audit_niveau(dossier, "conforme"), version=F("version") + 1
    )

    # --- the report opens with strengths; then it is submitted ------------------------------------
    audit = Audit.objects.get(dossier=dossier)
    page.goto(f"{base}#global")
    page.fill("#points-forts", "Une équipe engagée, des partenariats solides.")
    expect(page.locator(f"#version-audit-{audit.pk}")).to_have_value("1")
    page.fill("#progres", "Le plan d'amélioration est lancé.")
    expect(page.locator(f"#version-audit-{audit.pk}")).to_have_value("2")
    page.fill("#avis-global", "Structure solide, un écart mineur à corriger.")
    expect(page.locator(f"#version-audit-{audit.pk}")).to_have_value("3")
    page.select_option("#recommandation", label="Favorable")
    expect(page.locator(f"#version-audit-{audit.pk}")).to_have_value("4")
    expect(page.locator("#manquants-rapport")).to_contain_text("Le rapport est complet")
    page.click("text=Soumettre le rapport à l'auditeur référent")
    expect(page.locator(".messages")).to_contain_text("Rapport soumis")

    # --- the lead auditor returns it once with a remark -------------------------------------------
    desk = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    desk.set_default_timeout(15_000)
    lead_page = desk.new_page()
    login_with_totp(lead_page, lead.user.email)
    lead_page.goto(f"{base}revue/")
    report = lead_page.locator(".audit-report")
    expect(report).to_contain_text("Une équipe engagée, des partenariats solides.")
    lead_page.click("form.decision-retour button[type=submit]")
    expect(lead_page.locator("[role=alert]")).to_contain_text("Indiquez vos remarques")
    lead_page.fill("textarea[name=remarques]", "Précisez la preuve de l'écart du critère 1.2.")
    lead_page.click("form.decision-retour button[type=submit]")
    expect(lead_page.locator(".messages")).to_contain_text("Rapport renvoyé")

    # --- the auditor sees the remark, completes and resubmits -------------------------------------
    page.goto(base)
    expect(page.locator("#remarques")).to_contain_text(
        "Précisez la preuve de l'écart du critère 1.2."
    )
    page.goto(f"{base}criteres/1.2/")
    page.fill(f"#preuves-{c12.pk}", "Comptes rendus du comité 2023 et 2024.")
    expect(page.locator(f"#version-constat-{c12.pk}")).to_have_value("3")
    page.goto(base)
    page.click("text=Soumettre le rapport à l'auditeur référent")
    expect(page.locator(".messages")).to_contain_text("Rapport soumis")

    # --- the lead validates -----------------------------------------------------------------------
    lead_page.goto(f"{base}revue/")
    lead_page.click("form.decision-validation button[type=submit]")
    expect(lead_page.locator(".messages")).to_contain_text("Rapport validé")
    tablet.close()
    desk.close()

    dossier.refresh_from_db()
    assert dossier.statut == Dossier.Statut.REPONSE_STRUCTURE
    audit.refresh_from_db()
    assert audit.statut == Audit.Statut.VALIDE and audit.valide_par == lead.user
    assert audit.points_forts == "Une équipe engagée, des partenariats solides."
    assert audit.recommandation == Audit.Recommandation.FAVORABLE
    findings = {c.critere.code: c for c in audit.constats.select_related("critere", "niveau")}
    assert findings["1.1"].niveau.code == "point_fort"
    assert findings["1.2"].niveau.code == "ecart_mineur"
    assert findings["1.2"].observation == "Le comité de pilotage ne s'est pas réuni en 2024."
    assert findings["1.2"].preuves_examinees == "Comptes rendus du comité 2023 et 2024."
    assert findings["2.1"].observation == "Accueil sans rendez-vous observé le matin."
    assert list(Revue.objects.filter(audit=audit).values_list("decision", flat=True)) == [
        Revue.Decision.RENVOYE,
        Revue.Decision.VALIDE,
    ]
    assert list(dossier.transitions.values_list("action", flat=True))[-5:] == [
        "start_audit",
        "submit_audit_report",
        "return_audit_report",
        "submit_audit_report",
        "validate_audit_report",
    ]

    # --- the direction answers the gap in the browser ------------------------------------------
    direction_page = browser.new_page(base_url=live_server.url)
    login(direction_page, people.direction.email, PASSWORD)
    direction_page.goto(f"{base}ecarts/")
    gap = findings["1.2"]
    card = direction_page.locator(f"#constat-{gap.pk}")
    expect(card).to_contain_text("Le comité de pilotage ne s'est pas réuni en 2024.")
    card.locator("textarea[name$=action_corrective]").fill(
        "Calendrier des comités 2025 adopté ; première réunion le 12 mars."
    )
    card.locator("textarea[name$=preuves]").fill("Compte rendu du comité du 12 mars 2025.")
    card.locator("button[name=envoyer]").click()
    expect(direction_page.locator(".messages")).to_contain_text("envoyée")
    expect(direction_page.locator(f"#constat-{gap.pk}")).to_contain_text("Réponse envoyée")
    direction_page.close()
    from audits.models import ReponseEcart

    answer = ReponseEcart.objects.get(constat=gap)
    assert answer.envoye_le is not None and answer.auteur == people.direction
    assert answer.action_corrective.startswith("Calendrier des comités 2025")
