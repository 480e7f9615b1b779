"""gunicorn settings (docker-compose.yml: `--config python:labelml.gunicorn_conf`).

Every value can be changed from the environment. The access log and gunicorn's own messages go
through the application's log configuration (labelml/core/logs.py): one JSON object per line in
production, carrying the request's X-Request-ID and the status, method, path and duration as
fields of their own.
"""

from __future__ import annotations

import os

from labelml.core.logs import logging_config

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Processes with threads inside (docs/benchmarks.md, `make bench-load`): a page is a few
# database queries, and the threads overlap those waits and keep their connections
# (DATABASE_CONN_MAX_AGE), where sync workers opened one per request. PDFs and exports run in
# Celery. Each thread holds at most one database connection.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (plus jitter), which bounds slow leaks. The
# application is loaded once in the master, so a new worker is a fork rather than a new start
# of Django; at 2 000 requests the benchmark's workers were replaced every 20 s or so.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
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
