"""Remarkable practices for the people of the network: the catalogue, a practice's page and its
steps (consent, review), a dossier's practices (and proposing one), "Se situer"."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audits.models import Constat
from campagnes.selectors import get_dossier_for_user
from labelml.core.ids import parse_id
from labelml.core.transitions import TransitionError
from labelml.core.types import AuthenticatedHttpRequest
from labelml.structures.roles import Capability
from labelml.structures.selectors import capabilities_for, is_national_admin
from referentiel.models import Critere

from . import positionnement, selectors, services
from .forms import ConsentForm, PratiqueForm, ReasonForm
from .models import Pratique


@login_required
def catalogue(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = selectors.parse_catalogue_filters(request.GET)
    page = Paginator(selectors.catalogue(filters), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "pratiques/catalogue.html",
        {
            "page": page,
            "filters": filters,
            **selectors.filter_choices(),
            "public": False,
            "can_review": is_national_admin(request.user),
        },
    )


@login_required
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The catalogue (with its filters) as CSV: what the page lists, nothing else."""
    filters = selectors.parse_catalogue_filters(request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pratiques-remarquables.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            "Titre",
            "Structure",
            "Région",
            "Critères",
            "Avec qui",
            "Description",
            "Résultats",
            "Contact",
            "Publiée le",
        ]
    )
    for p in selectors.catalogue(filters):
        writer.writerow(
            [
                p.titre,
                p.structure.nom,
                p.structure.get_region_display(),
                ", ".join(c.code for c in p.criteres.all()),
                ", ".join(p.publics),
                p.description,
                p.resultats,
                " ".join(filter(None, [p.contact_nom, p.contact_email])),
                p.publiee_le.date().isoformat() if p.publiee_le else "",
            ]
        )
    return response


def _pratique_context(request: AuthenticatedHttpRequest, pratique: Pratique) -> dict[str, Any]:
    caps = capabilities_for(request.user, pratique.structure)
    return {
        "pratique": pratique,
        "can_consent": Capability.SUBMIT in caps,
        "can_review": Capability.ADMINISTER in caps,
        "sees_steps": bool(caps) or pratique.propose_par_id == request.user.pk,
        "journal": pratique.journal.select_related("actor") if caps else [],
        "consent_form": ConsentForm(initial={"consentement": pratique.consentement}),
        "reason_form": ReasonForm(),
    }


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pratique = selectors.get_pratique_for_user(request.user, pk)
    return render(request, "pratiques/detail.html", _pratique_context(request, pratique))


def _step(
    request: AuthenticatedHttpRequest, pratique: Pratique, step: Any, done: str
) -> HttpResponse:
    try:
        step()
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("pratiques:pratique_detail", pratique.pk)


@login_required
@require_POST
def consent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pratique = selectors.get_pratique_for_user(request.user, pk)
    if Capability.SUBMIT not in capabilities_for(request.user, pratique.structure):
        raise PermissionDenied("Seule la direction de la structure consent au partage.")
    if request.POST.get("retirer"):
        reason = request.POST.get("motif", "")[:2000]
        return _step(
            request,
            pratique,
            lambda: services.withdraw_consent(pratique, request.user, reason),
            "Consentement retiré : la pratique n'est plus visible dans le réseau.",
        )
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez l'étendue du partage.")
        return redirect("pratiques:pratique_detail", pratique.pk)
    return _step(
        request,
        pratique,
        lambda: services.consent(pratique, request.user, form.cleaned_data["consentement"]),
        "Consentement enregistré.",
    )


@login_required
@require_POST
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pratique = selectors.get_pratique_for_user(request.user, pk)
    if Capability.ADMINISTER not in capabilities_for(request.user, pratique.structure):
        raise PermissionDenied("Seule l'UNML publie les pratiques remarquables.")
    if request.POST.get("decision") == "publier":
        return _step(
            request,
            pratique,
            lambda: services.publish(pratique, request.user),
            "Pratique publiée dans le catalogue du réseau.",
        )
    reason = request.POST.get("motif", "")[:2000]
    return _step(
        request,
        pratique,
        lambda: services.refuse(pratique, request.user, reason),
        "Pratique refusée : la structure voit le motif.",
    )


@login_required
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The UNML's queue of practices to review (404 for anyone else, like any steering page)."""
    if not is_national_admin(request.user):
        raise Http404("Page introuvable.")
    return render(request, "pratiques/review_list.html", {"pratiques": selectors.to_review()})


@login_required
def dossier_pratiques(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The practices of the dossier's structure, and proposing one (the structure, its ARML;
    the auditor from a "point fort": `?constat=`)."""
    dossier = get_dossier_for_user(request.user, pk)
    constat = None
    constat_id = parse_id(request.GET.get("constat") or request.POST.get("constat") or "")
    if constat_id is not None:
        constat = (
            Constat.objects.select_related("audit__auditeur", "niveau", "critere")
            .filter(pk=constat_id, audit__dossier=dossier)
            .first()
        )
        if constat is None:
            raise Http404("Constat introuvable.")
        can_propose = services.can_propose_from(request.user, constat)
    else:
        can_propose = services.proposer_source(request.user, dossier) is not None
    criteres = Critere.objects.filter(referentiel_id=dossier.campagne.referentiel_id).order_by(
        "ordre"
    )
    form = None
    if request.method == "POST":
        if not can_propose:
            raise PermissionDenied("Votre rôle ne permet pas de proposer une pratique.")
        form = PratiqueForm(request.POST, criteres=criteres)
        if form.is_valid():
            data = form.cleaned_data
            try:
                pratique = services.propose(
                    dossier,
                    request.user,
                    titre=data["titre"],
                    description=data["description"],
                    resultats=data["resultats"],
                    publics=data["publics"],
                    criteres=data["criteres"],
                    contact_nom=data["contact_nom"],
                    contact_email=data["contact_email"],
                    constat=constat,
                )
            except TransitionError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    "Pratique proposée : la direction de la structure décide de son partage.",
                )
                return redirect("pratiques:pratique_detail", pratique.pk)
    elif can_propose:
        initial: dict[str, Any] = {}
        if constat is not None:
            initial = {"criteres": [constat.critere_id], "description": constat.observation}
        form = PratiqueForm(initial=initial, criteres=criteres)
    elif constat is not None:
        raise PermissionDenied("Seul l'auditeur de la mission propose depuis un point fort.")
    return render(
        request,
        "pratiques/dossier.html",
        {
            "dossier": dossier,
            "tab": "pratiques",
            "pratiques": selectors.structure_pratiques(request.user, dossier.structure),
            "form": form,
            "constat": constat,
        },
    )


@login_required
def dossier_positionnement(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Se situer: the dossier's levels next to its region's and the nation's distributions."""
    dossier = get_dossier_for_user(request.user, pk)  # whoever reads the dossier
    data = positionnement.positionnement(
        dossier.campagne, region=dossier.structure.region or None, dossier=dossier
    )
    return render(
        request,
        "pratiques/positionnement.html",
        {"dossier": dossier, "tab": "positionnement", "data": data},
    )
