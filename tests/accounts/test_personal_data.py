"""Personal data: a person downloads what the platform keeps about them ("Mes données"), and a
national administrator deletes an account without losing the dossiers' history — the row stays,
pseudonymised, so every trace of the history still points to it and reads "Utilisateur
supprimé" (labelml/accounts/services.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.commission.models import Decision, Vote
from audits.forms import AssignationForm
from audits.models import Audit, Constat, ReponseEcart
from campagnes.autoevaluations.models import Reponse, Saisie
from campagnes.models import DossierTransition, DossierUserObjectPermission
from campagnes.plans.models import Action
from labelml.accounts.models import SuppressionCompte, User
from labelml.accounts.services import pseudonymise_user
from labelml.notifications.models import Notification
from labelml.structures.models import Auditeur, Membership, MembreCommission
from labelml.structures.roles import Role
from labelml.structures.services import accept_invitation, invite_member
from tests.conftest import client_for, member, with_totp

pytestmark = pytest.mark.django_db
PASSWORD = "mot-de-passe-solide-42"
PSEUDONYM = "Utilisateur supprimé"


@pytest.fixture
def sample(settings, tmp_path):  # type: ignore[no-untyped-def]
    """The complete labelled dossier of labelml.demo.samples, and its people."""
    settings.MEDIA_ROOT = tmp_path
    from labelml.demo.samples import build_complete_dossier

    dossier = build_complete_dossier()
    audit = Audit.objects.select_related("auditeur__user", "organisme").get(dossier=dossier)
    members = list(
        MembreCommission.objects.filter(seances__points__dossier=dossier)
        .select_related("user")
        .order_by("pk")
    )
    for m in members:  # the chair first
        with_totp(m.user)
    direction = Membership.objects.get(structure=dossier.structure, role=Role.DIRECTION).user
    admin = with_totp(
        Membership.objects.filter(role=Role.ADMIN_UNML).select_related("user").first().user
    )
    # A save of the self-assessment, as the autosave writes it, and a notification.
    reponse = Reponse.objects.filter(autoevaluation__dossier=dossier).first()
    Saisie.objects.create(
        autoevaluation=reponse.autoevaluation,
        reponse=reponse,
        champ="justification",
        valeur="Notre procédure d'accueil",
        version=1,
        user=direction,
    )
    Notification.objects.create(destinataire=direction, dossier=dossier, titre="Pour vous")
    direction.set_password(PASSWORD)
    direction.save()
    assert EmailAddress.objects.filter(user=direction, email=direction.email, primary=True).exists()
    return {
        "dossier": dossier,
        "audit": audit,
        "auditeur": with_totp(audit.auditeur.user),
        "members": members,
        "direction": direction,
        "admin": admin,
    }


def download(user: Any) -> dict[str, Any]:
    response = client_for(user).get(reverse("accounts:mes_donnees_download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


# --- Mes données ---------------------------------------------------------------------------------


def test_the_page_and_the_file_are_only_for_the_logged_in_person():
    for name in ("accounts:mes_donnees", "accounts:mes_donnees_download"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_page_shows_the_profile_and_links_the_download(sample):
    page = client_for(sample["direction"]).get(reverse("accounts:mes_donnees")).content.decode()
    assert sample["direction"].email in page
    assert reverse("accounts:mes_donnees_download") in page


def test_the_direction_downloads_what_they_wrote_and_decided(sample):
    direction, dossier = sample["direction"], sample["dossier"]
    data = download(direction)
    assert data["profil"]["email"] == direction.email
    assert data["adresses_email"] == [
        {"email": direction.email, "verifiee": True, "principale": True}
    ]
    assert data["adhesions"][0]["role"] == Role.DIRECTION
    assert data["adhesions"][0]["structure_id"] == dossier.structure_id
    assert [s["valeur"] for s in data["saisies_autoevaluation"]] == ["Notre procédure d'accueil"]
    assert len(data["actions_creees"]) == Action.objects.filter(created_by=direction).count() > 0
    assert len(data["reponses_aux_ecarts"]) == ReponseEcart.objects.filter(auteur=direction).count()
    # The steps in the words of the history page, never their code names.
    steps = DossierTransition.objects.filter(actor=direction, subject="dossier")
    assert {t["etape"] for t in data["etapes_des_dossiers"]} == {s.action_label for s in steps}
    codes = set(steps.values_list("action", flat=True))
    assert codes and not codes & {t["etape"] for t in data["etapes_des_dossiers"]}
    assert {t["structure"] for t in data["etapes_des_dossiers"]} == {dossier.structure.nom}
    assert [n["titre"] for n in data["notifications"]] == list(
        Notification.objects.filter(destinataire=direction)
        .order_by("created_at", "pk")
        .values_list("titre", flat=True)
    )
    # Nothing an auditor or a commission member did.
    assert data["constats"] == data["votes"] == data["decisions_enregistrees"] == []


def test_an_auditor_gets_their_findings_and_a_member_only_their_own_vote(sample):
    data = download(sample["auditeur"])
    assert len(data["constats"]) == Constat.objects.filter(audit=sample["audit"]).count() > 0
    assert data["rapports_d_audit"][0]["recommandation"] == sample["audit"].recommandation
    assert data["auditeur"][0]["organisme"] == sample["audit"].organisme.nom
    chair, *_ = sample["members"]
    assert Vote.objects.filter(point__dossier=sample["dossier"]).count() == 3
    votes = download(chair.user)["votes"]
    assert [(v["dossier"], v["choix"]) for v in votes] == [(sample["dossier"].pk, "favorable")]
    assert len(download(chair.user)["decisions_enregistrees"]) == 1


def test_the_file_holds_no_one_else_s_data_nor_any_secret(sample):
    with_totp(sample["direction"])
    raw = (
        client_for(sample["direction"])
        .get(reverse("accounts:mes_donnees_download"))
        .content.decode()
    )
    others = [sample["auditeur"], sample["admin"], *(m.user for m in sample["members"])]
    for other in others:
        assert other.email not in raw
    assert json.loads(raw)["double_authentification"][0]["type"] == "totp"
    assert "secret" not in raw.lower()
    assert "password" not in raw.lower()


def test_the_download_takes_the_same_number_of_queries_whatever_the_volume(sample, network):
    def count(user: Any) -> int:
        client = client_for(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("accounts:mes_donnees_download")).status_code == 200
        return len(queries)

    newcomer = member(network["ml_a"], Role.LECTEUR)
    assert count(sample["auditeur"]) == count(newcomer) == count(sample["direction"])


# --- Account deletion ----------------------------------------------------------------------------


def history_of(dossier: Any) -> dict[str, Any]:
    return {
        "transitions": list(
            DossierTransition.objects.filter(dossier=dossier)
            .order_by("pk")
            .values_list("pk", "action", "actor_id")
        ),
        "reponses": sorted(
            Reponse.objects.filter(autoevaluation__dossier=dossier).values_list(
                "pk", "niveau_id", "updated_by_id"
            )
        ),
        "actions": sorted(
            Action.objects.filter(plan__dossier=dossier).values_list("pk", "created_by_id")
        ),
        "constats": sorted(
            Constat.objects.filter(audit__dossier=dossier).values_list("pk", "niveau_id")
        ),
        "ecarts": sorted(
            ReponseEcart.objects.filter(constat__audit__dossier=dossier).values_list(
                "pk", "auteur_id"
            )
        ),
        "votes": sorted(
            Vote.objects.filter(point__dossier=dossier).values_list("membre_id", "choix")
        ),
        "decisions": list(
            Decision.objects.filter(dossier=dossier).values_list(
                "resultat", "decompte", "decide_par_id"
            )
        ),
        "audit": list(Audit.objects.filter(dossier=dossier).values_list("auditeur_id", "statut")),
    }


def test_deleting_an_account_keeps_the_history_under_the_pseudonym(sample):
    dossier, direction, admin = sample["dossier"], sample["direction"], sample["admin"]
    name = direction.get_full_name()
    before = history_of(dossier)
    assert DossierTransition.objects.filter(actor=direction).exists()

    trail = pseudonymise_user(actor=admin, user=direction, motif="Départ de la structure")

    assert history_of(dossier) == before
    user = User.objects.get(pk=direction.pk)
    assert str(user) == user.get_full_name() == PSEUDONYM
    assert user.email == f"supprime-{user.pk}@invalid"
    assert not user.is_active and not user.has_usable_password()
    assert trail == SuppressionCompte.objects.get(user=user)
    assert trail.par == admin and trail.motif == "Départ de la structure"
    assert trail.details["adhesions"] == 1
    for transition in DossierTransition.objects.filter(actor=user).select_related("actor"):
        assert str(transition.actor) == PSEUDONYM
    # Every page of the history shows the pseudonym, never the name or the address.
    page = (
        client_for(admin)
        .get(reverse("campagnes:dossier_history", args=[dossier.pk]))
        .content.decode()
    )
    assert PSEUDONYM in page
    assert name not in page and direction.email not in page


def test_the_deleted_person_loses_everything_that_let_them_act(sample):
    auditeur, admin, dossier = sample["auditeur"], sample["admin"], sample["dossier"]
    chair = sample["members"][0].user
    assert DossierUserObjectPermission.objects.filter(user=auditeur).exists()
    reason = DossierTransition.objects.get(dossier=dossier, action="assign_audit").reason
    assert auditeur.get_full_name() in reason

    pseudonymise_user(actor=admin, user=auditeur)
    pseudonymise_user(actor=admin, user=chair)

    assert not DossierUserObjectPermission.objects.filter(user=auditeur).exists()
    assert not Authenticator.objects.filter(user__in=[auditeur, chair]).exists()
    assert not Membership.objects.filter(user__in=[auditeur, chair]).exists()
    # The rows that the audit and the votes point to stay, but no longer act.
    assert Auditeur.objects.filter(user=auditeur).exists()
    assert not MembreCommission.objects.get(user=chair).actif
    assert Vote.objects.filter(point__dossier=dossier).count() == 3
    assert auditeur.auditeur not in AssignationForm().fields["auditeur"].queryset
    # The name written into the history's texts is replaced as well.
    reason = DossierTransition.objects.get(dossier=dossier, action="assign_audit").reason
    assert auditeur.get_full_name() not in reason and PSEUDONYM in reason
    # The dossier (granted to the auditor) is out of reach, even with an old session.
    client = client_for(auditeur)
    assert client.get(reverse("campagnes:dossier_detail", args=[dossier.pk])).status_code == 302


def test_the_person_can_no_longer_log_in_nor_reset_the_password(sample):
    direction, admin = sample["direction"], sample["admin"]
    email = direction.email
    client = Client()
    assert client.post(reverse("account_login"), {"login": email, "password": PASSWORD})[
        "Location"
    ] == reverse("home")
    assert client.get(reverse("home")).status_code == 200

    pseudonymise_user(actor=admin, user=direction)

    # The open session ends.
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # Logging in again fails, with the old address as with the new one.
    for login in (email, f"supprime-{direction.pk}@invalid"):
        response = Client().post(reverse("account_login"), {"login": login, "password": PASSWORD})
        assert response.status_code == 200
    assert not EmailAddress.objects.filter(user=direction).exists()
    # No reset link is sent to the old address.
    mail.outbox.clear()
    Client().post(reverse("account_reset_password"), {"email": email})
    assert not any("/password/reset/key/" in m.body for m in mail.outbox)


def test_the_address_can_be_invited_again_as_a_new_account(sample):
    direction, admin, dossier = sample["direction"], sample["admin"], sample["dossier"]
    email = direction.email
    pseudonymise_user(actor=admin, user=direction)
    invitation = invite_member(
        actor=admin, structure=dossier.structure, email=email, role=Role.DIRECTION
    )
    membership = accept_invitation(
        token=invitation.token, first_name="Karim", last_name="Benali", password=PASSWORD
    )
    assert membership.user.email == email and membership.user.pk != direction.pk
    # The history stays with the deleted account, not with the new one.
    assert not DossierTransition.objects.filter(actor=membership.user).exists()
    assert DossierTransition.objects.filter(actor_id=direction.pk).exists()


def test_the_last_national_administrator_and_oneself_cannot_be_deleted(sample, network):
    admin = sample["admin"]
    with pytest.raises(ValidationError, match="dernier administrateur"):
        pseudonymise_user(actor=admin, user=admin)
    other = with_totp(member(network["unml"], Role.ADMIN_UNML))
    with pytest.raises(ValidationError, match="propre compte"):
        pseudonymise_user(actor=admin, user=admin)
    pseudonymise_user(actor=other, user=admin)
    with pytest.raises(ValidationError, match="déjà supprimé"):
        pseudonymise_user(actor=other, user=admin)


def test_an_administrator_deleted_meanwhile_deletes_nothing(sample, network):
    admin, direction = sample["admin"], sample["direction"]
    other = with_totp(member(network["unml"], Role.ADMIN_UNML))
    from labelml.structures.selectors import is_national_admin

    assert is_national_admin(admin)  # read (and cached) before the other's deletion
    pseudonymise_user(actor=other, user=admin)
    with pytest.raises(PermissionDenied):
        pseudonymise_user(actor=admin, user=direction)
    assert User.objects.get(pk=direction.pk).is_active


def test_only_national_administrators_delete_accounts(sample, network):
    direction = sample["direction"]
    referent = member(sample["dossier"].structure, Role.REFERENT_QUALITE)
    with pytest.raises(PermissionDenied):
        pseudonymise_user(actor=referent, user=direction)
    url = reverse("accounts:utilisateur_delete", args=[direction.pk])
    for name, args in (
        ("accounts:utilisateur_list", []),
        ("accounts:utilisateur_delete", [direction.pk]),
    ):
        assert client_for(referent).get(reverse(name, args=args)).status_code == 404
        response = Client().get(reverse(name, args=args))
        assert response["Location"].startswith(reverse("account_login"))
    assert client_for(referent).post(url, {"confirmer": "on"}).status_code == 404
    assert User.objects.get(pk=direction.pk).is_active


def test_the_administrator_confirms_the_deletion_on_its_page(sample):
    direction, admin = sample["direction"], sample["admin"]
    client = client_for(admin)
    listing = client.get(reverse("accounts:utilisateur_list"), {"q": direction.last_name})
    url = reverse("accounts:utilisateur_delete", args=[direction.pk])
    assert url in listing.content.decode()
    assert client.get(url).status_code == 200
    # Without the confirmation, nothing happens.
    assert client.post(url, {"motif": "x"}).status_code == 400
    assert User.objects.get(pk=direction.pk).is_active
    response = client.post(url, {"confirmer": "on", "motif": "Demande de la personne"})
    assert response.status_code == 302
    assert not User.objects.get(pk=direction.pk).is_active
    # Once deleted, the list shows the pseudonym without the address, and no second deletion.
    listing = client.get(reverse("accounts:utilisateur_list"), {"q": "supprimé"}).content.decode()
    assert PSEUDONYM in listing and url not in listing
    assert client.get(url).status_code == 302
