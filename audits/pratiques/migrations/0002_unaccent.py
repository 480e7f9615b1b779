"""The unaccent extension, for the catalogue's French full-text search (PostgreSQL only: on
SQLite the search falls back on an accent-free copy of the text)."""

from django.db import migrations


def create_unaccent(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    dependencies = [("pratiques", "0001_initial")]

    operations = [migrations.RunPython(create_unaccent, migrations.RunPython.noop)]
