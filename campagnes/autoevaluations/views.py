"""Self-assessment pages. Saves are per field: htmx posts one field at a time and gets back a
status fragment (or, on a conflict, the row re-rendered with the other person's value, HTTP 409);
without JavaScript the same forms post normally and the page is rendered again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import reswap, retarget

from campagnes.autoevaluations.services import submit_autoevaluation
from campagnes.models import Dossier
from campagnes.selectors import dossier_capabilities, get_dossier_for_user
from labelml.core.errors import missing_file
from labelml.core.ids import parse_id, parse_int
from labelml.core.pluriel import pluriel
from labelml.core.security import protect_download
from labelml.core.transitions import TransitionError
from labelml.core.types import AuthenticatedHttpRequest, HtmxHttpRequest
from labelml.structures.roles import Capability
from referentiel.hooks import attach_panels
from referentiel.selectors import referentiels_for_user

from . import charts
from .models import Preuve, Reponse, SyntheseCritere
from .selectors import critere_page as critere_page_data
from .selectors import dossier_progress, missing_items, rated_q, structure_members
from .services import (
    SaveResult,
    _can_edit,
    confirm_critere,
    ensure_can_edit,
    save_reponse_field,
    save_synthese_field,
)
from .services import (
    assign_contributeur as assign_contributeur_service,
)
from .services import confirm_reponse as confirm_reponse_service
from .services import confirm_synthese as confirm_synthese_service


def _version(request: HtmxHttpRequest) -> int | None:
    return parse_int(request.POST.get("version"))


@login_required
def overview(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    progress = dossier_progress(dossier)
    leaves = progress.leaf_sections()
    radar = charts.radar_svg(
        [s.section.code for s in leaves],
        [("Auto-évaluation", [s.score for s in leaves], "#1d3f72")],
        title="Score moyen par partie (1 à 4)",
    )
    syntheses = {
        s.critere_id: s
        for s in SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).select_related(
            "contributeur"
        )
    }
    return render(
        request,
        "autoevaluations/overview.html",
        {
            "dossier": dossier,
            "tab": "autoevaluation",
            "progress": progress,
            "leaves": leaves,
            "radar": radar,
            "syntheses": syntheses,
            "caps": dossier_capabilities(request.user, dossier),
        },
    )


def _page_context(
    request: AuthenticatedHttpRequest,
    dossier: Dossier,
    code: str,
    conflicts: dict[str, Any] | None = None,
) -> dict[str, Any]:
    page = critere_page_data(dossier, code)
    caps = dossier_capabilities(request.user, dossier)
    can_edit = _can_edit(request.user, dossier, page.synthese) and (
        dossier.statut == Dossier.Statut.AUTOEVALUATION
    )
    total = len(page.elements)
    rated = sum(1 for r in page.reponses.values() if r.niveau_id and not r.a_confirmer)
    return {
        "dossier": dossier,
        "tab": "autoevaluation",
        "page": page,
        "can_edit": can_edit,
        "can_assign": Capability.EDIT_AUTOEVALUATION in caps,
        "can_upload": Capability.UPLOAD_PREUVE in caps,
        "members": structure_members(dossier) if Capability.EDIT_AUTOEVALUATION in caps else [],
        "rated": rated,
        "total": total,
        "conflicts": conflicts or {},
    }


@login_required
def critere_page(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    context = _page_context(request, dossier, code)
    # "Pratiques remarquables du réseau" for this criterion, while writing (referentiel.hooks).
    attach_panels(request.user, [context["page"].critere])
    return render(request, "autoevaluations/critere.html", context)


def _status(result: SaveResult, target: str) -> dict[str, Any]:
    return {"result": result, "target": target}


def _save_response(
    request: AuthenticatedHttpRequest,
    dossier: Dossier,
    *,
    kind: str,
    obj: Any,
    results: list[tuple[str, SaveResult, str]],
    code: str,
) -> HttpResponse:
    """Answer a save: htmx gets a status fragment (200) or the re-rendered block (409); a plain
    form post gets a redirect, or the page again with the conflict (409)."""
    conflicts = [(champ, r, mine) for champ, r, mine in results if not r.ok]
    target = f"{kind}-{obj.pk}"
    if request.htmx:
        if not conflicts:
            result = results[-1][1]
            return render(
                request,
                "autoevaluations/_save_status.html",
                {
                    "target": target,
                    "result": result,
                    "obj": obj,
                    "kind": kind,
                    "warn_reponse": obj if kind == "reponse" else None,
                    "critere_progress": _critere_progress(
                        dossier, obj, kind, {champ for champ, _, _ in results}
                    ),
                },
            )
        context = _page_context(request, dossier, code, {target: conflicts})
        template = (
            "autoevaluations/_element_row.html"
            if kind == "reponse"
            else "autoevaluations/_synthese.html"
        )
        if kind == "reponse":
            context.update(element=obj.element, reponse=context["page"].reponses[obj.element_id])
        else:
            context.update(synthese=context["page"].synthese)
        response = render(request, template, context, status=409)
        return reswap(retarget(response, f"#{kind}-block-{obj.pk}"), "outerHTML")
    if conflicts:
        context = _page_context(request, dossier, code, {target: conflicts})
        messages.error(
            request,
            "Quelqu'un a modifié ce champ entre-temps : comparez avant d'enregistrer de nouveau.",
        )
        return render(request, "autoevaluations/critere.html", context, status=409)
    messages.success(request, "Enregistré.")
    anchor = f"#element-{obj.element.code}" if kind == "reponse" else "#synthese"
    return redirect(
        reverse("autoevaluations:autoevaluation_critere", args=[dossier.pk, code]) + anchor
    )


def _critere_progress(
    dossier: Dossier, obj: Any, kind: str, champs: set[str]
) -> dict[str, int] | None:
    """The criterion's counts after a save, when the save can have changed them: an answer's
    level, or the first save of anything still to confirm (a renewal's copied answers). A
    justification's autosave, the most frequent request of all, changes neither."""
    if not obj.a_confirmer and (kind != "reponse" or "niveau" not in champs):
        return None
    critere_id = obj.element.critere_id if kind == "reponse" else obj.critere_id
    qs = Reponse.objects.filter(autoevaluation__dossier=dossier, element__critere_id=critere_id)
    counts = qs.aggregate(
        total=Count("pk"),
        rated=Count("pk", filter=rated_q()),
        to_confirm=Count("pk", filter=Q(a_confirmer=True)),
    )
    to_confirm = counts.pop("to_confirm")
    if obj.a_confirmer:
        # Shown only when this save confirms a copied answer (the "à confirmer" block).
        counts["a_confirmer"] = (
            to_confirm
            + SyntheseCritere.objects.filter(
                autoevaluation__dossier=dossier, critere_id=critere_id, a_confirmer=True
            ).count()
        )
    return counts


def _bad_request(request: HtmxHttpRequest, message: str, target: str) -> HttpResponse:
    if request.htmx:
        return render(
            request,
            "autoevaluations/_save_error.html",
            {"message": message, "target": target},
            status=400,
        )
    messages.error(request, message)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def save_reponse(request: AuthenticatedHttpRequest, pk: int, reponse_pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    reponse = get_object_or_404(
        Reponse.objects.select_related("element__critere", "autoevaluation", "niveau"),
        pk=reponse_pk,
        autoevaluation__dossier=dossier,
    )
    reponse.autoevaluation.dossier = dossier  # already fetched, with its campaign
    current = {"niveau": str(reponse.niveau_id or ""), "justification": reponse.justification}
    return _save_fields(
        request,
        dossier,
        obj=reponse,
        kind="reponse",
        code=reponse.element.critere.code,
        current=current,
        save=lambda champ, valeur, version: save_reponse_field(
            reponse=reponse, actor=request.user, champ=champ, valeur=valeur, version=version
        ),
    )


@login_required
@require_POST
def save_synthese(request: AuthenticatedHttpRequest, pk: int, synthese_pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    synthese = get_object_or_404(
        SyntheseCritere.objects.select_related("critere", "autoevaluation__dossier"),
        pk=synthese_pk,
        autoevaluation__dossier=dossier,
    )
    current = {c: getattr(synthese, c) for c in ("synthese", "points_forts", "axes_amelioration")}
    return _save_fields(
        request,
        dossier,
        obj=synthese,
        kind="synthese",
        code=synthese.critere.code,
        current=current,
        save=lambda champ, valeur, version: save_synthese_field(
            synthese=synthese, actor=request.user, champ=champ, valeur=valeur, version=version
        ),
    )


def _save_fields(
    request: AuthenticatedHttpRequest,
    dossier: Dossier,
    *,
    obj: Any,
    kind: str,
    code: str,
    current: dict[str, str],
    save: Callable[[str, str, int], SaveResult],
) -> HttpResponse:
    """The save of an answer or a synthesis: htmx sends one field (`champ`); a plain form post
    sends them all, and only those that changed are saved, one version after the other."""
    target = f"{kind}-{obj.pk}"
    version = _version(request)
    if version is None:
        return _bad_request(request, "Version manquante : rechargez la page.", target)
    champ = request.POST.get("champ")
    champs = (
        [champ]
        if champ in current
        else [
            c
            for c in current
            if c in request.POST and request.POST[c].replace("\r\n", "\n") != current[c]
        ]
    )
    results: list[tuple[str, SaveResult, str]] = []
    try:
        for c in champs:
            if c not in request.POST:
                continue
            mine = request.POST.get(c, "")
            result = save(c, mine, version)
            results.append((c, result, mine))
            if not result.ok:
                break
            version = result.version
    except ValidationError as exc:
        return _bad_request(request, " ".join(exc.messages), target)
    if not results:
        messages.info(request, "Aucune modification à enregistrer.")
        return redirect(reverse("autoevaluations:autoevaluation_critere", args=[dossier.pk, code]))
    return _save_response(request, dossier, kind=kind, obj=obj, results=results, code=code)


def _confirm_response(
    request: AuthenticatedHttpRequest,
    dossier: Dossier,
    *,
    kind: str,
    obj: Any,
    result: SaveResult,
    code: str,
) -> HttpResponse:
    """Answer a confirmation: htmx gets the answer's block (or the synthesis) re-rendered,
    confirmed (200) or, when somebody changed it in between, with their version to review
    (409); a plain form post gets a redirect, or the page with the conflict (409)."""
    target = f"{kind}-{obj.pk}"
    conflicts = {} if result.ok else {target: [("confirmation", result, "")]}
    label = f"Élément {obj.element.code}" if kind == "reponse" else f"Synthèse du critère {code}"
    if request.htmx:
        context = _page_context(request, dossier, code, conflicts)
        page = context["page"]
        if kind == "reponse":
            context.update(element=obj.element, reponse=page.reponses[obj.element_id])
            template = "autoevaluations/_element_row.html"
        else:
            context.update(synthese=page.synthese)
            template = "autoevaluations/_synthese.html"
        context.update(oob_template=template)
        return render(
            request,
            "autoevaluations/_confirmation.html",
            context,
            status=200 if result.ok else 409,
        )
    anchor = f"#element-{obj.element.code}" if kind == "reponse" else "#synthese"
    if not result.ok:
        messages.error(
            request,
            f"{label} : modifié entre-temps par {result.by or 'une autre personne'}. "
            "Relisez sa version avant de confirmer.",
        )
        context = _page_context(request, dossier, code, conflicts)
        return render(request, "autoevaluations/critere.html", context, status=409)
    messages.success(request, f"{label} : reprise confirmée.")
    return redirect(
        reverse("autoevaluations:autoevaluation_critere", args=[dossier.pk, code]) + anchor
    )


def _confirm_refused(request: HtmxHttpRequest, message: str, target: str) -> HttpResponse:
    """A refused confirmation shows its message in the block's save status, not in place of
    the block (the confirm buttons target the whole block)."""
    response = _bad_request(request, message, target)
    if request.htmx:
        return reswap(retarget(response, f"#status-{target}"), "outerHTML")
    return response


@login_required
@require_POST
def confirm_reponse(request: AuthenticatedHttpRequest, pk: int, reponse_pk: int) -> HttpResponse:
    """Confirm a copied answer unchanged (renewal)."""
    dossier = get_dossier_for_user(request.user, pk)
    reponse = get_object_or_404(
        Reponse.objects.select_related("element__critere", "autoevaluation", "niveau"),
        pk=reponse_pk,
        autoevaluation__dossier=dossier,
    )
    reponse.autoevaluation.dossier = dossier  # already fetched, with its campaign
    version = _version(request)
    target = f"reponse-{reponse.pk}"
    if version is None:
        return _confirm_refused(request, "Version manquante : rechargez la page.", target)
    try:
        result = confirm_reponse_service(reponse=reponse, actor=request.user, version=version)
    except ValidationError as exc:
        return _confirm_refused(request, " ".join(exc.messages), target)
    return _confirm_response(
        request,
        dossier,
        kind="reponse",
        obj=reponse,
        result=result,
        code=reponse.element.critere.code,
    )


@login_required
@require_POST
def confirm_synthese(request: AuthenticatedHttpRequest, pk: int, synthese_pk: int) -> HttpResponse:
    """Confirm a copied synthesis unchanged (renewal)."""
    dossier = get_dossier_for_user(request.user, pk)
    synthese = get_object_or_404(
        SyntheseCritere.objects.select_related("critere", "autoevaluation__dossier"),
        pk=synthese_pk,
        autoevaluation__dossier=dossier,
    )
    version = _version(request)
    if version is None:
        return _confirm_refused(
            request, "Version manquante : rechargez la page.", f"synthese-{synthese.pk}"
        )
    try:
        result = confirm_synthese_service(synthese=synthese, actor=request.user, version=version)
    except ValidationError as exc:
        return _confirm_refused(request, " ".join(exc.messages), f"synthese-{synthese.pk}")
    return _confirm_response(
        request, dossier, kind="synthese", obj=synthese, result=result, code=synthese.critere.code
    )


@login_required
@require_POST
def confirm_all(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    """ "Tout confirmer" for one criterion, once the person said they reviewed its copied
    answers: the versions they read come with the form, so an answer changed meanwhile by
    somebody else stays to confirm."""
    dossier = get_dossier_for_user(request.user, pk)
    synthese = get_object_or_404(
        SyntheseCritere.objects.select_related("critere", "autoevaluation__dossier"),
        autoevaluation__dossier=dossier,
        critere__code=code,
    )
    url = reverse("autoevaluations:autoevaluation_critere", args=[dossier.pk, code])
    try:
        ensure_can_edit(request.user, dossier, synthese)
    except ValidationError as exc:  # the campaign's period (403 stays a 403)
        messages.error(request, " ".join(exc.messages))
        return redirect(url)
    if not request.POST.get("relu"):
        messages.error(
            request,
            "Cochez « J'ai relu les réponses reprises » : la confirmation suppose leur relecture.",
        )
        return redirect(url + "#tout-confirmer")
    versions: dict[int, int] = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        reponse_id, version = parse_id(key[8:]), parse_int(value)
        if key.startswith("reponse-") and reponse_id is not None and version is not None:
            versions[reponse_id] = version
    raw = request.POST.get("synthese", "")
    try:
        report = confirm_critere(
            synthese=synthese,
            actor=request.user,
            versions=versions,
            synthese_version=parse_int(raw),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(url)
    if report.confirmed:
        messages.success(
            request,
            f"Critère {code} : "
            + pluriel(
                report.confirmed,
                "{n} réponse reprise confirmée.",
                "{n} réponses reprises confirmées.",
            ),
        )
    if report.conflicts:
        messages.warning(
            request,
            pluriel(
                report.conflicts,
                "Non confirmée, car modifiée entre-temps : {c}. Relisez-la, puis confirmez-la.",
                "Non confirmées, car modifiées entre-temps : {c}. Relisez-les, puis confirmez-les.",
            ).replace("{c}", ", ".join(report.conflicts)),
        )
    if not report.confirmed and not report.conflicts:
        messages.info(request, "Il ne reste rien à confirmer sur ce critère.")
    return redirect(url)


@login_required
@require_POST
def assign_contributeur(
    request: AuthenticatedHttpRequest, pk: int, synthese_pk: int
) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk, Capability.EDIT_AUTOEVALUATION)
    synthese = get_object_or_404(
        SyntheseCritere.objects.select_related("critere"),
        pk=synthese_pk,
        autoevaluation__dossier=dossier,
    )
    user_id = request.POST.get("contributeur") or None
    user = None
    if user_id:
        user = (
            get_user_model()
            .objects.filter(
                pk=parse_id(user_id) or 0,
                memberships__structure_id=dossier.structure_id,
            )
            .first()
        )
        if user is None:
            messages.error(request, "Cette personne n'est pas membre de la structure.")
            return redirect(
                "autoevaluations:autoevaluation_critere", pk=dossier.pk, code=synthese.critere.code
            )
    try:
        assign_contributeur_service(synthese=synthese, actor=request.user, user=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Critère {synthese.critere.code} confié à {user}."
            if user
            else f"Critère {synthese.critere.code} : plus de contributeur assigné.",
        )
    return redirect(
        "autoevaluations:autoevaluation_critere", pk=dossier.pk, code=synthese.critere.code
    )


@login_required
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    caps = dossier_capabilities(request.user, dossier)
    if request.method == "POST":
        if Capability.SUBMIT not in caps:
            raise PermissionDenied("Seule la direction soumet l'auto-évaluation.")
        try:
            submit_autoevaluation(dossier, request.user)
        except TransitionError as exc:
            return render(
                request,
                "autoevaluations/submit.html",
                {
                    "dossier": dossier,
                    "tab": "autoevaluation",
                    "missing": exc.missing,
                    "error": exc.message,
                    "caps": caps,
                },
                status=400,
            )
        messages.success(
            request, "Auto-évaluation soumise. Prochaine étape : le plan d'amélioration."
        )
        return redirect("campagnes:dossier_detail", pk=dossier.pk)
    missing = missing_items(dossier) if dossier.statut == Dossier.Statut.AUTOEVALUATION else []
    return render(
        request,
        "autoevaluations/submit.html",
        {
            "dossier": dossier,
            "tab": "autoevaluation",
            "missing": missing,
            "caps": caps,
        },
    )


@login_required
def snapshot_detail(request: HtmxHttpRequest, pk: int, numero: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    snapshot = dossier.snapshots.select_related("soumis_par").filter(numero=numero).first()
    if snapshot is None:
        raise Http404("Version introuvable.")
    syntheses = {s["critere"]: s for s in snapshot.contenu.get("syntheses", [])}
    by_critere: dict[str, list[dict[str, Any]]] = {}
    for r in snapshot.contenu.get("reponses", []):
        by_critere.setdefault(r["critere"], []).append(r)
    # The version's evidence, each with whether its file is still kept (deleted from the
    # self-assessment since or not: campagnes/autoevaluations/preuves.py delete_preuve).
    listed = snapshot.contenu.get("preuves", [])
    kept = set(
        Preuve.with_deleted.filter(
            dossier=dossier, empreinte__in=[p.get("empreinte") for p in listed]
        ).values_list("empreinte", flat=True)
    )
    preuves: dict[str, list[dict[str, Any]]] = {}
    for p in listed:
        preuves.setdefault(p["critere"], []).append({**p, "kept": p.get("empreinte") in kept})
    rows = [
        {
            "critere": code,
            "reponses": reps,
            "synthese": syntheses.get(code, {}),
            "preuves": preuves.get(code, []),
        }
        for code, reps in by_critere.items()
    ]
    return render(
        request,
        "autoevaluations/snapshot.html",
        {
            "dossier": dossier,
            "tab": "historique",
            "snapshot": snapshot,
            "rows": rows,
        },
    )


@login_required
@require_safe
def fiche_download(request: HtmxHttpRequest, pk: int) -> FileResponse | HttpResponse:
    """Methodological sheets are guidance of a published référentiel: any logged-in member of
    the network may read them, like the référentiel itself."""
    from .models import FicheMethodologique

    fiche = (
        FicheMethodologique.objects.filter(
            pk=pk, critere__referentiel__in=referentiels_for_user(request.user)
        )
        .exclude(fichier="")
        .first()
    )
    if fiche is None:
        raise Http404("Fiche introuvable.")
    try:
        handle = fiche.fichier.open("rb")
    except (FileNotFoundError, ValueError):
        return missing_file(request, "Le fichier de cette fiche méthodologique est introuvable.")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{fiche.titre}{PurePath(str(fiche.fichier.name)).suffix}",
    )
    protect_download(response)
    return response
