"""Fixtures of the follow-up audit (SPEC §7b).

`label` is ML A's label, granted through the real workflow on a report with a major gap (1.1),
a minor gap (1.2) and a piste de progrès (2.1), dated so that its mid-term falls in 30 days.
`suivi` is its follow-up audit, scheduled; `assigned_suivi` has `suivi_auditeur` (another body,
TOTP configured) designated; `transmitted`, `in_review` are the later steps.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from audits.suivis import services
from audits.suivis.models import AuditSuivi, PointSuivi
from campagnes.models import DossierUserObjectPermission
from labelml.notifications.models import Notification
from tests.audits import conftest as _audits
from tests.conftest import with_totp
from tests.factories import AuditeurFactory, OrganismeAuditeurFactory
from tests.suivis.helpers import add_piste, due_in, label_dossier

admin = _audits.admin
campagne = _audits.campagne
dossier = _audits.dossier
other_dossier = _audits.other_dossier
people = _audits.people
body = _audits.body
auditeur = _audits.auditeur
collegue = _audits.collegue
lead = _audits.lead
other_lead = _audits.other_lead
planifiable = _audits.planifiable
assigned = _audits.assigned
started = _audits.started
submitted = _audits.submitted
validated = _audits.validated


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def footprint(suivi: AuditSuivi) -> dict[str, Any]:
    """Everything the follow-up's steps may touch, read fresh from the database."""
    from campagnes.autoevaluations.models import Preuve
    from campagnes.plans.models import Action

    return {
        "suivi": AuditSuivi.objects.filter(pk=suivi.pk).values().first(),
        "points": list(PointSuivi.objects.filter(suivi=suivi).values().order_by("pk")),
        "transitions": list(suivi.journal.values_list("pk", flat=True)),
        "notifications": Notification.objects.count(),
        "preuves": Preuve.objects.count(),
        "actions": list(
            Action.objects.filter(plan__dossier=suivi.dossier)
            .values_list("pk", "statut", "avancement")
            .order_by("pk")
        ),
        "grants": list(
            DossierUserObjectPermission.objects.order_by("pk").values_list(
                "user_id", "content_object_id"
            )
        ),
    }


@pytest.fixture
def labelled(validated, admin, people):  # type: ignore[no-untyped-def]
    add_piste(validated)
    return label_dossier(validated, admin, people.direction)


@pytest.fixture
def label(labelled):  # type: ignore[no-untyped-def]
    return due_in(labelled, 30)


@pytest.fixture
def suivi(label):  # type: ignore[no-untyped-def]
    created = services.schedule_followup(label, today=timezone.localdate())
    assert created is not None
    return fresh(created)


@pytest.fixture
def suivi_auditeur(db):  # type: ignore[no-untyped-def]
    a = AuditeurFactory(organisme=OrganismeAuditeurFactory(nom="Certif Suivi"))
    with_totp(a.user)
    return a


@pytest.fixture
def assigned_suivi(suivi, admin, suivi_auditeur):  # type: ignore[no-untyped-def]
    services.assign_followup(suivi, admin, auditeur=suivi_auditeur)
    return fresh(suivi)


def answer_all(suivi: AuditSuivi, actor: Any) -> None:
    for p in PointSuivi.objects.filter(suivi=suivi):
        result = services.answer_point(
            point=p,
            actor=actor,
            champ="reponse",
            valeur=f"Fait pour {p.critere_id}.",
            version=p.version,
        )
        assert result.ok


@pytest.fixture
def transmitted(assigned_suivi, people):  # type: ignore[no-untyped-def]
    answer_all(assigned_suivi, people.direction)
    services.send_file(assigned_suivi, people.direction)
    return fresh(assigned_suivi)


@pytest.fixture
def in_review(transmitted, suivi_auditeur):  # type: ignore[no-untyped-def]
    services.start_review(transmitted, suivi_auditeur.user)
    return fresh(transmitted)
