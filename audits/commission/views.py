"""Pages of the labelling commission (SPEC §7): séances, agenda, secret votes, decisions.

Every object is reached through `_seance_for` (national administrators and the séance's members;
anybody else gets 404, as for a missing séance). An action one may not do answers 403: the
services raise PermissionDenied, which Django turns into 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from labelml.accounts.models import User
from labelml.core.pluriel import pluriel
from labelml.core.transitions import TransitionError
from labelml.core.types import AuthenticatedHttpRequest
from labelml.structures.models import Structure
from labelml.structures.roles import Capability
from labelml.structures.selectors import capabilities_for, is_national_admin

from . import services
from . import tally as t
from .forms import (
    AgendaForm,
    ConflitForm,
    DecisionForm,
    LabelStatutForm,
    NoteRapporteurForm,
    SeanceEditForm,
    SeanceForm,
    VoteForm,
)
from .models import Decision, Label, PointOrdreDuJour, Recusation, Seance
from .public_views import STATUS_LABELS
from .selectors import (
    decision_file,
    labels_for,
    own_vote,
    seance_capabilities,
    sitting_member,
    visible_votes,
)


def _seances_for(user: User) -> QuerySet[Seance]:
    qs = Seance.objects.select_related("president__user")
    if is_national_admin(user):
        return qs
    return qs.filter(membres__user=user, membres__actif=True).distinct()


def _seance_for(user: User, pk: int) -> Seance:
    seance = _seances_for(user).filter(pk=pk).first()
    if seance is None:
        raise Http404("Séance introuvable.")
    return seance


def _point_for(user: User, pk: int, point_pk: int) -> PointOrdreDuJour:
    seance = _seance_for(user, pk)
    point = get_object_or_404(
        PointOrdreDuJour.objects.select_related(
            "seance__president__user", "dossier__structure", "dossier__campagne", "rapporteur__user"
        ),
        pk=point_pk,
        seance=seance,
    )
    return point


def _errors(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [getattr(exc, "message", None) or str(exc)]


@login_required
def seance_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "commission/seance_list.html",
        {
            "seances": _seances_for(request.user).prefetch_related("points"),
            "is_admin": is_national_admin(request.user),
        },
    )


@login_required
def seance_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not is_national_admin(request.user):
        raise PermissionDenied("Seuls les administrateurs UNML organisent les séances.")
    form = SeanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        seance = services.create_seance(actor=request.user, **form.cleaned_data)
        messages.success(request, "Séance créée.")
        return redirect("commission:seance_detail", pk=seance.pk)
    return render(
        request,
        "commission/seance_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def seance_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    seance = _seance_for(request.user, pk)
    is_admin = is_national_admin(request.user)
    form = AgendaForm(request.POST or None, seance=seance) if is_admin else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Seuls les administrateurs UNML composent l'ordre du jour.")
        if form.is_valid():
            try:
                point = services.add_to_agenda(
                    actor=request.user, seance=seance, **form.cleaned_data
                )
            except (ValidationError, TransitionError, PermissionDenied) as exc:
                for message in _errors(exc):
                    form.add_error(None, message)
            else:
                n = point.recusations.count()
                messages.success(
                    request,
                    "Dossier inscrit à l'ordre du jour."
                    + (
                        pluriel(
                            n,
                            " {n} membre récusé automatiquement.",
                            " {n} membres récusés automatiquement.",
                        )
                        if n
                        else ""
                    ),
                )
                return redirect("commission:seance_detail", pk=seance.pk)
    points = seance.points.select_related("dossier__structure", "rapporteur__user", "decision")
    steers = is_admin or Capability.CHAIR_SEANCE in seance_capabilities(request.user, seance)
    return render(
        request,
        "commission/seance_detail.html",
        {
            "seance": seance,
            "points": points,
            "membres": seance.membres.select_related("user").order_by("user__email"),
            "form": form if seance.statut != Seance.Statut.CLOSE else None,
            "is_admin": is_admin,
            "can_edit": is_admin and seance.statut == Seance.Statut.PLANIFIEE,
            "can_open": steers and seance.statut == Seance.Statut.PLANIFIEE,
            "can_close": steers and seance.statut == Seance.Statut.OUVERTE,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def seance_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The UNML administrator edits a planned séance: date, place, members, chair, quorum and
    the agenda's order."""
    seance = _seance_for(request.user, pk)
    if not is_national_admin(request.user):
        raise PermissionDenied("Seuls les administrateurs UNML organisent les séances.")
    points = list(seance.points.select_related("dossier__structure"))
    initial = {
        "date": timezone.localtime(seance.date),
        "lieu": seance.lieu,
        "president": seance.president,
        "membres": list(seance.membres.all()),
        "quorum_pourcentage": seance.quorum_pourcentage,
    }
    form = SeanceEditForm(request.POST or None, initial=initial, points=points)
    errors: list[str] = []
    if seance.statut != Seance.Statut.PLANIFIEE:
        errors.append("La séance est ouverte ou close : elle n'est plus modifiable.")
    elif request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("ordre_")}
        try:
            services.update_seance(actor=request.user, seance=seance, ordre=form.ordre(), **data)
        except (ValidationError, TransitionError) as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "Séance modifiée.")
            return redirect("commission:seance_detail", pk=seance.pk)
    return render(
        request,
        "commission/seance_edit.html",
        {"seance": seance, "form": form, "errors": errors},
        status=400 if (form.errors or errors) and request.method == "POST" else 200,
    )


