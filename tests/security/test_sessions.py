"""Session lifetime (labelml/accounts/sessions.py) and "Mes sessions"
(labelml/accounts/sessions_views.py):
inactivity and absolute timeouts, the login page saying why, activity (an autosave included)
keeping a session alive, and a user listing and ending their other sessions, never anyone
else's."""

from __future__ import annotations

import html

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.test import Client
from django.urls import reverse

from labelml.accounts.sessions import LOGIN_AT, SEEN_AT, now_ts
from labelml.structures.roles import Role
from tests.conftest import member

pytestmark = pytest.mark.django_db
PASSWORD = "mot-de-passe-solide-42"


def logged_in(user, agent: str = "Navigateur A", ip: str = "192.0.2.10") -> Client:  # type: ignore[no-untyped-def]
    """A real login through allauth's form, from a given browser and address."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def shift(client: Client, **seconds_ago: int) -> None:
    """Move the session's clocks back: login_at=…, seen_at=… seconds ago."""
    session = client.session
    now = now_ts()
    if "login_at" in seconds_ago:
        session[LOGIN_AT] = now - seconds_ago["login_at"]
    if "seen_at" in seconds_ago:
        session[SEEN_AT] = now - seconds_ago["seen_at"]
    session.save()


@pytest.fixture
def referent(network):  # type: ignore[no-untyped-def]
    return member(network["ml_a"], Role.REFERENT_QUALITE)


def test_the_login_starts_both_clocks(referent):
    client = logged_in(referent)
    session = client.session
    assert abs(session[LOGIN_AT] - now_ts()) <= 2
    assert session[SEEN_AT] == session[LOGIN_AT]
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 3600


