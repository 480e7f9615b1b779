"""Starting the audit and recording findings (SPEC §6): only the assigned auditor, during the
audit, on the audit scale, with optimistic per-field saves like the self-assessment."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.models import Audit, Constat
from audits.services import save_audit_field, save_constat_field, start_audit
from campagnes.models import Dossier, DossierTransition
from labelml.core.transitions import TransitionError
from tests.audits.conftest import (
    CONFORME_CRITERE,
    audit_niveau,
    autoeval_niveau,
    constat,
    footprint,
    fresh,
)

Statut = Dossier.Statut


def _actor(who, people, auditeur, collegue, lead, other_lead, admin):  # type: ignore[no-untyped-def]
    return {
        "auditeur": auditeur.user,
        "collegue": collegue.user,
        "lead": lead.user,
        "other_lead": other_lead.user,
        "admin": admin,
        "direction": getattr(people, "direction", None),
        "referent": getattr(people, "referent", None),
        "arml": getattr(people, "arml", None),
    }[who]


# --- start_audit -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["collegue", "lead", "other_lead", "admin", "direction", "referent"]
)
def test_only_the_assigned_auditor_starts_the_audit(
    assigned, people, auditeur, collegue, lead, other_lead, admin, who
):
    actor = _actor(who, people, auditeur, collegue, lead, other_lead, admin)
    before = footprint(assigned.dossier)

    with pytest.raises(PermissionDenied):
        start_audit(assigned.dossier, actor)

    assert footprint(assigned.dossier) == before
    assert fresh(assigned).statut == Audit.Statut.PLANIFIE


def test_the_assigned_auditor_starts_the_audit(assigned, auditeur):
    start_audit(assigned.dossier, auditeur.user)

    assert Dossier.objects.get(pk=assigned.dossier_id).statut == Statut.AUDIT_EN_COURS
    assert fresh(assigned).statut == Audit.Statut.EN_COURS
    transition = DossierTransition.objects.filter(dossier_id=assigned.dossier_id).latest("pk")
    assert (transition.action, transition.from_state, transition.to_state) == (
        "start_audit",
        Statut.AUDIT_PLANIFIE,
        Statut.AUDIT_EN_COURS,
    )
    assert transition.actor == auditeur.user


def test_starting_twice_is_refused(started, auditeur):
    before = footprint(started.dossier)

    with pytest.raises(TransitionError):
        start_audit(started.dossier, auditeur.user)

    assert footprint(started.dossier) == before


def test_starting_without_an_audit_is_refused(planifiable, auditeur):
    before = footprint(planifiable)

    with pytest.raises(TransitionError):
        start_audit(planifiable, auditeur.user)

    assert footprint(planifiable) == before


# --- save_constat_field ----------------------------------------------------------------------


def test_the_assigned_auditor_records_a_finding(started, auditeur):
    c = constat(started, CONFORME_CRITERE)
    conforme = audit_niveau(started.dossier, "conforme")

    r1 = save_constat_field(
        constat=c, actor=auditeur.user, champ="niveau", valeur=str(conforme.pk), version=0
    )
    r2 = save_constat_field(
        constat=c, actor=auditeur.user, champ="observation", valeur="Procédure affichée.", version=1
    )
    r3 = save_constat_field(
        constat=c,
        actor=auditeur.user,
        champ="preuves_examinees",
        valeur="Livret d'accueil",
        version=2,
    )

    assert (r1.ok, r1.version, r1.value) == (True, 1, str(conforme.pk))
    assert (r2.ok, r2.version) == (True, 2)
    assert (r3.ok, r3.version) == (True, 3)
    row = fresh(c)
    assert row.niveau == conforme
    assert row.observation == "Procédure affichée."
    assert row.preuves_examinees == "Livret d'accueil"
    assert row.version == 3
    assert row.updated_by == auditeur.user
    assert row.updated_at is not None


def test_a_stale_version_is_refused_with_the_current_value(started, auditeur):
    c = constat(started, CONFORME_CRITERE)
    first = save_constat_field(
        constat=c, actor=auditeur.user, champ="observation", valeur="Premier texte", version=0
    )
    assert first.ok

    stale = save_constat_field(
        constat=c, actor=auditeur.user, champ="observation", valeur="Écrase tout", version=0
    )

    assert stale.ok is False
    assert stale.version == 1
    assert stale.value == "Premier texte"
    assert stale.by == auditeur.user
    row = fresh(c)
    assert (row.observation, row.version) == ("Premier texte", 1)


def test_a_stale_level_returns_the_current_level(started, auditeur):
    c = constat(started, CONFORME_CRITERE)
    conforme = audit_niveau(started.dossier, "conforme")
    ecart = audit_niveau(started.dossier, "ecart_mineur")
    save_constat_field(
        constat=c, actor=auditeur.user, champ="niveau", valeur=str(conforme.pk), version=0
    )

    stale = save_constat_field(
        constat=c, actor=auditeur.user, champ="niveau", valeur=str(ecart.pk), version=0
    )

    assert (stale.ok, stale.version, stale.value) == (False, 1, str(conforme.pk))
    assert fresh(c).niveau == conforme


@pytest.mark.parametrize("code", ["1", "3", "sans_objet"])
def test_a_self_assessment_level_is_refused(started, auditeur, code):
    c = constat(started, CONFORME_CRITERE)
    before = footprint(started.dossier)

    with pytest.raises(ValidationError):
        save_constat_field(
            constat=c,
            actor=auditeur.user,
            champ="niveau",
            valeur=str(autoeval_niveau(started.dossier, code).pk),
            version=0,
        )

    assert footprint(started.dossier) == before


@pytest.mark.parametrize("valeur", ["conforme", "999999", "-1", "1.5"])
def test_an_unknown_level_is_refused(started, auditeur, valeur):
    c = constat(started, CONFORME_CRITERE)
    before = footprint(started.dossier)

    with pytest.raises(ValidationError):
        save_constat_field(constat=c, actor=auditeur.user, champ="niveau", valeur=valeur, version=0)

    assert footprint(started.dossier) == before


def test_every_level_of_the_audit_scale_is_accepted(started, auditeur):
    c = constat(started, CONFORME_CRITERE)
    codes = ["point_fort", "conforme", "piste_de_progres", "ecart_mineur", "ecart_majeur"]
    for version, code in enumerate(codes):
        niveau = audit_niveau(started.dossier, code)
        result = save_constat_field(
            constat=c, actor=auditeur.user, champ="niveau", valeur=str(niveau.pk), version=version
        )
        assert result.ok, code
        assert fresh(c).niveau == niveau


def test_an_unknown_field_is_refused(started, auditeur):
    c = constat(started, CONFORME_CRITERE)
    before = footprint(started.dossier)

    with pytest.raises(ValidationError):
        save_constat_field(constat=c, actor=auditeur.user, champ="version", valeur="9", version=0)

    assert footprint(started.dossier) == before


@pytest.mark.parametrize(
    "who", ["lead", "collegue", "other_lead", "admin", "direction", "referent", "arml"]
)
def test_nobody_but_the_assigned_auditor_records_findings(
    started, people, auditeur, collegue, lead, other_lead, admin, who
):
    actor = _actor(who, people, auditeur, collegue, lead, other_lead, admin)
    c = constat(started, CONFORME_CRITERE)
    before = footprint(started.dossier)

    with pytest.raises(PermissionDenied):
        save_constat_field(constat=c, actor=actor, champ="observation", valeur="X", version=0)
    with pytest.raises(PermissionDenied):
        save_audit_field(audit=started, actor=actor, champ="points_forts", valeur="X", version=0)

    assert footprint(started.dossier) == before


def test_findings_cannot_be_recorded_before_the_audit_starts(assigned, auditeur):
    c = constat(assigned, CONFORME_CRITERE)
    before = footprint(assigned.dossier)

    with pytest.raises(PermissionDenied):
        save_constat_field(
            constat=c, actor=auditeur.user, champ="observation", valeur="X", version=0
        )
    with pytest.raises(PermissionDenied):
        save_audit_field(
            audit=assigned, actor=auditeur.user, champ="avis_global", valeur="X", version=0
        )

    assert footprint(assigned.dossier) == before


# --- save_audit_field ------------------------------------------------------------------------


@pytest.mark.parametrize("champ", ["points_forts", "progres", "avis_global"])
def test_the_auditor_writes_the_reports_global_fields(started, auditeur, champ):
    result = save_audit_field(
        audit=started,
        actor=auditeur.user,
        champ=champ,
        valeur="Texte\r\nsur deux lignes",
        version=0,
    )

    assert (result.ok, result.version) == (True, 1)
    row = fresh(started)
    assert getattr(row, champ) == "Texte\nsur deux lignes"
    assert row.version == 1


@pytest.mark.parametrize("valeur", ["favorable", "reserve", "defavorable"])
def test_a_known_recommendation_is_accepted(started, auditeur, valeur):
    result = save_audit_field(
        audit=started, actor=auditeur.user, champ="recommandation", valeur=valeur, version=0
    )

    assert result.ok
    assert fresh(started).recommandation == valeur


@pytest.mark.parametrize("valeur", ["excellent", "Favorable", "valide", "labellise"])
def test_an_unknown_recommendation_is_refused(started, auditeur, valeur):
    before = footprint(started.dossier)

    with pytest.raises(ValidationError):
        save_audit_field(
            audit=started, actor=auditeur.user, champ="recommandation", valeur=valeur, version=0
        )

    assert footprint(started.dossier) == before


def test_an_unknown_global_field_is_refused(started, auditeur):
    before = footprint(started.dossier)

    for champ in ["statut", "valide_le", "sites"]:
        with pytest.raises(ValidationError):
            save_audit_field(audit=started, actor=auditeur.user, champ=champ, valeur="x", version=0)

    assert footprint(started.dossier) == before


def test_a_stale_global_field_is_refused_with_the_current_value(started, auditeur):
    save_audit_field(
        audit=started, actor=auditeur.user, champ="points_forts", valeur="Accueil", version=0
    )

    stale = save_audit_field(
        audit=started, actor=auditeur.user, champ="points_forts", valeur="Autre", version=0
    )

    assert (stale.ok, stale.version, stale.value) == (False, 1, "Accueil")
    row = fresh(started)
    assert (row.points_forts, row.version) == ("Accueil", 1)


def test_versions_of_findings_and_report_are_independent(started, auditeur):
    """A save on one finding does not make another finding's (or the report's) version stale."""
    a = constat(started, "1.1")
    b = constat(started, "1.2")
    assert save_constat_field(
        constat=a, actor=auditeur.user, champ="observation", valeur="A", version=0
    ).ok
    assert save_constat_field(
        constat=b, actor=auditeur.user, champ="observation", valeur="B", version=0
    ).ok
    assert save_audit_field(
        audit=started, actor=auditeur.user, champ="progres", valeur="P", version=0
    ).ok
    assert Constat.objects.filter(audit=started, version=1).count() == 2
