"""Private services for the fault tests: a Redis and a PostgreSQL of their own, on free ports,
that a test may kill and restart (the machine's shared Redis and PostgreSQL are never touched),
the application under gunicorn in a subprocess, and a logged-in HTTP client."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
VERSION_RE = re.compile(r'name="version" value="(\d+)"')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], Any], *, timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            value = predicate()
            if value:
                return value
        time.sleep(every)
    raise AssertionError(f"Délai dépassé : {what}")


def _kill_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


class PrivateRedis:
    """redis-server on a free port, without persistence: `kill()` is a crash (SIGKILL, queued
    messages lost), `start()` brings it back on the same port."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def ping(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        finally:
            client.close()

    def start(self) -> None:
        assert shutil.which("redis-server"), "redis-server introuvable"
        log = (self.workdir / "redis.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - fixed command line
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_for(self.ping, timeout=20, what=f"redis-server sur le port {self.port}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _kill_group(self.process, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    stop = kill


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb in a temporary directory, a free port, trust
    authentication on 127.0.0.1), run as the `postgres` system user when the tests run as root
    (initdb refuses root). `restart()` is `pg_ctl restart -m fast`: every connection is cut."""

    def __init__(self) -> None:
        self.bin = self._find_bin()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="labelml-faults-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres", "postgres")
        os.chmod(self.dir, 0o755)
        self._run(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"],
            timeout=120,
        )
        self._pg_ctl("start", "-w", "-t", "60")

    @staticmethod
    def _find_bin() -> Path:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        assert versions, "initdb introuvable (/usr/lib/postgresql/<version>/bin)"
        return versions[-1].parent

    def _run(self, command: list[str], *, timeout: float) -> None:
        result = subprocess.run(  # noqa: S603 - fixed command line
            [*self.as_user, *command],
            capture_output=True,
            timeout=timeout,
            cwd=self.dir,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} : {result.stdout.decode()}{result.stderr.decode()}"
            )

    def _pg_ctl(self, *args: str) -> None:
        self._run(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
                "-l",
                str(self.log),
                *args,
            ],
            timeout=120,
        )

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast", "-w", "-t", "60")

    def stop_server(self) -> None:
        """`pg_ctl stop -m fast`: connections cut, new ones refused until start_server()."""
        self._pg_ctl("stop", "-m", "fast", "-w", "-t", "60")

    def start_server(self) -> None:
        self._pg_ctl("start", "-w", "-t", "60")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._pg_ctl("stop", "-m", "immediate", "-w", "-t", "30")
        shutil.rmtree(self.dir, ignore_errors=True)


class AppServer:
    """The application under gunicorn (one process, four threads), configured only through its
    environment, like in production, with DEBUG off (tests/faults/settings.py). Its log (and the
    application's) goes to `log`."""

    def __init__(self, *, env: dict[str, str], log: Path, threads: int = 4) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log_file = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - fixed command line
            [
                sys.executable,
                "-m",
                "gunicorn",
                "labelml.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--no-control-socket",  # not the one in ~/.gunicorn that others may use
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": "faults-" + os.urandom(16).hex(),
                "LOG_FORMAT": "text",
                "CELERY_TASK_ALWAYS_EAGER": "0",
                **env,
            },
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(self._answers, timeout=60, what="gunicorn", every=0.2)
        except AssertionError:
            self.stop()
            raise AssertionError(f"gunicorn n'a pas démarré :\n{self.output()}") from None

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn s'est arrêté :\n{self.output()}")
        return requests.get(f"{self.base}/healthz", timeout=5).status_code in (200, 503)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            _kill_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _kill_group(self.process, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log_file.close()


class HttpUser:
    """A person with a browser: session and CSRF cookies, the token sent back on every POST."""

    def __init__(self, base: str, *, timeout: float = 30) -> None:
        self.base = base
        self.timeout = timeout
        self.session = requests.Session()

    def _headers(self, htmx: bool) -> dict[str, str]:
        # A new connection per request: a kept-alive one that gunicorn closed while idle (its
        # `keepalive` is 5 s, and logging sixteen people in on a loaded machine takes longer)
        # would be reset under the next POST, which a browser retries and requests does not.
        headers = {"X-CSRFToken": self.session.cookies.get("csrftoken", ""), "Connection": "close"}
        if htmx:
            headers["HX-Request"] = "true"
        return headers

    def get(self, path: str, *, htmx: bool = False) -> requests.Response:
        return self.session.get(
            self.base + path,
            headers=self._headers(htmx),
            timeout=self.timeout,
            allow_redirects=False,
        )

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, htmx: bool = False
    ) -> requests.Response:
        payload = {"csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""), **(data or {})}
        return self.session.post(
            self.base + path,
            data=payload,
            headers=self._headers(htmx),
            timeout=self.timeout,
            allow_redirects=False,
        )

    def login(self, email: str, password: str) -> requests.Response:
        page = self.get("/comptes/login/")
        assert page.status_code == 200, page.status_code
        response = self.post("/comptes/login/", {"login": email, "password": password})
        return response
