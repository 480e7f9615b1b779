"""`make bench-load`: autosaves under load, on PostgreSQL, behind gunicorn, driven by locust.

1. A fresh PostgreSQL database (BENCH_DB, `labelml_bench_load`) on the machine's server: migrate,
   the référentiel, `seed_demo --scale national --campaigns 1` (development settings: seeding is
   refused in production), then the targets (prepare.py) and the static files' manifest.
2. gunicorn on 127.0.0.1:<free port> with production's gunicorn settings (labelml/gunicorn_conf.py;
   BENCH_WORKER_CLASS, BENCH_WORKERS, BENCH_THREADS: gthread 2 × 8 by default) and production's
   Django settings (LABELML_ENV=production, DJANGO_DEBUG=0, a secret key, Redis for the cache,
   the rate limits and Celery), through scripts/bench_load/settings.py, which adds only the
   floor's URL and what plain HTTP on loopback needs; its log in the run's directory.
3. locust, headless, in a second process on 127.0.0.1 (locustfile.py): BENCH_USERS people log in,
   then BENCH_SECONDS of autosaves and page reads, then BENCH_FLOOR_SECONDS of the floor (a
   minimal view behind the same middleware, same people, same pacing).
4. The server stopped, the acknowledged saves are looked up in the database (verify.py).
5. The figures; the last line of the output is one JSON object. Whatever happens, gunicorn and
   locust are stopped and the database is dropped.

Bounded: fixed people, fixed durations, a hard time limit on each step; only 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.bench_load.analysis import Request, summarize  # noqa: E402

BIN = Path(sys.executable).parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "labelml_bench_load")
# A Redis database of its own (cache keys under a prefix of the run, deleted at the end).
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
FLOOR_SECONDS = float(os.environ.get("BENCH_FLOOR_SECONDS", "20"))
USERS = int(os.environ.get("BENCH_USERS", "40"))
AUDITORS = int(os.environ.get("BENCH_AUDITORS", "8"))
LOGIN_TIMEOUT = float(os.environ.get("BENCH_LOGIN_TIMEOUT", "180"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")
# Another WSGI entry point (module:callable on PYTHONPATH) measures a candidate change, e.g. a
# module that patches a selector before building the application, without editing the app.
WSGI_APP = os.environ.get("BENCH_WSGI_APP", "labelml.wsgi:application")
# Development only: keep the seeded database between runs (never dropped then).
REUSE_DB = os.environ.get("BENCH_REUSE_DB", "") == "1"


def say(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_exists() -> bool:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
    return row is not None


def pg_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def run(cmd: list[str], env: dict[str, str], log: Path, timeout: float) -> None:
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        done = subprocess.run(  # noqa: S603
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout
        )
    if done.returncode != 0:
        tail = "\n".join(log.read_text("utf-8").splitlines()[-20:])
        raise RuntimeError(f"{' '.join(cmd[:3])} : code {done.returncode}\n{tail}")


def stop(process: subprocess.Popen[Any] | None, grace: float = 10.0) -> None:
    """Stop a process this script started, and its children (its own process group)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=grace)


