"""The registry of labels in force as open data: /labels/registre.csv and /labels/registre.json,
without login, the same labels as the public page /labels/ (valid today), with the stable
columns described by docs/opendata/registre.schema.json (Table Schema). `Last-Modified` is the
moment of the latest decision or change of a label's life, or the latest midnight at which a
label came into force or expired: a client may revalidate with If-Modified-Since (304)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import condition, require_GET

from audits.commission.models import Decision, Label
from campagnes.models import DossierTransition
from labelml.structures.models import Region

# The Table Schema of the CSV (static/opendata/registre.schema.json), served with it.
SCHEMA = "opendata/registre.schema.json"

# The columns, in this order: never renamed nor reordered (docs/opendata/registre.schema.json).
COLUMNS = (
    "structure_code",
    "structure_nom",
    "structure_type",
    "structure_ville",
    "region_code",
    "region_nom",
    "numero_certificat",
    "statut",
    "date_debut_validite",
    "date_fin_validite",
)


def labels_in_force(today: dt.date) -> Any:
    """The labels the public page lists: valid, in force today."""
    return (
        Label.objects.filter(statut=Label.Statut.VALIDE, date_debut__lte=today, date_fin__gte=today)
        .select_related("structure")
        .order_by("structure__region", "structure__nom", "numero")
    )


def rows(today: dt.date) -> list[dict[str, str]]:
    regions = dict(Region.choices)
    return [
        {
            "structure_code": label.structure.code,
            "structure_nom": label.structure.nom,
            "structure_type": label.structure.type,
            "structure_ville": label.structure.ville,
            "region_code": label.structure.region,
            "region_nom": str(regions.get(label.structure.region, "")),
            "numero_certificat": label.numero,
            "statut": label.statut_le(today),
            "date_debut_validite": label.date_debut.isoformat(),
            "date_fin_validite": label.date_fin.isoformat(),
        }
        for label in labels_in_force(today)
    ]


def last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> dt.datetime | None:
    today = timezone.localdate()
    moments: list[dt.datetime] = []
    decided = Decision.objects.aggregate(m=Max("decide_le"))["m"]
    if decided:
        moments.append(decided)
    changed = DossierTransition.objects.filter(subject="label").aggregate(m=Max("at"))["m"]
    if changed:
        moments.append(changed)
    # A label comes into force at midnight on its first day and leaves it after its last.
    edges = Label.objects.aggregate(
        debut=Max("date_debut", filter=_before_or_on(today, "date_debut")),
        fin=Max("date_fin", filter=_before(today, "date_fin")),
    )
    tz = timezone.get_current_timezone()
    if edges["debut"]:
        moments.append(dt.datetime.combine(edges["debut"], dt.time(), tzinfo=tz))
    if edges["fin"]:
        moments.append(
            dt.datetime.combine(edges["fin"] + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        )
    return max(moments) if moments else None


def _before_or_on(day: dt.date, field: str) -> Any:
    from django.db.models import Q

    return Q(**{f"{field}__lte": day})


def _before(day: dt.date, field: str) -> Any:
    from django.db.models import Q

    return Q(**{f"{field}__lt": day})


def _headers(response: HttpResponse, filename: str) -> HttpResponse:
    # Public data: any site may fetch it; caches revalidate every time (a suspension shows at once).
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, no-cache"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Link"] = f'<{static(SCHEMA)}>; rel="describedby"'
    return response


@require_GET
@condition(last_modified_func=last_modified)
def registre_csv(request: HttpRequest) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows(timezone.localdate()))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return _headers(response, "registre-labels.csv")


@require_GET
@condition(last_modified_func=last_modified)
def registre_json(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    body = {
        "schema": request.build_absolute_uri(static(SCHEMA)),
        "date": today.isoformat(),
        "labels": rows(today),
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    return _headers(response, "registre-labels.json")
