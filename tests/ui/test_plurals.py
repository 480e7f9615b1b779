"""French plurals everywhere a count is written: 0 and 1 take the singular (labelml/core/
pluriel.py), in Python messages and through every template's `pluralize`."""

from __future__ import annotations

import pytest
from django.template import engines

from labelml.core.pluriel import pluriel


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0 critère"), (1, "1 critère"), (2, "2 critères"), (12, "12 critères")],
)
def test_pluriel_follows_the_french_rule(n, text):
    assert pluriel(n, "{n} critère", "{n} critères") == text


def test_pluriel_counts_a_list():
    assert pluriel(["a"], "{n} point à compléter", "{n} points à compléter") == (
        "1 point à compléter"
    )
    assert pluriel([], "{n} point", "{n} points") == "0 point"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 critère, remplacez-la"),
        (1, "1 critère, remplacez-la"),
        (3, "3 critères, remplacez-les"),
    ],
)
def test_every_template_pluralizes_in_french_without_loading_anything(n, text):
    template = engines["django"].from_string(
        '{{ n }} critère{{ n|pluralize }}, remplacez-{{ n|pluralize:"la,les" }}'
    )
    assert template.render({"n": n}) == text


def test_the_submission_page_never_says_ces_1_point():
    template = engines["django"].from_string(
        "{% if missing|length > 1 %}complétez ces {{ missing|length }} points"
        "{% else %}complétez ce point{% endif %}"
    )
    assert template.render({"missing": ["x"]}) == "complétez ce point"
