"""A practice's life: proposed (by the auditor from a "point fort", by the structure, by its
ARML), consented to by the direction, published or refused by the UNML, consent withdrawn at
any time — each step in the dossier's one journal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from audits.pratiques import services
from audits.pratiques.models import Pratique
from campagnes.models import DossierTransition
from labelml.core.transitions import TransitionError
from tests.audits.conftest import constat as constat_of

from .conftest import propose, publish

pytestmark = pytest.mark.django_db
Statut = Pratique.Statut


def steps(pratique: Pratique) -> list[tuple[str, str, str, int | None]]:
    return list(
        DossierTransition.objects.filter(subject="pratique", subject_id=pratique.pk)
        .order_by("pk")
        .values_list("action", "from_state", "to_state", "actor_id")
    )


def test_the_auditor_proposes_from_a_point_fort_and_the_journal_keeps_it(point_fort, auditeur):
    dossier = point_fort.audit.dossier
    pratique = propose(dossier, auditeur.user, constat=point_fort)
    assert pratique.source == Pratique.Source.AUDIT
    assert pratique.statut == Statut.PROPOSEE and pratique.consentement == "aucun"
    assert pratique.structure == dossier.structure and pratique.constat == point_fort
    assert steps(pratique) == [("propose", "", "proposee", auditeur.user.pk)]
    row = DossierTransition.objects.get(subject="pratique", subject_id=pratique.pk)
    assert row.dossier_id == dossier.pk and row.action_label == "Pratique proposée"


def test_only_the_audits_own_auditor_proposes_and_only_from_a_point_fort(
    point_fort, collegue, auditeur, started
):
    dossier = point_fort.audit.dossier
    with pytest.raises(PermissionDenied):
        propose(dossier, collegue.user, constat=point_fort)
    conforme = constat_of(started, "1.1")
    with pytest.raises(PermissionDenied):
        propose(dossier, auditeur.user, constat=conforme)
    assert not Pratique.objects.exists()


def test_the_structure_and_its_arml_propose_but_a_reader_or_an_outsider_does_not(dossier, people):
    assert propose(dossier, people.referent).source == Pratique.Source.STRUCTURE
    assert propose(dossier, people.arml).source == Pratique.Source.ARML
    for user in (people.lecteur, people.contributeur, people.outsider):
        with pytest.raises(PermissionDenied):
            propose(dossier, user)


def test_criteria_are_required_and_must_be_the_campaigns(dossier, people):
    with pytest.raises(TransitionError):
        propose(dossier, people.referent, criteres=[])


def test_the_direction_consents_then_the_unml_publishes(proposee, people, admin):
    with pytest.raises(PermissionDenied):
        services.consent(proposee, people.referent, "reseau")
    services.consent(proposee, people.direction, "reseau")
    proposee.refresh_from_db()
    assert proposee.statut == Statut.CONSENTIE and proposee.consentement == "reseau"
    assert proposee.consentement_par == people.direction and proposee.consentement_le
    with pytest.raises(PermissionDenied):
        services.publish(proposee, people.direction)
    services.publish(proposee, admin)
    proposee.refresh_from_db()
    assert proposee.statut == Statut.PUBLIEE and proposee.publiee_le
    assert [s[0] for s in steps(proposee)] == ["propose", "consent_reseau", "publish"]


def test_the_unml_cannot_publish_without_the_directions_consent(proposee, admin):
    with pytest.raises(TransitionError):
        services.publish(proposee, admin)
    assert Pratique.objects.get(pk=proposee.pk).statut == Statut.PROPOSEE


def test_widening_the_consent_keeps_the_practice_published_and_is_journaled(
    proposee, people, admin
):
    publish(proposee, people.direction, admin, "reseau")
    services.consent(proposee, people.direction, "public")
    proposee.refresh_from_db()
    assert proposee.statut == Statut.PUBLIEE and proposee.consentement == "public"
    assert steps(proposee)[-1] == ("consent_public", "publiee", "publiee", people.direction.pk)


def test_withdrawing_consent_at_any_time_is_journaled_and_a_new_consent_goes_back_to_review(
    publiee, people, admin
):
    services.withdraw_consent(publiee, people.direction, "Le partenariat s'arrête.")
    publiee.refresh_from_db()
    assert publiee.statut == Statut.RETIREE and publiee.consentement == "aucun"
    action, from_state, to_state, actor = steps(publiee)[-1]
    assert (action, from_state, to_state, actor) == (
        "withdraw_consent",
        "publiee",
        "retiree",
        people.direction.pk,
    )
    services.consent(publiee, people.direction, "reseau")
    publiee.refresh_from_db()
    assert publiee.statut == Statut.CONSENTIE  # the UNML reviews it again


def test_a_refusal_needs_its_reason(proposee, people, admin):
    services.consent(proposee, people.direction, "reseau")
    with pytest.raises(TransitionError):
        services.refuse(proposee, admin, "  ")
    services.refuse(proposee, admin, "Pratique trop proche du socle commun.")
    proposee.refresh_from_db()
    assert proposee.statut == Statut.REFUSEE
    assert steps(proposee)[-1][0] == "refuse"


def test_a_published_practice_is_always_consented_to(proposee, people, admin):
    """The database refuses a published practice without consent (check constraint)."""
    from django.db import IntegrityError, transaction

    publish(proposee, people.direction, admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pratique.objects.filter(pk=proposee.pk).update(consentement="aucun")


def test_who_acts_next_is_notified(proposee, people, admin):
    from labelml.notifications.models import Notification

    def last_for(user) -> str:  # type: ignore[no-untyped-def]
        row = Notification.objects.filter(destinataire=user).order_by("-pk").first()
        return row.titre if row else ""

    assert last_for(people.direction).startswith("Pratique remarquable proposée")
    services.consent(proposee, people.direction, "reseau")
    assert last_for(admin).startswith("Pratique à examiner")
    services.publish(proposee, admin)
    assert last_for(people.referent).startswith("Pratique publiée")
    assert last_for(people.outsider) == ""
