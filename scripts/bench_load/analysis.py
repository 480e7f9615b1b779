"""The pure parts of `make bench-load` (no Django, no locust): TOTP codes, reading a save's
answer, the figures of a run and the check that no acknowledged save was lost.

Tested by tests/test_bench_load.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
import struct
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# --- the client side ---------------------------------------------------------------------------

VERSION_RE = re.compile(r'name="version" value="(\d+)"')


def totp(secret: str, at: float | None = None, *, period: int = 30, digits: int = 6) -> str:
    """RFC 6238 (HMAC-SHA1), as authenticator apps and allauth compute it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def parse_version(body: str) -> int | None:
    """The version a save's answer carries (the hidden input refreshed out of band)."""
    match = VERSION_RE.search(body)
    return int(match.group(1)) if match else None


# --- the figures -------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), nearest rank on the sorted values; 0.0 for no value."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Request:
    """One request of a simulated person, as the locust process records it."""

    phase: str  # login, saves, floor
    kind: str  # login, save, read, floor
    start: float  # monotonic seconds
    end: float
    status: int  # HTTP status, 0 for a connection error or a timeout
    ok: bool  # the expected answer (a save: 200 with a version, or a 409)


def in_window(requests: Iterable[Request], start: float, end: float, kind: str) -> list[Request]:
    """The requests of `kind` answered within [start, end]."""
    return [r for r in requests if r.kind == kind and start <= r.end <= end]


def summarize(
    requests: list[Request],
    *,
    saves_window: tuple[float, float],
    floor_window: tuple[float, float],
    lost_saves: int,
    samples: list[tuple[float, Mapping[str, float]]] | None = None,
) -> dict[str, Any]:
    """The JSON line: throughput and latency of the saves answered in the saves window, the
    floor's throughput in its window, errors over the whole run (logins included)."""
    s0, s1 = saves_window
    f0, f1 = floor_window
    saves = in_window(requests, s0, s1, "save")
    acked = [r for r in saves if r.ok and r.status == 200]
    conflicts = sum(1 for r in saves if r.status == 409)
    latencies = [(r.end - r.start) * 1000 for r in saves]
    reads = in_window(requests, s0, s1, "read")
    floor = in_window(requests, f0, f1, "floor")
    floor_ok = [r for r in floor if r.ok]
    saves_per_second = len(acked) / (s1 - s0) if s1 > s0 else 0.0
    floor_rps = len(floor_ok) / (f1 - f0) if f1 > f0 else 0.0
    errors = sum(1 for r in requests if not r.ok)
    out = {
        "saves_per_second": round(saves_per_second, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "errors": errors,
        "lost_saves": lost_saves,
        "floor_requests_per_second": round(floor_rps, 1),
        "ratio_to_floor": round(saves_per_second / floor_rps, 3) if floor_rps else None,
        "conflicts": conflicts,
        "saves": len(acked),
        "saves_seconds": round(s1 - s0, 1),
        "reads_per_second": round(len(reads) / (s1 - s0), 1) if s1 > s0 else 0.0,
        "read_p95_ms": round(percentile([(r.end - r.start) * 1000 for r in reads], 95), 1),
        "floor_p95_ms": round(percentile([(r.end - r.start) * 1000 for r in floor], 95), 1),
        "floor_seconds": round(f1 - f0, 1),
    }
    for label, (t0, t1), count in (
        ("save", saves_window, len(acked)),
        ("floor", floor_window, len(floor_ok)),
    ):
        used = cpu_between(samples or [], t0, t1)
        if used and count:
            out.update(
                {f"{label}_cpu_ms_{side}": round(used[side] * 1000 / count, 2) for side in used}
            )
    return out


def cpu_between(
    samples: list[tuple[float, Mapping[str, float]]], start: float, end: float
) -> dict[str, float]:
    """CPU seconds used between `start` and `end` per side ("app", "db", "client"), from
    samples (time, {"<side>:<pid>" or "<side>": CPU seconds so far}) that include one taken at
    `start` and one at `end`: a process is counted from its value at `start` (0 if it started
    later) to its last value seen by `end`."""
    before = [s for t, s in samples if t <= start]
    if not before:
        return {}
    base = before[-1]
    last: dict[str, float] = {}
    for t, sample in samples:
        if start <= t <= end:
            last.update(sample)
    used: dict[str, float] = {}
    for key, value in last.items():
        side = key.split(":", 1)[0]
        used[side] = used.get(side, 0.0) + value - base.get(key, 0.0)
    return used


# --- lost saves --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ack:
    """A save the server acknowledged (HTTP 200 with the new version), or only attempted
    (`acked` False: an error or no answer, the server may or may not have written it)."""

    kind: str  # reponse, constat
    pk: int
    champ: str
    value: str
    version: int  # the version the server answered (the one sent + 1 when attempted only)
    acked: bool = True
    written: bool = True  # False: acknowledged unchanged (the value was already there)


def lost_saves(
    attempts: list[Ack],
    history: set[tuple[str, int, str, str, int]],
    final: Mapping[tuple[str, int], tuple[int, Mapping[str, str]]],
    kinds_with_history: frozenset[str] = frozenset({"reponse"}),
) -> list[Ack]:
    """The acknowledged saves the database does not hold, `attempts` in the order they were
    sent (per object, one person sends them one after the other).

    `history`: (kind, pk, champ, value, version) of the rows that keep every save (a
    self-assessment answer's `Saisie`); `final`: (kind, pk) → (version, {champ: value}) of the
    rows now. A save is lost when its history row is missing (kinds with a history), when the
    row's version is below the acknowledged one, or when it was the last save of its field and
    the field holds something else (unless an unacknowledged attempt on the same field came
    after it: that one may have been written)."""
    last: dict[tuple[str, int, str], int] = {}  # field → index of its last attempt
    for i, a in enumerate(attempts):
        last[(a.kind, a.pk, a.champ)] = i
    lost: list[Ack] = []
    for i, a in enumerate(attempts):
        if not a.acked:
            continue
        row = final.get((a.kind, a.pk))
        if row is None:
            lost.append(a)
            continue
        version, values = row
        if a.kind in kinds_with_history and a.written:
            if (a.kind, a.pk, a.champ, a.value, a.version) not in history:
                lost.append(a)
                continue
        if version < a.version:
            lost.append(a)
        elif last[(a.kind, a.pk, a.champ)] == i and values.get(a.champ) != a.value:
            lost.append(a)
    return lost
