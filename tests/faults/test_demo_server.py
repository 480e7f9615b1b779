"""`make run` serves the demonstration with DEBUG off (issue 16, finding 9): the application's
own error pages, in its look and under its CSP, never Django's technical pages; the static files
are still served (WhiteNoise); a 50 MB upload gets the designed 413 page. The server is started
as `make run` starts it: `LABELML_ENV=demo manage.py runserver`, on a SQLite file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest
import requests

from tests.faults.services import ROOT, free_port, wait_for
from tests.faults.test_postgres_restart import run

MB = 1024 * 1024


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp_path = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "DJANGO_SECRET_KEY")}
    env.update(
        DJANGO_SETTINGS_MODULE="labelml.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        REDIS_URL="",
        LABELML_ENV="demo",
    )
    run([sys.executable, "manage.py", "migrate", "--noinput"], env, timeout=300)
    port = free_port()
    log = (tmp_path / "runserver.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - fixed command line
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: requests.get(f"{base}/healthz", timeout=5).status_code in (200, 503),
            timeout=60,
            what="runserver",
            every=0.2,
        )
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
        log.close()


def assert_application_page(response: requests.Response, status: int, title: str) -> None:
    body = response.text
    assert response.status_code == status, body[:500]
    assert title in body
    assert "/static/css/app.css" in body  # the application's look
    assert "default-src 'self'" in response.headers.get("Content-Security-Policy", "")
    for technical in ("Traceback", "URLconf", "DEBUG = True", "technical_500", "Django"):
        assert technical not in body


def test_make_run_answers_with_the_applications_own_error_pages(demo_server):
    base = demo_server
    assert_application_page(
        requests.get(f"{base}/nulle-part/", timeout=10), 404, "Page introuvable"
    )
    # A host outside ALLOWED_HOSTS: a 400.
    assert_application_page(
        requests.get(f"{base}/", headers={"Host": "pirate.example"}, timeout=10),
        400,
        "Requête invalide",
    )
    # The stylesheet the pages link to is served with DEBUG off.
    css = requests.get(f"{base}/static/css/app.css", timeout=10)
    assert css.status_code == 200 and "text/css" in css.headers["Content-Type"]


def test_a_50_mb_upload_gets_the_designed_413_page(demo_server):
    base = demo_server
    session = requests.Session()
    session.get(f"{base}/comptes/login/", timeout=10)  # the CSRF cookie
    host, port = base.removeprefix("http://").split(":")
    head = (
        "POST /comptes/login/ HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        "Content-Type: multipart/form-data; boundary=XyZ\r\n"
        f"Content-Length: {50 * MB}\r\n"
        f"Cookie: csrftoken={session.cookies.get('csrftoken', '')}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        # A browser sends the whole body: the development server reads it before answering.
        try:
            sock.sendall(head + b"--XyZ\r\n")
            for _ in range(50):
                sock.sendall(b"x" * MB)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered and closed before the end: fine
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks).decode(errors="replace")
    status_line, _, rest = answer.partition("\r\n")
    assert " 413 " in status_line, answer[:800]
    assert "Envoi trop volumineux" in rest
    assert "/static/css/app.css" in rest
    assert "Content-Security-Policy" in rest
