"""The audit report (SPEC §6): submission with its preconditions, the lock it puts on the
findings, and the lead auditor's review (return with remarks, or validate)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from audits.models import Audit, Constat, Revue
from audits.services import (
    return_audit_report,
    save_audit_field,
    save_constat_field,
    submit_audit_report,
    validate_audit_report,
)
from campagnes.models import Dossier, DossierTransition
from labelml.core.transitions import TransitionError
from labelml.notifications.models import Notification
from tests.audits.conftest import (
    CONFORME_CRITERE,
    GAP_CRITERE,
    MINOR_GAP_CRITERE,
    audit_niveau,
    complete_report,
    constat,
    footprint,
    fresh,
)

Statut = Dossier.Statut


def _labels(exc) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.label for m in exc.value.missing]


def _actors(people, auditeur, collegue, lead, other_lead, admin):  # type: ignore[no-untyped-def]
    return {
        "auditeur": auditeur.user,
        "collegue": collegue.user,
        "lead": lead.user,
        "other_lead": other_lead.user,
        "admin": admin,
        "direction": people.direction,
    }


# --- submit_audit_report: preconditions ------------------------------------------------------


def test_an_empty_report_lists_every_criterion_and_the_global_fields(started, auditeur):
    before = footprint(started.dossier)

    with pytest.raises(TransitionError) as exc:
        submit_audit_report(started.dossier, auditeur.user)

    labels = _labels(exc)
    assert len(labels) == 24 + 2
    assert sum("constat à renseigner" in label for label in labels) == 24
    assert any("points forts" in label for label in labels)
    assert any("recommandation" in label for label in labels)
    assert all(
        m.url.startswith(f"/dossiers/{started.dossier_id}/audit/") for m in exc.value.missing
    )
    assert "26 points" in exc.value.message
    assert footprint(started.dossier) == before


def test_a_criterion_without_a_level_blocks_the_submission(started, auditeur):
    complete_report(started)
    Constat.objects.filter(audit=started, critere__code=CONFORME_CRITERE).update(niveau=None)
    before = footprint(started.dossier)

    with pytest.raises(TransitionError) as exc:
        submit_audit_report(started.dossier, auditeur.user)

    assert _labels(exc) == [f"Critère {CONFORME_CRITERE} : constat à renseigner"]
    assert exc.value.missing[0].url.endswith(f"/criteres/{CONFORME_CRITERE}/")
    assert footprint(started.dossier) == before
    assert fresh(started).statut == Audit.Statut.EN_COURS


@pytest.mark.parametrize(
    ("code", "observation"),
    [
        (GAP_CRITERE, ""),
        (GAP_CRITERE, "   \n "),
        (MINOR_GAP_CRITERE, ""),
    ],
)
def test_a_gap_without_an_observation_blocks_the_submission(started, auditeur, code, observation):
    complete_report(started)
    Constat.objects.filter(audit=started, critere__code=code).update(observation=observation)
    before = footprint(started.dossier)

    with pytest.raises(TransitionError) as exc:
        submit_audit_report(started.dossier, auditeur.user)

    assert _labels(exc) == [f"Critère {code} : l'écart doit être motivé"]
    assert footprint(started.dossier) == before


def test_a_non_gap_without_an_observation_does_not_block(started, auditeur):
    complete_report(started)
    Constat.objects.filter(audit=started, critere__code=CONFORME_CRITERE).update(observation="")

    submit_audit_report(started.dossier, auditeur.user)

    assert fresh(started).statut == Audit.Statut.SOUMIS


@pytest.mark.parametrize("points_forts", ["", "  \n  "])
def test_a_report_without_strengths_is_refused(started, auditeur, points_forts):
    complete_report(started)
    Audit.objects.filter(pk=started.pk).update(points_forts=points_forts)
    before = footprint(started.dossier)

    with pytest.raises(TransitionError) as exc:
        submit_audit_report(started.dossier, auditeur.user)

    assert _labels(exc) == ["Rapport : les points forts ouvrent le rapport"]
    assert footprint(started.dossier) == before


def test_a_report_without_a_recommendation_is_refused(started, auditeur):
    complete_report(started)
    Audit.objects.filter(pk=started.pk).update(recommandation="")
    before = footprint(started.dossier)

    with pytest.raises(TransitionError) as exc:
        submit_audit_report(started.dossier, auditeur.user)

    assert _labels(exc) == ["Rapport : recommandation à choisir"]
    assert footprint(started.dossier) == before


@pytest.mark.parametrize("who", ["collegue", "lead", "admin", "direction"])
def test_only_the_assigned_auditor_submits(
    started, people, auditeur, collegue, lead, other_lead, admin, who
):
    complete_report(started)
    before = footprint(started.dossier)

    with pytest.raises(PermissionDenied):
        submit_audit_report(
            started.dossier, _actors(people, auditeur, collegue, lead, other_lead, admin)[who]
        )

    assert footprint(started.dossier) == before


def test_a_report_cannot_be_submitted_before_the_audit_starts(assigned, auditeur):
    complete_report(assigned)
    before = footprint(assigned.dossier)

    with pytest.raises(TransitionError):
        submit_audit_report(assigned.dossier, auditeur.user)

    assert footprint(assigned.dossier) == before


# --- submit_audit_report: success and lock --------------------------------------------------


def test_a_complete_report_is_submitted_to_the_lead_auditors(started, auditeur, lead, other_lead):
    complete_report(started)

    submit_audit_report(started.dossier, auditeur.user)

    audit = fresh(started)
    assert audit.statut == Audit.Statut.SOUMIS
    assert audit.soumis_le is not None
    assert audit.locked
    # The dossier stays in audit_en_cours until the lead validates.
    assert Dossier.objects.get(pk=started.dossier_id).statut == Statut.AUDIT_EN_COURS
    transition = DossierTransition.objects.filter(dossier_id=started.dossier_id).latest("pk")
    assert transition.action == "submit_audit_report"
    assert transition.actor == auditeur.user
    notified = Notification.objects.filter(dossier_id=started.dossier_id, titre__contains="relire")
    assert list(notified.values_list("destinataire", flat=True)) == [lead.user.pk]


def test_findings_cannot_change_after_submission(submitted, auditeur):
    c = constat(submitted, CONFORME_CRITERE)
    before = footprint(submitted.dossier)

    with pytest.raises(PermissionDenied):
        save_constat_field(
            constat=c, actor=auditeur.user, champ="observation", valeur="Après coup", version=0
        )
    with pytest.raises(PermissionDenied):
        save_constat_field(
            constat=c,
            actor=auditeur.user,
            champ="niveau",
            valeur=str(audit_niveau(submitted.dossier, "ecart_majeur").pk),
            version=0,
        )
    with pytest.raises(PermissionDenied):
        save_audit_field(
            audit=fresh(submitted),
            actor=auditeur.user,
            champ="recommandation",
            valeur="favorable",
            version=0,
        )

    assert footprint(submitted.dossier) == before


@pytest.mark.parametrize("step", ["submit", "validate"])
@pytest.mark.parametrize("target", ["constat", "audit"])
def test_a_save_in_flight_cannot_slip_past_the_lock(started, auditeur, lead, step, target):
    """A save request that read the finding (or the report) just before the submission — or the
    validation — commits must not write into the locked report: the lock is checked on the
    stored state, not on the caller's copy."""
    complete_report(started)
    c = constat(started, CONFORME_CRITERE)
    audit = fresh(started)
    assert c.audit.statut == audit.statut == Audit.Statut.EN_COURS  # read before the lock
    assert c.audit.dossier.statut == audit.dossier.statut == Statut.AUDIT_EN_COURS
    submit_audit_report(started.dossier, auditeur.user)
    if step == "validate":
        validate_audit_report(started.dossier, lead.user)
    before = footprint(started.dossier)

    with pytest.raises(PermissionDenied):
        if target == "constat":
            save_constat_field(
                constat=c, actor=auditeur.user, champ="observation", valeur="Glissé", version=0
            )
        else:
            save_audit_field(
                audit=audit, actor=auditeur.user, champ="avis_global", valeur="Glissé", version=0
            )

    assert footprint(started.dossier) == before


