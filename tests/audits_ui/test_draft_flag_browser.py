"""The auditor's mission page flags a finding « Saisie non envoyée » only when a save of it is
really waiting in the browser (issue 15: a class's `display:inline-block` used to beat the
`hidden` attribute, so every criterion read « Saisie non envoyée »)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from audits.models import Constat
from tests.browser import login
from tests.conftest import DEMO_TOTP_SECRET

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "mot-de-passe-solide-42"


def login_with_totp(page: Any, email: str) -> None:
    login(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/2fa/authenticate/"))
    page.fill(
        "input[name=code]", format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
    )
    page.press("input[name=code]", "Enter")
    page.wait_for_load_state("networkidle")


def test_no_draft_flag_shows_when_nothing_is_pending_and_one_shows_for_a_save_held_offline(
    browser, live_server, settings, running
):
    settings.MFA_TOTP_TOLERANCE = 1
    dossier = running.dossier
    c11 = Constat.objects.get(audit=running.audit, critere__code="1.1")
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    login_with_totp(page, running.auditor.email)
    page.goto(f"/dossiers/{dossier.pk}/audit/")

    flags = page.locator(".draft-flag")
    assert flags.count() == Constat.objects.filter(audit=running.audit).count() > 1
    for i in range(flags.count()):
        expect(flags.nth(i)).to_be_hidden()
    expect(page.get_by_text("Saisie non envoyée")).to_have_count(flags.count())  # in the DOM only

    # The saves of findings cannot reach the server (the network drops for them): the typed
    # text is kept as a draft waiting to be sent.
    page.route(re.compile(r".*/audit/constats/\d+/$"), lambda route: route.abort())
    page.click("a[href$='/audit/criteres/1.1/']")
    page.fill(f"#observation-{c11.pk}", "Observation saisie sans réseau.")
    expect(page.locator(f"#status-constat-{c11.pk}")).to_contain_text("hors ligne")
    page.go_back()
    page.wait_for_load_state("networkidle")

    expect(page.locator(f"[data-draft-for='constat-{c11.pk}']")).to_be_visible()
    others = page.locator(f".draft-flag:not([data-draft-for='constat-{c11.pk}'])")
    for i in range(others.count()):
        expect(others.nth(i)).to_be_hidden()
    context.close()
