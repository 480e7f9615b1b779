"""gunicorn settings (docker-compose.yml: `--config python:labelml.gunicorn_conf`).

Every value can be changed from the environment. The access log and gunicorn's own messages go
through the application's log configuration (labelml/logs.py): one JSON object per line in
production, carrying the request's X-Request-ID and the status, method, path and duration as
fields of their own.
"""

from __future__ import annotations

import os

from labelml.logs import logging_config

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Synchronous workers: a page is a few database queries; PDFs and exports run in Celery.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (plus jitter), which bounds slow leaks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Heartbeat files in memory rather than on the container's overlay filesystem.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm")
# No `gunicornc` control socket (it would need a writable home directory).
control_socket_disable = True
# The balancer's X-Forwarded-* headers are trusted from these addresses only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Access log: Apache-like line as the message; with LOG_FORMAT=json the filter also copies the
# request id, method, path, status, bytes and duration into fields.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s'
_format = os.environ.get(
    "LOG_FORMAT", "json" if os.environ.get("LABELML_ENV") == "production" else "text"
)
logconfig_dict = logging_config(
    _format,
    os.environ.get("LOG_LEVEL", "INFO"),
    loggers={
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
)
