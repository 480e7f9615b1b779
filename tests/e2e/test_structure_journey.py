"""The structure's side of the journey in a real browser (issue 3): a referent rates elements
with autosave and uploads a PDF; the direction tries to submit an incomplete self-assessment and
sees what is missing; the referent completes it; the direction submits, writes a plan with two
actions and requests the audit. The database is checked at the end."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from campagnes.autoevaluations.models import Preuve, Reponse, Saisie, SyntheseCritere
from campagnes.models import Dossier
from campagnes.services import create_campagne, open_campagne
from labelml.structures.roles import Role
from referentiel.models import Niveau
from tests.conftest import member, with_totp
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "mot-de-passe-solide-42"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def dossier(referentiel_ml, network):  # type: ignore[no-untyped-def]
    admin = with_totp(member(network["unml"], Role.ADMIN_UNML))
    today = dt.date.today()
    campagne = create_campagne(
        actor=admin,
        nom="Campagne 2026",
        referentiel=referentiel_ml,
        date_ouverture=today,
        date_cloture_autoevaluation=today + dt.timedelta(days=60),
    )
    open_campagne(actor=admin, campagne=campagne, structures=[network["ml_a"]])
    dossier = Dossier.objects.get(campagne=campagne)
    # Everything is already filled except criterion 1.1, which the test does in the browser.
    niveau_3 = Niveau.objects.get(echelle_id=referentiel_ml.echelle_autoevaluation_id, code="3")
    Reponse.objects.filter(autoevaluation__dossier=dossier).exclude(
        element__critere__code="1.1"
    ).update(niveau=niveau_3, justification="Pratique établie.", version=1)
    SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).exclude(
        critere__code="1.1"
    ).update(synthese="Critère atteint.", version=1)
    return dossier


def test_referent_and_direction_take_the_dossier_to_the_audit_request(
    browser, live_server, dossier, network
):
    referent = member(network["ml_a"], Role.REFERENT_QUALITE)
    direction = member(network["ml_a"], Role.DIRECTION)
    ref_page = browser.new_page(base_url=live_server.url)
    dir_page = browser.new_page(base_url=live_server.url)
    critere_url = f"/dossiers/{dossier.pk}/autoevaluation/criteres/1.1/"

    # The referent rates the first element: each field saves itself.
    login(ref_page, referent.email, PASSWORD)
    ref_page.goto(critere_url)
    e1 = Reponse.objects.get(autoevaluation__dossier=dossier, element__code="1.1.e1")
    ref_page.select_option(f"#niveau-{e1.pk}", label="3 — Mis en œuvre")
    expect(ref_page.locator(f"#status-reponse-{e1.pk}")).to_contain_text("Enregistré")
    ref_page.fill(f"#justification-{e1.pk}", "Statuts de 2019, collèges représentés au CA.")
    ref_page.locator(f"#justification-{e1.pk}").blur()
    expect(ref_page.locator(f"#status-reponse-{e1.pk}")).to_contain_text("Enregistré")
    expect(ref_page.locator("#progress-critere")).to_contain_text("1 élément noté sur 2")

    # ...and attaches a PDF to the criterion.
    upload = ref_page.locator("#preuves form")
    upload.locator("input[name=titre]").fill("Statuts de l'association")
    upload.locator("input[name=date_effet]").fill("2019-06-01")
    upload.locator("input[type=file]").set_input_files(
        files=[{"name": "statuts.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    upload.locator("button[type=submit]").click()
    expect(ref_page.locator("#preuves")).to_contain_text("Statuts de l'association")

    # The direction tries to submit: it is incomplete, and the page says what is missing.
    login(dir_page, direction.email, PASSWORD)
    dir_page.goto(f"/dossiers/{dossier.pk}/autoevaluation/soumettre/")
    dir_page.click("text=Soumettre l'auto-évaluation >> nth=-1")
    missing = dir_page.locator("#manquants")
    expect(missing).to_contain_text("Élément 1.1.e2 : niveau non renseigné")
    expect(missing).to_contain_text("Critère 1.1 : synthèse à rédiger")
    assert Dossier.objects.get(pk=dossier.pk).statut == Dossier.Statut.AUTOEVALUATION

    # The referent follows the link of a missing item and completes the criterion.
    ref_page.goto(f"/dossiers/{dossier.pk}/autoevaluation/soumettre/")
    ref_page.click("text=Élément 1.1.e2 : niveau non renseigné")
    expect(ref_page).to_have_url(re.compile(r"/criteres/1\.1/#element-1\.1\.e2$"))
    e2 = Reponse.objects.get(autoevaluation__dossier=dossier, element__code="1.1.e2")
    ref_page.select_option(f"#niveau-{e2.pk}", label="2 — En cours de mise en œuvre")
    expect(ref_page.locator(f"#status-reponse-{e2.pk}")).to_contain_text("Enregistré")
    synthese = SyntheseCritere.objects.get(autoevaluation__dossier=dossier, critere__code="1.1")
    ref_page.fill("#synthese-texte", "Gouvernance conforme, financement à diversifier.")
    ref_page.locator("#synthese-texte").blur()
    expect(ref_page.locator(f"#status-synthese-{synthese.pk}")).to_contain_text("Enregistré")

    # The direction submits.
    dir_page.goto(f"/dossiers/{dossier.pk}/autoevaluation/soumettre/")
    expect(dir_page.locator("text=Tout est complet")).to_be_visible()
    dir_page.click("form >> text=Soumettre l'auto-évaluation")
    expect(dir_page.locator(".messages")).to_contain_text("Auto-évaluation soumise")

    # The plan: two actions, submitted, then the audit request.
    for titre in ("Diversifier les financements", "Formaliser le projet associatif"):
        dir_page.goto(f"/dossiers/{dossier.pk}/plan/nouvelle/?critere=1.1")
        dir_page.fill("input[name=titre]", titre)
        dir_page.fill("input[name=echeance]", "2027-03-31")
        dir_page.click("form.action-form button[type=submit]")
        expect(dir_page.locator("body")).to_contain_text(titre)
    dir_page.goto(f"/dossiers/{dossier.pk}/plan/")
    dir_page.click("text=Soumettre le plan")
    dir_page.click("text=Demander l'évaluation externe")
    expect(dir_page.locator(".messages")).to_contain_text("Évaluation externe demandée")

    dossier.refresh_from_db()
    assert dossier.statut == Dossier.Statut.AUDIT_A_PLANIFIER
    snapshot = dossier.snapshots.get()
    assert {r["element"]: r["niveau"] for r in snapshot.contenu["reponses"]}["1.1.e2"] == "2"
    e1.refresh_from_db()
    assert e1.niveau.code == "3" and e1.justification.startswith("Statuts de 2019")
    assert Saisie.objects.filter(reponse=e1).count() == 2  # one per field, nothing more
    assert Preuve.objects.get(dossier=dossier).nom_original == "statuts.pdf"
    assert sorted(dossier.plan.actions.values_list("titre", flat=True)) == [
        "Diversifier les financements",
        "Formaliser le projet associatif",
    ]
    assert list(dossier.transitions.values_list("action", flat=True)) == [
        "open",
        "submit_autoevaluation",
        "submit_plan",
        "request_audit",
    ]
