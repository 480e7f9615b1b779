"""Browser journeys in a real headless Chromium (Debian's package) driven by Playwright.

`make test` installs Chromium when it can (as root); without it these tests skip locally, and
fail under REQUIRE_SERVICES=1 (CI), where nothing may skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test itself
# (setup and final checks) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator:  # type: ignore[type-arg]
    if CHROMIUM is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("Chromium est introuvable : `make test` doit l'installer (apt chromium).")
        pytest.skip(
            "Chromium non installé (apt-get install chromium) : parcours navigateur ignorés."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def login(page, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/comptes/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    # Until the next page (the home, or the second factor's) has loaded, its scripts run: not
    # "networkidle", which waits half a second more after the last request, at every login.
    with page.expect_navigation():
        page.click("button[type=submit]")
