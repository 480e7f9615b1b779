"""Pages of the follow-up audit, under /suivis/.

- ``suivi_list``: the follow-ups a person may see (national administrators: all of them, with
  the scheduling of those now due; auditors: their missions; members: their structure's).
- ``suivi_detail``: the documentary file. The direction and the quality referent answer each
  point (per-field autosave with htmx, plain form without JavaScript, optimistic versions), add
  evidence, update the plan's progress; the direction sends it. Everyone who may see the
  follow-up reads it; the auditor's findings and conclusion show once it is concluded.
- ``suivi_review``: the assigned auditor's page — the structure's answers, a finding per point
  (same autosave), the videoconference's date and the conclusion.
- ``suivi_assign``: the administrator designates the auditor.

Every view reaches the follow-up through audits.suivis.selectors.get_suivi_for_user: 404 outside the
person's scope (another structure, another auditor), 403 for a member without the right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget

from audits.models import Audit
from campagnes.plans.models import Action
from campagnes.plans.services import action_version
from labelml.core.autosave import SaveResult, changed_fields, run_saves
from labelml.core.ids import parse_int
from labelml.core.pluriel import pluriel
from labelml.core.transitions import TransitionError
from labelml.core.types import AuthenticatedHttpRequest, HtmxHttpRequest
from labelml.structures.roles import Capability
from labelml.structures.selectors import is_national_admin

from . import services
from .forms import (
    FILE_AGAIN,
    AssignationSuiviForm,
    AvancementForm,
    ConclusionForm,
    PreuveSuiviForm,
    VisioForm,
)
from .models import AuditSuivi, PointSuivi
from .selectors import (
    conclusion_missing_items,
    file_missing_items,
    get_suivi_for_user,
    horizon_days,
    points_of,
    suivis_for_user,
)

ANSWER_ORDER = ("reponse", "action")
FINDING_ORDER = ("avis", "commentaire")
FIELD_LABELS = {
    "reponse": "réponse",
    "action": "action du plan",
    "avis": "constat de suivi",
    "commentaire": "commentaire",
    "bilan": "bilan",
}


# --- rows shown by the pages -------------------------------------------------------------------


@dataclass
class Conflict:
    champ: str
    label: str
    theirs: str
    mine: str
    result: SaveResult


@dataclass
class PointRow:
    point: PointSuivi
    values: dict[str, str]
    conflicts: list[Conflict] = field(default_factory=list)
    error: str = ""
    preuve_form: PreuveSuiviForm | None = None


@dataclass
class ActionRow:
    action: Action
    form: AvancementForm
    error: str = ""


@dataclass
class Overrides:
    """What a re-rendered page keeps of the person's input: values typed, conflicts, errors."""

    values: dict[int, dict[str, str]] = field(default_factory=dict)
    conflicts: dict[int, list[Conflict]] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    preuve_forms: dict[int, PreuveSuiviForm] = field(default_factory=dict)
    action_forms: dict[int, AvancementForm] = field(default_factory=dict)
    action_errors: dict[int, str] = field(default_factory=dict)
    bilan: str | None = None
    bilan_conflicts: list[Conflict] = field(default_factory=list)
    bilan_error: str = ""


def _values(point: PointSuivi) -> dict[str, str]:
    return {
        "reponse": point.reponse,
        "action": str(point.action_id or ""),
        "avis": point.avis,
        "commentaire": point.commentaire,
    }


def _rows(suivi: AuditSuivi, o: Overrides) -> list[PointRow]:
    rows = []
    for p in points_of(suivi):
        values = _values(p) | o.values.get(p.pk, {})
        rows.append(
            PointRow(
                point=p,
                values=values,
                conflicts=o.conflicts.get(p.pk, []),
                error=o.errors.get(p.pk, ""),
                preuve_form=o.preuve_forms.get(p.pk) or PreuveSuiviForm(prefix=f"p{p.pk}"),
            )
        )
    return rows


def _plan_actions(suivi: AuditSuivi) -> list[Action]:
    return list(
        Action.objects.filter(plan__dossier=suivi.dossier)
        .prefetch_related("criteres")
        .select_related("responsable")
        .order_by("echeance", "pk")
    )


