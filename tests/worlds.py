"""A world shared by a module's tests (the pattern of tests/api/conftest.py `world`): built once,
in a transaction rolled back after the module's last test; each test runs in a savepoint of it,
rolled back too, so that no test sees another's writes. Only for tests that read the world or
write in their own savepoint; Python objects built with the world are shared, so a test re-reads
what it changes from the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import override_settings

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

T = TypeVar("T")


def settle(world: T) -> T:
    """The world's rows checked against their deferred foreign keys once, in the module's
    transaction. Otherwise every test pays for it: a test ends with Django's
    `check_constraints()`, and the savepoint rolled back after it forgets that the world's
    rows were checked (13 ms a test for the authorization matrix's world)."""
    connection.check_constraints()
    return world


@contextmanager
def rolled_back_world(django_db_blocker: Any, **settings: Any) -> Iterator[Callable[[T], T]]:
    """Database access for a module-scoped fixture, in a transaction rolled back at its end;
    yields `settle`, for the world once built. The password hashing is the fast one of
    tests/conftest.py `_fast_password_hashing` (a function-scoped fixture: it does not reach a
    module's), and the cache starts empty as it does for each test (`_fresh_cache`)."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS, **settings):
        cache.clear()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield settle
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
