"""Only a certified auditor is designated for a follow-up audit (as for the external audit)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audits.suivis import services
from labelml.core.transitions import TransitionError
from labelml.structures.models import Auditeur

pytestmark = pytest.mark.django_db


def test_a_follow_up_audit_is_not_given_to_an_auditor_whose_certification_lapsed(
    suivi, admin, suivi_auditeur
):
    Auditeur.objects.filter(pk=suivi_auditeur.pk).update(
        certifie_jusqu_au=timezone.localdate() - dt.timedelta(days=1)
    )
    suivi_auditeur.refresh_from_db()
    with pytest.raises(TransitionError) as exc:
        services.assign_followup(suivi, admin, auditeur=suivi_auditeur)
    assert "certification expirée" in exc.value.message
    suivi.refresh_from_db()
    assert suivi.auditeur_id is None

    Auditeur.objects.filter(pk=suivi_auditeur.pk).update(
        certifie_jusqu_au=timezone.localdate() + dt.timedelta(days=1)
    )
    suivi_auditeur.refresh_from_db()
    services.assign_followup(suivi, admin, auditeur=suivi_auditeur)
    suivi.refresh_from_db()
    assert suivi.auditeur_id == suivi_auditeur.pk
