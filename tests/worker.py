"""A real Celery worker for end-to-end task tests: a separate process group running
`celery -A labelml worker` against the real Redis and the test database (which must be
PostgreSQL, committed data: use `django_db(transaction=True)`), consuming a queue of its own so
that no other worker on the same Redis takes the test's messages."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from labelml.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def worker_database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(
        self,
        *,
        queue: str,
        log: Path,
        visibility_timeout: int,
        redis_url: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        """`redis_url`: another Redis than the test settings' (tests/faults); `env`: more
        variables for the worker."""
        self.queue = queue
        self.log = log
        self.name = f"test-{uuid.uuid4().hex[:8]}@%h"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "labelml.settings",
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": redis_url or settings.REDIS_URL,
            "PRIVATE_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            # Look for the messages of a dead worker every second, not every 100 s.
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1",
            **(env or {}),
        }
        self._log_file = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - fixed command line
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "labelml",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                "-n",
                self.name,
                "-Q",
                queue,
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() reaches the pool children
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Le worker s'est arrêté :\n{self.output()}")
            if b" ready." in self.log.read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"Le worker n'a pas démarré :\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL to the whole process group: no chance to acknowledge or requeue anything."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log_file.close()


@contextlib.contextmanager
def worker_queue() -> Iterator[str]:
    """Route this process's tasks to a queue of their own, through the broker (not eagerly)."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    conf = celery_app.conf
    previous = conf.task_always_eager, conf.task_default_queue
    conf.task_always_eager = False
    conf.task_default_queue = queue
    try:
        yield queue
    finally:
        conf.task_always_eager, conf.task_default_queue = previous
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)


def wait_until(predicate: Callable[[], Any], *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"Délai dépassé : {what}")
