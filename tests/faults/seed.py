"""`python -m tests.faults.seed`: the data of the PostgreSQL restart test, in the database of
DATABASE_URL (already migrated): the référentiel, a Mission Locale's dossier in self-assessment
and its direction, whose password is FAULTS_PASSWORD. Prints one JSON object: the ids the test
needs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labelml.settings")
    django.setup()
    import datetime as dt

    from django.contrib.auth import get_user_model

    from campagnes.autoevaluations.models import Reponse
    from campagnes.services import create_campagne, open_campagne
    from labelml.structures.models import Membership, Structure
    from labelml.structures.roles import Role
    from referentiel.services import import_referentiel_file

    referentiel = import_referentiel_file(
        ROOT / "fixtures" / "referentiel-ml-2022.yaml"
    ).referentiel
    User = get_user_model()
    unml = Structure.objects.create(code="unml", nom="UNML", type=Structure.Type.UNML)
    arml = Structure.objects.create(
        code="arml-11", nom="ARML", type=Structure.Type.ARML, region="11"
    )
    ml = Structure.objects.create(
        code="ml-faults",
        nom="Mission Locale des pannes",
        type=Structure.Type.MISSION_LOCALE,
        parent=arml,
        region="11",
    )
    admin = User.objects.create_user(email="admin@faults.labelml.fr", password=None)
    Membership.objects.create(user=admin, structure=unml, role=Role.ADMIN_UNML)
    direction = User.objects.create_user(
        email="direction@faults.labelml.fr", password=os.environ["FAULTS_PASSWORD"]
    )
    Membership.objects.create(user=direction, structure=ml, role=Role.DIRECTION)
    today = dt.date.today()
    campagne = create_campagne(
        actor=admin,
        nom="Campagne des pannes",
        referentiel=referentiel,
        date_ouverture=today - dt.timedelta(days=10),
        date_cloture_autoevaluation=today + dt.timedelta(days=60),
    )
    dossier = open_campagne(actor=admin, campagne=campagne, structures=[ml]).created[0]
    reponses = list(
        Reponse.objects.filter(autoevaluation__dossier=dossier)
        .order_by("pk")
        .select_related("element__critere")[:8]
    )
    print(
        json.dumps(
            {
                "email": direction.email,
                "dossier": dossier.pk,
                "reponses": [r.pk for r in reponses],
                "codes": [r.element.critere.code for r in reponses],
            }
        )
    )


if __name__ == "__main__":
    main()
