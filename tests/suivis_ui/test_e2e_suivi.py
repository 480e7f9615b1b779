"""The follow-up audit in a real browser (SPEC §7b). A labelled structure reaches mid-validity:
the administrator (TOTP) schedules the follow-up and designates an auditor; the direction opens
it from its dossier, answers the alert points (saved as typed), updates its plan's progress,
adds nothing it does not need and sends the file; the auditor (TOTP) starts the review, records
a finding on each point (and only on those), the videoconference's date, and concludes
« maintien ». Each sees what they should: the direction the read-only file and then the
conclusion, the auditor the structure's answers."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import expect

from audits.suivis.models import AuditSuivi, PointSuivi
from campagnes.plans.models import Action
from labelml.notifications.models import Notification
from tests.browser import login
from tests.conftest import DEMO_TOTP_SECRET
from tests.suivis.helpers import OBS_MAJEUR, OBS_PISTE, due_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "mot-de-passe-solide-42"


def totp_code() -> str:
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))


def login_with_totp(page: Any, email: str) -> None:
    login(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/2fa/authenticate/"))
    page.fill("input[name=code]", totp_code())
    page.press("input[name=code]", "Enter")
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("Se déconnecter")


def eventually(check: Any, timeout: float = 15) -> None:
    """Wait until the server has stored what the page sent (autosaves run in the background)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the save never reached the database"
        time.sleep(0.1)


