"""Server-side SVG charts: no JavaScript, nothing inline to allow in the CSP, and the same
markup serves the pages and the PDF reports."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _point(cx: float, cy: float, radius: float, angle: float) -> tuple[float, float]:
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def radar_svg(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | float | None], str]],
    *,
    max_value: float = 4,
    size: int = 360,
    title: str = "Scores par partie",
    rings: int | None = None,
    font_family: str = "",
) -> SafeString:
    """A radar chart: one axis per label, one polygon per (name, values, colour) series, a
    legend under it when there are several. A missing value (a part not rated) is not drawn:
    the series' line stops at it and the chart says which parts are left out. The SVG has a
    <title> and <desc> for screen readers; pages also show the same figures in a table."""
    n = len(labels)
    if n < 3:
        return SafeString("")
    cx = cy = size / 2
    radius = size / 2 - 60
    angles = [-math.pi / 2 + 2 * math.pi * i / n for i in range(n)]
    parts = []
    rings = rings or (int(max_value) if max_value <= 10 else 4)
    for ring in range(1, rings + 1):
        level = max_value * ring / rings
        r = radius * ring / rings
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(cx, cy, r, a) for a in angles))
        parts.append(f'<polygon points="{points}" fill="none" stroke="#d5dbe3" stroke-width="1"/>')
        x, y = _point(cx, cy, r, -math.pi / 2)
        parts.append(
            f'<text x="{x + 3:.1f}" y="{y - 2:.1f}" font-size="9" fill="#5c6570">{level:g}</text>'
        )
    for label, angle in zip(labels, angles, strict=True):
        x, y = _point(cx, cy, radius, angle)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d5dbe3"/>')
        lx, ly = _point(cx, cy, radius + 22, angle)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        parts.append(
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" font-size="12" text-anchor="{anchor}" '
            f'fill="#1f2328">{escape(label)}</text>'
        )
    descriptions = []
    for name, values, colour in series:
        # A part without a score is not drawn at 0 (that would read "rated 0"): the line stops
        # there, and the part is named as not rated under the chart.
        pts = [
            _point(cx, cy, radius * min(float(v), max_value) / max_value, a)
            if v is not None
            else None
            for v, a in zip(values, angles, strict=True)
        ]
        if all(p is not None for p in pts):
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)  # type: ignore[misc]
            parts.append(
                f'<polygon points="{points}" fill="{escape(colour)}" fill-opacity="0.2" '
                f'stroke="{escape(colour)}" stroke-width="2"/>'
            )
        else:
            for i, here in enumerate(pts):
                there = pts[(i + 1) % n]
                if here is not None and there is not None:
                    parts.append(
                        f'<line x1="{here[0]:.1f}" y1="{here[1]:.1f}" x2="{there[0]:.1f}" '
                        f'y2="{there[1]:.1f}" stroke="{escape(colour)}" stroke-width="2"/>'
                    )
        for p in pts:
            if p is not None:
                parts.append(
                    f'<circle cx="{p[0]:.1f}" cy="{p[1]:.1f}" r="3" fill="{escape(colour)}"/>'
                )
        described = ", ".join(
            f"{lab} : {f'{float(v):.2f}'.replace('.', ',') if v is not None else 'non noté'}"
            for lab, v in zip(labels, values, strict=True)
        )
        descriptions.append(f"{name} — {described}")
    # Under the chart: the legend (when several series share it) and the parts not drawn.
    notes: list[tuple[str, str]] = []  # (colour or "", text)
    if len(series) > 1:
        notes += [(colour, name) for name, _values, colour in series]
    for name, values, _colour in series:
        unrated = [lab for lab, v in zip(labels, values, strict=True) if v is None]
        if unrated:
            prefix = f"{name} : " if len(series) > 1 else ""
            notes.append(("", f"{prefix}non noté, hors du tracé : {', '.join(unrated)}"))
    height = size + 20 * len(notes)
    for i, (colour, text) in enumerate(notes):
        y = size + 20 * i + 4
        x = 16
        if colour:
            parts.append(
                f'<rect x="{x}" y="{y - 9}" width="12" height="12" fill="{escape(colour)}" '
                f'fill-opacity="0.6" stroke="{escape(colour)}"/>'
            )
            x += 18
        parts.append(
            f'<text x="{x}" y="{y + 1}" font-size="12" fill="#1f2328" class="radar-note">'
            f"{escape(text)}</text>"
        )
    # Printed documents name their embedded font (WeasyPrint's SVG text does not inherit the
    # page's CSS); pages leave the text to the site's font.
    font = format_html(' font-family="{}"', font_family) if font_family else ""
    # Safe: every part is numbers, constants or escape()d text.
    markup = "".join(parts)
    drawing = mark_safe(markup)  # nosec B308, B703
    return format_html(
        '<svg class="radar" viewBox="0 0 {0} {5}" width="{0}" height="{5}" role="img"{4} '
        'aria-labelledby="radar-title radar-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="radar-title">{1}</title><desc id="radar-desc">{2}</desc>{3}</svg>',
        size,
        title,
        " ; ".join(descriptions),
        drawing,
        font,
        height,
    )