def test_a_session_idle_too_long_is_ended_and_the_login_page_says_why(referent):
    client = logged_in(referent)
    shift(client, seen_at=settings.SESSION_IDLE_TIMEOUT + 1)
    response = client.get(reverse("structures:structure_list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/structures/"
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "Votre session a expiré après 30 minutes d'inactivité" in page
    # Logged out for good: the next page asks for the login again, without the message.
    again = client.get(reverse("home"))
    assert again.status_code == 302 and again["Location"].startswith(reverse("account_login"))


def test_activity_keeps_the_session_alive_and_is_recorded_once_a_minute(referent):
    client = logged_in(referent)
    shift(client, seen_at=settings.SESSION_IDLE_TIMEOUT - 5)
    assert client.get(reverse("home")).status_code == 200
    seen = client.session[SEEN_AT]
    assert abs(seen - now_ts()) <= 2
    # Within a minute, the session is not written again.
    shift(client, seen_at=10)
    before = client.session[SEEN_AT]
    assert client.get(reverse("home")).status_code == 200
    assert client.session[SEEN_AT] == before


def test_an_autosave_counts_as_activity(referent, network, referentiel_ml):  # type: ignore[no-untyped-def]
    import datetime as dt

    from campagnes.autoevaluations.models import Reponse
    from campagnes.models import Dossier
    from campagnes.services import create_campagne, open_campagne
    from tests.conftest import with_totp

    admin = with_totp(member(network["unml"], Role.ADMIN_UNML))
    campagne = create_campagne(
        actor=admin,
        nom="Campagne",
        referentiel=referentiel_ml,
        date_ouverture=dt.date.today(),
        date_cloture_autoevaluation=dt.date.today() + dt.timedelta(days=30),
    )
    open_campagne(actor=admin, campagne=campagne, structures=[network["ml_a"]])
    dossier = Dossier.objects.get(campagne=campagne)
    reponse = Reponse.objects.get(autoevaluation__dossier=dossier, element__code="1.1.e1")
    client = logged_in(referent)
    shift(client, seen_at=settings.SESSION_IDLE_TIMEOUT - 5)
    critere = reverse("autoevaluations:autoevaluation_critere", args=[dossier.pk, "1.1"])
    response = client.post(
        reverse("autoevaluations:autoevaluation_save_reponse", args=[dossier.pk, reponse.pk]),
        {"champ": "justification", "justification": "Saisie en cours.", "version": 0},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{critere}",
    )
    assert response.status_code == 200
    assert abs(client.session[SEEN_AT] - now_ts()) <= 2
    reponse.refresh_from_db()
    assert reponse.justification == "Saisie en cours."


def test_an_htmx_request_after_expiry_is_sent_to_the_login_page_of_its_page(referent):
    client = logged_in(referent)
    shift(client, seen_at=settings.SESSION_IDLE_TIMEOUT + 1)
    response = client.post(
        reverse("notifications:notification_mark_all_read"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/notifications/?page=2",
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/notifications/%3Fpage%3D2"
    # A page from another site is not a place to come back to.
    client = logged_in(referent)
    shift(client, seen_at=settings.SESSION_IDLE_TIMEOUT + 1)
    response = client.post(
        reverse("notifications:notification_mark_all_read"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="https://evil.example/notifications/",
    )
    assert response["Location"] == reverse("account_login")


def test_the_absolute_timeout_ends_even_an_active_session(referent):
    client = logged_in(referent)
    shift(client, login_at=settings.SESSION_ABSOLUTE_TIMEOUT + 1, seen_at=0)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "durée maximale (12 heures)" in page
    assert client.get(reverse("home")).status_code == 302


def test_the_timeouts_come_from_the_settings(referent, settings):  # type: ignore[no-untyped-def]
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    client = logged_in(referent)
    shift(client, seen_at=4 * 60)
    assert client.get(reverse("home")).status_code == 200
    shift(client, seen_at=5 * 60 + 1)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "5 minutes d'inactivité" in page


def test_a_session_from_before_the_timeouts_starts_its_clock_now(referent):
    client = logged_in(referent)
    session = client.session
    del session[LOGIN_AT]
    del session[SEEN_AT]
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert abs(client.session[LOGIN_AT] - now_ts()) <= 2


# --- Mes sessions ------------------------------------------------------------------------------


def test_the_page_lists_my_sessions_and_ends_another_one(referent):
    office = logged_in(referent, "Firefox au bureau", "192.0.2.10")
    phone = logged_in(referent, "Safari sur téléphone", "198.51.100.7")
    page = office.get(reverse("accounts:mes_sessions"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Firefox au bureau" in text and "Safari sur téléphone" in text
    assert "198.51.100.7" in text and "Cette session" in text
    assert "Mes sessions" in office.get(reverse("home")).content.decode()  # the account menu

    other = UserSession.objects.get(user=referent, user_agent="Safari sur téléphone")
    response = office.post(reverse("accounts:session_end", args=[other.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:mes_sessions")
    # The phone is logged out; the office goes on.
    assert phone.get(reverse("home")).status_code == 302
    assert office.get(reverse("home")).status_code == 200
    assert (
        "Safari sur téléphone" not in office.get(reverse("accounts:mes_sessions")).content.decode()
    )


def test_ending_all_the_other_sessions_keeps_this_one(referent):
    clients = [logged_in(referent, f"Navigateur {i}") for i in range(3)]
    assert UserSession.objects.filter(user=referent).count() == 3
    response = clients[0].post(reverse("accounts:sessions_end_others"))
    assert response.status_code == 302
    assert clients[0].get(reverse("home")).status_code == 200
    assert [c.get(reverse("home")).status_code for c in clients[1:]] == [302, 302]
    assert UserSession.objects.filter(user=referent).count() == 1


def test_someone_elses_session_is_a_404_and_stays_open(referent, network):
    mine = logged_in(referent)
    other_user = member(network["ml_b"], Role.DIRECTION)
    theirs = logged_in(other_user, "Chrome")
    their_session = UserSession.objects.get(user=other_user)
    assert mine.post(reverse("accounts:session_end", args=[their_session.pk])).status_code == 404
    assert theirs.get(reverse("home")).status_code == 200
    assert "Chrome" not in mine.get(reverse("accounts:mes_sessions")).content.decode()
    # My own current session cannot be "ended" there either (the logout button does it), and
    # the page's actions only answer POST.
    current = UserSession.objects.get(user=referent)
    assert mine.post(reverse("accounts:session_end", args=[current.pk])).status_code == 404
    assert mine.get(reverse("accounts:session_end", args=[current.pk])).status_code == 405
    assert Client().get(reverse("accounts:mes_sessions")).status_code == 302


def test_a_session_past_its_timeout_is_not_listed_and_is_ended(referent):
    office = logged_in(referent, "Bureau")
    old = logged_in(referent, "Ancien poste")
    shift(old, seen_at=settings.SESSION_IDLE_TIMEOUT + 1)
    text = office.get(reverse("accounts:mes_sessions")).content.decode()
    assert "Ancien poste" not in text
    assert not UserSession.objects.filter(user=referent, user_agent="Ancien poste").exists()
