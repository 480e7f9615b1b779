"""The embedded default under simultaneous requests (issue 16, finding 7): on SQLite (a file
database of its own, whatever DATABASE_URL the suite runs on), 16 simultaneous autosaves of one
person and three simultaneous submissions answer no 500 — writes wait for the lock (WAL,
IMMEDIATE transactions, busy timeout: labelml/settings.py) instead of failing with "database is
locked"."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import requests

from tests.faults.services import AppServer, HttpUser
from tests.faults.test_postgres_restart import run

PASSWORD = "Faults-sqlite-2025!"  # noqa: S105 - test account
SAVES = 16
SUBMISSIONS = 3


def fire(calls: list) -> list[requests.Response | BaseException]:  # type: ignore[type-arg]
    """Each call in its own thread, all released at once."""
    barrier = threading.Barrier(len(calls), timeout=60)
    results: list[requests.Response | BaseException] = [RuntimeError("no answer")] * len(calls)

    def go(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_simultaneous_autosaves_and_submissions_on_sqlite_answer_no_500(tmp_path: Path):
    database_url = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "labelml.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
    }
    run([sys.executable, "manage.py", "migrate", "--noinput"], env, timeout=300)
    out = run(
        [sys.executable, "-m", "tests.faults.seed"],
        {**env, "FAULTS_PASSWORD": PASSWORD},
        timeout=120,
    )
    seed = json.loads(out.strip().splitlines()[-1])
    app = AppServer(
        env={"DATABASE_URL": database_url, "REDIS_URL": "", "CELERY_TASK_ALWAYS_EAGER": "1"},
        log=tmp_path / "gunicorn.log",
        threads=SAVES,
    )
    try:
        users = []
        for _ in range(SAVES):
            user = HttpUser(app.base, timeout=60)
            assert user.login(seed["email"], PASSWORD).status_code == 302, app.output()
            users.append(user)
        dossier = seed["dossier"]
        reponses = seed["reponses"]

        def save(i: int):  # type: ignore[no-untyped-def]
            return lambda: users[i].post(
                f"/dossiers/{dossier}/autoevaluation/reponses/{reponses[i % len(reponses)]}/",
                {
                    "champ": "justification",
                    "version": 0,
                    "justification": f"Constat {i} enregistré en même temps que les autres.",
                },
                htmx=True,
            )

        def submit(i: int):  # type: ignore[no-untyped-def]
            return lambda: users[i].post(f"/dossiers/{dossier}/autoevaluation/soumettre/")

        saves = fire([save(i) for i in range(SAVES)])
        submissions = fire([submit(i) for i in range(SUBMISSIONS)])

        for result in saves + submissions:
            assert isinstance(result, requests.Response), (result, app.output())
            assert result.status_code < 500, (result.status_code, app.output())
        # Each answer saved from version 0: the first of each is acknowledged, the others
        # are told of the conflict (409), none lost to a locked database.
        assert sum(r.status_code == 200 for r in saves) >= len(reponses)  # type: ignore[union-attr]
    finally:
        app.stop()
