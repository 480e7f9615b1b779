"""CI runs on the real PostgreSQL and Redis: prove the suite is really using them."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

pytestmark = pytest.mark.services


@pytest.mark.django_db
def test_database_is_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert "PostgreSQL" in cursor.fetchone()[0]


def test_cache_is_redis_and_round_trips():
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    key = f"ci-{uuid.uuid4()}"
    cache.set(key, "valeur", 30)
    assert cache.get(key) == "valeur"
