from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from labelml.core.types import AuthenticatedHttpRequest

from .forms import AcceptInvitationForm, CertificationForm, InvitationForm
from .history import structure_history as build_history
from .home import home_context, worklist
from .models import Auditeur, Invitation, Membership, Region, Structure
from .roles import Capability, Role
from .selectors import (
    capabilities_for,
    get_structure_for_user,
    is_national_admin,
    structures_for_user,
)
from .services import (
    accept_invitation,
    invitable_roles,
    invite_member,
    revoke_invitation,
    update_certification,
)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = list(
        Membership.objects.filter(user_id=request.user.pk)
        .select_related("structure", "structure__parent")
        .prefetch_related("structure__dossiers__campagne")
        .order_by("structure__nom")
    )
    is_admin = is_national_admin(request.user)
    # The ARML's référent labellisation steers its region (pilotage dashboard).
    steers_region = any(
        m.role == Role.REFERENT_ARML and m.structure.type == Structure.Type.ARML
        for m in memberships
    )
    return render(
        request,
        "structures/home.html",
        {
            "memberships": memberships,
            "is_admin": is_admin,
            "steers_region": steers_region,
            # "À faire": each app above adds its lines (labelml/structures/home.py).
            "worklist": worklist(request.user),
            **home_context(request),
        },
    )


@login_required
def structure_list(request: HttpRequest) -> HttpResponse:
    qs = structures_for_user(request.user).annotate(nb_membres=Count("memberships"))
    q = request.GET.get("q", "").strip()
    region = request.GET.get("region", "")
    kind = request.GET.get("type", "")
    if q:
        qs = qs.filter(Q(nom__icontains=q) | Q(code__icontains=q) | Q(ville__icontains=q))
    if region in Region.values:
        qs = qs.filter(region=region)
    if kind in Structure.Type.values:
        qs = qs.filter(type=kind)
    page = Paginator(qs.order_by("type", "nom"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "structures/structure_list.html",
        {
            "page": page,
            "q": q,
            "region": region,
            "type": kind,
            "regions": Region.choices,
            "types": Structure.Type.choices,
        },
    )


@login_required
def structure_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    structure = get_structure_for_user(request.user, pk)
    caps = capabilities_for(request.user, structure)
    members = structure.memberships.select_related("user").order_by("role", "user__last_name")
    invitations = (
        structure.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        if Capability.INVITE in caps
        else Invitation.objects.none()
    )
    return render(
        request,
        "structures/structure_detail.html",
        {
            "structure": structure,
            "members": members,
            "invitations": invitations,
            "rattachees": structure.structures_rattachees.all() if structure.type == "arml" else [],
            "dossiers": structure.dossiers.select_related("campagne").order_by("-created_at"),
            "can_invite": Capability.INVITE in caps,
            "form": InvitationForm(roles=invitable_roles(request.user, structure))
            if Capability.INVITE in caps
            else None,
        },
    )


@login_required
@require_GET
def structure_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The structure's whole label history (SPEC §7b), for whoever may see the structure."""
    structure = get_structure_for_user(request.user, pk)
    return render(
        request,
        "structures/structure_history.html",
        {"structure": structure, "history": build_history(structure)},
    )


@login_required
def structure_invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    structure = get_structure_for_user(request.user, pk, Capability.INVITE)
    form = InvitationForm(request.POST or None, roles=invitable_roles(request.user, structure))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invite_member(
                actor=request.user,
                structure=structure,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            for fieldname, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(fieldname if fieldname in form.fields else None, error)
        else:
            messages.success(request, f"Invitation envoyée à {invitation.email}.")
            return redirect("structures:structure_detail", pk=structure.pk)
    return render(
        request,
        "structures/structure_invite.html",
        {"structure": structure, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def invitation_revoke(
    request: AuthenticatedHttpRequest, pk: int, invitation_pk: int
) -> HttpResponse:
    structure = get_structure_for_user(request.user, pk, Capability.INVITE)
    invitation = get_object_or_404(structure.invitations, pk=invitation_pk)
    revoke_invitation(actor=request.user, invitation=invitation)
    messages.success(request, f"Invitation de {invitation.email} annulée.")
    return redirect("structures:structure_detail", pk=structure.pk)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.select_related("structure").filter(token=token).first()
    if invitation is None or not invitation.is_pending:
        return render(request, "structures/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                accept_invitation(token=token, user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("home")
            messages.success(request, f"Vous avez rejoint {invitation.structure.nom}.")
            return redirect("structures:structure_detail", pk=invitation.structure_id)
        return render(request, "structures/invitation_confirm.html", {"invitation": invitation})
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            membership = accept_invitation(
                token=token,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Bienvenue ! Vous avez rejoint {invitation.structure.nom}.")
            return redirect("home")
    return render(
        request,
        "structures/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form.errors else 200,
    )


def _require_national_admin(request: HttpRequest) -> None:
    """The auditors' register is national administration: to anyone else it does not exist."""
    if not is_national_admin(request.user):
        raise Http404("Page introuvable.")


@login_required
def auditeur_list(request: HttpRequest) -> HttpResponse:
    """The auditors and their certification: valid, lapsed or none (UNML administrators)."""
    _require_national_admin(request)
    auditeurs = list(
        Auditeur.objects.filter(user__is_active=True)
        .select_related("user", "organisme")
        .order_by("organisme__nom", "user__last_name", "user__first_name")
    )
    return render(request, "structures/auditeur_list.html", {"auditeurs": auditeurs})


@login_required
def auditeur_certification(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_national_admin(request)
    auditeur = get_object_or_404(
        Auditeur.objects.select_related("user", "organisme"), pk=pk, user__is_active=True
    )
    form = CertificationForm(
        request.POST or None,
        initial={
            "organisme": auditeur.certification_organisme,
            "reference": auditeur.certification_reference,
            "jusqu_au": auditeur.certifie_jusqu_au,
        },
    )
    if request.method == "POST" and form.is_valid():
        update_certification(actor=request.user, auditeur=auditeur, **form.cleaned_data)
        messages.success(request, f"Certification de {auditeur.user} enregistrée.")
        return redirect("structures:auditeur_list")
    return render(
        request,
        "structures/auditeur_certification.html",
        {"auditeur": auditeur, "form": form},
        status=400 if form.errors else 200,
    )
