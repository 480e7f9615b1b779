"""Fixtures of the auditor's workspace: ML A's dossier taken to the external audit, an auditing
body with its assigned auditor and a lead auditor (both with TOTP, mandatory for auditors)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from audits.services import start_audit
from campagnes.models import Dossier
from tests.audits_ui.helpers import assign, to_audit_request
from tests.campagnes.conftest import (  # noqa: F401
    admin,
    campagne,
    dossier,
    people,
)
from tests.conftest import with_totp
from tests.factories import AuditeurFactory, OrganismeAuditeurFactory


@pytest.fixture
def organisme():  # type: ignore[no-untyped-def]
    return OrganismeAuditeurFactory(nom="Qualité Conseil")


@pytest.fixture
def auditeur(organisme):  # type: ignore[no-untyped-def]
    """The assigned auditor (TOTP is mandatory for auditors)."""
    a = AuditeurFactory(organisme=organisme)
    with_totp(a.user)
    return a


@pytest.fixture
def lead(organisme):  # type: ignore[no-untyped-def]
    a = AuditeurFactory(organisme=organisme, est_referent=True)
    with_totp(a.user)
    return a


@pytest.fixture
def mission(dossier, people, admin, auditeur, lead, settings, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    """The audit of ML A's dossier, assigned (audit_planifie)."""
    settings.MEDIA_ROOT = tmp_path
    to_audit_request(dossier, people.direction)
    audit = assign(dossier, admin, auditeur)
    return SimpleNamespace(
        dossier=Dossier.objects.get(pk=dossier.pk),
        audit=audit,
        auditor=auditeur.user,
        lead=lead.user,
        people=people,
        admin=admin,
    )


@pytest.fixture
def running(mission):  # type: ignore[no-untyped-def]
    """The same audit, started by the auditor (audit_en_cours)."""
    start_audit(mission.dossier, mission.auditor)
    mission.dossier.refresh_from_db()
    mission.audit.refresh_from_db()
    return mission