def _seance_step(request: AuthenticatedHttpRequest, pk: int, call: Any, success: str) -> Any:
    seance = _seance_for(request.user, pk)
    try:
        call(actor=request.user, seance=seance)
    except (ValidationError, TransitionError) as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("commission:seance_detail", pk=seance.pk)


@login_required
@require_POST
def seance_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _seance_step(
        request, pk, services.open_seance, "Séance ouverte : elle n'est plus modifiable."
    )


@login_required
@require_POST
def seance_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _seance_step(request, pk, services.close_seance, "Séance close.")


def _outcome_label(outcome: str | None) -> str:
    return str(dict(Decision.Resultat.choices).get(outcome or "", ""))


def _render_point(
    request: HttpRequest,
    point: PointOrdreDuJour,
    *,
    decision_form: DecisionForm | None = None,
    note_form: NoteRapporteurForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    seance = point.seance
    membre = sitting_member(user, seance)
    recusation = Recusation.objects.filter(point=point, membre=membre).first() if membre else None
    is_open = point.vote == PointOrdreDuJour.Vote.OUVERT
    is_chair = Capability.CHAIR_SEANCE in seance_capabilities(user, seance)
    mine = own_vote(point, user) if membre else None
    try:
        decision = point.decision
    except ObjectDoesNotExist:
        decision = None
    label = getattr(decision, "label", None) if decision else None
    context: dict[str, Any] = {
        "seance": seance,
        "point": point,
        "dossier": point.dossier,
        "membre": membre,
        "recusation": recusation,
        "recusations": point.recusations.select_related("membre__user"),
        "is_open": is_open,
        "is_chair": is_chair,
        "own_vote": mine,
        "vote_form": (
            VoteForm(initial={"choix": mine.choix if mine else None})
            if membre and recusation is None and is_open
            else None
        ),
        "conflit_form": ConflitForm() if membre and recusation is None and is_open else None,
        "decision": decision,
        "label": label,
        "file": decision_file(point),
        "sans_quorum": point.vote == PointOrdreDuJour.Vote.SANS_QUORUM,
        "steers": is_chair or is_national_admin(user),
    }
    is_rapporteur = point.rapporteur is not None and point.rapporteur.user_id == user.pk
    if is_rapporteur and is_open:
        context["note_form"] = note_form or NoteRapporteurForm(
            initial={"note": point.note_rapporteur}
        )
    result = services.current_tally(point)
    # The count of who voted (never what) while the vote is open, for who steers the séance.
    context["participation"] = services.quorum_phrase(result, seance.quorum_pourcentage)
    context["tally"] = result
    if not is_open:
        outcome = _outcome_label(result.outcome)
        context.update(
            {
                "tally_rows": [
                    (label_, result.counts.get(value, 0)) for value, label_ in _choice_labels()
                ],
                "quorum_required": t.quorum_required(result.eligible, seance.quorum_pourcentage),
                "votes": visible_votes(point, user),
                "outcome": outcome,
            }
        )
        if is_chair and decision is None and result.quorum:
            context["decision_form"] = decision_form or DecisionForm(outcome=outcome)
    return render(request, "commission/point_detail.html", context, status=status)


def _choice_labels() -> list[tuple[str, str]]:
    from .models import Vote

    return [(str(value), str(label)) for value, label in Vote.Choix.choices]


@login_required
def point_detail(request: AuthenticatedHttpRequest, pk: int, point_pk: int) -> HttpResponse:
    return _render_point(request, _point_for(request.user, pk, point_pk))


def _action(request: HttpRequest, point: PointOrdreDuJour, call: Any, success: str) -> HttpResponse:
    try:
        call()
    except (ValidationError, TransitionError) as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("commission:point_detail", pk=point.seance_id, point_pk=point.pk)


@login_required
@require_POST
def point_vote(request: AuthenticatedHttpRequest, pk: int, point_pk: int) -> HttpResponse:
    point = _point_for(request.user, pk, point_pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez l'une des quatre options de vote.")
        return redirect("commission:point_detail", pk=point.seance_id, point_pk=point.pk)
    return _action(
        request,
        point,
        lambda: services.cast_vote(
            point=point, user=request.user, choix=form.cleaned_data["choix"]
        ),
        "Votre vote est enregistré. Vous pouvez le modifier jusqu'à la clôture.",
    )


@login_required
@require_POST
def point_conflict(request: AuthenticatedHttpRequest, pk: int, point_pk: int) -> HttpResponse:
    point = _point_for(request.user, pk, point_pk)
    form = ConflitForm(request.POST)
    motif = form.cleaned_data["motif"] if form.is_valid() else ""
    return _action(
        request,
        point,
        lambda: services.declare_conflict(point=point, user=request.user, motif=motif),
        "Conflit d'intérêts enregistré : vous ne prenez pas part au vote sur ce dossier.",
    )


@login_required
def point_close(request: AuthenticatedHttpRequest, pk: int, point_pk: int) -> HttpResponse:
    """The chair closes the vote after a confirmation step that states the count and whether
    the quorum is reached (without it, the item goes back to the agenda)."""
    point = _point_for(request.user, pk, point_pk)
    # The chair, not recused on this dossier: checked for the page as for the act.
    services.require_chair(request.user, point)
    if request.method == "POST" and request.POST.get("confirme") == "1":
        result = services.current_tally(point)
        return _action(
            request,
            point,
            lambda: services.close_vote(point=point, user=request.user),
            "Vote clos : le décompte et les votes sont affichés."
            if result.quorum
            else "Vote clos sans quorum : pas de décision, le dossier revient à l'ordre du jour.",
        )
    if point.vote != PointOrdreDuJour.Vote.OUVERT:
        return redirect("commission:point_detail", pk=point.seance_id, point_pk=point.pk)
    result = services.current_tally(point)
    return render(
        request,
        "commission/point_close.html",
        {
            "seance": point.seance,
            "point": point,
            "dossier": point.dossier,
            "tally": result,
            "participation": services.quorum_phrase(result, point.seance.quorum_pourcentage),
            "manquants": max(
                0,
                t.quorum_required(result.eligible, point.seance.quorum_pourcentage)
                - result.participants,
            ),
        },
    )


@login_required
@require_POST
def point_reopen(request: AuthenticatedHttpRequest, pk: int, point_pk: int) -> HttpResponse:
    point = _point_for(request.user, pk, point_pk)
    return _action(
        request,
        point,
        lambda: services.reopen_vote(point=point, user=request.user),
        "Vote rouvert : les membres qui n'ont pas voté peuvent voter.",
    )


@login_required
@require_POST
def point_note(request: AuthenticatedHttpRequest, pk: int, point_pk: int) -> HttpResponse:
    point = _point_for(request.user, pk, point_pk)
    if point.rapporteur is None or point.rapporteur.user_id != request.user.pk:
        raise PermissionDenied("Seul(e) le (la) rapporteur(e) du dossier écrit sa note.")
    form = NoteRapporteurForm(request.POST)
    if not form.is_valid():
        return _render_point(request, point, note_form=form, status=400)
    return _action(
        request,
        point,
        lambda: services.save_rapporteur_note(
            point=point, user=request.user, note=form.cleaned_data["note"]
        ),
        "Note du rapporteur enregistrée.",
    )


@login_required
@require_POST
def point_decide(request: AuthenticatedHttpRequest, pk: int, point_pk: int) -> HttpResponse:
    point = _point_for(request.user, pk, point_pk)
    services.require_chair(request.user, point)
    outcome = _outcome_label(services.current_tally(point).outcome)
    form = DecisionForm(request.POST, outcome=outcome)
    if form.is_valid():
        try:
            decision = services.decide(
                point=point, user=request.user, motivation=form.cleaned_data["motivation"]
            )
        except (ValidationError, TransitionError) as exc:
            for message in _errors(exc):
                form.add_error(None, message)
        else:
            messages.success(request, f"Décision enregistrée : {decision.get_resultat_display()}.")
            return redirect("commission:point_detail", pk=point.seance_id, point_pk=point.pk)
    return _render_point(request, point, decision_form=form, status=400)


# --- The label's life (SPEC §7b) ----------------------------------------------------------
#
# A label is reached through `_label_for`: national administrators and commission members see
# every label, the structure's members and its ARML see theirs (read only: 403 on an action),
# anybody else gets 404, as for an unknown number. Who may act follows the campaign's rule
# (audits.commission.services.may_change_label_status).

LABEL_ACTIONS: dict[str, tuple[Callable[..., Label], str]] = {
    Label.Action.SUSPENSION: (services.suspend_label, "Label suspendu."),
    Label.Action.RETABLISSEMENT: (
        services.reinstate_label,
        "Suspension levée : le label est de nouveau valide.",
    ),
    Label.Action.RETRAIT: (services.withdraw_label, "Label retiré."),
}


def _label_for(user: User | AnonymousUser, numero: str) -> Label:
    label = (
        labels_for(user)
        .select_related("structure__parent", "decision__dossier__campagne", "decision__point")
        .filter(numero=numero)
        .first()
    )
    if label is None:
        raise Http404("Label introuvable.")
    return label


@login_required
def label_list(request: HttpRequest) -> HttpResponse:
    labels = labels_for(request.user).select_related("structure").order_by("-date_debut", "numero")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        labels = labels.filter(Q(numero__icontains=q) | Q(structure__nom__icontains=q))
    statut = request.GET.get("statut", "")
    if statut in Label.Statut.values:
        labels = labels.filter(statut=statut)
    page = Paginator(labels, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for label in page:
        label.statut_du_jour = label.statut_le(today)  # type: ignore[attr-defined]
    return render(
        request,
        "commission/label_list.html",
        {"page": page, "q": q, "statut": statut, "statuts": Label.Statut.choices},
    )


def _render_label(
    request: HttpRequest,
    label: Label,
    *,
    forms: dict[str, LabelStatutForm] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    current = label.statut_le(today)
    may_act = services.may_change_label_status(user, label)
    forms = forms or {}
    available: dict[str, LabelStatutForm] = {}
    if may_act and current == Label.Statut.VALIDE:
        available[Label.Action.SUSPENSION] = LabelStatutForm()
        available[Label.Action.RETRAIT] = LabelStatutForm()
    elif may_act and current == Label.Statut.SUSPENDU:
        available[Label.Action.RETABLISSEMENT] = LabelStatutForm()
        if today <= label.date_fin:
            available[Label.Action.RETRAIT] = LabelStatutForm()
    available.update({k: v for k, v in forms.items() if k in available})
    sous_reserve = label.decision.resultat == Decision.Resultat.LABELLISE_SOUS_RESERVE
    reserve_actions = list(services.reserve_actions(label)) if sous_reserve else []
    lift_form = None
    if (
        sous_reserve
        and label.reserves_levees_le is None
        and is_national_admin(user)
        and label.statut != Label.Statut.RETIRE
    ):
        lift_form = forms.get(Label.Action.LEVEE_RESERVES) or LabelStatutForm()
    return render(
        request,
        "commission/label_detail.html",
        {
            "label": label,
            "status": current,
            "status_label": STATUS_LABELS[current],
            "dossier": label.decision.dossier,
            "evenements": label.journal.select_related("actor"),
            "may_act": may_act,
            "suspend_form": available.get(Label.Action.SUSPENSION),
            "reinstate_form": available.get(Label.Action.RETABLISSEMENT),
            "withdraw_form": available.get(Label.Action.RETRAIT),
            "sees_structure": Structure.objects.for_user(user)
            .filter(pk=label.structure_id)
            .exists(),
            "rule": label.decision.dossier.campagne.get_retrait_par_display(),
            "errors": errors or [],
            "sous_reserve": sous_reserve,
            "reserve_actions": reserve_actions,
            "reserves_done": all(a.statut == "fait" for a in reserve_actions),
            "lift_form": lift_form,
            "may_edit_reserves": sous_reserve
            and label.reserves_levees_le is None
            and Capability.EDIT_PLAN in capabilities_for(user, label.structure),
        },
        status=status,
    )


@login_required
def label_detail(request: HttpRequest, numero: str) -> HttpResponse:
    return _render_label(request, _label_for(request.user, numero))


def _label_action(request: AuthenticatedHttpRequest, numero: str, action: str) -> HttpResponse:
    label = _label_for(request.user, numero)
    if not services.may_change_label_status(request.user, label):
        raise PermissionDenied("Votre rôle ne permet pas de modifier le statut de ce label.")
    call, success = LABEL_ACTIONS[action]
    form = LabelStatutForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            call(actor=request.user, label=label, motivation=form.cleaned_data["motivation"])
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, success)
            return redirect("commission:label_detail", numero=label.numero)
    label.refresh_from_db()
    return _render_label(request, label, forms={action: form}, errors=errors, status=400)


@login_required
@require_POST
def label_suspend(request: AuthenticatedHttpRequest, numero: str) -> HttpResponse:
    return _label_action(request, numero, Label.Action.SUSPENSION)


@login_required
@require_POST
def label_reinstate(request: AuthenticatedHttpRequest, numero: str) -> HttpResponse:
    return _label_action(request, numero, Label.Action.RETABLISSEMENT)


@login_required
@require_POST
def label_lift_reserves(request: AuthenticatedHttpRequest, numero: str) -> HttpResponse:
    """A UNML administrator records that the structure lifted its label's reservations."""
    label = _label_for(request.user, numero)
    if not is_national_admin(request.user):
        raise PermissionDenied("Seuls les administrateurs UNML constatent la levée des réserves.")
    form = LabelStatutForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            services.record_reserves_lifted(
                actor=request.user, label=label, motivation=form.cleaned_data["motivation"]
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "Levée des réserves enregistrée.")
            return redirect("commission:label_detail", numero=label.numero)
    label.refresh_from_db()
    return _render_label(
        request, label, forms={Label.Action.LEVEE_RESERVES: form}, errors=errors, status=400
    )


@login_required
@require_POST
def label_withdraw(request: AuthenticatedHttpRequest, numero: str) -> HttpResponse:
    return _label_action(request, numero, Label.Action.RETRAIT)
