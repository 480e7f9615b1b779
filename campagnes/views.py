from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from campagnes.workflow import reopen_autoevaluation
from labelml.core.pluriel import pluriel
from labelml.core.transitions import TransitionError
from labelml.core.types import AuthenticatedHttpRequest
from labelml.structures.roles import Capability
from labelml.structures.selectors import is_national_admin

from . import hooks
from .forms import CampagneForm, EchangeForm, OuvertureForm, ProlongationForm, ReouvertureForm
from .selectors import (
    campagnes_for_admin,
    dossier_capabilities,
    get_dossier_for_echanges,
    get_dossier_for_user,
)
from .services import (
    create_campagne,
    extend_closing,
    open_campagne,
    open_renewal,
    post_echange,
    renewal_candidates,
)


def _admin_only(request: HttpRequest) -> None:
    if not is_national_admin(request.user):
        # Campaign steering is national: to anyone else these pages do not exist.
        raise Http404("Page introuvable.")


@login_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    caps = dossier_capabilities(request.user, dossier)
    # The self-assessment's progress and to-dos, the plan: from the apps above.
    sections: dict[str, object] = {}
    for home in hooks.dossier_home:
        sections.update(home(dossier))
    return render(
        request,
        "campagnes/dossier_detail.html",
        {
            **sections,
            "dossier": dossier,
            "tab": "accueil",
            "caps": caps,
            "transitions": dossier.journal.select_related("actor").order_by("-at", "-pk")[:5],
            "is_admin": is_national_admin(request.user),
            "reouverture_form": ReouvertureForm(),
        },
    )