def test_a_second_submission_is_refused(submitted, auditeur):
    before = footprint(submitted.dossier)

    with pytest.raises(TransitionError) as exc:
        submit_audit_report(submitted.dossier, auditeur.user)

    assert "déjà soumis" in exc.value.message
    assert footprint(submitted.dossier) == before


# --- return_audit_report ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["auditeur", "collegue", "admin", "other_lead", "direction"])
def test_only_a_lead_auditor_of_the_body_returns_the_report(
    submitted, people, auditeur, collegue, lead, other_lead, admin, who
):
    before = footprint(submitted.dossier)

    with pytest.raises(PermissionDenied):
        return_audit_report(
            submitted.dossier,
            _actors(people, auditeur, collegue, lead, other_lead, admin)[who],
            "Précisez le critère 2.1.",
        )

    assert footprint(submitted.dossier) == before


@pytest.mark.parametrize("remarques", ["", "   \n", None])
def test_returning_without_remarks_is_refused(submitted, lead, remarques):
    before = footprint(submitted.dossier)

    with pytest.raises(TransitionError) as exc:
        return_audit_report(submitted.dossier, lead.user, remarques)

    assert "remarques" in exc.value.message
    assert footprint(submitted.dossier) == before


def test_a_report_still_in_progress_cannot_be_returned(started, lead):
    complete_report(started)
    before = footprint(started.dossier)

    with pytest.raises(TransitionError):
        return_audit_report(started.dossier, lead.user, "Remarque")

    assert footprint(started.dossier) == before


