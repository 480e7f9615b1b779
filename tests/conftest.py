"""Shared fixtures. Under REQUIRE_SERVICES=1 (CI) the suite must run on the real PostgreSQL and
Redis: a test marked `services` fails instead of skipping when they are not configured."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextvars import Token
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from celery.signals import task_postrun, task_prerun
from django.test import Client
from pytest_django.plugin import blocking_manager_key
from zeal import NPlusOneError, zeal_context
from zeal import listeners as zeal_listeners
from zeal import setup as zeal_setup
from zeal import teardown as zeal_teardown
from zeal.listeners import NPlusOneListener, _nplusone_context
from zeal.util import _is_internal_frame

from tests.browser import browser  # noqa: F401  (one Chromium for the whole session)
from tests.factories import (
    ArmlFactory,
    MembershipFactory,
    MissionLocaleFactory,
    UnmlFactory,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "referentiel-ml-2022.yaml"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _group_for_xdist(items)
    if REQUIRE_SERVICES:
        return
    from django.conf import settings

    missing = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("PostgreSQL (DATABASE_URL)")
    if not settings.REDIS_URL:
        missing.append("Redis (REDIS_URL)")
    if not missing:
        return
    skip = pytest.mark.skip(reason="service non configuré : " + ", ".join(missing))
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


def _group_for_xdist(items: list[pytest.Item]) -> None:
    """`make test` runs the suite on both cores (pytest-xdist, --dist loadgroup). The tests that
    start servers of their own under load (the fault tests with a private PostgreSQL, Redis and
    gunicorn) run one after the other on a single worker, so that two of them never compete for
    the cores; their timings are what they check. The other tests need no group: each worker
    has its own live server, test database and Redis database."""
    for item in items:
        if item.path.name in SERVER_TESTS:
            item.add_marker(pytest.mark.xdist_group("servers"))


# The test modules that start a private PostgreSQL, Redis or gunicorn (tests/faults/services.py).
SERVER_TESTS = {
    "test_degraded_services.py",
    "test_postgres_restart.py",
    "test_redis_down.py",
    "test_sqlite_simultaneous.py",
    "test_demo_server.py",
}


@pytest.fixture
def referentiel_ml(db):  # type: ignore[no-untyped-def]
    return shipped_referentiel()


@pytest.fixture
def no_referentiel(db):  # type: ignore[no-untyped-def]
    """A database that holds no référentiel: the preloaded one (below) is removed inside the
    test's transaction."""
    from referentiel.models import Referentiel

    Referentiel.objects.all().delete()


def shipped_referentiel():  # type: ignore[no-untyped-def]
    """The référentiel of fixtures/: the one each worker's database already holds (below), or
    imported in the test's transaction where a test removed it."""
    from referentiel.models import Referentiel
    from referentiel.services import import_referentiel_file

    found = Referentiel.objects.filter(code=_SHIPPED["code"], version=_SHIPPED["version"]).first()
    return found or import_referentiel_file(FIXTURE).referentiel


def _shipped_key() -> dict[str, Any]:
    from referentiel import format as fmt

    canon = fmt.parse(FIXTURE.read_text(encoding="utf-8"))
    return {"code": canon["code"], "version": canon["version"]}


