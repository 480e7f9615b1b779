"""Every page family under the Content-Security-Policy, in a real headless Chromium: no
`securitypolicyviolation` event, no CSP message on the console and no script error, while the
interactive parts still work (autosave of the self-assessment and of the audit findings with
offline.js, Chart.js on the steering dashboard, the htmx indicators).

The listener is installed with Playwright's init script, which the browser runs in every
document before the page's own scripts and outside the page's policy: the pages themselves keep
no inline code. People who need TOTP log in for real once (login and TOTP pages included); the
others get a session cookie made by the test client."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from campagnes.autoevaluations.models import Reponse
from labelml.structures.roles import Role
from referentiel.models import Referentiel
from tests.browser import login
from tests.campagnes.conftest import other_dossier  # noqa: F401
from tests.commission_ui.conftest import (  # noqa: F401
    admin,
    answered,
    assigned,
    auditeur,
    body,
    campagne,
    dossier,
    lead,
    people,
    planifiable,
    point,
    seance,
    started,
    submitted,
    validated,
)
from tests.conftest import DEMO_TOTP_SECRET, member

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "mot-de-passe-solide-42"

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " blocked " + e.blockedURI + " at " +
                    e.sourceFile + ":" + e.lineNumber);
});
"""


class Tab:
    """A browser tab that records CSP reports, CSP console messages and script errors."""

    def __init__(self, browser: Any, base_url: str, cookie_of: Any = None) -> None:
        self.context = browser.new_context(
            base_url=base_url, locale="fr-FR", viewport={"width": 1280, "height": 900}
        )
        self.context.set_default_timeout(15_000)
        self.context.add_init_script(WATCH)
        if cookie_of is not None:
            client = Client()
            client.force_login(cookie_of)
            self.context.add_cookies(
                [
                    {
                        "name": django_settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                        "url": base_url,
                    }
                ]
            )
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda exc: self.problems.append(f"erreur JS : {exc}"))
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text or "evalDisallowed" in text:
            self.problems.append(f"console : {text}")

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__csp || []")
        assert violations == [], f"{where} : {violations}"
        assert self.problems == [], f"{where} : {self.problems}"

    def visit(self, path: str) -> Any:
        response = self.page.goto(path)
        assert response is not None and response.status == 200, f"{path} : {response.status}"
        self.page.wait_for_load_state("networkidle")
        self.check(path)
        return self.page

    def close(self) -> None:
        self.context.close()


def expire_session(tab: Tab) -> None:
    """Move the browser's session back past the inactivity timeout (server side)."""
    from importlib import import_module

    from labelml.accounts.sessions import SEEN_AT, now_ts

    name = django_settings.SESSION_COOKIE_NAME
    key = next(c["value"] for c in tab.context.cookies() if c["name"] == name)
    store = import_module(django_settings.SESSION_ENGINE).SessionStore(key)
    store[SEEN_AT] = now_ts() - django_settings.SESSION_IDLE_TIMEOUT - 1
    store.save()


def totp_code() -> str:
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))


