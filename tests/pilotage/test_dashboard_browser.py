"""The dashboard's charts in a real headless Chromium: Chart.js (vendored) draws all six from
the page's JSON block, with no script error; each canvas is labelled for assistive technology."""

from __future__ import annotations

import pytest

from labelml.structures.roles import Role
from tests.conftest import member
from tests.e2e.conftest import login
from tests.pilotage.test_dashboards import data  # noqa: F401  (the hand-built data set)

PASSWORD = "mot-de-passe-solide-42"


@pytest.mark.django_db(transaction=True)
def test_arml_dashboard_draws_its_charts(browser, live_server, data, network):  # noqa: F811
    referent = member(network["arml_a"], Role.REFERENT_ARML)
    page = browser.new_page(base_url=live_server.url)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        login(page, referent.email, PASSWORD)
        page.goto("/pilotage/")
        page.wait_for_function(
            "document.querySelectorAll('canvas[data-chart]').length > 0 && "
            "Array.from(document.querySelectorAll('canvas[data-chart]'))"
            ".every(c => window.Chart && window.Chart.getChart(c))"
        )
        kinds = page.eval_on_selector_all(
            "canvas[data-chart]", "cs => cs.map(c => c.dataset.chart)"
        )
        assert sorted(kinds) == sorted(
            ["criteres", "ecarts", "statuts", "regions", "sections", "semaines"]
        )
        labels = page.eval_on_selector_all(
            "canvas[data-chart]", "cs => cs.map(c => c.getAttribute('aria-label'))"
        )
        assert all(labels)
        # The region chart shows the ARML's region only.
        regions = page.evaluate(
            "window.Chart.getChart(document.querySelector('canvas[data-chart=regions]'))"
            ".data.labels"
        )
        assert regions == ["Île-de-France"]
        assert errors == []
    finally:
        page.close()
