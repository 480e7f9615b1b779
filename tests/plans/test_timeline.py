"""The timeline (Gantt-like) view: dated actions as SVG bars positioned by attributes, the same
information as a table, undated actions listed apart; no inline style or script."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from campagnes.plans.models import Action
from campagnes.plans.timeline import CHART_WIDTH, CHART_X, build_gantt
from tests.conftest import client_for

from .conftest import make_action

pytestmark = pytest.mark.django_db


def timeline_url(dossier):  # type: ignore[no-untyped-def]
    return reverse("plans:plan_timeline", args=[dossier.pk])


def test_timeline_shows_dated_actions_as_bars_and_undated_ones_apart(dossier, lecteur):
    make_action(
        dossier,
        "Refondre le site web",
        echeance=date(2026, 12, 15),
        statut="en_cours",
        avancement=40,
    )
    make_action(dossier, "Former les conseillers", echeance=date(2027, 3, 1))
    make_action(dossier, "Action sans date", statut="a_faire")
    response = client_for(lecteur).get(timeline_url(dossier))
    assert response.status_code == 200
    html = response.content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S)
    assert svg is not None
    # One bar group per dated action, in due-date order, with its title for sighted users.
    groups = re.findall(
        r'<g class="gantt-bar statut-(\w+)[^"]*">\s*<title>([^<]*)</title>', svg.group(0)
    )
    assert [(s, t.split(" — ")[0]) for s, t in groups] == [
        ("en_cours", "Refondre le site web"),
        ("a_faire", "Former les conseillers"),
    ]
    assert "Action sans date" not in svg.group(0)
    # The same information as a table, for screen readers (and everybody).
    table = re.search(r'<table class="plan-timeline-table">.*?</table>', html, re.S)
    assert table is not None
    assert "15/12/2026" in table.group(0) and "Refondre le site web" in table.group(0)
    assert "01/03/2027" in table.group(0) and "Former les conseillers" in table.group(0)
    undated = re.search(r'<section aria-labelledby="sans-echeance".*?</section>', html, re.S)
    assert undated is not None and "Action sans date" in undated.group(0)
    assert 'role="img"' in svg.group(0) and 'aria-labelledby="gantt-titre gantt-desc"' in html


def test_timeline_has_no_inline_style_or_script(dossier, referent):
    make_action(dossier, "Datée", echeance=date(2026, 10, 1), avancement=30)
    html = client_for(referent).get(timeline_url(dossier)).content.decode()
    main = html.split("<main", 1)[1]
    assert "style=" not in main
    assert "<style" not in main
    assert "<script" not in main
    assert not re.search(r"\son[a-z]+=", main)  # no event handler attribute


def test_svg_coordinates_are_not_localised(dossier, referent):
    # French number formatting would write "12,5" and break the SVG attributes.
    make_action(dossier, "Datée", echeance=date(2026, 10, 1), avancement=33)
    html = client_for(referent).get(timeline_url(dossier)).content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)  # type: ignore[union-attr]
    for value in re.findall(r'\s(?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"', svg):
        assert re.fullmatch(r"-?\d+(\.\d+)?", value), value


def test_timeline_without_dated_actions(dossier, referent):
    make_action(dossier, "Sans date")
    html = client_for(referent).get(timeline_url(dossier)).content.decode()
    assert "<svg" not in html
    assert "Aucune action n'a encore d'échéance" in html
    assert "Sans date" in html


def _action(created: date, echeance: date, avancement: int = 0, statut: str = "a_faire"):  # type: ignore[no-untyped-def]
    action = Action(titre="A", echeance=echeance, avancement=avancement, statut=statut)
    action.created_at = datetime(created.year, created.month, created.day, 12, tzinfo=UTC)
    return action


def test_gantt_geometry():
    today = date(2026, 3, 10)
    early = _action(date(2026, 2, 1), date(2026, 4, 30), avancement=50)
    late = _action(date(2026, 3, 1), date(2026, 6, 30), statut="en_cours")
    gantt = build_gantt([early, late], today)
    # From the first month of activity to the end of the last one.
    assert (gantt.first_day, gantt.last_day) == (date(2026, 2, 1), date(2026, 6, 30))
    first, second = gantt.rows
    assert first.bar_x == CHART_X
    assert second.bar_x > first.bar_x
    assert second.bar_x + second.bar_width == pytest.approx(CHART_X + CHART_WIDTH, abs=0.2)
    assert first.done_width == pytest.approx(first.bar_width / 2, abs=0.1)
    assert second.y > first.y
    assert first.bar_x < gantt.today_x < second.bar_x + second.bar_width
    assert [t.day.month for t in gantt.ticks] == [2, 3, 4, 5, 6]


def test_gantt_marks_overdue_actions_and_milestones():
    today = date(2026, 3, 10)
    overdue = _action(date(2026, 1, 5), date(2026, 2, 1))
    done = _action(date(2026, 1, 5), date(2026, 2, 1), avancement=100, statut="fait")
    milestone = _action(date(2026, 5, 1), date(2026, 4, 1))  # created after its due date
    rows = build_gantt([overdue, done, milestone], today).rows
    assert rows[0].overdue and "en-retard" in rows[0].css_class
    assert not rows[1].overdue
    assert rows[2].milestone and not rows[0].milestone


def test_long_periods_label_at_most_twelve_months():
    gantt = build_gantt([_action(date(2026, 1, 1), date(2029, 12, 31))], date(2026, 1, 1))
    assert len(gantt.ticks) == 48
    assert sum(t.labelled for t in gantt.ticks) <= 12
