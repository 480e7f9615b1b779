"""axe-core (bundled by axe-playwright-python) in Chromium finds no serious or critical
accessibility violation on the pages of issue 15: the footer's public pages, the unknown
certificate page, the auditors' register and certification form, the assignment screen with
the auditors' certifications, and the dossier's thread with its ARML."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from campagnes.models import Echange
from tests.audits_ui.helpers import to_audit_request
from tests.browser import login
from tests.conftest import DEMO_TOTP_SECRET

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "mot-de-passe-solide-42"
AXE = Axe()


def serious_violations(page: Any) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def login_with_totp(page: Any, email: str) -> None:
    login(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/2fa/authenticate/"))
    page.fill(
        "input[name=code]", format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
    )
    page.press("input[name=code]", "Enter")
    page.wait_for_load_state("networkidle")


def test_the_new_pages_have_no_serious_accessibility_violation(
    browser, live_server, settings, dossier, people, admin, auditeur
):
    settings.MFA_TOTP_TOLERANCE = 1
    to_audit_request(dossier, people.direction)
    Echange.objects.create(dossier=dossier, auteur=people.arml, cote="arml", texte="Une question.")
    Echange.objects.create(
        dossier=dossier, auteur=people.direction, cote="structure", texte="Réponse."
    )

    anonymous = browser.new_page(base_url=live_server.url)
    for url in (
        "/accessibilite/",
        "/mentions-legales/",
        "/donnees-personnelles/",
        "/labels/LML-0000-00000/",
    ):
        anonymous.goto(url)
        assert serious_violations(anonymous) == [], url
    anonymous.close()

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    login_with_totp(page, admin.email)
    for url in (
        "/structures/auditeurs/",
        f"/structures/auditeurs/{auditeur.pk}/certification/",
        f"/dossiers/{dossier.pk}/audit/planifier/",
        f"/dossiers/{dossier.pk}/echanges/",
    ):
        page.goto(url)
        assert serious_violations(page) == [], url
    context.close()

    arml = browser.new_page(base_url=live_server.url)
    login(arml, people.arml.email, PASSWORD)
    arml.goto(f"/dossiers/{dossier.pk}/echanges/")
    expect(arml.locator("textarea[name=texte]")).to_be_visible()
    assert serious_violations(arml) == []
    arml.close()
