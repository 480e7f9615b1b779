"""Every URL that designates a tenant's object answers 404 to a member of another Mission Locale,
for GET and POST, exactly as a missing object would. Built from the URL configuration: a new URL
with an unknown parameter makes this test fail until it is covered here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from campagnes.autoevaluations.models import Preuve, Reponse, SyntheseCritere
from campagnes.models import Dossier
from campagnes.plans.models import Action
from campagnes.services import create_campagne, open_campagne
from labelml.documents.models import Document
from labelml.structures.models import Invitation
from labelml.structures.roles import Role
from tests.conftest import client_for, member, with_totp
from tests.urlmap import iter_patterns

pytestmark = pytest.mark.django_db

# URLs reachable without being a member of the tenant (token links, national pages checked
# elsewhere) — each with the reason.
NOT_TENANT_SCOPED = {
    "structures:invitation_accept": "lien à jeton, testé dans test_invitations",
}


@pytest.fixture
def foreign(referentiel_ml, network, settings, tmp_path):  # type: ignore[no-untyped-def]
    """Objects of ML B (another region), one of each kind a URL can designate."""
    settings.MEDIA_ROOT = tmp_path
    admin = with_totp(member(network["unml"], Role.ADMIN_UNML))
    campagne = create_campagne(
        actor=admin,
        nom="C",
        referentiel=referentiel_ml,
        date_ouverture=dt.date.today(),
        date_cloture_autoevaluation=dt.date.today() + dt.timedelta(days=30),
    )
    open_campagne(actor=admin, campagne=campagne, structures=[network["ml_a"], network["ml_b"]])
    dossier = Dossier.objects.get(structure=network["ml_b"])
    reponse = (
        Reponse.objects.filter(autoevaluation__dossier=dossier)
        .select_related("element__critere")
        .first()
    )
    synthese = SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).first()
    preuve = Preuve(
        dossier=dossier,
        critere=reponse.element.critere,
        titre="P",
        nom_original="p.pdf",
        type_mime="application/pdf",
        taille=4,
        empreinte="x",
        date_effet=dt.date.today(),
    )
    preuve.fichier.save("p.pdf", ContentFile(b"%PDF"), save=True)
    action = Action.objects.create(plan=dossier.plan, titre="A")
    invitation = Invitation.objects.create(
        email="b@example.fr", structure=network["ml_b"], role=Role.LECTEUR
    )
    from campagnes.autoevaluations.services import take_snapshot

    take_snapshot(dossier, None)
    from audits.models import Audit, Constat
    from tests.factories import AuditeurFactory

    audit = Audit.objects.create(
        dossier=dossier,
        auditeur=(auditeur := AuditeurFactory()),
        organisme=auditeur.organisme,
        date_debut=dt.date.today(),
        date_fin=dt.date.today(),
    )
    constat = Constat.objects.create(audit=audit, critere=reponse.element.critere)
    return {
        "constat": constat,
        "document": Document.objects.create(dossier=dossier, type="autoevaluation"),
        "structure": network["ml_b"],
        "dossier": dossier,
        "reponse": reponse,
        "synthese": synthese,
        "preuve": preuve,
        "action": action,
        "invitation": invitation,
        "element": reponse.element,
        "critere": reponse.element.critere,
    }


def kwargs_for(name: str, route: str, objs: dict) -> dict:  # type: ignore[type-arg]
    kwargs: dict[str, object] = {}
    if "<int:pk>" in route:
        kwargs["pk"] = (
            objs["structure"].pk if route.startswith("structures/") else (objs["dossier"].pk)
        )
    providers = {
        "reponse_pk": objs["reponse"].pk,
        "synthese_pk": objs["synthese"].pk,
        "preuve_pk": objs["preuve"].pk,
        "empreinte": objs["preuve"].empreinte,
        "action_pk": objs["action"].pk,
        "invitation_pk": objs["invitation"].pk,
        "element_pk": objs["element"].pk,
        "code": objs["critere"].code,
        "numero": 1,
        "constat_pk": objs["constat"].pk,
        "document_pk": objs["document"].pk,
    }
    for key, value in providers.items():
        if f":{key}>" in route or f"<{key}>" in route:
            kwargs[key] = value
    return kwargs


def tenant_routes() -> list[tuple[str, str]]:
    return [
        (name, route)
        for name, route, _ in iter_patterns()
        if route.startswith(("structures/<", "dossiers/")) and name not in NOT_TENANT_SCOPED
    ]


def test_the_matrix_covers_every_tenant_url(foreign):
    import re

    for name, route in tenant_routes():
        params = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        assert params <= set(kwargs_for(name, route, foreign)), (
            f"{name} ({route}) : paramètre sans fournisseur dans ce test"
        )


@pytest.mark.parametrize("role", [Role.DIRECTION, Role.REFERENT_QUALITE, Role.LECTEUR])
def test_member_of_another_ml_gets_404_everywhere(foreign, network, role):
    client = client_for(member(network["ml_a"], role))
    before = (
        Reponse.objects.filter(niveau__isnull=False).count(),
        Action.objects.count(),
        Preuve.objects.count(),
        Invitation.objects.count(),
        Dossier.objects.get(pk=foreign["dossier"].pk).statut,
    )
    checked = 0
    for name, route in tenant_routes():
        url = reverse(name, kwargs=kwargs_for(name, route, foreign))
        get = client.get(url)
        assert get.status_code in (404, 405), f"GET {name} → {get.status_code}"
        post = client.post(url, {"version": 0, "niveau": "", "titre": "x", "motif": "x"})
        # 405 for a GET-only page: said before any lookup, it reveals nothing.
        assert post.status_code in (404, 405), f"POST {name} → {post.status_code}"
        checked += 1
    assert checked >= 20
    after = (
        Reponse.objects.filter(niveau__isnull=False).count(),
        Action.objects.count(),
        Preuve.objects.count(),
        Invitation.objects.count(),
        Dossier.objects.get(pk=foreign["dossier"].pk).statut,
    )
    assert after == before


def test_anonymous_is_sent_to_login_everywhere(foreign):
    client = Client()
    for name, route in tenant_routes():
        url = reverse(name, kwargs=kwargs_for(name, route, foreign))
        response = client.get(url)
        assert response.status_code in (302, 405), name
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("account_login")), name