def _action_rows(actions: list[Action], o: Overrides) -> list[ActionRow]:
    return [
        ActionRow(
            action=a,
            form=o.action_forms.get(a.pk)
            or AvancementForm(
                prefix=f"a{a.pk}",
                initial={
                    "statut": a.statut,
                    "avancement": a.avancement,
                    "version": action_version(a),
                },
            ),
            error=o.action_errors.get(a.pk, ""),
        )
        for a in actions
    ]


def _page_head(suivi: AuditSuivi, caps: frozenset[Capability], tab: str) -> dict[str, Any]:
    initial_audit = Audit.objects.filter(dossier=suivi.dossier, statut=Audit.Statut.VALIDE).first()
    return {
        "suivi": suivi,
        "dossier": suivi.dossier,
        "label": suivi.label,
        "caps": caps,
        "tab": tab,
        "initial_audit": initial_audit,
        "findings_visible": suivi.statut == AuditSuivi.Statut.CONCLU
        or Capability.REVIEW_SUIVI in caps
        or Capability.ADMINISTER in caps,
    }


def _file_context(
    request: HtmxHttpRequest,
    suivi: AuditSuivi,
    caps: frozenset[Capability],
    o: Overrides | None = None,
    **extra: Any,
) -> dict[str, Any]:
    o = o or Overrides()
    can_answer = Capability.ANSWER_SUIVI in caps and suivi.open_for_structure
    actions = _plan_actions(suivi)
    context = _page_head(suivi, caps, "dossier")
    context.update(
        rows=_rows(suivi, o),
        actions=actions,
        action_rows=_action_rows(actions, o),
        can_answer=can_answer,
        can_send=Capability.SUBMIT in caps and suivi.open_for_structure,
        missing=file_missing_items(suivi) if can_answer else [],
        bilan_value=suivi.bilan if o.bilan is None else o.bilan,
        bilan_conflicts=o.bilan_conflicts,
        bilan_error=o.bilan_error,
        transitions=suivi.journal.select_related("actor").order_by("-at", "-pk"),
        file_again=FILE_AGAIN,
    )
    context.update(extra)
    return context


def _review_context(
    request: HtmxHttpRequest,
    suivi: AuditSuivi,
    caps: frozenset[Capability],
    o: Overrides | None = None,
    **extra: Any,
) -> dict[str, Any]:
    o = o or Overrides()
    can_record = Capability.REVIEW_SUIVI in caps and suivi.statut == AuditSuivi.Statut.EN_REVUE
    context = _page_head(suivi, caps, "revue")
    visio_initial = (
        {"date_visio": timezone.localtime(suivi.date_visio)} if suivi.date_visio else None
    )
    context.update(
        rows=_rows(suivi, o),
        can_record=can_record,
        can_set_visio=Capability.REVIEW_SUIVI in caps and suivi.statut != AuditSuivi.Statut.CONCLU,
        visio_form=VisioForm(initial=visio_initial),
        conclusion_form=ConclusionForm(),
        missing=conclusion_missing_items(suivi, timezone.localdate()) if can_record else [],
        avis_choices=PointSuivi.Avis.choices,
    )
    context.update(extra)
    return context


# --- list and scheduling -------------------------------------------------------------------------


@login_required
@require_safe
def suivi_list(request: HtmxHttpRequest) -> HttpResponse:
    suivis = suivis_for_user(request.user).order_by("date_prevue", "pk")
    statut = request.GET.get("statut", "")
    if statut in AuditSuivi.Statut.values:
        suivis = suivis.filter(statut=statut)
    return render(
        request,
        "suivis/suivi_list.html",
        {
            "suivis": suivis,
            "is_admin": is_national_admin(request.user),
            "statuts": AuditSuivi.Statut.choices,
            "statut": statut,
            "horizon": horizon_days(),
        },
    )


