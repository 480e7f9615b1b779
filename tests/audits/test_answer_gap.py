"""The structure's answers to the audit gaps (SPEC §6): the direction only, on gaps only, in
`reponse_structure` only, within the campaign's delay; a sent answer is read-only."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.models import Audit, Constat, ReponseEcart
from audits.selectors import gap_deadline, gaps
from audits.services import answer_gap
from campagnes.models import Dossier
from campagnes.plans.models import Action
from tests.audits.conftest import (
    CONFORME_CRITERE,
    GAP_CRITERE,
    MINOR_GAP_CRITERE,
    add_action,
    complete_report,
    constat,
    footprint,
    fresh,
)

Statut = Dossier.Statut
PARIS = ZoneInfo("Europe/Paris")


def _answer(c, actor, **kwargs):  # type: ignore[no-untyped-def]
    params = {"action_corrective": "Rédiger la procédure d'accueil.", "preuves": "Procédure v1"}
    params.update(kwargs)
    return answer_gap(constat=c, actor=actor, **params)


def _validated_at(audit, when):  # type: ignore[no-untyped-def]
    Audit.objects.filter(pk=audit.pk).update(valide_le=when)
    return fresh(audit)


def test_gaps_lists_the_two_gaps_in_order(validated):
    assert [c.critere.code for c in gaps(validated)] == [GAP_CRITERE, MINOR_GAP_CRITERE]


# --- who -------------------------------------------------------------------------------------


def test_the_direction_drafts_an_answer(validated, people):
    c = constat(validated, GAP_CRITERE)

    reponse = _answer(c, people.direction)

    row = ReponseEcart.objects.get(constat=c)
    assert row.pk == reponse.pk
    assert row.action_corrective == "Rédiger la procédure d'accueil."
    assert row.preuves == "Procédure v1"
    assert row.envoye_le is None
    assert row.auteur == people.direction


@pytest.mark.parametrize("who", ["referent", "lecteur", "contributeur", "arml", "outsider"])
def test_only_the_direction_answers_gaps(validated, people, who):
    c = constat(validated, GAP_CRITERE)
    before = footprint(validated.dossier)

    with pytest.raises(PermissionDenied):
        _answer(c, getattr(people, who))

    assert footprint(validated.dossier) == before
    assert not ReponseEcart.objects.exists()


@pytest.mark.parametrize("who", ["auditeur", "lead"])
def test_auditors_do_not_answer_gaps(validated, auditeur, lead, who):
    actor = {"auditeur": auditeur.user, "lead": lead.user}[who]
    c = constat(validated, GAP_CRITERE)
    before = footprint(validated.dossier)

    with pytest.raises(PermissionDenied):
        _answer(c, actor)

    assert footprint(validated.dossier) == before


def test_an_admin_does_not_answer_gaps(validated, admin):
    c = constat(validated, GAP_CRITERE)
    before = footprint(validated.dossier)

    with pytest.raises(PermissionDenied):
        _answer(c, admin)

    assert footprint(validated.dossier) == before


# --- what ------------------------------------------------------------------------------------


def test_a_conforme_finding_cannot_be_answered(validated, people):
    c = constat(validated, CONFORME_CRITERE)
    before = footprint(validated.dossier)

    with pytest.raises(ValidationError) as exc:
        _answer(c, people.direction)

    assert "pas un écart" in " ".join(exc.value.messages)
    assert footprint(validated.dossier) == before


def test_a_minor_gap_can_be_answered(validated, people):
    c = constat(validated, MINOR_GAP_CRITERE)

    _answer(c, people.direction, envoyer=True)

    assert ReponseEcart.objects.get(constat=c).envoye_le is not None


def test_an_empty_corrective_action_is_refused(validated, people):
    c = constat(validated, GAP_CRITERE)
    before = footprint(validated.dossier)

    with pytest.raises(ValidationError):
        _answer(c, people.direction, action_corrective="   ")

    assert footprint(validated.dossier) == before


# --- when ------------------------------------------------------------------------------------


def test_gaps_cannot_be_answered_while_the_report_is_under_review(submitted, people):
    c = constat(submitted, GAP_CRITERE)
    before = footprint(submitted.dossier)

    with pytest.raises(PermissionDenied):
        _answer(c, people.direction)

    assert footprint(submitted.dossier) == before


def test_gaps_cannot_be_answered_during_the_audit(started, people):
    complete_report(started)
    c = constat(started, GAP_CRITERE)
    before = footprint(started.dossier)

    with pytest.raises(PermissionDenied):
        _answer(c, people.direction)

    assert footprint(started.dossier) == before


def test_gaps_cannot_be_answered_once_the_dossier_left_reponse_structure(validated, people):
    c = constat(validated, GAP_CRITERE)
    _answer(c, people.direction)  # a draft, still open
    Dossier.objects.filter(pk=validated.dossier_id).update(statut=Statut.EN_COMMISSION)
    before = footprint(validated.dossier)

    with pytest.raises(PermissionDenied):
        _answer(c, people.direction, action_corrective="Changée en commission", envoyer=True)

    assert footprint(validated.dossier) == before
    assert ReponseEcart.objects.get(constat=c).envoye_le is None


# --- draft, then sent ------------------------------------------------------------------------


def test_a_draft_can_be_edited_then_sent(validated, people):
    c = constat(validated, GAP_CRITERE)
    first = _answer(c, people.direction, action_corrective="Brouillon")

    second = _answer(c, people.direction, action_corrective="Version finale", envoyer=True)

    assert second.pk == first.pk
    assert ReponseEcart.objects.filter(constat=c).count() == 1
    row = ReponseEcart.objects.get(constat=c)
    assert row.action_corrective == "Version finale"
    assert row.envoye_le is not None


def test_a_sent_answer_is_read_only(validated, people):
    c = constat(validated, GAP_CRITERE)
    _answer(c, people.direction, action_corrective="Envoyée", envoyer=True)
    before = footprint(validated.dossier)

    for envoyer in (False, True):
        with pytest.raises(ValidationError) as exc:
            _answer(c, people.direction, action_corrective="Réécriture", envoyer=envoyer)
        assert "envoyée" in " ".join(exc.value.messages)

    assert footprint(validated.dossier) == before
    assert ReponseEcart.objects.get(constat=c).action_corrective == "Envoyée"


# --- deadline --------------------------------------------------------------------------------


def test_answers_are_refused_after_the_delay_with_the_deadline_named(validated, people):
    delai = validated.dossier.campagne.delai_reponse_jours
    audit = _validated_at(validated, timezone.now() - dt.timedelta(days=delai + 2))
    deadline = gap_deadline(audit)
    assert deadline is not None and deadline < timezone.localdate()
    c = constat(audit, GAP_CRITERE)
    before = footprint(audit.dossier)

    with pytest.raises(ValidationError) as exc:
        _answer(c, people.direction, envoyer=True)

    message = " ".join(exc.value.messages)
    assert "délai" in message
    assert deadline.strftime("%d/%m/%Y") in message
    assert footprint(audit.dossier) == before
    assert not ReponseEcart.objects.exists()


def test_a_draft_cannot_be_edited_or_sent_after_the_delay(validated, people):
    c = constat(validated, GAP_CRITERE)
    _answer(c, people.direction, action_corrective="Brouillon")
    delai = validated.dossier.campagne.delai_reponse_jours
    _validated_at(validated, timezone.now() - dt.timedelta(days=delai + 1, hours=1))
    before = footprint(validated.dossier)

    with pytest.raises(ValidationError):
        _answer(c, people.direction, action_corrective="Trop tard", envoyer=True)

    assert footprint(validated.dossier) == before
    row = ReponseEcart.objects.get(constat=c)
    assert (row.action_corrective, row.envoye_le) == ("Brouillon", None)


def test_the_delay_follows_the_campaign_setting(validated, people):
    campagne = validated.dossier.campagne
    campagne.delai_reponse_jours = 5
    campagne.save()
    audit = _validated_at(validated, timezone.now() - dt.timedelta(days=6, hours=1))
    before = footprint(audit.dossier)

    with pytest.raises(ValidationError):
        _answer(constat(audit, GAP_CRITERE), people.direction)

    assert footprint(audit.dossier) == before


def test_answering_on_the_last_day_is_accepted(validated, people):
    delai = validated.dossier.campagne.delai_reponse_jours
    validated_on = dt.datetime(2025, 10, 1, 10, 0, tzinfo=dt.UTC)  # 12:00 in Paris
    audit = _validated_at(validated, validated_on)
    last_day = validated_on + dt.timedelta(days=delai)

    with mock.patch("django.utils.timezone.now", return_value=last_day):
        _answer(constat(audit, GAP_CRITERE), people.direction, envoyer=True)

    assert ReponseEcart.objects.filter(constat__audit=audit).count() == 1


def test_the_deadline_counts_from_the_local_validation_date(validated, people):
    """A report validated at 00:30 in Paris (23:30 UTC the day before) was validated on the
    Paris date: the structure has its full delay from that date."""
    delai = validated.dossier.campagne.delai_reponse_jours
    validated_on = dt.datetime(2025, 3, 10, 23, 30, tzinfo=dt.UTC)  # 11/03/2025 00:30 Paris
    audit = _validated_at(validated, validated_on)
    expected = dt.date(2025, 3, 11) + dt.timedelta(days=delai)

    assert gap_deadline(audit) == expected

    noon_of_last_day = dt.datetime.combine(expected, dt.time(12, 0), tzinfo=PARIS)
    with mock.patch("django.utils.timezone.now", return_value=noon_of_last_day):
        _answer(constat(audit, GAP_CRITERE), people.direction, envoyer=True)
    assert ReponseEcart.objects.filter(constat__audit=audit).count() == 1


# --- plan actions ----------------------------------------------------------------------------


def test_an_action_of_the_dossiers_plan_can_be_linked(validated, people):
    action = Action.objects.filter(plan__dossier=validated.dossier).first()
    assert action is not None
    c = constat(validated, GAP_CRITERE)

    _answer(c, people.direction, action_plan=action)

    assert ReponseEcart.objects.get(constat=c).action_plan == action


def test_an_action_of_another_dossiers_plan_is_refused(validated, people, other_dossier):
    foreign = add_action(other_dossier, None, titre="Action d'une autre ML")
    c = constat(validated, GAP_CRITERE)
    before = footprint(validated.dossier)

    with pytest.raises(ValidationError) as exc:
        _answer(c, people.direction, action_plan=foreign)

    assert "plan de ce dossier" in " ".join(exc.value.messages)
    assert footprint(validated.dossier) == before
    assert not ReponseEcart.objects.exists()


def test_a_refused_foreign_action_leaves_an_existing_draft_unchanged(
    validated, people, other_dossier
):
    own = Action.objects.filter(plan__dossier=validated.dossier).first()
    c = constat(validated, GAP_CRITERE)
    _answer(c, people.direction, action_corrective="Brouillon", action_plan=own)
    foreign = add_action(other_dossier, None, titre="Action d'une autre ML")
    before = footprint(validated.dossier)

    with pytest.raises(ValidationError):
        _answer(c, people.direction, action_corrective="Autre", action_plan=foreign)

    assert footprint(validated.dossier) == before
    assert ReponseEcart.objects.get(constat=c).action_plan == own
    assert Constat.objects.get(pk=c.pk).version == c.version