def test_the_lead_returns_the_report_with_remarks(submitted, auditeur, lead):
    return_audit_report(submitted.dossier, lead.user, "  Motivez l'écart 1.2.  ")

    audit = fresh(submitted)
    assert audit.statut == Audit.Statut.A_REVOIR
    assert not audit.locked
    revue = Revue.objects.get(audit=audit)
    assert revue.decision == Revue.Decision.RENVOYE
    assert revue.remarques == "Motivez l'écart 1.2."
    assert revue.par == lead.user
    assert Dossier.objects.get(pk=audit.dossier_id).statut == Statut.AUDIT_EN_COURS
    transition = DossierTransition.objects.filter(dossier_id=audit.dossier_id).latest("pk")
    assert (transition.action, transition.actor) == ("return_audit_report", lead.user)
    assert Notification.objects.filter(
        destinataire=auditeur.user, dossier_id=audit.dossier_id, message="Motivez l'écart 1.2."
    ).exists()


def test_the_lead_auditors_remarks_stay_between_the_auditors(submitted, lead, people):
    """SPEC §7: the structure sees that the report went back, never the remarks (they are in
    the review, which only the auditors read)."""
    from django.urls import reverse

    from tests.conftest import client_for

    remarques = "Motivez l'écart 1.2 : la preuve examinée ne le justifie pas."
    return_audit_report(submitted.dossier, lead.user, remarques)

    row = DossierTransition.objects.filter(dossier_id=submitted.dossier_id).latest("pk")
    assert (row.action, row.reason) == ("return_audit_report", "")
    for person in (people.direction, people.referent, people.lecteur):
        client = client_for(person)
        for name in ("campagnes:dossier_detail", "campagnes:dossier_history"):
            page = client.get(reverse(name, args=[submitted.dossier_id]))
            assert page.status_code == 200
            assert "Motivez l'écart 1.2" not in page.content.decode(), (person, name)


