"""The N+1 detector (django-zeal, strict mode) is on for the whole test suite: turning it off in
tests/settings.py or tests/conftest.py makes these tests fail."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from celery import shared_task
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from zeal import NPlusOneError

from labelml.structures.models import Membership, Structure
from labelml.structures.roles import Role
from tests.factories import ArmlFactory, MembershipFactory, MissionLocaleFactory


def make_three_mls() -> None:
    for region in ("11", "84", "93"):
        MissionLocaleFactory(parent=ArmlFactory(region=region), region=region)


@pytest.fixture
def three_mls(db):  # type: ignore[no-untyped-def]
    make_three_mls()


@pytest.fixture
def three_mls_committed(transactional_db):  # type: ignore[no-untyped-def]
    # Committed, so that a request served by another thread (its own connection) sees them.
    make_three_mls()


def parents_one_by_one() -> list[str]:
    # Deliberate N+1: one query per Mission Locale for its ARML.
    return [ml.parent.nom for ml in Structure.objects.filter(parent__isnull=False)]


def test_strict_mode_is_configured() -> None:
    assert "zeal" in settings.INSTALLED_APPS
    assert "zeal.middleware.zeal_middleware" in settings.MIDDLEWARE
    assert settings.ZEAL_RAISE is True


def test_nplusone_in_test_code_raises(three_mls: None, nplusone_detections: list[str]) -> None:
    with pytest.raises(NPlusOneError, match=r"structures\.Structure\.parent"):
        parents_one_by_one()
    assert nplusone_detections
    nplusone_detections.clear()  # provoked on purpose: the test itself must not fail


def test_select_related_does_not_raise(three_mls: None, nplusone_detections: list[str]) -> None:
    parents = [
        ml.parent.nom
        for ml in Structure.objects.filter(parent__isnull=False).select_related("parent")
    ]
    assert len(parents) == 3
    assert not nplusone_detections


def test_operations_one_after_the_other_are_not_an_nplusone(
    network: dict[str, Any], nplusone_detections: list[str]
) -> None:
    """Each call from test code into the application counts apart: two memberships described
    one after the other (Membership.__str__ reads its user and structure) are two operations,
    whereas the same reads in a loop of the test's own code are an N+1."""
    for structure in (network["ml_a"], network["ml_b"]):
        MembershipFactory(structure=structure, role=Role.DIRECTION)
    first, second = Membership.objects.order_by("pk")
    assert str(first) != str(second)
    assert not nplusone_detections
    with pytest.raises(NPlusOneError, match=r"structures\.Membership\.structure"):
        [m.structure.nom for m in Membership.objects.order_by("pk")]
    nplusone_detections.clear()


def nplusone_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(", ".join(parents_one_by_one()))


urlpatterns = [path("nplusone/", nplusone_view)]


@pytest.mark.urls("tests.test_nplusone_detector")
def test_nplusone_in_a_request_raises(three_mls: None, nplusone_detections: list[str]) -> None:
    with pytest.raises(NPlusOneError):
        Client().get("/nplusone/")
    nplusone_detections.clear()


@pytest.mark.urls("tests.test_nplusone_detector")
def test_nplusone_in_another_thread_is_recorded(
    three_mls_committed: None, nplusone_detections: list[str]
) -> None:
    """As in the browser tests' live server: the request runs in another thread, where the
    error only becomes a 500; the detection is recorded and fails the test all the same."""
    statuses: list[int] = []

    def request() -> None:
        # A fresh thread: no zeal context but the one zeal's middleware opens for the request.
        try:
            statuses.append(Client(raise_request_exception=False).get("/nplusone/").status_code)
        finally:
            connections.close_all()

    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
    assert statuses == [500]
    assert any("structures.Structure.parent" in found for found in nplusone_detections)
    nplusone_detections.clear()


@shared_task
def swallowing_task() -> str:
    # Like labelml/documents/tasks.py: any exception becomes a "failed" status.
    try:
        parents_one_by_one()
    except Exception:  # noqa: BLE001
        return "failed"
    return "ready"


def test_nplusone_swallowed_in_a_task_is_recorded(
    three_mls: None, nplusone_detections: list[str]
) -> None:
    assert swallowing_task.apply().get() == "failed"
    assert any("structures.Structure.parent" in found for found in nplusone_detections)
    nplusone_detections.clear()
