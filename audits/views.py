"""Administrator's assignment, the structure's answers to gaps, the comparison view and the
auditors' missions list. The auditor's workspace is in views_auditeur.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from audits.services import assign_audit, extend_gap_deadline, file_demande
from campagnes.models import Dossier
from campagnes.plans.models import Action
from campagnes.selectors import dossier_capabilities, get_dossier_for_user
from labelml.core.transitions import TransitionError
from labelml.core.types import AuthenticatedHttpRequest
from labelml.structures.roles import Capability

from .forms import AssignationForm, DemandeForm, ProlongationEcartsForm, ReponseEcartForm
from .models import Audit, Constat
from .selectors import audit_for_dossier, gap_deadline, missions_for_user, unanswered_gaps
from .selectors import comparison as compare
from .selectors import demande as demande_row
from .selectors import gaps as gaps_of
from .services import answer_gap as answer_gap_service


@login_required
def missions(request: HttpRequest) -> HttpResponse:
    return render(request, "audits/missions.html", {"audits": missions_for_user(request.user)})


@login_required
def assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk, Capability.ADMINISTER)
    form = AssignationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assign_audit(dossier, request.user, **form.cleaned_data)
        except TransitionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, "Évaluation externe planifiée ; l'auditeur et la structure sont prévenus."
            )
            return redirect("campagnes:dossier_detail", pk=dossier.pk)
    return render(
        request,
        "audits/assign.html",
        {
            "dossier": dossier,
            "tab": "audit",
            "form": form,
            "auditeurs": form.fields["auditeur"].queryset.order_by(  # type: ignore[attr-defined]
                "organisme__nom", "user__last_name"
            ),
        },
        status=400 if form.errors else 200,
    )


def _validated_audit(request: HttpRequest, dossier: Dossier) -> Audit:
    audit = audit_for_dossier(dossier)
    caps = dossier_capabilities(request.user, dossier)
    # Before validation the report belongs to the auditing body; the structure sees it after.
    if audit is None or (
        audit.statut != Audit.Statut.VALIDE
        and not caps & {Capability.RECORD_FINDINGS, Capability.REVIEW_AUDIT, Capability.ADMINISTER}
    ):
        raise Http404("Le rapport d'évaluation externe n'est pas encore disponible.")
    return audit


@login_required
def gaps(
    request: HttpRequest, pk: int, extension: ProlongationEcartsForm | None = None
) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    audit = _validated_audit(request, dossier)
    caps = dossier_capabilities(request.user, dossier)
    can_extend = (
        Capability.ADMINISTER in caps
        and dossier.statut == Dossier.Statut.REPONSE_STRUCTURE
        and bool(unanswered_gaps(audit))
    )
    deadline = gap_deadline(audit)
    actions = Action.objects.filter(plan__dossier=dossier).order_by("titre")
    rows = [
        (
            c,
            ReponseEcartForm(
                instance=getattr(c, "reponse_ecart", None), actions=actions, prefix=f"c{c.pk}"
            ),
        )
        for c in gaps_of(audit)
    ]
    return render(
        request,
        "audits/gaps.html",
        {
            "dossier": dossier,
            "tab": "audit",
            "audit": audit,
            "rows": rows,
            "deadline": deadline,
            "overdue": deadline is not None and timezone.localdate() > deadline,
            "can_answer": Capability.ANSWER_CONSTATS in caps,
            # A refused extension shows its form and why, whatever the page would offer now.
            "extension": extension
            if extension is not None
            else (ProlongationEcartsForm() if can_extend else None),
        },
        status=400 if extension is not None and extension.errors else 200,
    )


@login_required
def extend_gaps(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A UNML administrator pushes back the gaps' deadline (POST only)."""
    dossier = get_dossier_for_user(request.user, pk)
    if request.method != "POST":
        return redirect("audits:audit_gaps", pk=dossier.pk)
    dossier = get_dossier_for_user(request.user, pk, Capability.ADMINISTER)
    form = ProlongationEcartsForm(request.POST)
    if form.is_valid():
        try:
            extend_gap_deadline(
                dossier,
                request.user,
                until=form.cleaned_data["until"],
                motif=form.cleaned_data["motif"],
            )
        except TransitionError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Délai prolongé jusqu'au {form.cleaned_data['until']:%d/%m/%Y} : la structure "
                "en est informée.",
            )
            return redirect("audits:audit_gaps", pk=dossier.pk)
    return gaps(request, pk, extension=form)


