"""Property-based tests of the API from its own OpenAPI schema (Schemathesis), against a live
server, for every operation, with the tokens of several roles: no 500, and every answer matches
the schema (status, content type, body), problem details included.

Each operation is called with the real objects of a labelled dossier and of a dossier in
self-assessment (explicit cases), then with a few generated cases per role: the examples are
few (the suite runs on two cores) but every operation and every role is covered each run."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from labelml.structures.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
EXAMPLES = 3


def _world() -> dict[str, Any]:
    """A labelled dossier (audit, decision, label) and its structure's renewal dossier in
    self-assessment, with a token per role."""
    import datetime as dt

    from django.utils import timezone

    from audits.models import Audit
    from campagnes.autoevaluations.models import Reponse, SyntheseCritere
    from campagnes.models import Dossier
    from campagnes.plans.models import Action
    from campagnes.services import create_campagne, open_campagne
    from labelml.demo.samples import build_complete_dossier
    from labelml.structures.models import Membership
    from tests.api.conftest import make_token
    from tests.factories import MembershipFactory

    labelled = build_complete_dossier(seed=11)
    ml = labelled.structure
    admin = Membership.objects.filter(role=Role.ADMIN_UNML, structure__type="unml").first().user
    today = timezone.localdate()
    campagne = create_campagne(
        actor=admin,
        nom="Renouvellement",
        referentiel=labelled.campagne.referentiel,
        date_ouverture=today,
        date_cloture_autoevaluation=today + dt.timedelta(days=90),
    )
    open_campagne(actor=admin, campagne=campagne, structures=[ml])
    ouvert = Dossier.objects.get(campagne=campagne, structure=ml)
    reponse = Reponse.objects.filter(autoevaluation__dossier=ouvert).order_by("pk").first()
    users = {
        "direction": Membership.objects.get(structure=ml, role=Role.DIRECTION).user,
        "arml": MembershipFactory(structure=ml.parent, role=Role.REFERENT_ARML).user,
        "auditeur": Audit.objects.get(dossier=labelled).auditeur.user,
        "admin": admin,
    }
    action = Action.objects.filter(plan__dossier=labelled).order_by("pk").first()
    return {
        "tokens": {role: make_token(user) for role, user in users.items()},
        "ids": [
            {
                "id": labelled.pk,
                "row_pk": Reponse.objects.filter(autoevaluation__dossier=labelled).first().pk,
            },
            {"id": ouvert.pk, "row_pk": reponse.pk},
            {
                "id": ouvert.pk,
                "row_pk": SyntheseCritere.objects.filter(autoevaluation__dossier=ouvert).first().pk,
            },
            {"id": labelled.pk, "row_pk": action.pk if action else 1},
            {"id": labelled.campagne_id},
            {"id": labelled.campagne.referentiel_id},
            {"id": ml.pk},
        ],
    }


def generate(operation: Any, base_url: str, headers: dict[str, str]) -> None:
    """A few generated cases of `operation` (reproducible: derandomized)."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    run()


def test_every_operation_answers_as_its_schema_says(live_server):
    world = _world()
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    calls = 0
    for operation in operations:
        params = [p.name for p in operation.path_parameters]
        for secret in world["tokens"].values():
            headers = {"Authorization": f"Bearer {secret}"}
            # The real objects: each set of ids that fits the path.
            for ids in world["ids"]:
                if not set(params) <= set(ids):
                    continue
                kwargs: dict[str, Any] = {"path_parameters": {p: ids[p] for p in params}}
                if operation.method in ("patch", "post"):
                    kwargs.update(
                        headers={"If-Match": '"0"'}, body={}, media_type="application/json"
                    )
                case = operation.Case(**kwargs)
                case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)
                calls += 1

            generate(operation, live_server.url, headers)
            calls += 1
    assert calls > len(operations) * len(world["tokens"])
