"""Structured logs (issue 9): request id taken or generated, echoed, on every log record of the
request, passed to the tasks the request enqueues; JSON formatter; gunicorn access lines."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from django.conf import settings
from django.test import Client

from labelml.core import logs
from labelml.core.logs import JsonFormatter, RequestIdFilter, request_id_var


@pytest.fixture
def records(caplog):  # type: ignore[no-untyped-def]
    """caplog's handler with the filter the console handler has (settings.LOGGING)."""
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO)
    return caplog


def test_the_console_handler_adds_the_request_id_to_every_record():
    console = settings.LOGGING["handlers"]["console"]
    assert console["filters"] == ["request_id"]
    assert settings.LOGGING["filters"]["request_id"]["()"] == "labelml.core.logs.RequestIdFilter"
    assert settings.MIDDLEWARE[0] == "labelml.core.middleware.RequestIdMiddleware"


@pytest.mark.django_db
def test_incoming_request_id_is_kept_and_echoed():
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.2_x")
    assert response["X-Request-ID"] == "lb-7f3a.2_x"


@pytest.mark.django_db
def test_request_id_is_generated_when_absent():
    first = Client().get("/healthz")["X-Request-ID"]
    second = Client().get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    ["a" * 65, "abc def", 'x"}\n{"level":"CRITICAL', "été", ""],
)
def test_unsafe_incoming_id_is_replaced(incoming):
    response = Client().get("/healthz", HTTP_X_REQUEST_ID=incoming)
    generated = response["X-Request-ID"]
    assert generated != incoming and len(generated) == 32


@pytest.mark.django_db
def test_redirects_and_errors_carry_the_id_too():
    response = Client().get("/pilotage/", HTTP_X_REQUEST_ID="redirect-1")
    assert response.status_code == 302
    assert response["X-Request-ID"] == "redirect-1"


@pytest.mark.django_db
def test_records_logged_during_a_request_carry_its_id(records):
    Client().get("/aucune-page/", HTTP_X_REQUEST_ID="req-404")
    not_found = [r for r in records.records if r.name == "django.request"]
    assert not_found and all(r.request_id == "req-404" for r in not_found)
    # After the request the context is clean again.
    logging.getLogger("labelml.test").info("hors requête")
    assert records.records[-1].request_id == "-"


def _record(message: str = "Dossier %s soumis", *args, **extra) -> logging.LogRecord:  # type: ignore[no-untyped-def]
    record = logging.getLogger("campagnes").makeRecord(
        "campagnes", logging.WARNING, __file__, 1, message, args or (42,), None, extra=extra
    )
    RequestIdFilter().filter(record)
    return record


def test_json_formatter_writes_one_parsable_object_with_the_keys():
    token = request_id_var.set("abc123")
    try:
        line = JsonFormatter().format(_record(dossier=42, structure="ML Paris Est"))
    finally:
        request_id_var.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "campagnes"
    assert entry["message"] == "Dossier 42 soumis"
    assert entry["request_id"] == "abc123"
    assert entry["time"].endswith("+00:00")
    assert entry["dossier"] == 42 and entry["structure"] == "ML Paris Est"
    assert "task_id" not in entry


def test_json_formatter_keeps_the_traceback_in_one_field():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "échec", (), sys.exc_info()
        )
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "échec" and entry["request_id"] == "-"
    assert "ValueError: boom" in entry["exception"]


def test_gunicorn_access_lines_take_the_response_header_as_request_id():
    atoms = {
        "m": "GET",
        "U": "/healthz",
        "s": "200",
        "B": 87,
        "M": 4,
        "{x-request-id}o": "abc-1",
        "{cookie}i": "sessionid=secret",
    }
    record = logging.getLogger("gunicorn.access").makeRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '"%(m)s %(U)s" %(s)s', (atoms,), None
    )
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "abc-1"
    assert entry["message"] == '"GET /healthz" 200'
    assert entry["http_status"] == "200" and entry["duration_ms"] == 4
    assert "secret" not in json.dumps(entry)


def test_log_format_is_validated():
    with pytest.raises(ValueError):
        logs.logging_config("xml")
    assert logs.logging_config("json")["handlers"]["console"]["formatter"] == "json"


def test_tasks_carry_the_request_id_of_the_request_that_enqueued_them():
    headers: dict[str, str] = {}
    token = request_id_var.set("req-42")
    try:
        logs._add_request_id_header(headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers == {"request_id": "req-42"}

    class Request:
        request_id = "req-42"

    class Task:
        request = Request()

    logs._enter_task(task_id="task-1", task=Task())
    assert (logs.current_request_id(), logs.task_id_var.get()) == ("req-42", "task-1")
    logs._leave_task(task=Task())
    assert (logs.current_request_id(), logs.task_id_var.get()) == ("-", "-")


def test_an_eager_task_keeps_the_id_of_the_request_it_runs_in():
    class Task:
        class request:  # noqa: N801 - stands for Celery's request context
            pass

    token = request_id_var.set("req-eager")
    try:
        logs._enter_task(task_id="t", task=Task())
        assert logs.current_request_id() == "req-eager"
        logs._leave_task(task=Task())
        assert logs.current_request_id() == "req-eager"
    finally:
        request_id_var.reset(token)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_with_the_id_of_the_enqueuing_request(tmp_path):
    from labelml.notifications.tasks import send_reminders
    from tests.worker import Worker, wait_until, worker_queue

    log = tmp_path / "worker.log"
    with worker_queue() as queue:
        worker = Worker(queue=queue, log=log, visibility_timeout=3600)
        try:
            token = request_id_var.set("req-worker-1")
            try:
                result = send_reminders.delay()
            finally:
                request_id_var.reset(token)
            result.get(timeout=60)
            wait_until(
                lambda: "[req-worker-1] Reminders of" in log.read_text(),
                timeout=10,
                what="la ligne du rappel avec l'identifiant de requête",
            )
        finally:
            worker.stop()
    # The worker's own lines, outside any task, have no request id.
    assert " ready." in log.read_text()
