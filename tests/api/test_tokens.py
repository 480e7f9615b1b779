"""Personal API tokens: stored hashed, shown once, scoped, expiring, revocable; the page that
manages them; a second-factor check for the roles that have one; a rate limit per token."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from labelml.api.models import JetonAcces
from labelml.api.tokens import create_token, digest
from labelml.structures.roles import Role
from tests.api.conftest import ApiClient
from tests.conftest import client_for, member, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def referent(network):  # type: ignore[no-untyped-def]
    return member(network["ml_a"], Role.REFERENT_QUALITE)


def test_a_token_is_stored_as_a_digest_only(referent):
    jeton, secret = create_token(user=referent, nom="SI", portee="lecture", jours=30)
    stored = JetonAcces.objects.get(pk=jeton.pk)
    assert stored.empreinte == digest(secret)
    assert secret not in {stored.empreinte, stored.prefixe, stored.nom}
    assert secret.startswith(stored.prefixe)


def test_a_valid_token_reads_as_its_owner(referent, network):
    _, secret = create_token(user=referent, nom="SI", portee="lecture", jours=30)
    response = ApiClient(secret).get(reverse("api:api_structures"))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [network["ml_a"].pk]


@pytest.mark.parametrize(
    "header",
    ["", "Bearer lml_inconnu", "Token abc", "Bearer", "Bearer a b"],
    ids=["absent", "inconnu", "autre-schema", "vide", "deux-mots"],
)
def test_no_valid_token_answers_401_problem_details(header):
    headers = {"Authorization": header} if header else {}
    response = ApiClient().get(reverse("api:api_dossiers"), headers=headers)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Authentification requise"


def test_a_revoked_token_answers_401(referent):
    jeton, secret = create_token(user=referent, nom="SI", portee="lecture", jours=30)
    client = client_for(referent)
    assert client.post(reverse("api:api_jeton_revoke", args=[jeton.pk])).status_code == 302
    assert JetonAcces.objects.get(pk=jeton.pk).revoque_le is not None
    assert ApiClient(secret).get(reverse("api:api_dossiers")).status_code == 401


def test_an_expired_token_answers_401(referent):
    jeton, secret = create_token(user=referent, nom="SI", portee="lecture", jours=1)
    JetonAcces.objects.filter(pk=jeton.pk).update(
        expire_le=timezone.now() - dt.timedelta(seconds=1)
    )
    assert ApiClient(secret).get(reverse("api:api_dossiers")).status_code == 401


def test_the_token_of_a_deactivated_account_answers_401(referent):
    _, secret = create_token(user=referent, nom="SI", portee="ecriture", jours=1)
    referent.is_active = False
    referent.save(update_fields=["is_active"])
    assert ApiClient(secret).get(reverse("api:api_dossiers")).status_code == 401


def test_someone_elses_token_cannot_be_revoked(referent, network):
    other = member(network["ml_a"], Role.LECTEUR)
    jeton, _ = create_token(user=other, nom="SI", portee="lecture", jours=30)
    response = client_for(referent).post(reverse("api:api_jeton_revoke", args=[jeton.pk]))
    assert response.status_code == 404
    assert JetonAcces.objects.get(pk=jeton.pk).revoque_le is None


def test_the_page_creates_a_token_and_shows_it_once(referent):
    client = client_for(referent)
    response = client.post(
        reverse("api:api_jetons"), {"nom": "Tableur", "portee": "lecture", "jours": "30"}
    )
    assert response.status_code == 302
    page = client.get(reverse("api:api_jetons")).content.decode()
    jeton = JetonAcces.objects.get(user=referent)
    secret = page.split('id="secret" type="text" readonly value="')[1].split('"')[0]
    assert digest(secret) == jeton.empreinte
    assert ApiClient(secret).get(reverse("api:api_dossiers")).status_code == 200
    again = client.get(reverse("api:api_jetons")).content.decode()
    assert secret not in again and "Tableur" in again and jeton.prefixe in again


def test_the_page_refuses_a_validity_beyond_a_year(referent):
    response = client_for(referent).post(
        reverse("api:api_jetons"), {"nom": "Tableur", "portee": "ecriture", "jours": "400"}
    )
    assert response.status_code == 400
    assert not JetonAcces.objects.exists()


def test_a_role_with_two_factor_confirms_it_before_creating_a_token(network):
    admin = with_totp(member(network["unml"], Role.ADMIN_UNML))
    client = client_for(admin)
    data = {"nom": "Pilotage", "portee": "lecture", "jours": "30"}
    response = client.post(reverse("api:api_jetons"), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not JetonAcces.objects.exists()
    # A second factor confirmed a moment ago (what allauth records at login or on
    # /comptes/2fa/reauthenticate/): the token is created.
    session = client.session
    session["account_authentication_methods_user"] = str(admin.pk)
    session["account_authentication_methods"] = [
        {"method": "mfa", "at": time.time(), "type": "totp"}
    ]
    session.save()
    assert client.post(reverse("api:api_jetons"), data).status_code == 302
    assert JetonAcces.objects.filter(user=admin).count() == 1


def test_a_role_without_two_factor_creates_a_token_at_once(referent):
    client = client_for(referent)
    data = {"nom": "SI", "portee": "lecture", "jours": "30"}
    assert client.post(reverse("api:api_jetons"), data)["Location"] == reverse("api:api_jetons")
    assert JetonAcces.objects.filter(user=referent).count() == 1


def test_the_rate_limit_is_per_token_with_retry_after(referent, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"jeton": "3/min"},
    }
    _, first = create_token(user=referent, nom="A", portee="lecture", jours=1)
    _, second = create_token(user=referent, nom="B", portee="lecture", jours=1)
    url = reverse("api:api_dossiers")
    assert [ApiClient(first).get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = ApiClient(first).get(url)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["reessayer_dans"] == int(refused["Retry-After"])
    # Another token of the same person has its own budget.
    assert ApiClient(second).get(url).status_code == 200


def test_deleting_the_account_deletes_its_tokens(referent, network):
    from labelml.accounts.donnees import personal_data_parts
    from labelml.accounts.services import pseudonymise_user

    jeton, secret = create_token(user=referent, nom="SI", portee="ecriture", jours=30)
    exported = {}
    for part in personal_data_parts():
        if part.export is not None:
            exported.update(part.export(referent))
    assert [row["nom"] for row in exported["jetons_acces"]] == ["SI"]
    assert secret not in str(exported)
    admin = with_totp(member(network["unml"], Role.ADMIN_UNML))
    pseudonymise_user(actor=admin, user=referent, motif="Départ")
    assert not JetonAcces.objects.filter(pk=jeton.pk).exists()
    assert ApiClient(secret).get(reverse("api:api_dossiers")).status_code == 401
