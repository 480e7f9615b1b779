"""The API's documentation page renders in a real browser, from our own static files, under our
Content-Security-Policy (no violation), and reads the schema the API serves."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_render_under_the_csp(page, live_server):
    violations: list[str] = []
    outside: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on(
        "request",
        lambda req: outside.append(req.url) if not req.url.startswith(live_server.url) else None,
    )
    page.goto("/api/v1/docs/")
    page.get_by_text("API labelml", exact=False).first.wait_for()
    # The operations of the schema are listed (Swagger UI fetched /api/v1/openapi.json).
    page.locator("#operations-dossiers-dossiers_list").wait_for()
    assert page.locator(".opblock").count() >= 20
    assert violations == []
    assert outside == []