def new_page(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    return context.new_page()


ANSWERS = {
    "1.1": "La procédure d'accueil est écrite, validée en comité de direction en mars.",
    "1.2": "Le comité de pilotage se réunit chaque trimestre ; comptes rendus diffusés.",
    "2.1": "L'accueil sans rendez-vous est formalisé sur les trois antennes.",
}


def test_a_labelled_structure_goes_through_its_follow_up_audit(
    browser, live_server, settings, tmp_path, labelled, people, admin, suivi_auditeur
):
    settings.MEDIA_ROOT = tmp_path
    settings.MFA_TOTP_TOLERANCE = 1
    label = due_in(labelled, 30)
    dossier = label.decision.dossier
    action = Action.objects.filter(plan__dossier=dossier).order_by("pk").first()

    # --- the administrator schedules the follow-up and designates the auditor -------------------
    page = new_page(browser, live_server)
    login_with_totp(page, admin.email)
    page.goto("/")
    page.click("text=Audits de suivi à mi-parcours")
    page.click("text=Planifier les audits de suivi échus")
    expect(page.locator(".messages")).to_contain_text("1 audit de suivi planifié")
    suivi = AuditSuivi.objects.get(label=label)
    row = page.locator("tbody tr", has_text=dossier.structure.nom)
    expect(row).to_contain_text(label.numero)
    expect(row).to_contain_text("Planifié")
    row.locator("text=Désigner l'auditeur").click()
    page.select_option("select[name=auditeur]", value=str(suivi_auditeur.pk))
    page.click("main form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Auditeur désigné")
    expect(page.locator("#auditeur-suivi")).to_contain_text("Certif Suivi")
    page.context.close()

    # --- the direction answers the alert points and sends the file -------------------------------
    page = new_page(browser, live_server)
    login(page, people.direction.email, PASSWORD)
    page.goto(f"/dossiers/{dossier.pk}/")
    page.click("text=Audit de suivi à mi-parcours du label")
    expect(page).to_have_url(re.compile(rf"/suivis/{suivi.pk}/$"))
    expect(page.locator("main")).to_contain_text(OBS_MAJEUR)
    expect(page.locator("main")).to_contain_text(OBS_PISTE)
    expect(page.locator("#transmission")).to_contain_text("répondez à 3 points")
    points = {
        p.critere.code: p for p in PointSuivi.objects.select_related("critere").filter(suivi=suivi)
    }
    for code, text in ANSWERS.items():
        p = points[code]
        page.fill(f"#reponse-texte-{p.pk}", text)
        expect(page.locator(f"#status-reponse-{p.pk}")).to_contain_text("Enregistré")
        expect(page.locator(f"#version-reponse-{p.pk}")).to_have_value("1")
        eventually(lambda p=p, text=text: PointSuivi.objects.get(pk=p.pk).reponse == text)
    p11 = points["1.1"]
    page.select_option(f"#reponse-action-{p11.pk}", value=str(action.pk))
    eventually(lambda: PointSuivi.objects.get(pk=p11.pk).action_id == action.pk)
    expect(page.locator(f"#version-reponse-{p11.pk}")).to_have_value("2")
    # The plan lives on: its progress is updated in the same workspace.
    row = page.locator(f"#action-{action.pk}")
    row.locator("select").select_option("en_cours")
    row.locator("input[type=number]").fill("60")
    row.locator("button").click()
    expect(page.locator(".messages")).to_contain_text("mise à jour")
    page.reload()
    expect(page.locator("#transmission")).to_contain_text("le dossier peut être transmis")
    page.click("text=Transmettre le dossier de suivi")
    expect(page.locator(".messages")).to_contain_text("Dossier de suivi transmis")
    expect(page.locator("#dossier-transmis")).to_be_visible()
    expect(page.locator("textarea[name=reponse]")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(ANSWERS["1.2"])
    direction_page = page

    # --- the auditor reviews, records the visio and concludes « maintien » -----------------------
    page = new_page(browser, live_server)
    login_with_totp(page, suivi_auditeur.user.email)
    assert Notification.objects.filter(
        destinataire=suivi_auditeur.user, url=f"/suivis/{suivi.pk}/revue/"
    ).exists()
    page.goto("/suivis/")
    page.click(f"text={dossier.structure.nom}")
    page.click("text=Ouvrir la revue de l'auditeur")
    expect(page.locator("main")).to_contain_text(ANSWERS["1.1"])
    page.click("text=Commencer la revue")
    expect(page.locator(".messages")).to_contain_text("Revue commencée")
    # Findings are limited to the points of the initial audit.
    expect(page.locator("select[name=avis]")).to_have_count(3)
    for code, p in points.items():
        page.select_option(f"#avis-{p.pk}", value="leve")
        eventually(lambda p=p: PointSuivi.objects.get(pk=p.pk).avis == "leve")
        page.fill(f"#commentaire-{p.pk}", f"Preuves vues en visioconférence ({code}).")
        eventually(lambda p=p, code=code: code in PointSuivi.objects.get(pk=p.pk).commentaire)
        expect(page.locator(f"#status-constat-{p.pk}")).to_contain_text("Enregistré")
    today = timezone.localdate()
    page.fill("input[name=date_visio]", f"{today.isoformat()}T00:05")
    page.click("#visio button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("visioconférence enregistrée")
    expect(page.locator("#visio")).to_contain_text(f"{today.day}")
    page.check("input[name=conclusion][value=maintien]")
    page.click("text=Conclure l'audit de suivi >> nth=-1")
    expect(page.locator(".messages")).to_contain_text("Audit de suivi conclu")
    expect(page.locator("#conclusion")).to_contain_text("Maintien du label")

    suivi.refresh_from_db()
    assert suivi.statut == AuditSuivi.Statut.CONCLU
    assert suivi.conclusion == AuditSuivi.Conclusion.MAINTIEN
    assert set(PointSuivi.objects.filter(suivi=suivi).values_list("avis", flat=True)) == {"leve"}
    action.refresh_from_db()
    assert (action.statut, action.avancement) == ("en_cours", 60)

    page.context.close()

    # --- the direction sees the conclusion and the findings --------------------------------------
    direction_page.reload()
    expect(direction_page.locator("#conclusion")).to_contain_text("Maintien du label")
    expect(direction_page.locator(f"#point-{p11.pk}")).to_contain_text("Levé")
    expect(direction_page.locator(f"#point-{p11.pk}")).to_contain_text(
        "Preuves vues en visioconférence (1.1)."
    )
    assert Notification.objects.filter(
        destinataire=people.direction, titre="Audit de suivi conclu : Maintien du label"
    ).exists()
    # The structure's label history lists the follow-up, with a link to it.
    try:
        history = reverse("structures:structure_history", args=[dossier.structure_id])
    except NoReverseMatch:
        history = ""
    if history:
        direction_page.goto(history)
        expect(direction_page.locator("main")).to_contain_text("Maintien du label")
        expect(direction_page.locator(f"main a[href='/suivis/{suivi.pk}/']").first).to_be_visible()
    # Closed before the live server stops: no request thread outlives it.
    direction_page.context.close()
