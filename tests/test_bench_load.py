"""The pure parts of `make bench-load` (scripts/bench_load/analysis.py): the TOTP codes the
simulated auditors type, reading a save's answer, the figures and the lost-save check."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from labelml.demo.network import DEMO_TOTP_SECRET
from scripts.bench_load.analysis import (
    Ack,
    Request,
    cpu_between,
    lost_saves,
    parse_version,
    percentile,
    summarize,
    totp,
)


def test_totp_matches_allauth() -> None:
    for at in (0, 59, 1_700_000_000, 1_800_000_029):
        expected = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, at // 30))
        assert totp(DEMO_TOTP_SECRET, at) == expected


def test_parse_version_reads_the_refreshed_input() -> None:
    body = '<span>✓</span>\n<input type="hidden" name="version" value="12" id="version-x">'
    assert parse_version(body) == 12
    assert parse_version("<p>rien</p>") is None


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile(values, 99) == 99.0
    assert percentile([], 95) == 0.0
    assert percentile([3.0], 99) == 3.0


def test_summarize_counts_the_windows() -> None:
    requests = [
        Request("login", "login", 0.0, 1.0, 302, True),
        # saves answered in [10, 20]: two acknowledged, one conflict; one answered too late
        Request("saves", "save", 10.0, 10.1, 200, True),
        Request("saves", "save", 11.0, 11.3, 200, True),
        Request("saves", "save", 12.0, 12.2, 409, True),
        Request("saves", "save", 19.9, 20.5, 200, True),
        Request("saves", "read", 13.0, 13.5, 200, True),
        Request("saves", "save", 14.0, 14.1, 500, False),
        # floor in [21, 25]
        Request("floor", "floor", 21.0, 21.01, 200, True),
        Request("floor", "floor", 22.0, 22.01, 200, True),
    ]
    out = summarize(requests, saves_window=(10.0, 20.0), floor_window=(21.0, 25.0), lost_saves=0)
    assert out["saves"] == 2
    assert out["saves_per_second"] == 0.2
    assert out["conflicts"] == 1
    assert out["errors"] == 1
    assert out["floor_requests_per_second"] == 0.5
    assert out["ratio_to_floor"] == 0.4
    assert out["p50_ms"] == 100.0  # 100, 100 (the error), 200, 300
    assert out["p99_ms"] == 300.0


def test_cpu_between_follows_processes_that_come_and_go() -> None:
    samples = [
        (0.0, {"app:1": 5.0, "db:10": 1.0, "client": 0.5}),
        (10.0, {"app:1": 6.0, "db:10": 1.5, "client": 0.6}),  # start of the window
        (11.0, {"app:1": 7.0, "db:10": 1.8, "client": 0.7}),
        # backend 10 closed (its connection reached its age), backend 11 opened
        (12.0, {"app:1": 8.0, "db:11": 0.3, "client": 0.8}),
        (20.0, {"app:1": 9.0, "db:11": 0.5, "client": 0.9}),  # end of the window
        (25.0, {"app:1": 99.0, "db:11": 9.0, "client": 9.0}),
    ]
    used = cpu_between(samples, 10.0, 20.0)
    assert used == pytest.approx({"app": 3.0, "db": 0.3 + 0.5, "client": 0.3})
    assert cpu_between(samples, -1.0, 5.0) == {}


def test_summarize_cpu_per_request() -> None:
    samples = [
        (0.0, {"app:1": 1.0, "db:2": 0.5, "client": 0.1}),
        (10.0, {"app:1": 3.0, "db:2": 1.0, "client": 0.2}),
    ]
    requests = [Request("saves", "save", 1.0, 1.1, 200, True)] * 100
    out = summarize(
        requests, saves_window=(0.0, 10.0), floor_window=(10.0, 11.0), lost_saves=0, samples=samples
    )
    assert out["save_cpu_ms_app"] == 20.0
    assert out["save_cpu_ms_db"] == 5.0
    assert out["save_cpu_ms_client"] == 1.0
    assert "floor_cpu_ms_app" not in out  # no floor request


def _final(version: int, **values: str) -> tuple[int, dict[str, str]]:
    return version, values


def test_no_lost_save_when_everything_is_there() -> None:
    attempts = [
        Ack("reponse", 1, "niveau", "3", 2),
        Ack("reponse", 1, "justification", "a", 3),
        Ack("constat", 7, "observation", "x", 5),
    ]
    history = {("reponse", 1, "niveau", "3", 2), ("reponse", 1, "justification", "a", 3)}
    final = {
        ("reponse", 1): _final(3, niveau="3", justification="a"),
        ("constat", 7): _final(5, niveau="", observation="x"),
    }
    assert lost_saves(attempts, history, final) == []


def test_a_save_missing_from_the_history_is_lost() -> None:
    attempts = [Ack("reponse", 1, "justification", "a", 2), Ack("reponse", 1, "niveau", "3", 3)]
    history = {("reponse", 1, "niveau", "3", 3)}
    final = {("reponse", 1): _final(3, niveau="3", justification="a")}
    assert lost_saves(attempts, history, final) == [attempts[0]]


def test_an_unchanged_acknowledgement_needs_no_history_row() -> None:
    attempts = [Ack("reponse", 1, "justification", "a", 2, written=False)]
    final = {("reponse", 1): _final(2, justification="a")}
    assert lost_saves(attempts, set(), final) == []


def test_a_finding_behind_its_acknowledged_version_or_value_is_lost() -> None:
    attempts = [Ack("constat", 7, "observation", "x", 5), Ack("constat", 8, "niveau", "2", 3)]
    final = {
        ("constat", 7): _final(4, observation="x"),
        ("constat", 8): _final(3, niveau="1"),
    }
    assert lost_saves(attempts, set(), final) == attempts


def test_an_unanswered_attempt_may_have_overwritten_the_field() -> None:
    attempts = [
        Ack("constat", 7, "observation", "x", 5),
        Ack("constat", 7, "observation", "y", 6, acked=False),
    ]
    final = {("constat", 7): _final(6, observation="y")}
    assert lost_saves(attempts, set(), final) == []
    # ... but only on the same field.
    attempts[1] = Ack("constat", 7, "preuves_examinees", "y", 6, acked=False)
    final = {("constat", 7): _final(6, observation="z", preuves_examinees="y")}
    assert lost_saves(attempts, set(), final) == [attempts[0]]
