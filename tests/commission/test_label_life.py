"""The label's life (SPEC §7b, issue 8 point 3): suspension, lifting of a suspension and
withdrawal, with a motivation, by whom the campaign's rule designates; the public registry and
verification page reflect it at once; the structure is notified; an expired label shows as
expired with no job run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audits.commission import services
from audits.commission.models import Decision, Label, PointOrdreDuJour, Seance
from campagnes.models import Campagne, DossierTransition
from labelml.notifications.models import Notification
from labelml.structures.roles import Role
from tests.conftest import client_for, member, with_totp
from tests.factories import MembreCommissionFactory

pytestmark = pytest.mark.django_db

NUMERO = "LML-2026-00042"


def make_label(dossier: Any, *, numero: str = NUMERO, chair: Any = None, **dates: Any) -> Label:
    """A label granted on `dossier` (its decision recorded at a séance chaired by `chair`)."""
    today = timezone.localdate()
    seance = Seance.objects.create(
        date=timezone.now(), president=chair or MembreCommissionFactory()
    )
    point = PointOrdreDuJour.objects.create(seance=seance, dossier=dossier, vote="clos")
    decision = Decision.objects.create(
        point=point, dossier=dossier, resultat="labellise", motivation="Dossier solide."
    )
    return Label.objects.create(
        structure=dossier.structure,
        decision=decision,
        numero=numero,
        date_debut=dates.get("date_debut", today - dt.timedelta(days=30)),
        date_fin=dates.get("date_fin", today + dt.timedelta(days=3 * 365)),
    )


@pytest.fixture
def chair(db):  # type: ignore[no-untyped-def]
    """A commission member who chairs a séance, with no link to ML A."""
    return MembreCommissionFactory(user=with_totp(member_less_user()))


def member_less_user() -> Any:
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def label(dossier, chair, people):  # type: ignore[no-untyped-def]
    return make_label(dossier, chair=chair)


def fresh(label: Label) -> Label:
    return Label.objects.get(pk=label.pk)


def verify_html(label: Label) -> str:
    response = Client().get(reverse("commission:label_verify", args=[label.numero]))
    assert response.status_code == 200
    return response.content.decode()


def registry_html() -> str:
    return Client().get(reverse("commission:label_registry")).content.decode()


# --- the public pages change at once -------------------------------------------------------


def test_suspension_through_the_page_shows_at_once_on_the_public_pages(label, admin, people):
    assert "Label valide" in verify_html(label)
    assert label.numero in registry_html()

    response = client_for(admin).post(
        reverse("commission:label_suspend", args=[label.numero]),
        {"motivation": "Changement de gouvernance non déclaré."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("commission:label_detail", args=[label.numero])

    html = verify_html(label)
    today = timezone.localdate()
    assert "Label suspendu" in html and "Label valide" not in html
    from django.utils.formats import date_format

    assert f"depuis le {date_format(today, 'j F Y')}" in html
    # The motivation is for the structure and the network, not for the public page.
    assert "gouvernance non déclaré" not in html
    assert label.numero not in registry_html()

    event = label.journal.get()
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "suspension",
        "valide",
        "suspendu",
        admin,
    )
    assert event.reason == "Changement de gouvernance non déclaré."


def test_withdrawal_changes_the_verification_page_immediately_and_is_final(label, admin):
    services.withdraw_label(actor=admin, label=label, motivation="Manquements graves et répétés.")
    assert "Label retiré" in verify_html(label)
    assert label.numero not in registry_html()
    assert fresh(label).statut == Label.Statut.RETIRE
    for call in (services.suspend_label, services.reinstate_label, services.withdraw_label):
        with pytest.raises(ValidationError, match="définitif"):
            call(actor=admin, label=label, motivation="Encore")
    assert fresh(label).statut == Label.Statut.RETIRE
    assert label.journal.count() == 1


def test_a_suspended_label_can_be_withdrawn(label, admin):
    services.suspend_label(actor=admin, label=label, motivation="Enquête en cours.")
    services.withdraw_label(actor=admin, label=label, motivation="Enquête concluante.")
    assert fresh(label).statut == Label.Statut.RETIRE
    assert list(label.journal.values_list("from_state", "to_state")) == [
        ("valide", "suspendu"),
        ("suspendu", "retire"),
    ]


def test_lifting_the_suspension_makes_the_label_valid_and_listed_again(label, admin):
    services.suspend_label(actor=admin, label=label, motivation="Enquête en cours.")
    assert label.numero not in registry_html()
    services.reinstate_label(actor=admin, label=label, motivation="Enquête close sans suite.")
    assert fresh(label).statut == Label.Statut.VALIDE
    assert "Label valide" in verify_html(label)
    assert label.numero in registry_html()


def test_public_pages_are_never_cached(label):
    for url in (
        reverse("commission:label_verify", args=[label.numero]),
        reverse("commission:label_registry"),
    ):
        cache_control = Client().get(url)["Cache-Control"]
        assert "no-cache" in cache_control and "no-store" in cache_control


# --- state guards and motivation -----------------------------------------------------------


def test_state_guards(label, admin):
    with pytest.raises(ValidationError, match="n'est pas suspendu"):
        services.reinstate_label(actor=admin, label=label, motivation="Rien à lever")
    services.suspend_label(actor=admin, label=label, motivation="Enquête")
    with pytest.raises(ValidationError, match="déjà suspendu"):
        services.suspend_label(actor=admin, label=label, motivation="Encore")
    assert label.journal.count() == 1


def test_an_expired_label_can_be_neither_suspended_nor_withdrawn(dossier, admin):
    today = timezone.localdate()
    label = make_label(
        dossier, date_debut=today - dt.timedelta(days=1100), date_fin=today - dt.timedelta(days=1)
    )
    for call in (services.suspend_label, services.withdraw_label):
        with pytest.raises(ValidationError, match="a expiré"):
            call(actor=admin, label=label, motivation="Trop tard")
    assert fresh(label).statut == Label.Statut.VALIDE
    assert not DossierTransition.objects.filter(subject="label").exists()


@pytest.mark.parametrize("motivation", ["", "   \n  "])
def test_the_motivation_is_required(label, admin, motivation):
    before = Notification.objects.count()
    for call in (services.suspend_label, services.withdraw_label):
        with pytest.raises(ValidationError, match="La motivation est obligatoire"):
            call(actor=admin, label=label, motivation=motivation)
    assert fresh(label).statut == Label.Statut.VALIDE
    assert not DossierTransition.objects.filter(subject="label").exists()
    assert Notification.objects.count() == before


def test_the_page_refuses_an_empty_motivation_with_a_french_error(label, admin):
    response = client_for(admin).post(
        reverse("commission:label_withdraw", args=[label.numero]), {"motivation": "  "}
    )
    assert response.status_code == 400
    assert "La motivation est obligatoire." in response.content.decode()
    assert fresh(label).statut == Label.Statut.VALIDE


def test_nothing_half_applies_when_the_notification_fails(label, admin, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("panne de la messagerie")

    # Where the label's services look it up.
    monkeypatch.setattr(services, "notify_structure", broken)
    with pytest.raises(RuntimeError):
        services.suspend_label(actor=admin, label=label, motivation="Enquête")
    assert fresh(label).statut == Label.Statut.VALIDE
    assert not DossierTransition.objects.filter(subject="label").exists()


# --- notifications -------------------------------------------------------------------------


def test_the_structure_its_arml_and_the_national_admins_are_notified(label, admin, people):
    services.suspend_label(actor=admin, label=label, motivation="Enquête en cours.")
    notified = set(
        Notification.objects.filter(titre__contains=label.numero).values_list(
            "destinataire_id", flat=True
        )
    )
    assert {people.direction.pk, people.referent.pk, people.arml.pk, admin.pk} <= notified
    assert people.outsider.pk not in notified and people.lecteur.pk not in notified
    direction = Notification.objects.get(destinataire=people.direction)
    assert "suspendu" in direction.titre and direction.message == "Enquête en cours."


# --- who may act: the campaign's rule ------------------------------------------------------


def test_under_the_commission_rule_a_seance_chair_may_act(label, chair):
    assert label.decision.dossier.campagne.retrait_par == Campagne.RetraitPar.COMMISSION
    assert services.may_change_label_status(chair.user, label)
    services.suspend_label(actor=chair.user, label=label, motivation="Décision de la commission")
    assert fresh(label).statut == Label.Statut.SUSPENDU
    response = client_for(chair.user).post(
        reverse("commission:label_reinstate", args=[label.numero]),
        {"motivation": "Levée par la commission"},
    )
    assert response.status_code == 302
    assert fresh(label).statut == Label.Statut.VALIDE


def test_a_plain_commission_member_may_see_but_not_act(label):
    plain = MembreCommissionFactory(user=with_totp(member_less_user()))
    with pytest.raises(PermissionDenied):
        services.suspend_label(actor=plain.user, label=label, motivation="x")
    client = client_for(plain.user)
    page = client.get(reverse("commission:label_detail", args=[label.numero]))
    assert page.status_code == 200 and "Suspendre le label" not in page.content.decode()
    post = client.post(
        reverse("commission:label_suspend", args=[label.numero]), {"motivation": "x"}
    )
    assert post.status_code == 403
    assert fresh(label).statut == Label.Statut.VALIDE


def test_a_chair_linked_to_the_structure_or_its_arml_may_not_act(label, network):
    for structure in (network["ml_a"], network["arml_a"]):
        linked = MembreCommissionFactory(
            user=with_totp(
                member(structure, Role.REFERENT_ARML if structure.type == "arml" else Role.LECTEUR)
            )
        )
        Seance.objects.create(date=timezone.now(), president=linked)
        assert not services.may_change_label_status(linked.user, label)
        with pytest.raises(PermissionDenied):
            services.withdraw_label(actor=linked.user, label=label, motivation="x")


def test_under_the_unml_rule_only_national_admins_act(label, chair, admin):
    Campagne.objects.filter(pk=label.decision.dossier.campagne_id).update(
        retrait_par=Campagne.RetraitPar.UNML
    )
    label = fresh(label)
    with pytest.raises(PermissionDenied, match="administrateurs UNML"):
        services.suspend_label(actor=chair.user, label=label, motivation="x")
    assert (
        client_for(chair.user)
        .post(reverse("commission:label_suspend", args=[label.numero]), {"motivation": "x"})
        .status_code
        == 403
    )
    services.suspend_label(actor=admin, label=label, motivation="Décision de l'UNML")
    assert fresh(label).statut == Label.Statut.SUSPENDU


def test_the_campaign_form_sets_the_rule_commission_by_default(referentiel_ml):
    from campagnes.forms import CampagneForm

    data = {
        "nom": "Campagne 2027",
        "referentiel": referentiel_ml.pk,
        "date_ouverture": "2027-01-04",
        "date_cloture_autoevaluation": "2027-06-30",
        "delai_reponse_jours": "30",
        "validite_label_annees": "3",
    }
    form = CampagneForm(data=data)
    assert form.is_valid(), form.errors
    assert form.save().retrait_par == Campagne.RetraitPar.COMMISSION
    form = CampagneForm(data={**data, "nom": "Campagne 2028", "retrait_par": "unml"})
    assert form.is_valid(), form.errors
    assert form.save().retrait_par == Campagne.RetraitPar.UNML
    assert not CampagneForm(data={**data, "retrait_par": "ministre"}).is_valid()


# --- the label's page: 404 outside, 403 for who sees but may not act -------------------------


def test_members_who_see_the_label_get_403_on_actions(label, people):
    for user in (people.direction, people.referent, people.lecteur, people.arml):
        client = client_for(user)
        page = client.get(reverse("commission:label_detail", args=[label.numero]))
        assert page.status_code == 200
        html = page.content.decode()
        assert label.numero in html and "Suspendre le label" not in html
        for name in (
            "commission:label_suspend",
            "commission:label_withdraw",
            "commission:label_reinstate",
        ):
            response = client.post(reverse(name, args=[label.numero]), {"motivation": "x"})
            assert response.status_code == 403, (user, name)
    assert fresh(label).statut == Label.Statut.VALIDE
    assert not DossierTransition.objects.filter(subject="label").exists()


def test_outsiders_get_404_as_for_an_unknown_number(label, people, network):
    other_arml = member(network["arml_b"], Role.REFERENT_ARML)
    for user in (people.outsider, people.outsider_referent, other_arml):
        client = client_for(user)
        for name in (
            "commission:label_detail",
            "commission:label_suspend",
            "commission:label_withdraw",
            "commission:label_reinstate",
        ):
            url = reverse(name, args=[label.numero])
            assert client.get(url).status_code in (404, 405), (user, name)
            assert client.post(url, {"motivation": "x"}).status_code == 404, (user, name)
        assert (
            client.get(reverse("commission:label_detail", args=["LML-1999-00000"])).status_code
            == 404
        )
        assert label.numero not in client.get(reverse("commission:label_list")).content.decode()
    assert fresh(label).statut == Label.Statut.VALIDE


def test_anonymous_is_sent_to_login(label):
    for name in ("commission:label_list", "commission:label_detail", "commission:label_suspend"):
        url = (
            reverse(name) if name == "commission:label_list" else reverse(name, args=[label.numero])
        )
        response = (
            Client().get(url) if name != "commission:label_suspend" else Client().post(url, {})
        )
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_admin_page_offers_the_forms_matching_the_status(label, admin):
    client = client_for(admin)
    html = client.get(reverse("commission:label_detail", args=[label.numero])).content.decode()
    assert "Suspendre le label" in html and "Retirer définitivement" in html
    assert "Lever la suspension" not in html
    services.suspend_label(actor=admin, label=label, motivation="Enquête en cours.")
    html = client.get(reverse("commission:label_detail", args=[label.numero])).content.decode()
    assert "Lever la suspension" in html and "Retirer définitivement" in html
    assert "Suspendre le label" not in html and "Enquête en cours." in html
    listing = client.get(reverse("commission:label_list")).content.decode()
    assert label.numero in listing and "Suspendu" in listing


# --- expiry: computed on the day, no job -----------------------------------------------------


def test_an_expired_label_shows_expired_without_any_job(dossier):
    today = timezone.localdate()
    label = make_label(
        dossier,
        date_debut=today - dt.timedelta(days=3 * 365),
        date_fin=today - dt.timedelta(days=1),
    )
    assert fresh(label).statut == Label.Statut.VALIDE  # nothing rewrote the row
    html = verify_html(label)
    assert "Label expiré" in html and "Label valide" not in html
    from django.utils.formats import date_format

    assert f"fin de validité : {date_format(label.date_fin, 'j F Y')}" in html
    assert label.numero not in registry_html()
