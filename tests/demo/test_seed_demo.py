"""`seed_demo`: the demo accounts are a fixed contract; running it twice changes nothing. The
demo is seeded once for the module (`demo`, rolled back after its last test); each test reads
it, or runs the command again, in its own savepoint. Its refusal in production, on an empty
database, is in test_seed_demo_refused.py."""

import io

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from labelml.demo.network import ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from labelml.structures.models import Auditeur, Membership, MembreCommission, Structure
from labelml.structures.roles import Role
from tests.worlds import rolled_back_world

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


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """What the first `seed_demo` of a database printed, its data kept for the module."""
    with rolled_back_world(django_db_blocker) as settle:
        yield settle(run())


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


def test_seed_demo_creates_the_documented_network_and_accounts(demo):
    output = demo
    assert Structure.objects.filter(type="unml").count() == 1
    assert Structure.objects.filter(type="arml").count() == 2
    mls = Structure.objects.filter(type="mission_locale").select_related("parent")
    # The six of the demo campaign, and three whose dossiers bring work to the commission.
    assert mls.count() == 9
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


def test_seed_demo_is_idempotent(demo):
    before = snapshot()
    run()
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_every_demo_account_logs_in_with_the_documented_password(demo, name):
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": f"{name}@demo.labelml.fr", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    needs_totp = name in {"admin", "auditeur", "auditeur-referent", "commission", "president"}
    assert (response["Location"] == reverse("mfa_authenticate")) is needs_totp


def test_the_demo_leaves_work_for_the_commission(demo):
    """Issue 15: a demande de labellisation to examine, today's séance with an item to vote
    (votes are taken from the séance's day), a label granted « sous réserve » whose reservation
    the structure lifts."""
    import datetime as dt

    from django.utils import timezone

    from audits.commission.forms import AgendaForm
    from audits.commission.models import Label, PointOrdreDuJour, Seance
    from campagnes.models import Dossier
    from campagnes.plans.models import Action

    # Today's séance, whose item has its rapporteur's note (the worklists' demo has another,
    # in two weeks).
    seance = Seance.objects.get(statut=Seance.Statut.PLANIFIEE, points__note_rapporteur__gt="")
    assert timezone.localdate(seance.date) == timezone.localdate()
    assert seance.president.user.email == "president@demo.labelml.fr"
    assert seance.membres.filter(user__email="commission@demo.labelml.fr").exists()
    point = PointOrdreDuJour.objects.get(seance=seance)
    assert point.vote == PointOrdreDuJour.Vote.OUVERT and point.note_rapporteur
    demande = Dossier.objects.get(structure__code="ml-seine-amont")
    assert demande in AgendaForm(seance=seance).fields["dossier"].queryset
    label = Label.objects.get(structure__code="ml-rhone-sud")
    assert label.decision.resultat == "labellise_sous_reserve" and label.statut == "valide"
    action = Action.objects.get(plan__dossier=label.decision.dossier, origine="reserve")
    assert action.statut == Action.Statut.A_FAIRE
    assert action.echeance > timezone.localdate() + dt.timedelta(days=100)
    assert Seance.objects.get(points__dossier=label.decision.dossier).statut == "close"