def test_structure_audit_and_steering_pages_run_under_the_policy(
    browser,
    live_server,
    settings,
    tmp_path,
    network,
    started,  # noqa: F811  (ML A's audit in progress)
    other_dossier,  # noqa: F811  (ML A2's self-assessment, open)
    auditeur,  # noqa: F811
    people,  # noqa: F811
    admin,  # noqa: F811
    referentiel_ml,
):
    settings.MEDIA_ROOT = tmp_path
    settings.MFA_TOTP_TOLERANCE = 1
    url = live_server.url
    ml_a = started.dossier
    referent_a2 = member(network["ml_a2"], Role.REFERENT_QUALITE)
    tabs: list[Tab] = []
    try:
        # A structure's referent logs in for real and works on the open self-assessment.
        tab = Tab(browser, url)
        tabs.append(tab)
        tab.visit("/comptes/password/reset/")
        tab.visit("/comptes/login/")
        login(tab.page, referent_a2.email, PASSWORD)
        tab.check("connexion")
        d = other_dossier.pk
        for path in (
            "/",
            f"/dossiers/{d}/",
            f"/dossiers/{d}/preuves/",
            f"/dossiers/{d}/plan/",
            f"/dossiers/{d}/plan/calendrier/",
            "/referentiels/",
            f"/referentiels/{referentiel_ml.code}/v{referentiel_ml.version}/",
            "/notifications/",
            "/comptes/sessions/",
            "/comptes/2fa/",
            "/comptes/2fa/totp/activate/",  # the QR code to scan
            "/comptes/password/change/",
        ):
            tab.visit(path)
        page = tab.visit(f"/dossiers/{d}/autoevaluation/criteres/1.1/")
        reponse = Reponse.objects.get(autoevaluation__dossier_id=d, element__code="1.1.e1")
        page.select_option(f"#niveau-{reponse.pk}", label="3 — Mis en œuvre")
        expect(page.locator(f"#status-reponse-{reponse.pk}")).to_contain_text("Enregistré")
        page.fill(f"#justification-{reponse.pk}", "Statuts révisés, collèges représentés.")
        page.locator(f"#justification-{reponse.pk}").blur()
        expect(page.locator(f"#status-reponse-{reponse.pk}")).to_contain_text("Enregistré")
        tab.check("autosave de l'auto-évaluation")
        reponse.refresh_from_db()
        assert reponse.niveau is not None and reponse.niveau.code == "3"
        assert reponse.justification == "Statuts révisés, collèges représentés."
        # htmx injected no <style> of its own; its indicator rules come from app.css.
        assert page.evaluate("document.querySelectorAll('style').length") == 0

        # The session expires while the page is open: the next save says so and saves nothing;
        # the next page is the login page.
        expire_session(tab)
        page.fill(f"#justification-{reponse.pk}", "Saisie après expiration.")
        page.locator(f"#justification-{reponse.pk}").blur()
        expect(page.locator(f"#status-reponse-{reponse.pk}")).to_contain_text("Session expirée")
        tab.check("autosave après expiration de la session")
        reponse.refresh_from_db()
        assert reponse.justification == "Statuts révisés, collèges représentés."
        page = tab.visit(f"/dossiers/{d}/")
        assert "/comptes/login/" in page.url

        # ML A's direction during the audit.
        tab = Tab(browser, url, cookie_of=people.direction)
        tabs.append(tab)
        for path in ("/", f"/dossiers/{ml_a.pk}/", f"/dossiers/{ml_a.pk}/plan/"):
            tab.visit(path)

        # The auditor logs in with TOTP and records a finding in the offline-capable workspace.
        tab = Tab(browser, url)
        tabs.append(tab)
        login(tab.page, auditeur.user.email, PASSWORD)
        expect(tab.page).to_have_url(re.compile(r"/2fa/authenticate/"))
        tab.check("page du code TOTP")
        tab.page.fill("input[name=code]", totp_code())
        tab.page.press("input[name=code]", "Enter")
        tab.page.wait_for_load_state("networkidle")
        expect(tab.page.locator("body")).to_contain_text("Se déconnecter")
        tab.visit("/comptes/2fa/recovery-codes/generate/")
        tab.visit("/audits/")
        tab.visit(f"/dossiers/{ml_a.pk}/audit/")
        page = tab.visit(f"/dossiers/{ml_a.pk}/audit/criteres/1.1/")
        constat = started.constats.get(critere__code="1.1")
        page.select_option(f"#niveau-{constat.pk}", label="Point fort")
        expect(page.locator(f"#badge-constat-{constat.pk}")).to_contain_text("Point fort")
        expect(page.locator(f"#version-constat-{constat.pk}")).to_have_value("1")
        page.fill(f"#observation-{constat.pk}", "Conseil d'administration ouvert.")
        expect(page.locator(f"#version-constat-{constat.pk}")).to_have_value("2")
        expect(page.locator(f"#status-constat-{constat.pk}")).to_contain_text("Enregistré")
        tab.check("constat enregistré par offline.js")
        constat.refresh_from_db()
        assert constat.observation == "Conseil d'administration ouvert."

        # The ARML's referent: the steering dashboard draws its charts with Chart.js.
        tab = Tab(browser, url, cookie_of=people.arml)
        tabs.append(tab)
        page = tab.visit("/pilotage/")
        page.wait_for_function(
            "document.querySelectorAll('canvas[data-chart]').length > 0 && "
            "Array.from(document.querySelectorAll('canvas[data-chart]'))"
            ".every(c => window.Chart && window.Chart.getChart(c))"
        )
        tab.check("tableau de bord de pilotage")
        tab.visit("/pilotage/exports/")

        # The national administrator: campaigns, structures, letterhead settings, Django admin.
        tab = Tab(browser, url, cookie_of=admin)
        tabs.append(tab)
        for path in (
            "/",
            "/structures/",
            f"/structures/{network['ml_a'].pk}/",
            f"/dossiers/{ml_a.pk}/",
            "/administration/documents/",
            "/suivis/",
            "/comptes/2fa/",
        ):
            tab.visit(path)
        admin.is_staff = True
        admin.is_superuser = True
        admin.save()
        for path in (
            "/admin/",
            "/admin/accounts/user/",
            f"/admin/accounts/user/{admin.pk}/change/",
        ):
            tab.visit(path)
    finally:
        for tab in tabs:
            tab.close()


def test_commission_pages_run_under_the_policy(
    browser,
    live_server,
    point,  # noqa: F811
    admin,  # noqa: F811
):
    agenda = point.seance
    tabs: list[Tab] = []
    try:
        tab = Tab(browser, live_server.url, cookie_of=agenda.m1.user)
        tabs.append(tab)
        for path in (
            "/commission/",
            f"/commission/{agenda.pk}/",
            f"/commission/{agenda.pk}/points/{point.pk}/",
        ):
            tab.visit(path)
        tab = Tab(browser, live_server.url, cookie_of=admin)
        tabs.append(tab)
        for path in ("/commission/", f"/commission/{agenda.pk}/points/{point.pk}/", "/labels/"):
            tab.visit(path)
        assert Referentiel.objects.exists()
    finally:
        for tab in tabs:
            tab.close()
