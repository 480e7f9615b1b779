"""Who sees which dossier once audits are assigned (SPEC §2): an auditor sees the dossiers
assigned to them, the lead auditor of a body the audits of that body, nobody else anything —
and outside one's scope a dossier answers 404, exactly like a missing one."""

from __future__ import annotations

import pytest
from django.http import Http404

from audits.selectors import missions_for_user
from campagnes.models import Dossier
from campagnes.selectors import get_dossier_for_user
from labelml.structures.roles import Role
from tests.audits.conftest import assign, to_audit_a_planifier
from tests.conftest import client_for, member
from tests.factories import AuditeurFactory


def _urls(dossier: Dossier) -> list[str]:
    return [f"/dossiers/{dossier.pk}/", f"/dossiers/{dossier.pk}/autoevaluation/"]


@pytest.fixture
def second(other_dossier, admin, collegue):  # type: ignore[no-untyped-def]
    """The dossier of ML A2 (same campaign), assigned to the colleague of the same body."""
    to_audit_a_planifier(other_dossier, member(other_dossier.structure, Role.DIRECTION))
    return assign(other_dossier, admin, collegue)


@pytest.fixture
def unassigned(campagne, network, admin):  # type: ignore[no-untyped-def]
    """A third dossier of the same campaign (ML B), waiting for its audit."""
    from tests.campagnes.conftest import open_dossier

    d = open_dossier(admin, campagne, network["ml_b"])
    return to_audit_a_planifier(d, member(network["ml_b"], Role.DIRECTION))


def _assert_hidden(user, dossier):  # type: ignore[no-untyped-def]
    assert not Dossier.objects.for_user(user).filter(pk=dossier.pk).exists()
    with pytest.raises(Http404):
        get_dossier_for_user(user, dossier.pk)
    client = client_for(user)
    for url in _urls(dossier):
        assert client.get(url).status_code == 404, url


def _assert_visible(user, dossier):  # type: ignore[no-untyped-def]
    assert Dossier.objects.for_user(user).filter(pk=dossier.pk).exists()
    assert get_dossier_for_user(user, dossier.pk) == dossier
    client = client_for(user)
    for url in _urls(dossier):
        assert client.get(url).status_code == 200, url


def test_the_assigned_auditor_sees_their_dossier(assigned, auditeur):
    _assert_visible(auditeur.user, assigned.dossier)


def test_an_auditor_does_not_see_another_dossier_of_the_same_campaign(
    assigned, unassigned, auditeur
):
    assert unassigned.campagne == assigned.dossier.campagne
    _assert_hidden(auditeur.user, unassigned)


def test_an_auditor_does_not_see_a_dossier_assigned_to_a_colleague_of_the_same_body(
    assigned, second, auditeur, collegue
):
    _assert_hidden(auditeur.user, second.dossier)
    _assert_hidden(collegue.user, assigned.dossier)
    _assert_visible(collegue.user, second.dossier)


def test_an_auditor_sees_exactly_their_dossiers(assigned, second, unassigned, auditeur):
    assert list(Dossier.objects.for_user(auditeur.user)) == [assigned.dossier]


def test_an_auditor_not_yet_assigned_sees_nothing(planifiable, auditeur):
    assert not Dossier.objects.for_user(auditeur.user).exists()
    _assert_hidden(auditeur.user, planifiable)


def test_a_lead_auditor_of_another_body_sees_404(assigned, second, other_lead):
    assert not Dossier.objects.for_user(other_lead.user).exists()
    _assert_hidden(other_lead.user, assigned.dossier)
    _assert_hidden(other_lead.user, second.dossier)


def test_the_lead_auditor_of_the_body_sees_the_audits_of_the_body_only(
    assigned, second, unassigned, lead
):
    _assert_visible(lead.user, assigned.dossier)
    _assert_visible(lead.user, second.dossier)
    _assert_hidden(lead.user, unassigned)
    assert set(Dossier.objects.for_user(lead.user)) == {assigned.dossier, second.dossier}


def test_a_lead_auditor_sees_nothing_before_an_audit_of_the_body_is_assigned(planifiable, lead):
    _assert_hidden(lead.user, planifiable)


def test_missions_for_user_lists_exactly_the_right_audits(
    assigned, second, unassigned, auditeur, collegue, lead, other_lead, people, admin
):
    other_body_auditor = AuditeurFactory(organisme=other_lead.organisme)

    assert list(missions_for_user(auditeur.user)) == [assigned]
    assert list(missions_for_user(collegue.user)) == [second]
    assert set(missions_for_user(lead.user)) == {assigned, second}
    assert missions_for_user(lead.user).count() == 2  # no duplicate rows
    assert not missions_for_user(other_lead.user).exists()
    assert not missions_for_user(other_body_auditor.user).exists()
    assert not missions_for_user(people.direction).exists()
    assert not missions_for_user(admin).exists()
