"""Session lifetime (ASVS V7): a session ends after SESSION_IDLE_TIMEOUT seconds without a
request and SESSION_ABSOLUTE_TIMEOUT seconds after its login, whatever the activity.

The login time and the last activity are kept in the session itself (epoch seconds). The last
activity is rewritten at most every SESSION_ACTIVITY_RESOLUTION seconds, so that a burst of
autosaves does not write the session on every request; an autosave is a request like any other
and keeps the session alive. When a limit is passed, the next request logs the user out and
sends them to the login page, which says why.

The sessions a user has open are allauth.usersessions' rows (IP address, browser, times),
listed and ended from "Mes sessions" (labelml/accounts/sessions_views.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

LOGIN_AT = "labelml_login_at"
SEEN_AT = "labelml_seen_at"

IDLE = "idle"
ABSOLUTE = "absolute"


def now_ts() -> int:
    return int(time.time())


def expiry_reason(data: Any, now: int) -> str | None:
    """Why a session whose data is `data` is over at `now`, or None while it is valid."""
    login_at = data.get(LOGIN_AT)
    seen_at = data.get(SEEN_AT)
    if isinstance(login_at, int) and now - login_at >= settings.SESSION_ABSOLUTE_TIMEOUT:
        return ABSOLUTE
    if isinstance(seen_at, int) and now - seen_at >= settings.SESSION_IDLE_TIMEOUT:
        return IDLE
    return None


def expiry_message(reason: str) -> str:
    if reason == ABSOLUTE:
        hours = settings.SESSION_ABSOLUTE_TIMEOUT // 3600
        return (
            f"Votre session a atteint sa durée maximale ({hours} heures) et a été fermée : "
            "reconnectez-vous pour continuer."
        )
    minutes = settings.SESSION_IDLE_TIMEOUT // 60
    return (
        f"Votre session a expiré après {minutes} minutes d'inactivité : "
        "reconnectez-vous pour continuer."
    )


def stamp_login(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """django.contrib.auth's user_logged_in: every login (password, TOTP step) starts the
    absolute and inactivity clocks."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = now_ts()
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def track_session(request: HttpRequest) -> None:
    """Create or refresh the allauth.usersessions row of the request's session (IP address,
    browser, last seen)."""
    from allauth.usersessions.models import UserSession

    try:
        UserSession.objects.create_from_request(request)
    except PermissionDenied:  # no client address (a request built by hand)
        pass


def _next_url(request: HttpRequest) -> str | None:
    """Where to come back after logging in again: the page asked for, or for an htmx request or
    a form post, the page it was made from."""
    if request.method == "GET" and "HX-Request" not in request.headers:
        return request.get_full_path()
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = now_ts()
            reason = expiry_reason(session, now)
            if reason is not None:
                next_url = _next_url(request)
                logout(request)
                messages.warning(request, expiry_message(reason))
                if next_url:
                    return redirect_to_login(next_url)
                return redirect(settings.LOGIN_URL)
            if not isinstance(session.get(LOGIN_AT), int):
                # A session opened before these timeouts existed: its clock starts now.
                session[LOGIN_AT] = now
            seen_at = session.get(SEEN_AT)
            if (
                not isinstance(seen_at, int)
                or now - seen_at >= settings.SESSION_ACTIVITY_RESOLUTION
            ):
                session[SEEN_AT] = now
                track_session(request)
        return self.get_response(request)


@dataclass(frozen=True)
class OpenSession:
    pk: int
    ip: str
    user_agent: str
    started_at: datetime
    last_seen_at: datetime
    is_current: bool


def _when(ts: Any, default: datetime) -> datetime:
    if isinstance(ts, int):
        return datetime.fromtimestamp(ts, tz=UTC)
    return default


def open_sessions(request: HttpRequest) -> list[OpenSession]:
    """The user's sessions still valid, the current one first, then the most recent. Sessions
    past a timeout are ended on the way (their stored data would otherwise wait for the
    user's next request)."""
    from allauth.usersessions.models import UserSession

    track_session(request)
    engine = import_module(settings.SESSION_ENGINE)
    current_key = request.session.session_key
    now = now_ts()
    rows = []
    for user_session in UserSession.objects.purge_and_list(request.user):
        is_current = user_session.session_key == current_key
        data = request.session if is_current else engine.SessionStore(user_session.session_key)
        if not is_current and expiry_reason(data, now) is not None:
            user_session.end()
            continue
        rows.append(
            OpenSession(
                pk=user_session.pk,
                ip=user_session.ip,
                user_agent=user_session.user_agent,
                started_at=_when(data.get(LOGIN_AT), user_session.created_at),
                last_seen_at=_when(data.get(SEEN_AT), user_session.last_seen_at),
                is_current=is_current,
            )
        )
    rows.sort(key=lambda s: (not s.is_current, -s.last_seen_at.timestamp()))
    return rows
