"""Pages of the improvement plan. Thin: scope and rights come from campagnes.selectors (404
outside the dossier's scope, 403 without the capability), reads from campagnes.plans.selectors,
writes
from campagnes.plans.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campagnes.models import Dossier
from campagnes.plans.services import request_audit, submit_plan
from campagnes.selectors import EDITABLE_PLAN, dossier_capabilities, get_dossier_for_user
from labelml.core.transitions import TransitionError
from labelml.core.types import AuthenticatedHttpRequest
from labelml.structures.models import Structure
from labelml.structures.roles import Capability
from labelml.structures.selectors import capabilities_for

from . import selectors, services
from .forms import ActionForm, ReserveActionForm
from .models import Action
from .timeline import build_gantt


def _post_only(request: HttpRequest) -> HttpResponse | None:
    # Checked after the scope, so that a GET from outside the dossier answers 404 too.
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    caps = dossier_capabilities(request.user, dossier)
    today = timezone.localdate()
    filters = selectors.PlanFilters.from_query(request.GET)
    actions = list(filters.apply(selectors.actions_qs(dossier), today))
    for action in actions:
        action.en_retard = selectors.is_overdue(action, today)  # type: ignore[attr-defined]
    can_edit = Capability.EDIT_PLAN in caps
    plan = selectors.get_plan(dossier)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "dossier": dossier,
            "tab": "plan",
            "subtab": "actions",
            "plan": plan,
            "actions": actions,
            "summary": selectors.plan_summary(dossier, today),
            "filters": filters,
            "criteres": selectors.plan_criteres(dossier).only("pk", "code", "titre"),
            "members": selectors.structure_members(dossier),
            "no_owner": selectors.NO_OWNER,
            "statuts": Action.Statut.choices,
            "priorites": Action.Priorite.choices,
            "can_edit": can_edit,
            "has_reserves": any(a.origine == Action.Origine.RESERVE for a in actions),
            "plan_locked": dossier.statut not in EDITABLE_PLAN,
            "suggestion_count": selectors.suggestion_count(dossier) if can_edit else None,
            "can_submit": Capability.SUBMIT in caps
            and dossier.statut == Dossier.Statut.PLAN_AMELIORATION,
            "submitted": plan is not None and plan.soumis_le is not None,
        },
    )


@login_required
def action_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk, Capability.EDIT_PLAN)
    if request.method == "POST":
        form = ActionForm(request.POST, dossier=dossier)
        if form.is_valid():
            fields = form.action_fields()
            origine = (
                Action.Origine.SUGGESTION if fields["element_source"] else Action.Origine.MANUELLE
            )
            try:
                action = services.create_action(
                    actor=request.user, dossier=dossier, origine=origine, **fields
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("Action « {titre} » ajoutée au plan.").format(titre=action.titre)
                )
                return redirect("plans:plan_detail", pk=dossier.pk)
    else:
        form = ActionForm(
            dossier=dossier, initial=services.prefill_from_query(dossier, request.GET)
        )
    return _render_form(request, dossier, form, None)


@login_required
def action_edit(request: AuthenticatedHttpRequest, pk: int, action_pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk, Capability.EDIT_PLAN)
    action = selectors.get_action(dossier, action_pk)
    if request.method == "POST":
        form = ActionForm(request.POST, dossier=dossier, action=action)
        if form.is_valid():
            try:
                saved = services.update_action(
                    actor=request.user,
                    dossier=dossier,
                    action=action,
                    expected_version=form.cleaned_data.get("version") or None,
                    **form.action_fields(),
                )
            except services.ActionConflict:
                # Keep what the person typed, show the values saved meanwhile, and let a new
                # submission replace them knowingly.
                action = selectors.get_action(dossier, action_pk)
                data = request.POST.copy()
                data["version"] = services.action_version(action)
                form = ActionForm(data, dossier=dossier, action=action)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "Cette action a été modifiée par quelqu'un d'autre depuis l'ouverture "
                        "du formulaire. Les valeurs enregistrées entre-temps sont rappelées "
                        "ci-dessous ; vos saisies sont conservées : enregistrez à nouveau pour "
                        "les appliquer."
                    ),
                )
                return _render_form(request, dossier, form, action, conflict=action, status=409)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("Action « {titre} » enregistrée.").format(titre=saved.titre)
                )
                return redirect("plans:plan_detail", pk=dossier.pk)
    else:
        form = ActionForm(dossier=dossier, action=action)
    return _render_form(request, dossier, form, action)


def _render_form(
    request: HttpRequest,
    dossier: Dossier,
    form: ActionForm,
    action: Action | None,
    conflict: Action | None = None,
    status: int | None = None,
) -> HttpResponse:
    # The element of the référentiel the action answers (hidden field), shown as a reminder.
    element = None
    if form.is_bound:
        element = getattr(form, "cleaned_data", {}).get("element_source")
    elif form.initial.get("element_source"):
        element = (
            selectors.plan_elements(dossier)
            .select_related("critere")
            .filter(pk=form.initial["element_source"])
            .first()
        )
    return render(
        request,
        "plans/action_form.html",
        {
            "dossier": dossier,
            "tab": "plan",
            "subtab": "actions",
            "form": form,
            "action": action,
            "element": element,
            "conflict": conflict,
        },
        status=status or (400 if form.errors else 200),
    )


@login_required
def action_delete(request: AuthenticatedHttpRequest, pk: int, action_pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk, Capability.EDIT_PLAN)
    action = selectors.get_action(dossier, action_pk)
    if refused := _post_only(request):
        return refused
    services.delete_action(actor=request.user, dossier=dossier, action=action)
    messages.success(request, _("Action « {titre} » supprimée.").format(titre=action.titre))
    return redirect("plans:plan_detail", pk=dossier.pk)


@login_required
def suggestion_list(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    caps = dossier_capabilities(request.user, dossier)
    return render(
        request,
        "plans/suggestions.html",
        {
            "dossier": dossier,
            "tab": "plan",
            "subtab": "suggestions",
            "suggestions": selectors.suggestions(dossier),
            "can_edit": Capability.EDIT_PLAN in caps,
        },
    )


@login_required
def suggestion_accept(request: AuthenticatedHttpRequest, pk: int, element_pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk, Capability.EDIT_PLAN)
    element = get_object_or_404(selectors.plan_elements(dossier), pk=element_pk)
    if refused := _post_only(request):
        return refused
    try:
        action = services.accept_suggestion(actor=request.user, dossier=dossier, element=element)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(
            request,
            _(
                "Action « {titre} » créée pour l'élément {code} : précisez son responsable et son "
                "échéance."
            ).format(titre=action.titre, code=element.code),
        )
    return redirect("plans:plan_suggestions", pk=dossier.pk)


@login_required
def plan_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    caps = dossier_capabilities(request.user, dossier)
    today = timezone.localdate()
    data = selectors.timeline_actions(dossier)
    for action in data.dated + data.undated:
        action.en_retard = selectors.is_overdue(action, today)  # type: ignore[attr-defined]
    return render(
        request,
        "plans/timeline.html",
        {
            "dossier": dossier,
            "tab": "plan",
            "subtab": "calendrier",
            "gantt": build_gantt(data.dated, today),
            "dated": data.dated,
            "undated": data.undated,
            "today": today,
            "can_edit": Capability.EDIT_PLAN in caps,
        },
    )


@login_required
def plan_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk, Capability.SUBMIT)
    if refused := _post_only(request):
        return refused
    try:
        submit_plan(dossier, request.user)
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Plan d'amélioration soumis. Prochaine étape : la demande d'évaluation externe."),
        )
    return redirect("plans:plan_detail", pk=dossier.pk)


@login_required
@require_POST
def dossier_request_audit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk, Capability.SUBMIT)
    try:
        request_audit(dossier, request.user)
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Évaluation externe demandée : l'UNML va la planifier.")
    return redirect("campagnes:dossier_detail", pk=dossier.pk)


@login_required
def reserve_action(request: AuthenticatedHttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """A reservation action of a "labellisé sous réserve" decision: the structure gives it an
    owner and a date, documents what was done and marks it done, while the label runs."""
    dossier = get_dossier_for_user(request.user, pk)
    action = get_object_or_404(
        Action.objects.select_related("responsable"),
        pk=action_pk,
        plan__dossier=dossier,
        origine=Action.Origine.RESERVE,
    )
    can_edit = (
        dossier.statut == Dossier.Statut.LABELLISE_SOUS_RESERVE
        and Capability.EDIT_PLAN in capabilities_for(request.user, dossier.structure)
    )
    form = ReserveActionForm(
        request.POST or None,
        members=selectors.structure_members(dossier),
        initial={
            "responsable": action.responsable,
            "echeance": action.echeance,
            "statut": action.statut,
            "avancement": action.avancement,
            "realisation": action.realisation,
        },
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_reserve_action(
                    actor=request.user, dossier=dossier, action=action, **form.cleaned_data
                )
            except ValidationError as exc:
                for field, errors in (
                    exc.message_dict.items()
                    if hasattr(exc, "error_dict")
                    else [(None, exc.messages)]
                ):
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            except TransitionError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Action de levée des réserves enregistrée."))
                return redirect("plans:plan_reserve_action", pk=dossier.pk, action_pk=action.pk)
    return render(
        request,
        "plans/reserve_action.html",
        {
            "dossier": dossier,
            "tab": "plan",
            "action": action,
            "form": form if can_edit else None,
            # The label's page is for the structure's people (the commission's and the UNML's
            # too), not for the auditors who read the dossier.
            "label": dossier.structure.labels.filter(decision__dossier=dossier).first()
            if Structure.objects.for_user(request.user).filter(pk=dossier.structure_id).exists()
            else None,
        },
        status=400 if form.errors else 200,
    )
