"""Layout checks in a real Chromium: the UNML administrator's header holds on one line at
1280 px (it used to wrap)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from labelml.structures.roles import Role
from tests.browser import login
from tests.campagnes.conftest import admin, campagne  # noqa: F401
from tests.conftest import DEMO_TOTP_SECRET, member, with_totp

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "mot-de-passe-solide-42"


def login_with_totp(page: Any, email: str) -> None:
    login(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/2fa/authenticate/"))
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
    page.fill("input[name=code]", code)
    page.press("input[name=code]", "Enter")
    page.wait_for_load_state("networkidle")


def test_the_administrators_header_holds_on_one_line_at_1280_px(
    browser, live_server, settings, network
):
    settings.MFA_TOTP_TOLERANCE = 1
    chief = with_totp(member(network["unml"], Role.ADMIN_UNML))
    chief.first_name, chief.last_name = "Marie-Christine", "Delacroix-Fontaine"
    chief.is_staff = True
    chief.set_password(PASSWORD)
    chief.save()
    viewport = {"width": 1280, "height": 800}
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    login_with_totp(page, chief.email)
    expect(page.locator(".site-header")).to_contain_text("Administration")
    items = ".site-header .brand, .site-header .nav a, .site-header .account > *"
    tops = page.evaluate(
        """(sel) => Array.from(document.querySelectorAll(sel)).map(e => {
              const r = e.getBoundingClientRect();
              return Math.round(r.top + r.height / 2);
            })""",
        items,
    )
    assert max(tops) - min(tops) <= 4, tops  # one row: every item on the same middle line
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_the_dashboard_puts_both_scales_on_one_honest_axis(
    browser,
    live_server,
    settings,
    admin,  # noqa: F811
    campagne,  # noqa: F811
):
    """The self-assessment (1–4) and the audit (1–5) means are not drawn against two axes of
    different ranges: each is placed on its own scale in % and the chart has one value axis."""
    settings.MFA_TOTP_TOLERANCE = 1
    page = browser.new_page(base_url=live_server.url)
    login_with_totp(page, admin.email)
    page.click("text=Tableau de bord national")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector("
        "'canvas[data-chart=sections]'))"
    )
    for kind in ("sections", "criteres"):
        axes = page.evaluate(
            """(kind) => {
                const chart = Chart.getChart(document.querySelector(`canvas[data-chart=${kind}]`));
                return Object.values(chart.options.scales)
                    .filter(s => s.axis === "y").map(s => [s.min, s.max]);
            }""",
            kind,
        )
        assert axes == [[0, 100]], (kind, axes)
    page.close()
