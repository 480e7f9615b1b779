"""The OpenAPI schema is public, valid OpenAPI 3, and documents every route of /api/v1/."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from drf_spectacular.validation import validate_schema

from tests.api.test_api_matrix import API_ROUTES

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_without_login():
    response = Client().get(reverse("api:api_schema"))
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"
    documented = set(schema["paths"])
    assert len(documented) == len(API_ROUTES) - 2  # all but the schema and the docs page
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert "application/problem+json" in operation["responses"]["401"]["content"]
