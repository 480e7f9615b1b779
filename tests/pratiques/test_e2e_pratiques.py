"""The journey of a remarkable practice in a real browser (issue 18), following links only: the
auditor proposes a practice from a "point fort" of the running audit; the structure's direction
consents to share it within the network; the UNML publishes it; a quality referent of another
Mission Locale finds it from the criterion page of the self-assessment it is filling."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from audits.pratiques.models import Pratique
from campagnes.models import DossierTransition
from labelml.structures.roles import Role
from tests.audits_ui.test_e2e_audit import PASSWORD, login_with_totp
from tests.conftest import member
from tests.e2e.conftest import login

from .conftest import POINT_FORT_CRITERE

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_point_fort_becomes_a_practice_the_network_finds_while_writing(
    browser, live_server, settings, point_fort, auditeur, people, admin, other_dossier
):
    settings.MFA_TOTP_TOLERANCE = 1
    dossier = point_fort.audit.dossier
    referent_a2 = member(other_dossier.structure, Role.REFERENT_QUALITE)
    pages = {
        name: browser.new_page(base_url=live_server.url)
        for name in ("auditeur", "direction", "admin", "referent")
    }

    # The auditor, on the mission's page, proposes the "point fort" of criterion 2.1.
    page = pages["auditeur"]
    login_with_totp(page, auditeur.user.email)
    page.click("nav >> text=Missions")
    page.click(f"text={dossier.structure.nom} >> nth=0")
    page.click("text=Proposer comme pratique remarquable")
    expect(page.locator("#proposer")).to_contain_text("Depuis le point fort")
    expect(page.locator(f"input[name=criteres][value='{point_fort.critere_id}']")).to_be_checked()
    page.fill("input[name=titre]", "Entreprises marraines de l'insertion")
    page.fill(
        "textarea[name=description]",
        "Des chefs d'entreprise parrainent des jeunes pendant six mois : immersions, réseau.",
    )
    page.check("input[name=publics][value=jeunes]")
    page.check("input[name=publics][value=entreprises]")
    page.fill("input[name=contact_nom]", "Claire Martin")
    page.click("text=Proposer la pratique")
    expect(page.locator(".messages")).to_contain_text("Pratique proposée")
    expect(page.locator("h1")).to_have_text("Entreprises marraines de l'insertion")
    pratique = Pratique.objects.get()
    assert pratique.source == Pratique.Source.AUDIT and pratique.constat_id == point_fort.pk

    # The direction finds it on its dossier's tab and consents to share it within the network.
    page = pages["direction"]
    login(page, people.direction.email, PASSWORD)
    page.click(f"main >> text={dossier.campagne.nom}")
    page.click("nav.tabs >> text=Pratiques remarquables")
    page.click("text=Entreprises marraines de l'insertion")
    page.check("input[name=consentement][value=reseau]")
    page.click("text=Consentir au partage")
    expect(page.locator(".messages")).to_contain_text("Consentement enregistré")

    # The UNML reviews it from the catalogue's queue and publishes it.
    page = pages["admin"]
    login_with_totp(page, admin.email)
    page.click("nav >> text=Pratiques")
    page.click("text=Pratiques à examiner")
    page.click("text=Entreprises marraines de l'insertion")
    page.click("text=Publier dans le catalogue")
    expect(page.locator(".messages")).to_contain_text("Pratique publiée")

    # A referent of another Mission Locale, filling criterion 2.1, finds it there.
    page = pages["referent"]
    login(page, referent_a2.email, PASSWORD)
    page.click(f"main >> text={other_dossier.campagne.nom}")
    page.click("nav.tabs >> text=Auto-évaluation")
    page.click(f"a[href$='/criteres/{POINT_FORT_CRITERE}/'] >> nth=0")
    panel = page.locator(".pratiques-panel")
    expect(panel).to_contain_text("Pratiques remarquables du réseau")
    panel.locator("text=Entreprises marraines de l'insertion").click()
    expect(page).to_have_url(re.compile(rf"/pratiques/{pratique.pk}/$"))
    expect(page.locator("body")).to_contain_text("Claire Martin")
    expect(page.locator("body")).to_contain_text("Avec : jeunes, entreprises")

    assert [
        row.action for row in DossierTransition.objects.filter(subject="pratique").order_by("pk")
    ] == ["propose", "consent_reseau", "publish"]
    for p in pages.values():
        p.close()