_SHIPPED: dict[str, Any] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Each worker's test database holds the shipped référentiel from the start, committed like
    a data migration's rows: a thousand tests need it and its import costs a third of a second.
    Each test's changes to it are rolled back with the test; a transactional test's flush
    removes it, and `pytest_runtest_teardown` below puts it back."""
    _SHIPPED.update(_shipped_key())
    with django_db_blocker.unblock():
        _preload_referentiel()
    yield


def _preload_referentiel() -> None:
    from referentiel.services import import_referentiel_file

    import_referentiel_file(FIXTURE)


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or "transactional_db" in names
        or "live_server" in names
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    result = yield
    # Its database was flushed; after the worker's last test it is gone (dropped with the
    # session's fixtures), and nothing needs the référentiel any more.
    if _SHIPPED and nextitem is not None and _is_transactional(item):
        with item.config.stash[blocking_manager_key].unblock():
            _preload_referentiel()
    return result


@pytest.fixture
def network(db):  # type: ignore[no-untyped-def]
    """Two regions: ML A (ARML A) and ML B (ARML B), plus the UNML."""
    unml = UnmlFactory()
    arml_a = ArmlFactory(region="11")
    arml_b = ArmlFactory(region="84")
    ml_a = MissionLocaleFactory(parent=arml_a, region="11")
    ml_a2 = MissionLocaleFactory(parent=arml_a, region="11")
    ml_b = MissionLocaleFactory(parent=arml_b, region="84")
    return {
        "unml": unml,
        "arml_a": arml_a,
        "arml_b": arml_b,
        "ml_a": ml_a,
        "ml_a2": ml_a2,
        "ml_b": ml_b,
    }


def member(structure, role):  # type: ignore[no-untyped-def]
    return MembershipFactory(structure=structure, role=role).user


def with_totp(user):  # type: ignore[no-untyped-def]
    TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


__all__ = ["Authenticator", "client_for", "member", "with_totp"]


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Rate limits and used TOTP codes live in the cache: each test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # PBKDF2's deliberate slowness is a production property; tests only need correctness.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- N+1 detection (django-zeal in strict mode, enabled by tests/settings.py) ---
# An N+1 raises zeal.NPlusOneError where it happens (docs/decisions.md). Zeal counts a query as
# repeated within one context; each test runs in one (the autouse fixture below), and so do
# each fixture's setup (whatever its scope), each request (zeal's middleware: the test client's
# in this thread, the live server's in its threads) and each Celery task (task signals).
# Within a context, repetition only counts within one *operation*: one call from a driver (test
# code, or a demo/sample scenario that chains what users do one after the other) into the
# application. A loop inside the application, or in the driver's own code, is an N+1; a test
# that submits two dossiers one after the other is not. Every detection is also recorded, so
# that one swallowed on the way (a live-server 500 the browser only shows, a task that turns
# any exception into a "failed" status, a broad except) still fails the test.
# A genuine false positive goes in settings.ZEAL_ALLOWLIST, with the reason.
_detections: list[str] = []
_task_tokens: dict[str, Token[Any]] = {}
_APP = str(ROOT) + os.sep
_LIBRARIES = str(ROOT / ".venv") + os.sep
_DRIVERS = (
    str(ROOT / "tests") + os.sep,
    *(
        str(ROOT / path)
        for path in (
            "labelml/demo/samples.py",
            "labelml/demo/network.py",
            "labelml/demo/dossiers.py",
            "labelml/demo/commission.py",
            "labelml/demo/pratiques.py",
        )
    ),
    str(ROOT / "labelml" / "demo" / "national") + os.sep,  # the national generator's modules
)


def _operation(frame: FrameType | None) -> FrameType | None:
    """The outermost application frame under the innermost driver frame (that driver frame
    itself when the query comes straight from driver code)."""
    operation = None
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(_DRIVERS):
            return operation or frame
        if filename.startswith(_APP) and not filename.startswith(_LIBRARIES):
            operation = frame
        frame = frame.f_back
    return operation


def _caller_per_operation() -> tuple[str, int, str]:
    """zeal.util.get_caller (the first frame outside the libraries: the line zeal reports and
    counts by), which first starts a new count when a new operation starts (the operation's
    frame is held, so its identity is never reused)."""
    caller = sys._getframe(1)
    context = _nplusone_context.get()
    if context.enabled:
        operation = _operation(caller)
        if context.__dict__.get("_operation") is not operation:
            context.calls.clear()
            context.__dict__["_operation"] = operation
    frame: FrameType | None = caller
    while frame is not None:
        if not _is_internal_frame(frame.f_code.co_filename):
            return frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name
        frame = frame.f_back
    return "<unknown>", 0, "<unknown>"


class _RecordedNPlusOneError(NPlusOneError):
    """Raised in place of NPlusOneError (a subclass: `pytest.raises(NPlusOneError)` holds): it
    records itself, from whichever thread, before anything can swallow it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        _detections.append(message)


@pytest.fixture(scope="session", autouse=True)
def _nplusone_per_operation() -> Iterator[None]:
    mp = pytest.MonkeyPatch()
    mp.setattr(zeal_listeners, "get_caller", _caller_per_operation)
    mp.setattr(NPlusOneListener, "error_class", property(lambda self: _RecordedNPlusOneError))
    yield
    mp.undo()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: Any) -> Iterator[Any]:
    if fixturedef.argname == "nplusone_detections":  # opens the test's own context
        return (yield)
    with zeal_context():
        return (yield)


@task_prerun.connect(weak=False, dispatch_uid="tests.zeal.task_prerun")
def _zeal_task_prerun(task_id: str | None = None, **kwargs: Any) -> None:
    token = zeal_setup()
    if task_id is not None and token is not None:
        _task_tokens[task_id] = token


@task_postrun.connect(weak=False, dispatch_uid="tests.zeal.task_postrun")
def _zeal_task_postrun(task_id: str | None = None, **kwargs: Any) -> None:
    token = _task_tokens.pop(task_id, None) if task_id is not None else None
    if token is not None:
        zeal_teardown(token)


@pytest.fixture(autouse=True)
def nplusone_detections() -> Iterator[list[str]]:
    """The test runs in a zeal context; yields the N+1s detected during it, anywhere in the
    process. The test fails if any is left: one that provokes an N+1 on purpose
    (tests/test_nplusone_detector.py) clears them."""
    _detections.clear()
    with zeal_context():
        yield _detections
    if _detections:
        found = "\n".join(dict.fromkeys(_detections))
        _detections.clear()
        pytest.fail(f"N+1 détecté pendant le test :\n{found}", pytrace=False)