@login_required
@require_POST
def suivi_schedule(request: HtmxHttpRequest) -> HttpResponse:
    """The administrator runs now what the daily job does."""
    if not is_national_admin(request.user):
        raise Http404("Page introuvable.")
    created = services.schedule_due_followups(timezone.localdate())
    if created:
        messages.success(
            request,
            pluriel(
                created,
                "{n} audit de suivi planifié ; la structure est prévenue.",
                "{n} audits de suivi planifiés ; les structures sont prévenues.",
            ),
        )
    else:
        messages.info(request, "Aucun nouvel audit de suivi à planifier aujourd'hui.")
    return redirect("suivis:suivi_list")


# --- the structure's file ------------------------------------------------------------------------


@login_required
@require_safe
def suivi_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    suivi, caps = get_suivi_for_user(request.user, pk)
    return render(request, "suivis/suivi_detail.html", _file_context(request, suivi, caps))


def _version(request: HtmxHttpRequest) -> int | None:
    return parse_int(request.POST.get("version"))


def _display(champ: str, value: str, actions: dict[str, str]) -> str:
    if champ == "action":
        return actions.get(value or "", "(aucune)")
    if champ == "avis":
        return str(dict(PointSuivi.Avis.choices).get(value, "(aucun)"))
    return value


def _conflicts(
    results: list[tuple[str, SaveResult, str]], actions: dict[str, str] | None = None
) -> list[Conflict]:
    actions = actions or {}
    return [
        Conflict(
            champ=champ,
            label=FIELD_LABELS.get(champ, champ),
            theirs=_display(champ, result.value, actions),
            mine=mine,
            result=result,
        )
        for champ, result, mine in results
        if not result.ok
    ]


def _save_error(
    request: HtmxHttpRequest, message: str, target: str, status: int
) -> HttpResponse | None:
    """The htmx answer to a refused save (None for a plain post: the caller re-renders)."""
    if request.htmx:
        return render(
            request,
            "suivis/_save_error.html",
            {"message": message, "target": target},
            status=status,
        )
    if status == 403:
        raise PermissionDenied(message)
    return None


def _saved(request: HtmxHttpRequest, target: str, result: SaveResult) -> HttpResponse:
    return render(request, "suivis/_save_status.html", {"target": target, "result": result})


def _posted(request: HtmxHttpRequest, order: tuple[str, ...]) -> dict[str, str]:
    return {c: request.POST[c].replace("\r\n", "\n") for c in order if c in request.POST}


@login_required
@require_POST
def suivi_save_point(request: AuthenticatedHttpRequest, pk: int, point_pk: int) -> HttpResponse:
    """One point's answer (text, linked plan action), saved field by field."""
    suivi, caps = get_suivi_for_user(request.user, pk)
    point = get_object_or_404(
        PointSuivi.objects.select_related("critere"), pk=point_pk, suivi=suivi
    )
    target = f"reponse-{point.pk}"
    anchor = reverse("suivis:suivi_detail", args=[suivi.pk]) + f"#point-{point.pk}"

    def page(status: int, o: Overrides) -> HttpResponse:
        return render(
            request,
            "suivis/suivi_detail.html",
            _file_context(request, suivi, caps, o),
            status=status,
        )

    def refused(message: str, status: int) -> HttpResponse:
        response = _save_error(request, message, target, status)
        if response is not None:
            return response
        messages.error(request, message)
        return page(
            status,
            Overrides(
                values={point.pk: _posted(request, ANSWER_ORDER)}, errors={point.pk: message}
            ),
        )

    if Capability.ANSWER_SUIVI not in caps:
        return refused(
            "Seuls la direction et le référent qualité préparent le dossier de suivi.", 403
        )
    if not suivi.open_for_structure:
        return refused("Le dossier de suivi est transmis : il n'est plus modifiable.", 403)
    version = _version(request)
    if version is None:
        return refused("Version manquante : rechargez la page.", 400)
    champs = changed_fields(request, ANSWER_ORDER, _values(point))
    if not champs:
        if request.htmx:
            return refused("Aucun champ à enregistrer.", 400)
        messages.info(request, "Aucune modification à enregistrer.")
        return redirect(anchor)
    try:
        for champ in champs:  # a form with one bad field saves nothing
            services.clean_answer(suivi, champ, request.POST[champ])
        results = run_saves(services.answer_point, champs, request, version, point=point)
    except ValidationError as exc:
        return refused(" ".join(exc.messages), 400)
    except PermissionDenied as exc:
        return refused(str(exc), 403)
    titles = {str(a.pk): a.titre for a in _plan_actions(suivi)}
    conflicts = _conflicts(results, titles)
    if not conflicts:
        if request.htmx:
            return _saved(request, target, results[-1][1])
        messages.success(request, f"Réponse sur le critère {point.critere.code} enregistrée.")
        return redirect(anchor)
    o = Overrides(conflicts={point.pk: conflicts})
    if request.htmx:
        context = _file_context(request, suivi, caps, o)
        context["row"] = next(r for r in context["rows"] if r.point.pk == point.pk)
        response = render(request, "suivis/_point_answer.html", context, status=409)
        return reswap(retarget(response, f"#{target}-block"), "outerHTML")
    messages.error(
        request,
        "Cette réponse a été modifiée entre-temps : comparez avant d'enregistrer de nouveau.",
    )
    return page(409, o)


