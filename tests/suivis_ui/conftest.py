"""Fixtures of the follow-up audit's browser journey: those of tests/suivis (a labelled ML A
dossier through the real workflow, auditors with TOTP)."""

from tests.suivis.conftest import (  # noqa: F401
    admin,
    assigned,
    auditeur,
    body,
    campagne,
    dossier,
    labelled,
    lead,
    people,
    planifiable,
    started,
    submitted,
    suivi_auditeur,
    validated,
)