def wait_ready(url: str, server: subprocess.Popen[Any], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn s'est arrêté :\n{log.read_text('utf-8')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn ne répond pas.")


def bench() -> dict[str, Any]:
    if not DB.startswith("labelml_bench"):
        raise SystemExit("BENCH_DB doit commencer par labelml_bench (la base est supprimée).")
    if not PG.startswith(("postgres://postgres@127.0.0.1", "postgresql://postgres@127.0.0.1")):
        raise SystemExit("BENCH_PG : le serveur PostgreSQL local (127.0.0.1) seulement.")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="labelml-bench-load-"))
    setup_log, server_log = work / "setup.log", work / "gunicorn.log"
    database_url = f"{PG}/{DB}"
    prefix = f"labelml-bench-{os.getpid()}"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LABELML_"))}
    pythonpath = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    base.update(PYTHONPATH=pythonpath, DATABASE_URL=database_url)
    base.pop("REDIS_URL", None)
    dev = {**base, "LABELML_ENV": "development", "DJANGO_SETTINGS_MODULE": "labelml.settings"}
    prod = {
        **base,
        "DJANGO_SETTINGS_MODULE": "scripts.bench_load.settings",
        "LABELML_ENV": "production",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": REDIS,
        "CACHE_KEY_PREFIX": prefix,
        "BENCH_STATIC_ROOT": str(work / "static"),
    }
    server: subprocess.Popen[Any] | None = None
    locust: subprocess.Popen[Any] | None = None
    py = sys.executable
    say(f"bench-load : répertoire de travail {work}")
    try:
        started = time.monotonic()
        if not (REUSE_DB and database_exists()):
            pg_execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
            pg_execute(f'CREATE DATABASE "{DB}"')
            run([py, "manage.py", "migrate", "--noinput"], dev, setup_log, 600)
            run(
                [py, "manage.py", "import_referentiel", "fixtures/referentiel-ml-2022.yaml"],
                dev,
                setup_log,
                300,
            )
            run(
                [py, "manage.py", "seed_demo", "--scale", "national", "--campaigns", "1"],
                dev,
                setup_log,
                900,
            )
        targets = work / "targets.json"
        run([py, "-m", "scripts.bench_load.prepare", str(targets)], dev, setup_log, 300)
        run([py, "manage.py", "collectstatic", "--noinput", "-v", "0"], prod, setup_log, 300)
        plan = json.loads(targets.read_text("utf-8"))
        auditors = min(AUDITORS, len(plan["auditors"]))
        if USERS - auditors > len(plan["editors"]):
            raise RuntimeError(f"{USERS} personnes demandées, {len(plan['editors'])} rédacteurs.")
        say(
            f"Base {DB} prête en {time.monotonic() - started:.0f} s : "
            f"{len(plan['editors'])} rédacteurs et {len(plan['auditors'])} auditeurs possibles."
        )

        port = free_port()
        host = f"http://127.0.0.1:{port}"
        # Production's gunicorn settings (labelml/gunicorn_conf.py: timeouts, keep-alive, worker
        # recycling, JSON access log), with the address and the workers of the benchmark.
        gunicorn = [
            str(BIN / "gunicorn"),
            WSGI_APP,
            "--config",
            "python:labelml.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            WORKER_CLASS,
            "--threads",
            str(THREADS),
        ]
        with server_log.open("a", encoding="utf-8") as out:
            server = subprocess.Popen(  # noqa: S603
                gunicorn,
                cwd=ROOT,
                env=prod,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_ready(f"{host}/comptes/login/", server, server_log)
        config = f"gunicorn {WORKER_CLASS} {WORKERS} workers × {THREADS} threads"
        if WSGI_APP != "labelml.wsgi:application":
            config += f" ({WSGI_APP})"
        say(f"Serveur : {config} sur {host} ; {USERS} personnes dont {auditors} auditeurs.")

        results = work / "results.json"
        limit = LOGIN_TIMEOUT + SECONDS + FLOOR_SECONDS + 30
        env = {
            **base,
            "BENCH_TARGETS": str(targets),
            "BENCH_RESULTS": str(results),
            "BENCH_SECONDS": str(SECONDS),
            "BENCH_FLOOR_SECONDS": str(FLOOR_SECONDS),
            "BENCH_AUDITORS": str(auditors),
            "BENCH_LOGIN_TIMEOUT": str(LOGIN_TIMEOUT),
            "BENCH_SERVER_PID": str(server.pid),
            "BENCH_DB": DB,
        }
        cmd = [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "scripts" / "bench_load" / "locustfile.py"),
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            str(USERS),
            "--run-time",
            f"{limit:.0f}s",
            "--host",
            host,
            "--csv",
            str(work / "locust"),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        with (work / "locust.log").open("w", encoding="utf-8") as out:
            locust = subprocess.Popen(  # noqa: S603
                cmd,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                locust.wait(timeout=limit + 30)
            except subprocess.TimeoutExpired:
                stop(locust)
        stop(server)
        if not results.exists():
            raise RuntimeError(
                f"locust n'a rien écrit :\n{(work / 'locust.log').read_text('utf-8')[-3000:]}"
            )
        data = json.loads(results.read_text("utf-8"))
        marks = data["marks"]
        if "floor_end" not in marks:
            raise RuntimeError(f"Course interrompue : {marks}")

        verify = work / "verify.json"
        with verify.open("w", encoding="utf-8") as out:
            subprocess.run(  # noqa: S603
                [py, "-m", "scripts.bench_load.verify", str(results)],
                cwd=ROOT,
                env=dev,
                stdout=out,
                check=True,
                timeout=300,
            )
        check = json.loads(verify.read_text("utf-8").strip().splitlines()[-1])
        requests = [Request(*row) for row in data["requests"]]
        summary = summarize(
            requests,
            saves_window=(marks["saves_start"], marks["saves_end"]),
            floor_window=(marks["floor_start"], marks["floor_end"]),
            lost_saves=check["lost_saves"],
            samples=[(t, sample) for t, sample in data.get("samples") or []],
        )
        say(
            f"Connexions : {data['ready']} personnes en "
            f"{marks['logged_in'] - min((r.start for r in requests if r.start), default=0):.1f} s"
            f" ({data['failed_logins']} échec(s)). Sauvegardes vérifiées : {check['checked']}, "
            f"perdues : {check['lost_saves']} {check['examples'] or ''}"
        )
        summary.update(users=USERS, auditors=auditors, server=config)
        return summary
    finally:
        stop(locust)
        stop(server)
        if not REUSE_DB:
            try:
                pg_execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
            except Exception as exc:  # noqa: BLE001 - reported, never hides the run's own error
                say(f"Base {DB} non supprimée : {exc}")
        try:
            import redis

            client = redis.Redis.from_url(REDIS)
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
        except Exception as exc:  # noqa: BLE001
            say(f"Clés Redis {prefix}:* non supprimées : {exc}")
        shutil.rmtree(work / "static", ignore_errors=True)
        say(f"Journaux : {work}")


def main() -> int:
    summary = bench()
    print(json.dumps(summary), flush=True)  # the last line
    return 0


if __name__ == "__main__":
    sys.exit(main())