@login_required
@require_POST
def suivi_save_bilan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    suivi, caps = get_suivi_for_user(request.user, pk)
    target = f"bilan-{suivi.pk}"
    anchor = reverse("suivis:suivi_detail", args=[suivi.pk]) + "#bilan"
    mine = request.POST.get("bilan", "").replace("\r\n", "\n")

    def refused(message: str, status: int) -> HttpResponse:
        response = _save_error(request, message, target, status)
        if response is not None:
            return response
        messages.error(request, message)
        o = Overrides(bilan=mine, bilan_error=message)
        return render(
            request,
            "suivis/suivi_detail.html",
            _file_context(request, suivi, caps, o),
            status=status,
        )

    if Capability.ANSWER_SUIVI not in caps:
        return refused(
            "Seuls la direction et le référent qualité préparent le dossier de suivi.", 403
        )
    version = _version(request)
    if version is None:
        return refused("Version manquante : rechargez la page.", 400)
    if "bilan" not in request.POST or (not request.htmx and mine == suivi.bilan):
        messages.info(request, "Aucune modification à enregistrer.")
        return redirect(anchor)
    try:
        result = services.save_bilan(suivi=suivi, actor=request.user, valeur=mine, version=version)
    except ValidationError as exc:
        return refused(" ".join(exc.messages), 400)
    except PermissionDenied as exc:
        return refused(str(exc), 403)
    if result.ok:
        if request.htmx:
            return _saved(request, target, result)
        messages.success(request, "Bilan enregistré.")
        return redirect(anchor)
    conflicts = _conflicts([("bilan", result, mine)])
    suivi.refresh_from_db()
    o = Overrides(bilan_conflicts=conflicts)
    context = _file_context(request, suivi, caps, o)
    if request.htmx:
        response = render(request, "suivis/_bilan.html", context, status=409)
        return reswap(retarget(response, f"#{target}-block"), "outerHTML")
    messages.error(
        request, "Le bilan a été modifié entre-temps : comparez avant d'enregistrer de nouveau."
    )
    return render(request, "suivis/suivi_detail.html", context, status=409)


