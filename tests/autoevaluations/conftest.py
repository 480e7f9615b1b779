"""The campaign fixtures are shared with tests/campagnes (same dossier of ML A)."""

from tests.campagnes.conftest import (  # noqa: F401
    admin,
    campagne,
    dossier,
    filled_dossier,
    other_dossier,
    people,
)
