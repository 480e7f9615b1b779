"""PostgreSQL restarted during traffic (issue 9, faults): the application, under gunicorn with
persistent connections (DATABASE_CONN_MAX_AGE=60), recovers by itself. On a private cluster
(the machine's PostgreSQL is never touched): people save answers and read pages while the
server stops and starts again; the requests caught by the outage get a clean 503 page, every
request succeeds again within a few seconds of the restart without touching the application,
and no acknowledged save is lost.

Recovery comes from the settings: conn_health_checks=True (a persistent connection broken by the
restart is replaced at the start of the next request) and labelml/core/errors.py (503 + Retry-After
while the database does not answer)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.faults.services import (
    ROOT,
    VERSION_RE,
    AppServer,
    HttpUser,
    PrivatePostgres,
    wait_for,
)

PASSWORD = "Faults-postgres-2025!"  # noqa: S105 - test account
EDITORS = 4
BEFORE = 3  # acknowledged saves of each person before the restart
AFTER = 3  # requests of each person once the recovery delay is over
RECOVERY = 5.0  # every request succeeds again this long after the restart, at the latest
OUTAGE_PAGE = "Service momentanément indisponible"


@dataclass
class Record:
    start: float
    end: float
    kind: str
    status: int  # 0: no HTTP answer at all
    body: str = ""


@dataclass
class Editor:
    """One person saving one answer over and over, and reading the criterion page now and
    then; records every request and every acknowledged save."""

    user: HttpUser
    dossier: int
    reponse: int
    code: str
    tag: str
    version: int = 0
    records: list[Record] = field(default_factory=list)
    acked: list[tuple[int, str]] = field(default_factory=list)  # (version, text)

    def request(self, kind: str, call: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.monotonic()
        try:
            response = call(*args, **kwargs)
        except Exception:  # noqa: BLE001 - recorded as "no answer"
            self.records.append(Record(start, time.monotonic(), kind, 0))
            return None
        body = response.text if response.status_code >= 500 else ""
        self.records.append(Record(start, time.monotonic(), kind, response.status_code, body))
        return response

    def run(self, stop: threading.Event) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            if n % 4 == 0:
                self.request(
                    "page",
                    self.user.get,
                    f"/dossiers/{self.dossier}/autoevaluation/criteres/{self.code}/",
                )
                continue
            text = f"[{self.tag}-{n}] Constat documenté, enregistré pendant le redémarrage."
            response = self.request(
                "save",
                self.user.post,
                f"/dossiers/{self.dossier}/autoevaluation/reponses/{self.reponse}/",
                {"champ": "justification", "version": self.version, "justification": text},
                htmx=True,
            )
            match = VERSION_RE.search(response.text) if response is not None else None
            if response is not None and response.status_code == 200 and match:
                self.version = int(match.group(1))
                self.acked.append((self.version, text))
            elif response is not None and response.status_code == 409 and match:
                self.version = int(match.group(1))  # a save that committed unanswered
            stop.wait(0.02)  # paced, and done as soon as the test says so


def run(command: list[str], env: dict[str, str], *, timeout: float) -> str:
    result = subprocess.run(  # noqa: S603 - fixed command lines
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.services
def test_postgres_restarted_during_traffic_the_application_recovers_alone(tmp_path: Path):
    started = time.monotonic()
    pg = PrivatePostgres()
    app = None
    try:
        pg.create_database("labelml_faults")
        database_url = pg.url("labelml_faults")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "labelml.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": "",  # the cache and the tasks are not what this test is about
        }
        run([sys.executable, "manage.py", "migrate", "--noinput"], env, timeout=120)
        out = run(
            [sys.executable, "-m", "tests.faults.seed"],
            {**env, "FAULTS_PASSWORD": PASSWORD},
            timeout=120,
        )
        seed = json.loads(out.strip().splitlines()[-1])
        app = AppServer(
            env={
                "DATABASE_URL": database_url,
                "DATABASE_CONN_MAX_AGE": "60",
                "REDIS_URL": "",
                "CELERY_TASK_ALWAYS_EAGER": "1",
            },
            log=tmp_path / "gunicorn.log",
        )
        editors = []
        for i in range(EDITORS):
            user = HttpUser(app.base, timeout=20)
            assert user.login(seed["email"], PASSWORD).status_code == 302, app.output()
            editors.append(
                Editor(
                    user=user,
                    dossier=seed["dossier"],
                    reponse=seed["reponses"][i],
                    code=seed["codes"][i],
                    tag=f"e{i}",
                )
            )
        stop = threading.Event()
        threads = [threading.Thread(target=e.run, args=(stop,), daemon=True) for e in editors]
        for t in threads:
            t.start()
        try:
            wait_for(
                lambda: all(len(e.acked) >= BEFORE for e in editors),
                timeout=60,
                what="des enregistrements avant le redémarrage",
            )
            down = time.monotonic()
            pg.stop_server()
            wait_for(
                lambda: any(
                    r.status == 503 and r.start >= down for e in editors for r in e.records
                ),
                timeout=30,
                what="une requête pendant la panne",
            )
            pg.start_server()
            up = time.monotonic()
            wait_for(
                lambda: all(
                    sum(r.start >= up + RECOVERY for r in list(e.records)) >= AFTER for e in editors
                ),
                timeout=60,
                what="des requêtes après le délai de reprise",
            )
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)
        records = [r for e in editors for r in e.records]

        # Before the restart: everything worked.
        assert all(r.status == 200 for r in records if r.end < down), app.output()
        # Caught by the outage: a clean 503 page, never a hang or a dropped connection. A save
        # committed just before the server stopped may have lost its answer (503): the next
        # save of that person then meets the new version, a 409 that says it (as for any
        # concurrent change), and goes on from there.
        failed = [r for r in records if r.status != 200]
        assert any(r.status == 503 for r in failed), "the outage was not noticed"
        for e in editors:
            outage = [r for r in e.records if r.status == 503]
            for r in e.records:
                if r.status == 200:
                    continue
                assert r.status in (503, 409), (r.status, r.body[:300])
                assert r.status == 409 or OUTAGE_PAGE in r.body, r.body[:300]
                assert r.status == 503 or (outage and outage[0].end <= r.start), "409 sans 503"
                assert down <= r.end, "a request failed before the restart"
                assert r.start <= up + RECOVERY, ("still failing after the restart", r.start - up)
        # Back to normal without touching the application: each person got answers again.
        for e in editors:
            assert any(r.status == 200 and r.start >= up for r in e.records), e.tag
            late = [r for r in e.records if r.start >= up + RECOVERY]
            assert late and all(r.status == 200 for r in late), e.tag
        assert app.process.poll() is None
        assert app.log.read_text().count("Booting worker") == 1  # the same worker throughout

        # No acknowledged save is lost: each one is in the history, the last one is the value.
        with psycopg.connect(database_url) as conn:
            for e in editors:
                assert e.acked, e.tag
                history = set(
                    conn.execute(
                        "SELECT version, valeur FROM autoevaluations_saisie "
                        "WHERE reponse_id = %s AND champ = 'justification'",
                        [e.reponse],
                    ).fetchall()
                )
                missing = [a for a in e.acked if a not in history]
                assert not missing, (e.tag, missing)
                version, justification = conn.execute(
                    "SELECT version, justification FROM autoevaluations_reponse WHERE id = %s",
                    [e.reponse],
                ).fetchone()
                last_version, last_text = e.acked[-1]
                assert version >= last_version
                if version == last_version:
                    assert justification == last_text
        assert time.monotonic() - started < 60
    finally:
        if app is not None:
            app.stop()
        pg.stop()


def test_the_database_settings_recover_broken_connections(settings):
    database = settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] > 0


def test_a_database_outage_is_a_503_page_and_other_errors_a_500(rf):
    from django.db import OperationalError

    from labelml.core.errors import server_error

    request = rf.get("/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert OUTAGE_PAGE in response.content.decode()
    try:
        raise KeyError("bug")
    except KeyError:
        response = server_error(request)
    assert response.status_code == 500