@login_required
def dossier_history(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    snapshots = dossier.snapshots.select_related("soumis_par").order_by("-numero")
    return render(
        request,
        "campagnes/dossier_history.html",
        {
            "dossier": dossier,
            "tab": "historique",
            "transitions": dossier.journal.select_related("actor").order_by("-at", "-pk"),
            "snapshots": snapshots,
        },
    )


@login_required
def dossier_echanges(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The support thread between the Mission Locale and its ARML (rule: selectors)."""
    writing = request.method == "POST"
    dossier = get_dossier_for_echanges(request.user, pk, write=writing)
    form = EchangeForm(request.POST or None)
    if writing and form.is_valid():
        try:
            post_echange(dossier, request.user, form.cleaned_data["texte"])
        except ValidationError as exc:
            form.add_error("texte", exc)
        else:
            messages.success(request, "Message envoyé.")
            return redirect("campagnes:dossier_echanges", pk=dossier.pk)
    can_write = Capability.COMMENT in dossier_capabilities(request.user, dossier)
    return render(
        request,
        "campagnes/dossier_echanges.html",
        {
            "dossier": dossier,
            "tab": "echanges",
            "echanges": dossier.echanges.select_related("auteur"),
            "form": form if can_write else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
def dossier_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk, Capability.ADMINISTER)
    form = ReouvertureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reopen_autoevaluation(dossier, request.user, form.cleaned_data["motif"])
        except TransitionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Auto-évaluation rouverte ; la structure est prévenue.")
            return redirect("campagnes:dossier_detail", pk=dossier.pk)
    return render(
        request,
        "campagnes/dossier_reopen.html",
        {"dossier": dossier, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def campagne_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    return render(
        request, "campagnes/campagne_list.html", {"campagnes": campagnes_for_admin(request.user)}
    )


@login_required
def campagne_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin_only(request)
    form = CampagneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campagne = create_campagne(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for fieldname, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(fieldname if fieldname in form.fields else None, error)
        else:
            messages.success(
                request,
                f"Campagne « {campagne.nom} » créée. Ouvrez-la maintenant "
                "pour les structures concernées.",
            )
            return redirect("campagnes:campagne_detail", pk=campagne.pk)
    return render(
        request, "campagnes/campagne_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def campagne_detail(
    request: HttpRequest, pk: int, prolongation: ProlongationForm | None = None
) -> HttpResponse:
    _admin_only(request)
    campagne = campagnes_for_admin(request.user).filter(pk=pk).first()
    if campagne is None:
        raise Http404("Campagne introuvable.")
    dossiers = campagne.dossiers.select_related("structure", "structure__parent").order_by(
        "structure__region", "structure__nom"
    )
    return render(
        request,
        "campagnes/campagne_detail.html",
        {
            "campagne": campagne,
            "dossiers": dossiers,
            "form": OuvertureForm(campagne=campagne),
            "renewals": renewal_candidates(campagne),
            "prolongation": prolongation or ProlongationForm(),
        },
        status=400 if prolongation is not None else 200,
    )


@login_required
@require_POST
def campagne_extend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The UNML extends the self-assessment closing date (journaled in the dossiers)."""
    _admin_only(request)
    campagne = campagnes_for_admin(request.user).filter(pk=pk).first()
    if campagne is None:
        raise Http404("Campagne introuvable.")
    form = ProlongationForm(request.POST)
    if form.is_valid():
        try:
            extend_closing(actor=request.user, campagne=campagne, **form.cleaned_data)
        except ValidationError as exc:
            for fieldname, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(fieldname if fieldname in form.fields else None, error)
        else:
            messages.success(
                request,
                "Clôture des auto-évaluations prolongée au "
                f"{form.cleaned_data['date_cloture']:%d/%m/%Y}.",
            )
            return redirect("campagnes:campagne_detail", pk=campagne.pk)
    return campagne_detail(request, pk, prolongation=form)


@login_required
@require_POST
def campagne_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    campagne = campagnes_for_admin(request.user).filter(pk=pk).first()
    if campagne is None:
        raise Http404("Campagne introuvable.")
    form = OuvertureForm(request.POST, campagne=campagne)
    if not form.is_valid():
        messages.error(request, "Sélection invalide : vérifiez les structures choisies.")
        return redirect("campagnes:campagne_detail", pk=campagne.pk)
    try:
        report = open_campagne(actor=request.user, campagne=campagne, structures=form.selected())
    except PermissionDenied:
        raise
    renewals = (
        " (dont "
        + pluriel(
            report.renewals,
            "{n} renouvellement : il reprend",
            "{n} renouvellements : ils reprennent",
        )
        + " l'auto-évaluation précédente, à confirmer)"
        if report.renewals
        else ""
    )
    messages.success(
        request,
        pluriel(report.created, "{n} dossier ouvert", "{n} dossiers ouverts")
        + renewals
        + ", "
        + pluriel(report.already, "{n} existait déjà.", "{n} existaient déjà."),
    )
    for structure, reason in report.refused:
        messages.warning(request, f"{structure.nom} : {reason}.")
    return redirect("campagnes:campagne_detail", pk=campagne.pk)


@login_required
@require_POST
def campagne_renew(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Open the renewal dossiers of the labels chosen on the campaign page (all the listed ones
    when none is ticked)."""
    _admin_only(request)
    campagne = campagnes_for_admin(request.user).filter(pk=pk).first()
    if campagne is None:
        raise Http404("Campagne introuvable.")
    candidates = renewal_candidates(campagne)
    chosen = set(request.POST.getlist("labels"))
    labels = [label for label in candidates if not chosen or str(label.pk) in chosen]
    opened = 0
    for label in labels:
        try:
            open_renewal(actor=request.user, campagne=campagne, structure=label.structure)
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
        else:
            opened += 1
    if opened:
        messages.success(
            request,
            pluriel(
                opened,
                "{n} dossier de renouvellement ouvert",
                "{n} dossiers de renouvellement ouverts",
            )
            + " : chacun reprend la dernière "
            "auto-évaluation soumise, chaque réponse étant à confirmer, et les actions "
            "ouvertes du plan.",
        )
    elif not labels:
        messages.info(request, "Aucun label à renouveler dans cette campagne.")
    return redirect("campagnes:campagne_detail", pk=campagne.pk)
