"""The national administrators' user pages: find an account, delete it (pseudonymisation, see
labelml/accounts/services.py). To anyone else these pages do not exist (404), as the other national
pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from labelml.core.types import AuthenticatedHttpRequest
from labelml.structures.models import Membership
from labelml.structures.selectors import is_national_admin

from .forms import SuppressionCompteForm
from .services import pseudonymise_user


def _admin_only(request: HttpRequest) -> None:
    if not is_national_admin(request.user):
        raise Http404("Page introuvable.")


def _users():  # type: ignore[no-untyped-def]
    return (
        get_user_model()
        .objects.select_related("suppression", "auditeur__organisme", "membre_commission")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("structure").order_by("structure__nom"),
            )
        )
    )


@login_required
@require_safe
def utilisateur_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    users = _users().order_by("last_name", "first_name", "email")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        users = users.filter(
            Q(email__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(memberships__structure__nom__icontains=q)
        ).distinct()
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/utilisateur_list.html", {"page": page, "q": q})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def utilisateur_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    user = _users().filter(pk=pk).first()
    if user is None:
        raise Http404("Utilisateur introuvable.")
    if user.est_supprime:
        messages.info(request, "Ce compte est déjà supprimé.")
        return redirect("accounts:utilisateur_list")
    form = SuppressionCompteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pseudonymise_user(actor=request.user, user=user, motif=form.cleaned_data["motif"])
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Compte n° {user.pk} supprimé : l'historique des dossiers est conservé sous "
                "le nom « Utilisateur supprimé ».",
            )
            return redirect("accounts:utilisateur_list")
    return render(
        request,
        "accounts/utilisateur_delete.html",
        {"cible": user, "form": form},
        status=400 if form.errors else 200,
    )