@login_required
def answer_gap(request: AuthenticatedHttpRequest, pk: int, constat_pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    if request.method != "POST":
        return redirect("audits:audit_gaps", pk=dossier.pk)
    audit = _validated_audit(request, dossier)
    constat = get_object_or_404(
        Constat.objects.select_related("critere"), pk=constat_pk, audit=audit
    )
    dossier = get_dossier_for_user(request.user, pk, Capability.ANSWER_CONSTATS)
    actions = Action.objects.filter(plan__dossier=dossier)
    form = ReponseEcartForm(
        request.POST,
        actions=actions,
        prefix=f"c{constat.pk}",
        instance=getattr(constat, "reponse_ecart", None),
    )
    if form.is_valid():
        try:
            answer_gap_service(
                constat=constat,
                actor=request.user,
                action_corrective=form.cleaned_data["action_corrective"],
                preuves=form.cleaned_data["preuves"],
                action_plan=form.cleaned_data["action_plan"],
                envoyer="envoyer" in request.POST,
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Réponse à l'écart du critère {constat.critere.code} "
                + ("envoyée." if "envoyer" in request.POST else "enregistrée."),
            )
            return redirect(
                reverse("audits:audit_gaps", args=[dossier.pk]) + f"#constat-{constat.pk}"
            )
    rows = [
        (
            c,
            form
            if c.pk == constat.pk
            else ReponseEcartForm(
                instance=getattr(c, "reponse_ecart", None), actions=actions, prefix=f"c{c.pk}"
            ),
        )
        for c in gaps_of(audit)
    ]
    return render(
        request,
        "audits/gaps.html",
        {
            "dossier": dossier,
            "tab": "audit",
            "audit": audit,
            "rows": rows,
            "deadline": gap_deadline(audit),
            "can_answer": True,
        },
        status=400,
    )


@login_required
def comparison(request: HttpRequest, pk: int) -> HttpResponse:
    """Self-assessment level vs audit finding, per criterion and by section (both on a 0–100
    scale, since the two scales differ)."""
    dossier = get_dossier_for_user(request.user, pk)
    audit = _validated_audit(request, dossier)
    data = compare(dossier, audit)
    return render(
        request,
        "audits/comparison.html",
        {
            "dossier": dossier,
            "tab": "audit",
            "audit": audit,
            "rows": data.rows,
            "radar": data.radar,
            "sections": data.sections,
        },
    )


@login_required
def demande(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The direction files the demande de labellisation once the gaps are answered."""
    dossier = get_dossier_for_user(request.user, pk)
    audit = _validated_audit(request, dossier)
    caps = dossier_capabilities(request.user, dossier)
    form = DemandeForm(request.POST if request.method == "POST" else None)
    errors: list[str] = []
    missing: list[Any] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                file_demande(dossier, request.user, form.cleaned_data["message"])
            except TransitionError as exc:
                errors, missing = [exc.message], exc.missing
            else:
                messages.success(
                    request,
                    "Demande de labellisation déposée : l'UNML peut inscrire le dossier à "
                    "l'ordre du jour de la commission.",
                )
                return redirect("audits:audit_demande", pk=dossier.pk)
    filed = demande_row(dossier)
    unanswered = unanswered_gaps(audit)
    return render(
        request,
        "audits/demande.html",
        {
            "dossier": dossier,
            "tab": "audit",
            "audit": audit,
            "filed": filed,
            "unanswered": unanswered,
            "can_file": Capability.ANSWER_CONSTATS in caps and filed is None,
            "form": form,
            "errors": errors,
            "missing": missing,
        },
        status=400 if errors or form.errors else 200,
    )
