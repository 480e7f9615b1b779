"""`seed_demo`: the demo accounts are a fixed contract; running it twice changes nothing."""

import io

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from labelml.demo.network import ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from labelml.structures.models import Auditeur, Membership, MembreCommission, Structure
from labelml.structures.roles import Role

pytestmark = pytest.mark.django_db

CONTRACT = {
    "admin",
    "referent",
    "contributeur",
    "direction",
    "lecteur",
    "referent2",
    "arml",
    "auditeur",
    "auditeur-referent",
    "commission",
    "president",
}


def run() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot():
    from referentiel.models import Element

    return (
        Structure.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        Authenticator.objects.count(),
        Auditeur.objects.count(),
        MembreCommission.objects.count(),
        Element.objects.count(),
    )


def test_seed_demo_creates_the_documented_network_and_accounts():
    output = run()
    assert Structure.objects.filter(type="unml").count() == 1
    assert Structure.objects.filter(type="arml").count() == 2
    mls = Structure.objects.filter(type="mission_locale").select_related("parent")
    assert mls.count() == 6
    assert {ml.region for ml in mls} == {"11", "84"}
    assert all(ml.parent and ml.parent.region == ml.region for ml in mls)
    emails = {a.email for a in ACCOUNTS}
    assert emails == {f"{name}@demo.labelml.fr" for name in CONTRACT}
    for email in emails:
        assert email in output
    assert DEMO_PASSWORD in output and DEMO_TOTP_SECRET in output

    same_ml = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.select_related("user", "structure")
    }
    ml = same_ml["referent"].structure
    assert {same_ml[k].structure for k in ("contributeur", "direction", "lecteur")} == {ml}
    assert same_ml["referent2"].structure.region != ml.region
    assert same_ml["arml"].role == Role.REFERENT_ARML and same_ml["arml"].structure == ml.parent
    assert same_ml["admin"].role == Role.ADMIN_UNML


def test_seed_demo_is_idempotent():
    run()
    before = snapshot()
    run()
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_every_demo_account_logs_in_with_the_documented_password(name):
    run()
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": f"{name}@demo.labelml.fr", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    needs_totp = name in {"admin", "auditeur", "auditeur-referent", "commission", "president"}
    assert (response["Location"] == reverse("mfa_authenticate")) is needs_totp


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=io.StringIO())
    assert Structure.objects.count() == 0
