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
    admin = with_totp(member(network["unml"], Role.ADMIN_UNML))
    admin.first_name, admin.last_name = "Marie-Christine", "Delacroix-Fontaine"
    admin.is_staff = True
    admin.set_password(PASSWORD)
    admin.save()
    viewport = {"width": 1280, "height": 800}
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    login_with_totp(page, admin.email)
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
