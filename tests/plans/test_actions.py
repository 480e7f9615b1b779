"""Creating, editing and deleting actions: who may, what is checked, what is kept on error."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from campagnes.plans.models import Action
from labelml.structures.roles import Role
from referentiel.models import Critere, Referentiel, Section
from tests.conftest import client_for, member

from .conftest import (
    action_payload,
    checked_values,
    critere,
    element,
    input_value,
    make_action,
    rate,
    selected_value,
)

pytestmark = pytest.mark.django_db


def create_url(dossier):  # type: ignore[no-untyped-def]
    return reverse("plans:plan_action_create", args=[dossier.pk])


def edit_url(dossier, action):  # type: ignore[no-untyped-def]
    return reverse("plans:plan_action_edit", args=[dossier.pk, action.pk])


@pytest.mark.parametrize("role", ["referent", "direction"])
def test_referent_and_direction_create_an_action_with_every_field(request, dossier, role):
    user = request.getfixturevalue(role)
    owner = member(dossier.structure, Role.CONTRIBUTEUR)
    response = client_for(user).post(
        create_url(dossier),
        action_payload(dossier, responsable=owner.pk, statut="en_cours", avancement="30"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan_detail", args=[dossier.pk])
    action = Action.objects.get(plan__dossier=dossier)
    assert action.titre == "Formaliser le projet associatif"
    assert action.description == "Rédiger puis faire voter le projet."
    assert {c.code for c in action.criteres.all()} == {"1.1", "1.2"}
    assert action.responsable == owner
    assert action.echeance == date(2026, 9, 30)
    assert (action.priorite, action.statut, action.avancement) == ("haute", "en_cours", 30)
    assert action.origine == Action.Origine.MANUELLE
    assert action.created_by == user


def test_the_new_owner_is_notified(dossier, referent):
    from labelml.notifications.models import Notification

    owner = member(dossier.structure, Role.LECTEUR)
    client_for(referent).post(create_url(dossier), action_payload(dossier, responsable=owner.pk))
    notification = Notification.objects.get(destinataire=owner)
    assert "Formaliser le projet associatif" in notification.titre
    assert (
        notification.url
        == reverse("plans:plan_detail", args=[dossier.pk]) + f"?responsable={owner.pk}"
    )


def test_the_form_page_lists_the_campaign_criteria_and_the_structure_members(dossier, referent):
    colleague = member(dossier.structure, Role.CONTRIBUTEUR)
    stranger = member(dossier.structure.parent, Role.REFERENT_ARML)
    html = client_for(referent).get(create_url(dossier)).content.decode()
    assert f'value="{critere(dossier, "5.4").pk}"' in html
    assert f'<option value="{colleague.pk}">' in html
    assert f'<option value="{stranger.pk}">' not in html


@pytest.mark.parametrize("role", ["referent", "direction"])
def test_referent_and_direction_edit_an_action(request, dossier, role):
    user = request.getfixturevalue(role)
    action = make_action(dossier, titre="Ancien titre", criteres=("1.1",))
    response = client_for(user).post(
        edit_url(dossier, action),
        action_payload(
            dossier,
            titre="Nouveau titre",
            criteres=[critere(dossier, "2.1").pk],
            statut="en_cours",
            avancement="50",
            echeance="2027-01-15",
        ),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.titre == "Nouveau titre"
    assert [c.code for c in action.criteres.all()] == ["2.1"]
    assert (action.statut, action.avancement, action.echeance) == (
        "en_cours",
        50,
        date(2027, 1, 15),
    )


@pytest.mark.parametrize("role", ["referent", "direction"])
def test_referent_and_direction_delete_an_action(request, dossier, role):
    user = request.getfixturevalue(role)
    action = make_action(dossier)
    kept = make_action(dossier, titre="Gardée")
    response = client_for(user).post(
        reverse("plans:plan_action_delete", args=[dossier.pk, action.pk])
    )
    assert response.status_code == 302
    assert list(Action.objects.filter(plan__dossier=dossier)) == [kept]


def test_edit_form_is_prefilled_with_the_action(dossier, referent):
    action = make_action(
        dossier,
        titre="Réviser la charte d'accueil",
        criteres=("4.1.1",),
        echeance=date(2026, 11, 3),
        avancement=40,
        statut="en_cours",
    )
    html = client_for(referent).get(edit_url(dossier, action)).content.decode()
    assert input_value(html, "titre") == "Réviser la charte d&#x27;accueil"
    assert input_value(html, "echeance") == "2026-11-03"
    assert input_value(html, "avancement") == "40"
    assert checked_values(html, "criteres") == {str(critere(dossier, "4.1.1").pk)}
    assert selected_value(html, "statut") == "en_cours"


# --- Progress rules ------------------------------------------------------------------------


@pytest.mark.parametrize("untouched", ["", "0"])
def test_status_fait_sets_progress_to_100_when_none_is_given(dossier, referent, untouched):
    client_for(referent).post(
        create_url(dossier), action_payload(dossier, statut="fait", avancement=untouched)
    )
    assert Action.objects.get(plan__dossier=dossier).avancement == 100


def test_status_fait_keeps_the_progress_typed_by_the_person(dossier, referent):
    client_for(referent).post(
        create_url(dossier), action_payload(dossier, statut="fait", avancement="80")
    )
    assert Action.objects.get(plan__dossier=dossier).avancement == 80


def test_switching_an_action_to_fait_without_touching_progress_sets_100(dossier, referent):
    action = make_action(dossier, statut="en_cours", avancement=40)
    client_for(referent).post(
        edit_url(dossier, action), action_payload(dossier, statut="fait", avancement="40")
    )
    action.refresh_from_db()
    assert (action.statut, action.avancement) == ("fait", 100)


def test_editing_an_action_without_touching_progress_keeps_it(dossier, referent):
    action = make_action(dossier, statut="en_cours", avancement=40)
    client_for(referent).post(
        edit_url(dossier, action),
        action_payload(dossier, statut="en_cours", avancement="40", titre="Renommée"),
    )
    action.refresh_from_db()
    assert (action.titre, action.avancement) == ("Renommée", 40)


# --- Bad input: 400, French message, nothing written, nothing typed lost ---------------------


def other_referentiel_critere() -> Critere:
    ref = Referentiel.objects.create(
        code="ARML-UNML", version=1, titre="Autre", statut="publie", cible="arml", empreinte="x"
    )
    section = Section.objects.create(referentiel=ref, code="1", titre="Partie", ordre=1)
    return Critere.objects.create(
        referentiel=ref,
        section=section,
        code="9.9",
        titre="Critère d'un autre référentiel",
        ordre=1,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"titre": ""}, "Donnez un titre à l&#x27;action."),
        ({"criteres": []}, "Rattachez l&#x27;action à au moins un critère du référentiel."),
        ({"avancement": "150"}, "L&#x27;avancement est un pourcentage entre 0 et 100."),
        ({"avancement": "-5"}, "L&#x27;avancement est un pourcentage entre 0 et 100."),
        ({"echeance": "31/02/2026"}, "Saisissez une date valide"),
        ({"priorite": "urgente"}, "Choisissez une priorité de la liste."),
    ],
)
def test_bad_input_is_refused_with_a_french_message_and_nothing_written(
    dossier, referent, overrides, message
):
    payload = action_payload(dossier, titre="Titre saisi", description="Texte saisi à garder")
    payload.update(overrides)
    response = client_for(referent).post(create_url(dossier), payload)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Texte saisi à garder" in html
    assert not Action.objects.filter(plan__dossier=dossier).exists()


def test_owner_outside_the_structure_is_refused(dossier, referent, network):
    foreigner = member(network["ml_a2"], Role.REFERENT_QUALITE)
    response = client_for(referent).post(
        create_url(dossier), action_payload(dossier, responsable=foreigner.pk)
    )
    assert response.status_code == 400
    assert f"Le responsable doit être membre de {dossier.structure.nom}." in (
        response.content.decode()
    )
    assert not Action.objects.exists()


def test_criterion_of_another_referentiel_is_refused(dossier, referent):
    foreign = other_referentiel_critere()
    response = client_for(referent).post(
        create_url(dossier),
        action_payload(dossier, criteres=[critere(dossier, "1.1").pk, foreign.pk]),
    )
    assert response.status_code == 400
    assert "n&#x27;appartient pas au référentiel de la campagne" in response.content.decode()
    assert not Action.objects.exists()


def test_a_refused_edit_changes_nothing_and_keeps_what_was_typed(dossier, referent):
    action = make_action(dossier, titre="Titre d'origine", avancement=10)
    response = client_for(referent).post(
        edit_url(dossier, action),
        action_payload(dossier, titre="Titre retapé", avancement="250"),
    )
    assert response.status_code == 400
    assert input_value(response.content.decode(), "titre") == "Titre retapé"
    action.refresh_from_db()
    assert (action.titre, action.avancement) == ("Titre d'origine", 10)


def test_element_source_must_keep_its_criterion(dossier, referent):
    response = client_for(referent).post(
        create_url(dossier),
        action_payload(
            dossier,
            element_source=element(dossier, "2.1.e1").pk,
            criteres=[critere(dossier, "1.1").pk],
        ),
    )
    assert response.status_code == 400
    assert "gardez son critère 2.1" in response.content.decode()
    assert not Action.objects.exists()


def test_service_refuses_an_owner_outside_the_structure(dossier, referent, network):
    from django.core.exceptions import ValidationError

    from campagnes.plans.services import create_action

    with pytest.raises(ValidationError) as exc:
        create_action(
            actor=referent,
            dossier=dossier,
            titre="X",
            criteres=[critere(dossier, "1.1")],
            responsable=member(network["ml_b"], Role.DIRECTION),
        )
    assert "responsable" in exc.value.message_dict
    assert not Action.objects.exists()


# --- Prefill from a suggestion ------------------------------------------------------------


def test_create_form_is_prefilled_from_critere_and_element(dossier, referent):
    rate(dossier, "1.2.e2", "1")
    html = (
        client_for(referent)
        .get(create_url(dossier) + "?critere=1.2&element=1.2.e2")
        .content.decode()
    )
    target = element(dossier, "1.2.e2")
    assert input_value(html, "element_source") == str(target.pk)
    assert input_value(html, "titre") == (
        "La gouvernance définit les orientations prioritaires de l&#x27;action de la Mission Locale"
    )
    assert checked_values(html, "criteres") == {str(critere(dossier, "1.2").pk)}
    assert selected_value(html, "priorite") == "haute"  # rated 1


def test_prefill_from_a_level_2_element_suggests_medium_priority_and_criterion_only(
    dossier, referent
):
    rate(dossier, "1.2.e2", "2")
    html = client_for(referent).get(create_url(dossier) + "?element=1.2.e2").content.decode()
    assert selected_value(html, "priorite") == "moyenne"
    html = client_for(referent).get(create_url(dossier) + "?critere=3.2").content.decode()
    assert checked_values(html, "criteres") == {str(critere(dossier, "3.2").pk)}
    assert input_value(html, "element_source") is None


def test_create_from_prefilled_form_records_the_suggestion_origin(dossier, referent):
    target = element(dossier, "1.2.e2")
    client_for(referent).post(
        create_url(dossier),
        action_payload(dossier, element_source=target.pk, criteres=[target.critere.pk]),
    )
    action = Action.objects.get()
    assert (action.element_source, action.origine) == (target, Action.Origine.SUGGESTION)


def test_unknown_prefill_codes_are_ignored(dossier, referent):
    response = client_for(referent).get(create_url(dossier) + "?critere=99&element=nope")
    assert response.status_code == 200
    html = response.content.decode()
    assert input_value(html, "element_source") is None
    assert checked_values(html, "criteres") == set()


# --- Concurrent edits -----------------------------------------------------------------------


def test_a_concurrent_edit_is_not_silently_overwritten(dossier, referent, direction):
    action = make_action(dossier, titre="Version initiale")
    html = client_for(referent).get(edit_url(dossier, action)).content.decode()
    version = input_value(html, "version")
    assert version
    # The direction saves first…
    client_for(direction).post(
        edit_url(dossier, action),
        action_payload(dossier, titre="Version de la direction", version=version),
    )
    # …then the referent submits the form opened on the old version.
    response = client_for(referent).post(
        edit_url(dossier, action),
        action_payload(dossier, titre="Version du référent", version=version),
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "modifiée par quelqu&#x27;un d&#x27;autre" in body
    assert "Version de la direction" in body  # what was saved meanwhile
    assert input_value(body, "titre") == "Version du référent"  # what the referent typed
    action.refresh_from_db()
    assert action.titre == "Version de la direction"
    # Submitting again (with the refreshed version) applies the referent's values knowingly.
    new_version = input_value(body, "version")
    assert new_version != version
    client_for(referent).post(
        edit_url(dossier, action),
        action_payload(dossier, titre="Version du référent", version=new_version),
    )
    action.refresh_from_db()
    assert action.titre == "Version du référent"


# --- Follow-up actions added by the workflow -----------------------------------------------


def test_followup_actions_are_added_after_the_editing_window(dossier, admin_unml):
    from campagnes.models import Dossier
    from campagnes.plans.services import add_followup_action

    from .conftest import set_statut

    set_statut(dossier, Dossier.Statut.LABELLISE_SOUS_RESERVE)
    action = add_followup_action(
        dossier=dossier,
        titre="Lever la réserve sur l'accueil",
        criteres=[critere(dossier, "4.1.1")],
        origine=Action.Origine.RESERVE,
        echeance=date(2027, 6, 30),
        actor=admin_unml,
    )
    assert action.plan == dossier.plan
    assert (action.origine, action.priorite, action.echeance) == (
        "reserve",
        "haute",
        date(2027, 6, 30),
    )
    with pytest.raises(ValueError):
        add_followup_action(
            dossier=dossier, titre="X", criteres=[critere(dossier, "1.1")], origine="manuelle"
        )
    assert Action.objects.filter(plan__dossier=dossier).count() == 1
