"""`seed_demo` refuses production and writes nothing there (on an empty database: apart from
test_seed_demo.py, whose module shares a seeded demo)."""

import io

import pytest
from django.core.management import CommandError, call_command

from labelml.structures.models import Structure

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=io.StringIO())
    assert Structure.objects.count() == 0
