"""The API's tests share the authorization matrix's world (tests/test_authorization_matrix.py:
a labelled dossier with every piece of data, a renewal dossier in self-assessment, another
region's Mission Locale, every actor of SPEC §2), plus one read-and-write token per actor."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.test_authorization_matrix import ANON, build_world, footprint
from tests.worlds import rolled_back_world


def make_token(user: Any, portee: str = "ecriture", jours: int = 30) -> str:
    from labelml.api.tokens import create_token

    return create_token(user=user, nom="Outil de test", portee=portee, jours=jours)[1]


class ApiClient(Client):
    """A test client that sends the token (JSON bodies by default)."""

    def __init__(self, secret: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.secret = secret

    def _headers(self, extra: dict[str, Any]) -> dict[str, Any]:
        headers = dict(extra.pop("headers", None) or {})
        if self.secret:
            headers.setdefault("Authorization", f"Bearer {self.secret}")
        return headers

    def get(self, path: str, data: Any = None, **extra: Any) -> Any:  # type: ignore[override]
        return super().get(path, data, headers=self._headers(extra), **extra)

    def patch(self, path: str, data: Any = None, **extra: Any) -> Any:  # type: ignore[override]
        return super().patch(
            path, data or {}, content_type="application/json", headers=self._headers(extra), **extra
        )

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:  # type: ignore[override]
        return super().post(
            path, data or {}, content_type="application/json", headers=self._headers(extra), **extra
        )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    media = tmp_path_factory.mktemp("api-media")
    with rolled_back_world(django_db_blocker, MEDIA_ROOT=str(media)) as settle:
        built = build_world()
        built.tokens = {
            actor: make_token(user) for actor, user in built.users.items() if actor != ANON
        }
        built.footprint = footprint(built)
        yield settle(built)


def api(world: Any, actor: str) -> ApiClient:
    return ApiClient(None if actor == ANON else world.tokens[actor])
