"""Geometry of the plan's Gantt-like chart, computed here so that the template only writes SVG
attributes (no inline style, no script: the pages must work under a strict
Content-Security-Policy).

Each dated action is a bar from the day it was created to its due date, with its progress drawn
inside; an action created after its due date is a milestone (a diamond) on the due date. Months
are graduated on top and today is a vertical line. Coordinates are in the SVG's viewBox units;
the chart scales with the page width through CSS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from math import ceil

from django.utils import timezone

from .models import Action
from .selectors import is_overdue
from .text import shorten

WIDTH = 1000
LABEL_WIDTH = 300  # left column: the action titles
CHART_X = LABEL_WIDTH + 10
CHART_WIDTH = WIDTH - CHART_X - 10
HEADER = 34
ROW_HEIGHT = 28
BAR_HEIGHT = 14
MAX_TICK_LABELS = 12
LABEL_CHARS = 36


@dataclass
class Tick:
    x: float
    day: date
    labelled: bool


@dataclass
class Row:
    action: Action
    start: date
    end: date
    y: float  # top of the row
    bar_x: float
    bar_width: float
    done_width: float
    milestone: bool
    overdue: bool
    label: str

    @property
    def bar_y(self) -> float:
        return self.y + (ROW_HEIGHT - BAR_HEIGHT) / 2

    @property
    def text_y(self) -> float:
        return self.y + ROW_HEIGHT / 2 + 5

    @property
    def milestone_points(self) -> str:
        """A diamond centred on the due date."""
        cx, cy, r = self.bar_x + self.bar_width / 2, self.y + ROW_HEIGHT / 2, BAR_HEIGHT / 2 + 1
        points = [(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)]
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)

    @property
    def css_class(self) -> str:
        classes = [f"gantt-bar statut-{self.action.statut}"]
        if self.overdue:
            classes.append("en-retard")
        return " ".join(classes)


@dataclass
class Gantt:
    rows: list[Row] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    first_day: date | None = None
    last_day: date | None = None
    today: date | None = None
    today_x: float | None = None
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    chart_x: int = CHART_X
    header: int = HEADER
    row_height: int = ROW_HEIGHT
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return HEADER + ROW_HEIGHT * len(self.rows) + 8

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def chart_bottom(self) -> int:
        return self.height - 4

    @property
    def chart_right(self) -> int:
        return CHART_X + CHART_WIDTH


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def build_gantt(actions: list[Action], today: date | None = None) -> Gantt:
    """`actions` all have a due date, in the order to draw them."""
    today = today or timezone.localdate()
    gantt = Gantt(today=today)
    if not actions:
        return gantt
    spans = []
    for action in actions:
        assert action.echeance is not None
        created = timezone.localdate(action.created_at) if action.created_at else today
        spans.append((action, min(created, action.echeance), action.echeance))
    first = _month_start(min([s for _, s, _ in spans] + [today]))
    last = _next_month(max([e for _, _, e in spans] + [today]))  # exclusive bound
    total_days = (last - first).days
    scale = CHART_WIDTH / total_days

    def x_of(day: date) -> float:
        return round(CHART_X + (day - first).days * scale, 1)

    gantt.first_day, gantt.last_day = first, last - timedelta(days=1)
    gantt.today_x = x_of(today) + round(scale / 2, 1)
    months = []
    cursor = first
    while cursor < last:
        months.append(cursor)
        cursor = _next_month(cursor)
    step = max(1, ceil(len(months) / MAX_TICK_LABELS))
    gantt.ticks = [Tick(x_of(m), m, i % step == 0) for i, m in enumerate(months)]
    for index, (action, start, end) in enumerate(spans):
        bar_x = x_of(start)
        # A bar covers its last day: it ends at the end of the due date.
        bar_width = max(round(x_of(end) + scale - bar_x, 1), 3.0)
        gantt.rows.append(
            Row(
                action=action,
                start=start,
                end=end,
                y=HEADER + index * ROW_HEIGHT,
                bar_x=bar_x,
                bar_width=bar_width,
                done_width=round(bar_width * action.avancement / 100, 1),
                milestone=start == end,
                overdue=is_overdue(action, today),
                label=shorten(action.titre, LABEL_CHARS),
            )
        )
    return gantt
