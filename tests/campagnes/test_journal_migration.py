"""One journal (issue 14, point 3): the migrations campagnes 0004, commission 0004 and suivis 0002
move the label events and the follow-ups' steps written before them into the dossier's journal,
with their dossier, who, when, from, to and why; the dossiers' own rows get their subject. Going
back one step gives the old tables their rows again.

The dossier, its label and its follow-up are written with today's models; the old journal rows
through the historical models of the state before the migrations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audits.commission.models import Decision, Label, PointOrdreDuJour, Seance
from audits.suivis.models import AuditSuivi
from campagnes.models import DossierTransition
from campagnes.services import create_campagne, open_campagne
from labelml.structures.roles import Role
from tests.conftest import member
from tests.factories import MembreCommissionFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("campagnes", "0003_dossier_renouvellement_de"),
    ("commission", "0003_labelevenement"),
    ("suivis", "0001_initial"),
]
AFTER = [("campagnes", "0004_journal"), ("commission", "0004_journal"), ("suivis", "0002_journal")]
OPENING = "Ouverture de la campagne « Campagne 2024 »"
SUSPENSION = "Changement de gouvernance non déclaré."
FIELDS = ("dossier_id", "subject_id", "action", "from_state", "to_state", "actor_id", "reason")


def migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate the test database to `targets`; the historical models of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def at(day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2025, 3, day, 10, 0))


@pytest.fixture
def migrated_back(world: dict[str, Any]) -> Any:
    """The database before the journal (`world` written first, with today's models); brought
    back to the latest migrations afterwards."""
    yield migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def world(network: Any, referentiel_ml: Any) -> dict[str, Any]:
    """A labelled dossier (opened by the campaign: its first journal row) and its follow-up."""
    admin = member(network["unml"], Role.ADMIN_UNML)
    campagne = create_campagne(
        actor=admin,
        nom="Campagne 2024",
        referentiel=referentiel_ml,
        date_ouverture=dt.date(2024, 1, 8),
        date_cloture_autoevaluation=dt.date(2024, 6, 28),
    )
    dossier = open_campagne(actor=admin, campagne=campagne, structures=[network["ml_a"]]).created[0]
    DossierTransition.objects.filter(dossier=dossier).update(at=at(1))
    seance = Seance.objects.create(date=timezone.now(), president=MembreCommissionFactory())
    point = PointOrdreDuJour.objects.create(seance=seance, dossier=dossier, vote="clos")
    decision = Decision.objects.create(
        point=point, dossier=dossier, resultat="labellise", motivation="Dossier solide."
    )
    label = Label.objects.create(
        structure=dossier.structure,
        decision=decision,
        numero="LML-2024-00001",
        date_debut=dt.date(2024, 11, 1),
        date_fin=dt.date(2027, 10, 31),
    )
    suivi = AuditSuivi.objects.create(label=label, dossier=dossier, date_prevue=dt.date(2026, 5, 1))
    return {"admin": admin, "dossier": dossier, "label": label, "suivi": suivi}


def write_old_rows(apps: Any, w: dict[str, Any]) -> None:
    """The three journals as they were, through the historical models (`at` set afterwards:
    auto_now_add)."""
    dossier, admin = w["dossier"], w["admin"]
    OldDossierTransition = apps.get_model("campagnes", "DossierTransition")
    LabelEvenement = apps.get_model("commission", "LabelEvenement")
    SuiviTransition = apps.get_model("suivis", "SuiviTransition")
    rows = [
        OldDossierTransition.objects.create(
            dossier_id=dossier.pk,
            action="submit_autoevaluation",
            from_etat="autoevaluation",
            to_etat="plan_amelioration",
            actor_id=admin.pk,
            reason="",
        ),
        SuiviTransition.objects.create(
            suivi_id=w["suivi"].pk,
            action="schedule",
            to_statut="planifie",
            actor_id=None,
            reason="Mi-parcours du label LML-2024-00001",
        ),
        LabelEvenement.objects.create(
            label_id=w["label"].pk,
            action="suspension",
            from_statut="valide",
            to_statut="suspendu",
            motivation=SUSPENSION,
            actor_id=admin.pk,
        ),
        SuiviTransition.objects.create(
            suivi_id=w["suivi"].pk,
            action="assign",
            from_statut="planifie",
            to_statut="planifie",
            actor_id=admin.pk,
            reason="Sophie Lambert (Qualicert)",
        ),
        LabelEvenement.objects.create(
            label_id=w["label"].pk,
            action="retablissement",
            from_statut="suspendu",
            to_statut="valide",
            motivation="Gouvernance déclarée.",
            actor_id=admin.pk,
        ),
    ]
    for day, row in enumerate(rows, start=2):
        type(row).objects.filter(pk=row.pk).update(at=at(day))


def journal(subject: str) -> list[tuple[Any, ...]]:
    rows = DossierTransition.objects.filter(subject=subject).order_by("at", "pk")
    return list(rows.values_list(*FIELDS, "at"))


def test_the_old_rows_are_copied_into_the_journal(world, migrated_back):
    write_old_rows(migrated_back, world)

    migrate(AFTER)

    dossier, admin = world["dossier"], world["admin"]
    d, lb, s = dossier.pk, world["label"].pk, world["suivi"].pk
    assert journal("dossier") == [
        (d, d, "open", "", "autoevaluation", admin.pk, OPENING, at(1)),
        (d, d, "submit_autoevaluation", "autoevaluation", "plan_amelioration", admin.pk, "", at(2)),
    ]
    assert journal("suivi") == [
        (d, s, "schedule", "", "planifie", None, "Mi-parcours du label LML-2024-00001", at(3)),
        (d, s, "assign", "planifie", "planifie", admin.pk, "Sophie Lambert (Qualicert)", at(5)),
    ]
    assert journal("label") == [
        (d, lb, "suspension", "valide", "suspendu", admin.pk, SUSPENSION, at(4)),
        (d, lb, "retablissement", "suspendu", "valide", admin.pk, "Gouvernance déclarée.", at(6)),
    ]
    tables = connection.introspection.table_names()
    assert "commission_labelevenement" not in tables
    assert "suivis_suivitransition" not in tables
    # The pages' words for the copied rows.
    event = world["label"].journal.latest("at")
    assert (event.action_label, event.from_label, event.to_label) == (
        "Levée de la suspension",
        "Suspendu",
        "Valide",
    )
    step = world["suivi"].journal.first()
    assert (step.action_label, step.from_label, step.to_label) == (
        "Audit de suivi planifié",
        "",
        "Planifié",
    )


def test_going_back_gives_the_old_tables_their_rows(world, migrated_back):
    write_old_rows(migrated_back, world)
    migrate(AFTER)

    apps = migrate(BEFORE)

    LabelEvenement = apps.get_model("commission", "LabelEvenement")
    SuiviTransition = apps.get_model("suivis", "SuiviTransition")
    OldDossierTransition = apps.get_model("campagnes", "DossierTransition")
    assert list(
        LabelEvenement.objects.order_by("at").values_list("label_id", "action", "motivation")
    ) == [
        (world["label"].pk, "suspension", SUSPENSION),
        (world["label"].pk, "retablissement", "Gouvernance déclarée."),
    ]
    assert list(SuiviTransition.objects.order_by("at").values_list("action", "actor_id")) == [
        ("schedule", None),
        ("assign", world["admin"].pk),
    ]
    assert list(
        OldDossierTransition.objects.order_by("at", "pk").values_list(
            "action", "from_etat", "to_etat"
        )
    ) == [
        ("open", "", "autoevaluation"),
        ("submit_autoevaluation", "autoevaluation", "plan_amelioration"),
    ]
