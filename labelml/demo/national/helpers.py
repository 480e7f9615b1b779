"""Small pure computations of the national data set: quotas, dates (working hours, Thursdays,
years back, a label's end), the auditor's level from a score, a snapshot's fingerprint."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math

from django.utils import timezone


def _quotas(mix: tuple[tuple[str, int], ...], n: int) -> list[tuple[str, int]]:
    """Split n along the weights (largest remainder: the counts sum to exactly n). When n
    allows it, every stage gets at least one dossier (a small run, `missions_locales`, still
    covers every state; at full scale every quota is well above one anyway)."""
    total = sum(w for _s, w in mix)
    exact = [(s, w * n / total) for s, w in mix]
    floor = 1 if n >= len(mix) else 0
    counts = {s: max(floor, math.floor(x)) for s, x in exact}
    by_remainder = sorted(exact, key=lambda sx: -(sx[1] - math.floor(sx[1])))
    for s, _x in by_remainder[: max(0, n - sum(counts.values()))]:
        counts[s] += 1
    while sum(counts.values()) > n:  # the minimum of one taken from the largest quotas
        counts[max(counts, key=lambda s: counts[s])] -= 1
    return [(s, counts[s]) for s, _w in mix]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _aware(day: dt.date, minutes: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes))


def _thursday(day: dt.date, forward: bool = False) -> dt.date:
    shift = (3 - day.weekday()) % 7 if forward else -((day.weekday() - 3) % 7)
    return day + dt.timedelta(days=shift)


def _audit_level(x: float) -> str:
    if x >= 3.55:
        return "point_fort"
    if x >= 2.7:
        return "conforme"
    if x >= 2.15:
        return "piste_de_progres"
    if x >= 1.55:
        return "ecart_mineur"
    return "ecart_majeur"


def _label_end(start: dt.date, years: int) -> dt.date:
    """As audits.commission.services.decide computes it."""
    try:
        return start.replace(year=start.year + years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def _fingerprint(content: dict) -> str:
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()
