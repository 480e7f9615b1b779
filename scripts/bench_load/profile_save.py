"""Where one autosave's time goes: in-process, Django's test client against the benchmark's
database (kept by `BENCH_REUSE_DB=1 make bench-load`), production settings, no server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labelml_bench_load \\
        .venv/bin/python -m scripts.bench_load.profile_save [N] [--cprofile]

Prints, for the floor and for each kind of save (a level, a justification, a finding), the CPU
milliseconds of this process per request and the queries per request; with --cprofile, the
top functions by cumulative time of the justification's save. A development tool: the figures
of record are `make bench-load`'s."""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scripts.bench_load.settings")
os.environ.setdefault("LABELML_ENV", "production")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "profile-" + "x" * 50)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("CACHE_KEY_PREFIX", "labelml-profile")


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from scripts.bench_load.analysis import parse_version, totp
    from scripts.bench_load.prepare import build_targets

    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    n = int(next((a for a in sys.argv[1:] if a.isdigit()), "200"))
    targets = build_targets()
    editor = targets["editors"][0]
    auditor = targets["auditors"][0]

    def logged_in(email: str, two_factor: bool) -> Client:
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"127.9.{len(email)}.1")
        client.get("/comptes/login/")
        response = client.post("/comptes/login/", {"login": email, "password": targets["password"]})
        if two_factor:
            client.post(response["Location"], {"code": totp(targets["totp_secret"])})
        return client

    def timed(label: str, call: Callable[[int], Any]) -> None:
        call(0)  # warm up
        queries: list[str] = []

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            call(1)
        backend = _backend_cpu()
        started = time.process_time()
        for i in range(2, n + 2):
            call(i)
        cpu = (time.process_time() - started) * 1000 / n
        db = (_backend_cpu() - backend) * 1000 / n
        print(
            f"{label:<30} {cpu:6.2f} ms CPU/request here, {db:5.2f} in PostgreSQL, "
            f"{len(queries):3d} queries"
        )

    def _backend_cpu() -> float:
        """CPU seconds of this connection's PostgreSQL backend (same machine: /proc)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    editor_client = logged_in(editor["email"], False)
    reponse = editor["reponses"][0]
    path = f"/dossiers/{editor['dossier']}/autoevaluation/reponses/{reponse['pk']}/"
    niveaux = [str(x) for x in targets["niveaux"][str(editor["echelle"])]]
    state = {"version": reponse["version"]}

    def save(champ: str, value: Callable[[int], str]) -> Callable[[int], Any]:
        def call(i: int) -> Any:
            response = editor_client.post(
                path,
                {"champ": champ, "version": str(state["version"]), champ: value(i)},
                HTTP_HX_REQUEST="true",
            )
            version = parse_version(response.content.decode())
            assert response.status_code == 200 and version, response.status_code
            state["version"] = version
            return response

        return call

    timed("floor", lambda i: editor_client.post("/bench/floor/", {"x": "1"}))
    timed("save reponse niveau", save("niveau", lambda i: niveaux[i % len(niveaux)]))
    justification = save("justification", lambda i: f"Justification de profilage n° {i}.")
    timed("save reponse justification", justification)

    auditor_client = logged_in(auditor["email"], True)
    mission = auditor["missions"][0]
    constat = mission["constats"][0]
    apath = f"/dossiers/{mission['dossier']}/audit/constats/{constat['pk']}/"
    astate = {"version": constat["version"]}

    def save_constat(i: int) -> Any:
        response = auditor_client.post(
            apath,
            {
                "champ": "observation",
                "version": str(astate["version"]),
                "observation": f"Observation {i}.",
            },
            HTTP_HX_REQUEST="true",
        )
        version = parse_version(response.content.decode())
        assert response.status_code == 200 and version, response.status_code
        astate["version"] = version
        return response

    timed("save constat observation", save_constat)
    critere = editor["reponses"][0]["critere"]
    timed(
        "read critere (autoevaluation)",
        lambda i: editor_client.get(
            f"/dossiers/{editor['dossier']}/autoevaluation/criteres/{critere}/"
        ),
    )
    timed(
        "read critere (audit)",
        lambda i: auditor_client.get(
            f"/dossiers/{mission['dossier']}/audit/criteres/{constat['critere']}/"
        ),
    )

    if "--sql" in sys.argv:
        with connection.execute_wrapper(
            lambda execute, sql, params, many, context: (
                print("  ", sql[:300]) or execute(sql, params, many, context)
            )
        ):
            print("niveau:")
            save("niveau", lambda i: niveaux[i % len(niveaux)])(1)
            print("justification:")
            justification(1)
            print("constat:")
            save_constat(1)

    if "--cprofile" in sys.argv:
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(n):
            if "--floor" in sys.argv:
                editor_client.post("/bench/floor/", {"x": "1"})
            elif "--constat" in sys.argv:
                save_constat(10_000 + i)
            elif "--read" in sys.argv:
                editor_client.get(
                    f"/dossiers/{editor['dossier']}/autoevaluation/criteres/{critere}/"
                )
            else:
                justification(10_000 + i)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(
            "tottime" if "--self" in sys.argv else "cumulative"
        ).print_stats(45)


if __name__ == "__main__":
    main()
