"""Jetons d'accès: a person creates, lists and revokes their own API tokens. A token's secret
is shown once, on the page that follows its creation. For roles with a mandatory second factor,
creating a token asks for it again (allauth's reauthentication by TOTP) unless confirmed in the
last minutes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from labelml.core.types import AuthenticatedHttpRequest

from . import tokens
from .forms import JetonForm
from .models import JetonAcces

# The session key under which the new token waits to be shown once (a key name, not a secret).
SECRET_SESSION_KEY = "api_jeton_cree"  # nosec B105


@login_required
def jetons(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = JetonForm(request.POST or None)
    if request.method == "POST":
        if tokens.second_factor_required(request):
            messages.info(
                request,
                "Confirmez votre second facteur d'authentification, puis créez le jeton.",
            )
            return redirect(
                f"{reverse('mfa_reauthenticate')}?{urlencode({'next': reverse('api:api_jetons')})}"
            )
        if form.is_valid():
            try:
                jeton, secret = tokens.create_token(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                # Shown once, on the next page (never in a URL, never again).
                request.session[SECRET_SESSION_KEY] = {"pk": jeton.pk, "secret": secret}
                return redirect("api:api_jetons")
    created = request.session.pop(SECRET_SESSION_KEY, None)
    rows = JetonAcces.objects.filter(user=request.user)
    return render(
        request,
        "api/jetons.html",
        {
            "form": form,
            "jetons": rows,
            "created": created,
            "second_factor": tokens.second_factor_required(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    jeton = tokens.revoke_token(user=request.user, pk=pk)
    messages.success(request, f"Le jeton « {jeton.nom} » est révoqué : il ne fonctionne plus.")
    return redirect("api:api_jetons")
