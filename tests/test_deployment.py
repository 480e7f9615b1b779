"""docker-compose.yml describes the production stack (it is not run here: no Docker engine)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_production_stack_has_every_service_with_a_health_check():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis", "s3"}
    for name, service in services.items():
        assert "healthcheck" in service, name


def test_app_processes_share_one_production_configuration():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["LABELML_ENV"] == "production"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]


def test_no_secret_is_hard_coded():
    text = (ROOT / "docker-compose.yml").read_text()
    for secret in ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "S3_SECRET_KEY"):
        assert f"${{{secret}:?" in text