def test_after_a_return_the_auditor_edits_again_and_resubmits(submitted, auditeur, lead):
    return_audit_report(submitted.dossier, lead.user, "Motivez l'écart 1.2.")
    c = constat(submitted, MINOR_GAP_CRITERE)

    result = save_constat_field(
        constat=c,
        actor=auditeur.user,
        champ="observation",
        valeur="Procédure incomplète : la partie accueil manque.",
        version=c.version,
    )
    assert result.ok
    assert save_audit_field(
        audit=fresh(submitted), actor=auditeur.user, champ="avis_global", valeur="Revu", version=0
    ).ok

    submit_audit_report(submitted.dossier, auditeur.user)

    audit = fresh(submitted)
    assert audit.statut == Audit.Statut.SOUMIS
    assert audit.avis_global == "Revu"
    assert fresh(c).observation.endswith("la partie accueil manque.")
    assert (
        DossierTransition.objects.filter(
            dossier_id=audit.dossier_id, action="submit_audit_report"
        ).count()
        == 2
    )


def test_a_returned_report_cannot_be_validated_until_resubmitted(submitted, lead):
    return_audit_report(submitted.dossier, lead.user, "Remarque")
    before = footprint(submitted.dossier)

    with pytest.raises(TransitionError):
        validate_audit_report(submitted.dossier, lead.user)
    with pytest.raises(TransitionError):
        return_audit_report(submitted.dossier, lead.user, "Encore")

    assert footprint(submitted.dossier) == before


# --- validate_audit_report -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["auditeur", "collegue", "admin", "other_lead", "direction"])
def test_only_a_lead_auditor_of_the_body_validates(
    submitted, people, auditeur, collegue, lead, other_lead, admin, who
):
    before = footprint(submitted.dossier)

    with pytest.raises(PermissionDenied):
        validate_audit_report(
            submitted.dossier, _actors(people, auditeur, collegue, lead, other_lead, admin)[who]
        )

    assert footprint(submitted.dossier) == before


def test_a_report_not_submitted_cannot_be_validated(started, lead):
    complete_report(started)
    before = footprint(started.dossier)

    with pytest.raises(TransitionError) as exc:
        validate_audit_report(started.dossier, lead.user)

    assert "soumis" in exc.value.message
    assert footprint(started.dossier) == before


def test_the_lead_validates_the_report(submitted, lead, people, auditeur):
    validate_audit_report(submitted.dossier, lead.user)

    audit = fresh(submitted)
    assert audit.statut == Audit.Statut.VALIDE
    assert audit.valide_le is not None
    assert audit.valide_par == lead.user
    assert Dossier.objects.get(pk=audit.dossier_id).statut == Statut.REPONSE_STRUCTURE
    revue = Revue.objects.get(audit=audit)
    assert (revue.decision, revue.par) == (Revue.Decision.VALIDE, lead.user)
    transition = DossierTransition.objects.filter(dossier_id=audit.dossier_id).latest("pk")
    assert (transition.action, transition.from_state, transition.to_state) == (
        "validate_audit_report",
        Statut.AUDIT_EN_COURS,
        Statut.REPONSE_STRUCTURE,
    )
    assert transition.actor == lead.user
    recipients = set(
        Notification.objects.filter(
            dossier_id=audit.dossier_id, created_at__gte=audit.valide_le
        ).values_list("destinataire_id", flat=True)
    )
    assert {people.direction.pk, people.referent.pk, auditeur.user.pk} <= recipients


def test_findings_are_locked_after_validation(validated, auditeur, lead):
    c = constat(validated, GAP_CRITERE)
    before = footprint(validated.dossier)

    for actor in (auditeur.user, lead.user):
        with pytest.raises(PermissionDenied):
            save_constat_field(
                constat=c, actor=actor, champ="observation", valeur="Modifié", version=c.version
            )
        with pytest.raises(PermissionDenied):
            save_audit_field(
                audit=fresh(validated),
                actor=actor,
                champ="recommandation",
                valeur="favorable",
                version=0,
            )

    assert footprint(validated.dossier) == before


def test_a_validated_report_cannot_be_validated_returned_or_resubmitted(validated, auditeur, lead):
    before = footprint(validated.dossier)

    with pytest.raises(TransitionError):
        validate_audit_report(validated.dossier, lead.user)
    with pytest.raises(TransitionError):
        return_audit_report(validated.dossier, lead.user, "Trop tard")
    with pytest.raises(TransitionError):
        submit_audit_report(validated.dossier, auditeur.user)

    assert footprint(validated.dossier) == before
