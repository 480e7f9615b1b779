"""Mes sessions (ASVS V7.4/V7.5): the user sees the sessions open on their account (when, from
which address and browser, last activity) and ends any other, or all the others at once. A
session is only ever looked up among the user's own: someone else's id is a 404."""

from __future__ import annotations

from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from labelml.accounts.sessions import open_sessions


@login_required
@require_safe
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = open_sessions(request)
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": sessions,
            "others": sum(not s.is_current for s in sessions),
            "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
            "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
        },
    )


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(
        UserSession.objects.exclude(session_key=request.session.session_key),
        pk=pk,
        user_id=request.user.pk,
    )
    get_adapter().end_sessions([session])
    messages.success(request, "La session a été fermée.")
    return redirect("accounts:mes_sessions")


@login_required
@require_POST
def session_end_others(request: HttpRequest) -> HttpResponse:
    others = list(
        UserSession.objects.filter(user_id=request.user.pk).exclude(
            session_key=request.session.session_key
        )
    )
    get_adapter().end_sessions(others)
    if others:
        messages.success(request, "Vos autres sessions ont été fermées.")
    return redirect("accounts:mes_sessions")
