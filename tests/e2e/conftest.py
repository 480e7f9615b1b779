"""Browser journeys in a real headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import pytest

from tests.browser import login

__all__ = ["login"]


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