@login_required
@require_POST
def suivi_add_preuve(request: AuthenticatedHttpRequest, pk: int, point_pk: int) -> HttpResponse:
    suivi, caps = get_suivi_for_user(request.user, pk)
    point = get_object_or_404(
        PointSuivi.objects.select_related("critere"), pk=point_pk, suivi=suivi
    )
    if Capability.ANSWER_SUIVI not in caps:
        raise PermissionDenied("Seuls la direction et le référent qualité ajoutent des preuves.")
    form = PreuveSuiviForm(request.POST, request.FILES, prefix=f"p{point.pk}")
    if form.is_valid():
        try:
            preuve = services.add_point_preuve(
                point=point,
                actor=request.user,
                titre=form.cleaned_data["titre"],
                upload=form.cleaned_data["fichier"],
                date_effet=form.cleaned_data["date_effet"],
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            messages.success(
                request, f"Preuve « {preuve.titre} » ajoutée au critère {point.critere.code}."
            )
            return redirect(reverse("suivis:suivi_detail", args=[suivi.pk]) + f"#point-{point.pk}")
    messages.error(request, "La preuve n'a pas été ajoutée : corrigez le formulaire.")
    o = Overrides(preuve_forms={point.pk: form})
    return render(
        request,
        "suivis/suivi_detail.html",
        _file_context(request, suivi, caps, o, preuve_error_for=point.pk),
        status=400,
    )


@login_required
@require_POST
def suivi_action_progress(
    request: AuthenticatedHttpRequest, pk: int, action_pk: int
) -> HttpResponse:
    """The structure updates the status and progress of a plan action."""
    suivi, caps = get_suivi_for_user(request.user, pk)
    action = get_object_or_404(Action, pk=action_pk, plan__dossier=suivi.dossier)
    if Capability.ANSWER_SUIVI not in caps:
        raise PermissionDenied(
            "Seuls la direction et le référent qualité mettent à jour le plan d'amélioration."
        )
    form = AvancementForm(request.POST, prefix=f"a{action.pk}")
    error = ""
    if form.is_valid():
        try:
            services.update_action_progress(
                suivi=suivi,
                actor=request.user,
                action=action,
                statut=form.cleaned_data["statut"],
                avancement=form.cleaned_data["avancement"],
                expected_version=form.cleaned_data["version"] or "",
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Action « {action.titre} » mise à jour.")
            return redirect(
                reverse("suivis:suivi_detail", args=[suivi.pk]) + f"#action-{action.pk}"
            )
    else:
        error = "L'action n'a pas été mise à jour : corrigez le formulaire."
    messages.error(request, error)
    o = Overrides(action_forms={action.pk: form}, action_errors={action.pk: error})
    return render(
        request,
        "suivis/suivi_detail.html",
        _file_context(request, suivi, caps, o),
        status=400,
    )


@login_required
@require_POST
def suivi_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    suivi, caps = get_suivi_for_user(request.user, pk)
    try:
        services.send_file(suivi, request.user)
    except TransitionError as exc:
        return render(
            request,
            "suivis/suivi_detail.html",
            _file_context(request, suivi, caps, send_error=exc.message, send_missing=exc.missing),
            status=400,
        )
    messages.success(request, "Dossier de suivi transmis à l'auditeur : il n'est plus modifiable.")
    return redirect("suivis:suivi_detail", pk=suivi.pk)


# --- the administrator ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def suivi_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    suivi, caps = get_suivi_for_user(request.user, pk)
    if Capability.ADMINISTER not in caps:
        raise PermissionDenied("Seuls les administrateurs UNML désignent l'auditeur.")
    form = AssignationSuiviForm(
        request.POST or None, initial={"auditeur": suivi.auditeur_id} if suivi.auditeur_id else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_followup(suivi, request.user, auditeur=form.cleaned_data["auditeur"])
        except TransitionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                "Auditeur désigné pour l'audit de suivi ; lui et la structure sont prévenus.",
            )
            return redirect("suivis:suivi_detail", pk=suivi.pk)
    context = _page_head(suivi, caps, "designation")
    context["form"] = form
    return render(request, "suivis/suivi_assign.html", context, status=400 if form.errors else 200)


# --- the auditor ---------------------------------------------------------------------------------


def _review_access(request: HtmxHttpRequest, pk: int) -> tuple[AuditSuivi, frozenset[Capability]]:
    suivi, caps = get_suivi_for_user(request.user, pk)
    if not caps & {Capability.REVIEW_SUIVI, Capability.ADMINISTER}:
        raise PermissionDenied("La revue du dossier de suivi est réservée à l'auditeur désigné.")
    return suivi, caps


@login_required
@require_safe
def suivi_review(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    suivi, caps = _review_access(request, pk)
    return render(request, "suivis/suivi_review.html", _review_context(request, suivi, caps))


@login_required
@require_POST
def suivi_start_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    suivi, _caps = get_suivi_for_user(request.user, pk)
    try:
        services.start_review(suivi, request.user)
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "Revue commencée : saisissez votre constat de suivi sur chaque point."
        )
    return redirect("suivis:suivi_review", pk=suivi.pk)


@login_required
@require_POST
def suivi_save_finding(request: AuthenticatedHttpRequest, pk: int, point_pk: int) -> HttpResponse:
    suivi, caps = get_suivi_for_user(request.user, pk)
    point = get_object_or_404(
        PointSuivi.objects.select_related("critere"), pk=point_pk, suivi=suivi
    )
    target = f"constat-{point.pk}"
    anchor = reverse("suivis:suivi_review", args=[suivi.pk]) + f"#point-{point.pk}"

    def refused(message: str, status: int) -> HttpResponse:
        response = _save_error(request, message, target, status)
        if response is not None:
            return response
        messages.error(request, message)
        o = Overrides(
            values={point.pk: _posted(request, FINDING_ORDER)}, errors={point.pk: message}
        )
        return render(
            request,
            "suivis/suivi_review.html",
            _review_context(request, suivi, caps, o),
            status=status,
        )

    if Capability.REVIEW_SUIVI not in caps:
        return refused("Seul l'auditeur désigné saisit les constats de suivi.", 403)
    if suivi.statut != AuditSuivi.Statut.EN_REVUE:
        return refused(
            "Les constats de suivi se saisissent pendant la revue, une fois le dossier transmis "
            "et avant la conclusion.",
            403,
        )
    version = _version(request)
    if version is None:
        return refused("Version manquante : rechargez la page.", 400)
    champs = changed_fields(request, FINDING_ORDER, _values(point))
    if not champs:
        if request.htmx:
            return refused("Aucun champ à enregistrer.", 400)
        messages.info(request, "Aucune modification à enregistrer.")
        return redirect(anchor)
    try:
        for champ in champs:
            services.clean_finding(champ, request.POST[champ])
        results = run_saves(services.record_finding, champs, request, version, point=point)
    except ValidationError as exc:
        return refused(" ".join(exc.messages), 400)
    except PermissionDenied as exc:
        return refused(str(exc), 403)
    conflicts = _conflicts(results)
    if not conflicts:
        if request.htmx:
            return _saved(request, target, results[-1][1])
        messages.success(request, f"Constat de suivi du critère {point.critere.code} enregistré.")
        return redirect(anchor)
    o = Overrides(conflicts={point.pk: conflicts})
    context = _review_context(request, suivi, caps, o)
    if request.htmx:
        context["row"] = next(r for r in context["rows"] if r.point.pk == point.pk)
        response = render(request, "suivis/_point_finding.html", context, status=409)
        return reswap(retarget(response, f"#{target}-block"), "outerHTML")
    messages.error(
        request, "Ce constat a été modifié entre-temps : comparez avant d'enregistrer de nouveau."
    )
    return render(request, "suivis/suivi_review.html", context, status=409)


@login_required
@require_POST
def suivi_visio(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    suivi, caps = _review_access(request, pk)
    form = VisioForm(request.POST)
    if form.is_valid():
        try:
            services.set_visio_date(suivi, request.user, form.cleaned_data["date_visio"])
        except TransitionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, "Date de la visioconférence enregistrée ; la structure est prévenue."
            )
            return redirect(reverse("suivis:suivi_review", args=[suivi.pk]) + "#visio")
    return render(
        request,
        "suivis/suivi_review.html",
        _review_context(request, suivi, caps, visio_form=form),
        status=400,
    )


@login_required
@require_POST
def suivi_conclude(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    suivi, caps = _review_access(request, pk)
    form = ConclusionForm(request.POST)
    missing: list[Any] = []
    if form.is_valid():
        try:
            services.conclude(
                suivi,
                request.user,
                conclusion=form.cleaned_data["conclusion"],
                motivation=form.cleaned_data["motivation"],
            )
        except TransitionError as exc:
            form.add_error(None, exc.message)
            missing = exc.missing
        else:
            messages.success(
                request,
                "Audit de suivi conclu : la structure est prévenue"
                + (
                    " et les administrateurs saisissent la commission."
                    if form.cleaned_data["conclusion"] == AuditSuivi.Conclusion.SAISINE_COMMISSION
                    else "."
                ),
            )
            return redirect("suivis:suivi_detail", pk=suivi.pk)
    context = _review_context(request, suivi, caps, conclusion_form=form)
    if missing:
        context["missing"] = missing
    return render(request, "suivis/suivi_review.html", context, status=400)
