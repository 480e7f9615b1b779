"""Structured logs: every record carries the id of the request (or of the task) it belongs to,
and LOG_FORMAT=json writes one JSON object per line (the production default).

The request id comes from RequestIdMiddleware (labelml/core/middleware.py) and lives in a context
variable; Celery tasks receive the id of the request that enqueued them in a message header
(`request_id`, see `connect_celery`), so a web request and the PDF it asked for share one id.
gunicorn's access log goes through the same handler (labelml/gunicorn_conf.py).

No Django import here: gunicorn's master process loads this module before Django is set up.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID_HEADER = "X-Request-ID"
NO_ID = "-"
# An incoming id is kept only if it is a plain token: nothing that could forge a log line.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

request_id_var: ContextVar[str] = ContextVar("labelml_request_id", default=NO_ID)
task_id_var: ContextVar[str] = ContextVar("labelml_task_id", default=NO_ID)


def sane_request_id(value: object) -> str | None:
    if isinstance(value, str) and _SANE_ID.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    return request_id_var.get()


# gunicorn access-log atoms copied onto the record as fields of their own.
_ACCESS_FIELDS = {
    "m": "http_method",
    "U": "http_path",
    "s": "http_status",
    "B": "response_bytes",
    "M": "duration_ms",
}


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (and `task_id`) to every record a handler emits; "-" outside a request
    or a task. Put on handlers, not loggers, so that records of every logger get it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            # The access line is written after the response, outside the request's context:
            # the id is the X-Request-ID response header the middleware set.
            atoms = record.args
            record.request_id = sane_request_id(atoms.get("{x-request-id}o")) or NO_ID
            for atom, field in _ACCESS_FIELDS.items():
                if atoms.get(atom) not in (None, "-"):
                    setattr(record, field, atoms[atom])
        if not getattr(record, "request_id", None):
            # Django logs 4xx/5xx responses once the middleware chain has returned, with the
            # request in `extra`: its id is on the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        if not getattr(record, "task_id", None):
            record.task_id = task_id_var.get()
        return True


# Attributes every LogRecord has: whatever else a record carries was passed with `extra=`.
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "request_id",
    "task_id",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, task_id when in
    a task, the `extra=` fields, and the traceback as a string field."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        task_id = getattr(record, "task_id", None) or task_id_var.get()
        if task_id != NO_ID:
            entry["task_id"] = task_id
        if record.name != "gunicorn.access":  # its args are the whole WSGI environ
            for key, value in vars(record).items():
                if key not in _STANDARD_ATTRIBUTES and key not in entry:
                    entry[key] = value
        else:
            for field in _ACCESS_FIELDS.values():
                if hasattr(record, field):
                    entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
LOG_FORMATS = ("json", "text")


def logging_config(
    log_format: str, level: str = "INFO", loggers: Mapping[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The dictConfig of the application (settings.LOGGING) and of gunicorn: one console handler
    on stdout/stderr, the request id filter, JSON or plain text."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "labelml.core.logs.RequestIdFilter"}},
        "formatters": {
            "json": {"()": "labelml.core.logs.JsonFormatter"},
            "text": {"format": TEXT_FORMAT},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": dict(loggers or {}),
    }


# --- Celery: the request id travels with the task ----------------------------------------------
HEADER = "request_id"
_TOKENS = "_labelml_log_tokens"


def _add_request_id_header(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = request_id_var.get()
    if headers is not None and request_id != NO_ID:
        headers.setdefault(HEADER, request_id)


def _enter_task(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    if task is None:
        return
    tokens = [task_id_var.set(task_id or NO_ID)]
    # An eager task runs inside the request that called it: it keeps that request's id.
    request_id = sane_request_id(getattr(task.request, HEADER, None))
    if request_id:
        tokens.append(request_id_var.set(request_id))
    setattr(task.request, _TOKENS, tokens)


def _leave_task(task: Any = None, **_: Any) -> None:
    tokens = getattr(getattr(task, "request", None), _TOKENS, None) or []
    for token in reversed(tokens):
        token.var.reset(token)


def _configure_celery_logging(**_: Any) -> None:
    """Celery would replace the root logger's handlers with its own format: keep LOGGING."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


def connect_celery() -> None:
    from celery import signals

    signals.before_task_publish.connect(_add_request_id_header, weak=False)
    signals.task_prerun.connect(_enter_task, weak=False)
    signals.task_postrun.connect(_leave_task, weak=False)
    signals.setup_logging.connect(_configure_celery_logging, weak=False)
