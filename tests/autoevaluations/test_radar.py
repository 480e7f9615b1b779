"""The radar charts: a part without a score is not drawn at 0 but left out of the line, and the
chart says so; the comparison radar has a legend naming its two series."""

from __future__ import annotations

import re
from decimal import Decimal

from campagnes.autoevaluations.charts import radar_svg

LABELS = ["1.1", "1.2", "2.1", "2.2"]


def _circles(svg: str) -> list[tuple[float, float]]:
    return [
        (float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)
    ]


def test_an_unrated_part_is_left_out_of_the_line_not_drawn_at_zero():
    svg = radar_svg(
        LABELS, [("Auto-évaluation", [Decimal(3), None, Decimal(2), Decimal(4)], "#1d3f72")]
    )
    centre = (180.0, 180.0)
    points = _circles(svg)
    assert len(points) == 3  # one per rated part
    assert centre not in points
    assert "<polygon points" in svg  # the grid rings
    assert 'fill-opacity="0.2"' not in svg  # no filled shape through the missing part
    assert "non noté, hors du tracé : 1.2" in svg
    assert "1.2 : non noté" in svg  # the description read by screen readers


def test_a_fully_rated_series_is_a_filled_polygon_without_note():
    svg = radar_svg(LABELS, [("Auto-évaluation", [1, 2, 3, 4], "#1d3f72")])
    assert 'fill-opacity="0.2"' in svg
    assert "non noté" not in svg
    assert 'viewBox="0 0 360 360"' in svg


def test_the_comparison_radar_has_a_legend_of_its_two_series():
    svg = radar_svg(
        LABELS,
        [
            ("Auto-évaluation", [50, 60, 70, 80], "#1d3f72"),
            ("Évaluation externe", [40, None, 75, 90], "#b45309"),
        ],
        max_value=100,
    )
    assert re.search(r'<rect [^>]*fill="#1d3f72"[^>]*/><text [^>]*>Auto-évaluation</text>', svg)
    assert re.search(r'<rect [^>]*fill="#b45309"[^>]*/><text [^>]*>Évaluation externe</text>', svg)
    assert "Évaluation externe : non noté, hors du tracé : 1.2" in svg
    assert 'viewBox="0 0 360 420"' in svg  # three lines under the chart
