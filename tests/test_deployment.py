"""docker-compose.yml describes the production stack (it is not run here: no Docker engine);
these tests read it, and the Dockerfile and the gunicorn settings it uses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
APP = ("web", "worker", "beat")
# Jobs that run once and exit; the application waits for them to have succeeded.
ONE_SHOT = ("migrate", "s3-init")


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def services() -> dict[str, Any]:
    return compose()["services"]


def command(service: dict[str, Any]) -> str:
    value = service["command"]
    return value if isinstance(value, str) else " ".join(value)


def test_production_stack_has_every_service_with_a_health_check():
    stack = services()
    assert set(stack) == {"web", "worker", "beat", "db", "redis", "s3", *ONE_SHOT}
    for name, service in stack.items():
        if name in ONE_SHOT:
            assert service["restart"] == "no", name
            continue
        check = service["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert check["interval"] and check["timeout"] and check["retries"], name


def test_health_checks_ask_the_right_thing():
    stack = services()
    web = " ".join(stack["web"]["healthcheck"]["test"])
    assert "/healthz" in web and "X-Forwarded-Proto" in web
    worker = " ".join(stack["worker"]["healthcheck"]["test"])
    # $$ is compose's escape: the container's shell expands $HOSTNAME, the worker's node name.
    assert "inspect ping" in worker and "-d celery@$$HOSTNAME" in worker
    beat = stack["beat"]["healthcheck"]["test"]
    # No shell around pgrep (its command line would match the pattern), and the pattern is the
    # beat's command.
    assert beat[:3] == ["CMD", "pgrep", "-f"] and beat[3] in command(stack["beat"])
    assert "pg_isready" in " ".join(stack["db"]["healthcheck"]["test"])
    assert stack["redis"]["healthcheck"]["test"][-1] == "ping"
    assert "ready" in stack["s3"]["healthcheck"]["test"]


def test_app_processes_share_one_production_configuration():
    stack = services()
    for name in APP:
        service = stack[name]
        env = service["environment"]
        assert env["LABELML_ENV"] == "production"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
        assert env["LOG_FORMAT"] == "json"
        for variable in ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY"):
            assert env[variable], (name, variable)
        depends = service["depends_on"]
        for dependency in ("db", "redis", "s3"):
            assert depends[dependency]["condition"] == "service_healthy", (name, dependency)
        for job in ONE_SHOT:
            assert depends[job]["condition"] == "service_completed_successfully", (name, job)
        assert service["image"] == stack["migrate"]["image"]


def test_commands():
    stack = services()
    web = command(stack["web"])
    assert web.startswith("gunicorn labelml.wsgi:application")
    assert "--config python:labelml.gunicorn_conf" in web
    worker = command(stack["worker"])
    assert worker.startswith("celery -A labelml --quiet worker")
    assert "--max-memory-per-child" in worker
    assert command(stack["beat"]).startswith("celery -A labelml --quiet beat")
    assert command(stack["migrate"]) == "python manage.py migrate --noinput"
    # The migration job waits for the database only (it cannot wait for itself).
    assert set(stack["migrate"]["depends_on"]) == {"db"}
    init = command(stack["s3-init"])
    assert "mc mb --ignore-existing" in init and "mc anonymous set none" in init


def test_no_secret_is_hard_coded():
    text = (ROOT / "docker-compose.yml").read_text()
    for secret in ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "S3_ACCESS_KEY", "S3_SECRET_KEY"):
        assert f"${{{secret}:?" in text
    for name, service in services().items():
        env = service.get("environment") or {}
        for key, value in env.items():
            if re.search(r"SECRET|PASSWORD|ACCESS_KEY", key) and value:
                assert "${" in str(value), (name, key)


def test_environment_example_lists_the_required_variables_without_values():
    example = (ROOT / ".env.example").read_text()
    required = set(re.findall(r"\$\{(\w+):\?", (ROOT / "docker-compose.yml").read_text()))
    assert required >= {"DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "S3_ACCESS_KEY"}
    for variable in required:
        assert re.search(rf"^{variable}=$", example, re.MULTILINE), variable


def test_image_has_the_tools_the_health_checks_and_backups_use():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "procps" in dockerfile  # pgrep, beat's health check
    assert "postgresql-client" in dockerfile  # pg_dump for scripts/backup.sh


def production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "S3_", "LOG_", "LABELML_"))
    }
    env.update(LABELML_ENV="production", DJANGO_SECRET_KEY="test-only-" + "x" * 50, **extra)
    return env


def read_settings(*names: str, **env: str) -> dict[str, Any]:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(DJANGO_SETTINGS_MODULE="labelml.settings", **env),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_files_go_to_a_private_s3_bucket_when_one_is_configured():
    default = read_settings(
        "STORAGES",
        S3_BUCKET="labelml",
        S3_ENDPOINT_URL="http://s3:9000",
        S3_ACCESS_KEY="key",
        S3_SECRET_KEY="secret",
    )["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "labelml"
    assert options["endpoint_url"] == "http://s3:9000"
    assert options["addressing_style"] == "path"
    assert options["default_acl"] is None  # no public-read: the bucket's policy (private)
    assert options["querystring_auth"] is True and options["querystring_expire"] <= 600
    assert options["file_overwrite"] is False


def test_local_private_files_without_a_bucket():
    values = read_settings("STORAGES", "LOG_FORMAT", PRIVATE_MEDIA_ROOT="/srv/fichiers")
    assert values["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert values["LOG_FORMAT"] == "json"  # production default


def test_s3_storage_builds_with_the_configured_options():
    """The S3 backend accepts every option the settings give it (an unknown one raises)."""
    code = (
        "import django; django.setup(); from django.core.files.storage import storages; "
        "s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.default_acl, s.file_overwrite, "
        "s.max_memory_size)"
    )
    result = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(
            DJANGO_SETTINGS_MODULE="labelml.settings",
            S3_BUCKET="labelml",
            S3_ENDPOINT_URL="http://127.0.0.1:1",
        ),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["S3Storage", "labelml", "None", "False", "5242880"]


def test_gunicorn_logs_json_with_the_request_id():
    env = production_env()
    code = (
        "import json; from labelml import gunicorn_conf as c; "
        "print(json.dumps([c.logconfig_dict['handlers']['console'], c.access_log_format, "
        "c.control_socket_disable]))"
    )
    result = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    handler, access_format, no_control_socket = json.loads(result.stdout)
    assert handler["formatter"] == "json" and handler["filters"] == ["request_id"]
    assert "%({x-request-id}o)s" in access_format
    assert no_control_socket is True
