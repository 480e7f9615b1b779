"""The auditor's workspace (SPEC §6) through its views: the side-by-side criterion page, the
per-field saves of findings and of the report (htmx and plain posts, conflicts, bad input),
who may save, the lock after submission, the lead auditor's review, what the structure sees,
and the fixed query count of the criterion page."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from typing import Any

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from audits.models import Audit, Constat, Revue
from audits.services import start_audit, validate_audit_report
from campagnes.autoevaluations.models import Reponse
from campagnes.autoevaluations.services import submit_autoevaluation
from campagnes.models import Dossier
from campagnes.plans.services import request_audit, submit_plan
from campagnes.services import create_campagne
from campagnes.workflow import reopen_autoevaluation
from referentiel.models import Niveau
from referentiel.services import import_referentiel
from tests.audits_ui.helpers import (
    ACTION_1_1,
    JUSTIFICATION_1_1,
    PREUVE_1_1,
    SYNTHESE_1_1,
    add_action,
    add_preuve,
    assign,
    audit_niveau,
    complete_report,
    constat_of,
    to_audit_request,
)
from tests.autoevaluations.test_autosave import generated_referentiel
from tests.campagnes.conftest import open_dossier
from tests.conftest import client_for, with_totp
from tests.factories import AuditeurFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


# --- helpers -------------------------------------------------------------------------------


def critere_url(dossier: Dossier, code: str) -> str:
    return reverse("audit_critere", args=[dossier.pk, code])


def constat_url(dossier: Dossier, constat: Constat) -> str:
    return reverse("audit_save_constat", args=[dossier.pk, constat.pk])


def global_url(dossier: Dossier) -> str:
    return reverse("audit_save_global", args=[dossier.pk])


def overview_url(dossier: Dossier) -> str:
    return reverse("audit_overview", args=[dossier.pk])


def review_url(dossier: Dossier) -> str:
    return reverse("audit_review", args=[dossier.pk])


def text(response: Any) -> str:
    return htmllib.unescape(response.content.decode())


def state(constat: Constat) -> tuple[Any, ...]:
    constat.refresh_from_db()
    return (constat.niveau_id, constat.observation, constat.preuves_examinees, constat.version)


def report_state(audit: Audit) -> tuple[Any, ...]:
    audit.refresh_from_db()
    return (
        audit.points_forts,
        audit.progres,
        audit.avis_global,
        audit.recommandation,
        audit.version,
        audit.statut,
    )


def save(client: Any, dossier: Dossier, constat: Constat, champ: str, valeur: Any, version: int):  # type: ignore[no-untyped-def]
    return client.post(
        constat_url(dossier, constat),
        {"champ": champ, champ: valeur, "version": version},
        **HTMX,
    )


def submit_complete_report(m: Any) -> None:
    complete_report(m.audit)
    response = client_for(m.auditor).post(reverse("audit_submit", args=[m.dossier.pk]))
    assert response.status_code == 302
    m.audit.refresh_from_db()
    assert m.audit.statut == Audit.Statut.SOUMIS


# --- the side-by-side criterion page -----------------------------------------------------------


def test_the_auditor_sees_what_the_structure_declared_beside_the_finding_form(running):
    m = running
    response = client_for(m.auditor).get(critere_url(m.dossier, "1.1"))

    assert response.status_code == 200
    page = text(response)
    declared, finding = page.split('id="constat"', 1)
    assert JUSTIFICATION_1_1 in declared
    assert SYNTHESE_1_1 in declared
    assert "Niveau 3 — Mis en œuvre" in declared
    assert ACTION_1_1 in declared
    preuve = m.dossier.preuves.get(titre=PREUVE_1_1)
    assert reverse("preuve_download", args=[m.dossier.pk, preuve.pk]) in declared
    constat = constat_of(m.audit, "1.1")
    assert f'hx-post="{constat_url(m.dossier, constat)}"' in finding
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', finding)
    assert [label for _, label in options] == [
        "Point fort",
        "Conforme",
        "Piste de progrès",
        "Écart mineur",
        "Écart majeur",
    ]
    scale = m.dossier.campagne.referentiel.echelle_audit_id
    assert {int(pk) for pk, _ in options} == set(
        Niveau.objects.filter(echelle_id=scale).values_list("pk", flat=True)
    )
    assert "audits/offline.js" in page  # the offline drafts, on the auditor's pages only
    assert "<script>" not in page.split("<body", 1)[1]  # no inline script (strict CSP to come)
    assert 'rel="next"' in page and "criteres/1.2/" in page


def test_the_page_shows_the_latest_submitted_self_assessment(
    dossier, people, admin, auditeur, lead, settings, tmp_path
):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    to_audit_request(dossier, people.direction)
    reopen_autoevaluation(dossier, admin, "Justification à préciser")
    Reponse.objects.filter(autoevaluation__dossier=dossier, element__code="1.1.e1").update(
        justification="Nouvelle justification après réouverture."
    )
    submit_autoevaluation(dossier, people.direction)
    submit_plan(dossier, people.direction)
    request_audit(dossier, people.direction)
    assign(dossier, admin, auditeur)

    page = text(client_for(auditeur.user).get(critere_url(dossier, "1.1")))

    assert dossier.snapshots.count() == 2
    assert "Nouvelle justification après réouverture." in page
    assert "version 2 du" in page


def test_the_lead_auditor_reads_the_criterion_page_without_a_form_to_save(running):
    page = text(client_for(running.lead).get(critere_url(running.dossier, "1.1")))

    assert JUSTIFICATION_1_1 in page
    assert "hx-post" not in page
    assert "seul l'auditeur désigné saisit les constats" in page


def test_an_unknown_criterion_answers_404(running):
    response = client_for(running.auditor).get(critere_url(running.dossier, "9.9"))

    assert response.status_code == 404


# --- saving findings ---------------------------------------------------------------------------


def test_an_htmx_save_answers_a_status_fragment_with_the_new_version_and_stores_the_finding(
    running,
):
    m = running
    constat = constat_of(m.audit, "1.1")
    point_fort = audit_niveau(m.dossier, "point_fort")
    client = client_for(m.auditor)

    response = save(client, m.dossier, constat, "niveau", point_fort.pk, 0)

    assert response.status_code == 200
    body = text(response)
    assert "✓ Enregistré à" in body
    assert f'id="status-constat-{constat.pk}"' in body
    assert re.search(
        rf'<input type="hidden" name="version" value="1" id="version-constat-{constat.pk}" '
        r'hx-swap-oob="true">',
        body,
    )
    assert f'id="badge-constat-{constat.pk}" hx-swap-oob="true"' in body
    assert "niveau-point_fort" in body and "Point fort" in body
    assert "<html" not in body

    response = save(client, m.dossier, constat, "observation", "Gouvernance exemplaire.", 1)

    assert response.status_code == 200
    constat.refresh_from_db()
    assert constat.niveau == point_fort
    assert constat.observation == "Gouvernance exemplaire."
    assert constat.version == 2
    assert constat.updated_by == m.auditor


def test_a_save_on_a_stale_version_answers_409_with_the_newer_value_and_keeps_it(running):
    m = running
    constat = constat_of(m.audit, "2.1")
    client = client_for(m.auditor)
    assert (
        save(client, m.dossier, constat, "observation", "Saisie de la tablette.", 0).status_code
        == 200
    )

    response = save(client, m.dossier, constat, "observation", "Saisie du portable.", 0)

    assert response.status_code == 409
    assert response["HX-Retarget"] == f"#constat-{constat.pk}-block"
    assert response["HX-Reswap"] == "outerHTML"
    body = text(response)
    assert re.search(r'<q class="theirs">Saisie de la tablette\.</q>', body)
    assert re.search(r'<q class="mine">Saisie du portable\.</q>', body)
    assert "Remplacer par ma saisie" in body
    # The form shows the saved value and the current version, so the replacement can go through.
    assert re.search(r"<textarea[^>]*observation[^>]*>Saisie de la tablette\.</textarea>", body)
    assert f'value="1" id="version-constat-{constat.pk}"' in body
    assert state(constat) == (None, "Saisie de la tablette.", "", 1)

    replaced = save(client, m.dossier, constat, "observation", "Saisie du portable.", 1)

    assert replaced.status_code == 200
    assert state(constat) == (None, "Saisie du portable.", "", 2)


def test_a_level_conflict_names_the_levels_not_their_ids(running):
    m = running
    constat = constat_of(m.audit, "2.2")
    client = client_for(m.auditor)
    conforme, ecart = audit_niveau(m.dossier, "conforme"), audit_niveau(m.dossier, "ecart_mineur")
    save(client, m.dossier, constat, "niveau", conforme.pk, 0)

    body = text(save(client, m.dossier, constat, "niveau", ecart.pk, 0))

    assert '<q class="theirs">Conforme</q>' in body
    assert '<q class="mine">Écart mineur</q>' in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"champ": "niveau", "niveau": "level-of-another-scale", "version": 0}, "Constat inconnu"),
        ({"champ": "observation", "observation": "x" * 10_001, "version": 0}, "Texte trop long"),
        ({"champ": "observation", "observation": "Sans version"}, "Version manquante"),
    ],
)
def test_bad_input_answers_400_with_a_french_message_and_changes_nothing(running, data, message):
    m = running
    constat = constat_of(m.audit, "1.2")
    if data.get("niveau") == "level-of-another-scale":
        data["niveau"] = Niveau.objects.get(
            echelle_id=m.dossier.campagne.referentiel.echelle_autoevaluation_id, code="3"
        ).pk

    response = client_for(m.auditor).post(constat_url(m.dossier, constat), data, **HTMX)

    assert response.status_code == 400
    assert message in text(response)
    assert f'id="status-constat-{constat.pk}"' in text(response)
    assert state(constat) == (None, "", "", 0)


def test_without_javascript_the_form_saves_the_changed_fields_and_comes_back(running):
    m = running
    constat = constat_of(m.audit, "3.1")
    ecart = audit_niveau(m.dossier, "ecart_mineur")

    response = client_for(m.auditor).post(
        constat_url(m.dossier, constat),
        {
            "version": 0,
            "niveau": ecart.pk,
            "observation": "Le comité de pilotage ne s'est pas réuni en 2024.",
            "preuves_examinees": "",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == critere_url(m.dossier, "3.1") + "#constat"
    assert state(constat) == (
        ecart.pk,
        "Le comité de pilotage ne s'est pas réuni en 2024.",
        "",
        2,  # two fields changed, one version each
    )


def test_without_javascript_a_stale_form_shows_the_conflict_page(running):
    m = running
    constat = constat_of(m.audit, "3.2")
    client = client_for(m.auditor)
    save(client, m.dossier, constat, "observation", "Première version.", 0)

    response = client.post(
        constat_url(m.dossier, constat),
        {
            "version": 0,
            "niveau": "",
            "observation": "Version concurrente.",
            "preuves_examinees": "",
        },
    )

    assert response.status_code == 409
    body = text(response)
    assert "<html" in body and "Première version." in body and "Version concurrente." in body
    assert state(constat)[1] == "Première version."


def test_the_report_global_part_saves_field_by_field_and_refreshes_what_is_missing(running):
    m = running
    client = client_for(m.auditor)

    response = client.post(
        global_url(m.dossier),
        {"champ": "points_forts", "points_forts": "Une équipe très impliquée.", "version": 0},
        **HTMX,
    )

    assert response.status_code == 200
    body = text(response)
    assert f'value="1" id="version-audit-{m.audit.pk}" hx-swap-oob="true"' in body
    assert '<div id="manquants-rapport" hx-swap-oob="true">' in body
    assert "les points forts ouvrent le rapport" not in body
    assert "recommandation à choisir" in body

    bad = client.post(
        global_url(m.dossier),
        {"champ": "recommandation", "recommandation": "excellent", "version": 1},
        **HTMX,
    )
    assert bad.status_code == 400 and "Recommandation inconnue" in text(bad)

    stale = client.post(
        global_url(m.dossier),
        {"champ": "points_forts", "points_forts": "Autre texte.", "version": 0},
        **HTMX,
    )
    assert stale.status_code == 409
    assert stale["HX-Retarget"] == f"#audit-{m.audit.pk}-block"
    assert '<q class="theirs">Une équipe très impliquée.</q>' in text(stale)
    assert report_state(m.audit)[:5] == ("Une équipe très impliquée.", "", "", "", 1)


# --- who may save ------------------------------------------------------------------------------


@pytest.fixture
def outsiders(running):  # type: ignore[no-untyped-def]
    """People who see the dossier but do not record its findings."""
    other = AuditeurFactory(organisme=running.audit.organisme)
    with_totp(other.user)
    # e.g. an auditor in training accompanying the mission: read access to the dossier only.
    assign_perm("campagnes.view_dossier", other.user, running.dossier)
    return {
        "lead": running.lead,
        "direction": running.people.direction,
        "referent": running.people.referent,
        "other_auditor": other.user,
        "admin": running.admin,
    }


@pytest.mark.parametrize("who", ["lead", "direction", "referent", "other_auditor", "admin"])
@pytest.mark.parametrize("htmx", [True, False])
def test_only_the_assigned_auditor_saves_findings_and_the_report(running, outsiders, who, htmx):
    m = running
    client = client_for(outsiders[who])
    constat = constat_of(m.audit, "1.1")
    extra = HTMX if htmx else {}
    before = (state(constat), report_state(m.audit))

    finding = client.post(
        constat_url(m.dossier, constat),
        {"champ": "observation", "observation": "Intrusion", "version": 0},
        **extra,
    )
    report = client.post(
        global_url(m.dossier),
        {"champ": "points_forts", "points_forts": "Intrusion", "version": 0},
        **extra,
    )

    assert finding.status_code == 403
    assert report.status_code == 403
    assert "Seul l'auditeur désigné" in text(finding)
    assert (state(constat), report_state(m.audit)) == before


def test_an_auditor_without_this_mission_does_not_even_see_it(running):
    stranger = AuditeurFactory()
    with_totp(stranger.user)
    client = client_for(stranger.user)
    constat = constat_of(running.audit, "1.1")

    assert client.get(overview_url(running.dossier)).status_code == 404
    assert client.get(critere_url(running.dossier, "1.1")).status_code == 404
    assert save(client, running.dossier, constat, "observation", "x", 0).status_code == 404
    assert state(constat) == (None, "", "", 0)


def test_findings_cannot_be_saved_before_the_audit_is_started(mission):
    constat = constat_of(mission.audit, "1.1")

    response = save(client_for(mission.auditor), mission.dossier, constat, "observation", "x", 0)

    assert response.status_code == 403
    assert state(constat) == (None, "", "", 0)


def test_the_auditor_starts_the_audit_from_the_overview(mission):
    client = client_for(mission.auditor)
    page = text(client.get(overview_url(mission.dossier)))
    assert "Démarrer l'évaluation" in page

    assert client.get(reverse("audit_start", args=[mission.dossier.pk])).status_code == 405
    forbidden = client_for(mission.lead).post(reverse("audit_start", args=[mission.dossier.pk]))
    assert forbidden.status_code == 403
    response = client.post(reverse("audit_start", args=[mission.dossier.pk]))

    assert response.status_code == 302
    mission.audit.refresh_from_db()
    assert mission.audit.statut == Audit.Statut.EN_COURS
    assert Dossier.objects.get(pk=mission.dossier.pk).etat == Dossier.Etat.AUDIT_EN_COURS
    assert "Démarrer l'évaluation" not in text(client.get(overview_url(mission.dossier)))


# --- submission, lock, review --------------------------------------------------------------------


def test_submitting_an_incomplete_report_answers_400_with_the_missing_items_and_links(running):
    m = running
    response = client_for(m.auditor).post(reverse("audit_submit", args=[m.dossier.pk]))

    assert response.status_code == 400
    body = text(response)
    assert "Le rapport n'est pas complet" in body
    assert (
        f'<a href="{critere_url(m.dossier, "1.1")}">Critère 1.1 : constat à renseigner</a>' in body
    )
    global_link = f'<a href="{overview_url(m.dossier)}#global">'
    assert f"{global_link}Rapport : les points forts ouvrent le rapport</a>" in body
    m.audit.refresh_from_db()
    assert m.audit.statut == Audit.Statut.EN_COURS


def test_after_submission_saves_are_refused_and_nothing_changes(running):
    m = running
    submit_complete_report(m)
    constat = constat_of(m.audit, "1.1")
    before = (state(constat), report_state(m.audit))
    client = client_for(m.auditor)

    finding = save(client, m.dossier, constat, "observation", "Ajout tardif", constat.version)
    plain = client.post(
        constat_url(m.dossier, constat),
        {"version": constat.version, "niveau": "", "observation": "Ajout tardif"},
    )
    report = client.post(
        global_url(m.dossier),
        {"champ": "avis_global", "avis_global": "Ajout tardif", "version": m.audit.version},
        **HTMX,
    )

    assert (finding.status_code, plain.status_code, report.status_code) == (403, 403, 403)
    assert "Le rapport est soumis" in text(finding)
    assert (state(constat), report_state(m.audit)) == before
    page = text(client.get(critere_url(m.dossier, "1.1")))
    assert "hx-post" not in page and "verrouillés" in page


def test_the_lead_returns_the_report_only_with_remarks_and_the_auditor_sees_them(running):
    m = running
    submit_complete_report(m)
    lead = client_for(m.lead)
    assert "Valider le rapport" in text(lead.get(review_url(m.dossier)))

    empty = lead.post(review_url(m.dossier), {"decision": "renvoyer", "remarques": "   "})

    assert empty.status_code == 400
    assert "Indiquez vos remarques" in text(empty)
    m.audit.refresh_from_db()
    assert m.audit.statut == Audit.Statut.SOUMIS and not Revue.objects.exists()

    remark = "Motivez davantage le constat du critère 2.1."
    returned = lead.post(review_url(m.dossier), {"decision": "renvoyer", "remarques": remark})

    assert returned.status_code == 302
    m.audit.refresh_from_db()
    assert m.audit.statut == Audit.Statut.A_REVOIR
    assert Revue.objects.get().remarques == remark
    page = text(client_for(m.auditor).get(overview_url(m.dossier)))
    assert "Rapport renvoyé : remarques de l'auditeur référent" in page
    assert page.index(remark) < page.index("Constats par critère")
    # The auditor can work again.
    constat = constat_of(m.audit, "2.1")
    assert (
        save(
            client_for(m.auditor), m.dossier, constat, "observation", "Précisé.", constat.version
        ).status_code
        == 200
    )


def test_validation_locks_the_findings_and_moves_the_dossier_to_the_structures_answer(running):
    m = running
    submit_complete_report(m)

    response = client_for(m.lead).post(review_url(m.dossier), {"decision": "valider"})

    assert response.status_code == 302
    m.audit.refresh_from_db()
    assert m.audit.statut == Audit.Statut.VALIDE and m.audit.valide_par == m.lead
    assert Dossier.objects.get(pk=m.dossier.pk).etat == Dossier.Etat.REPONSE_STRUCTURE
    constat = constat_of(m.audit, "1.1")
    refused = save(client_for(m.auditor), m.dossier, constat, "observation", "x", constat.version)
    assert refused.status_code == 403
    again = client_for(m.lead).post(review_url(m.dossier), {"decision": "valider"})
    assert again.status_code == 400 and "Impossible de valider le rapport" in text(again)


def test_a_report_not_submitted_cannot_be_validated(running):
    response = client_for(running.lead).post(review_url(running.dossier), {"decision": "valider"})

    assert response.status_code == 400
    assert "Seul un rapport soumis peut être validé." in text(response)
    assert Dossier.objects.get(pk=running.dossier.pk).etat == Dossier.Etat.AUDIT_EN_COURS


@pytest.mark.parametrize("who", ["auditor", "direction", "admin"])
def test_the_review_page_is_for_lead_auditors_only(running, who):
    m = running
    user = {"auditor": m.auditor, "direction": m.people.direction, "admin": m.admin}[who]
    submit_complete_report(m)
    client = client_for(user)

    assert client.get(review_url(m.dossier)).status_code == 403
    assert client.post(review_url(m.dossier), {"decision": "valider"}).status_code == 403
    m.audit.refresh_from_db()
    assert m.audit.statut == Audit.Statut.SOUMIS


def test_the_review_page_opens_the_report_with_strengths_and_progress(running):
    m = running
    submit_complete_report(m)

    page = text(client_for(m.lead).get(review_url(m.dossier)))

    strengths = page.index("Une équipe engagée auprès des jeunes.")
    assert strengths < page.index("Le plan d'action a été lancé.") < page.index("Structure solide.")
    assert strengths < page.index("Constaté sur site.")
    assert "Renvoyer avec remarques" in page and "Valider le rapport" in page


# --- what the structure sees ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["direction", "referent", "admin"])
def test_the_structure_sees_the_planned_dates_only_until_the_report_is_validated(running, who):
    m = running
    user = {"direction": m.people.direction, "referent": m.people.referent, "admin": m.admin}[who]
    submit_complete_report(m)
    client = client_for(user)

    before = text(client.get(overview_url(m.dossier)))

    assert "du 6 octobre 2025 au 7 octobre 2025" in before
    assert "Une équipe engagée auprès des jeunes." not in before
    assert "Constaté sur site." not in before
    assert "Qualité Conseil" not in before
    assert client.get(critere_url(m.dossier, "1.1")).status_code == 403

    validate_audit_report(m.dossier, m.lead)
    after = text(client.get(overview_url(m.dossier)))

    strengths = after.index("Une équipe engagée auprès des jeunes.")
    assert (
        strengths < after.index("Le plan d'action a été lancé.") < after.index("Constaté sur site.")
    )
    assert "hx-post" not in after and "Soumettre le rapport" not in after
    assert client.get(critere_url(m.dossier, "1.1")).status_code == 200


def test_the_overview_says_when_no_audit_is_planned_yet(dossier, people):
    response = client_for(people.direction).get(overview_url(dossier))

    assert response.status_code == 200
    assert "Aucune évaluation externe n'est encore planifiée" in text(response)


# --- fixed query count ---------------------------------------------------------------------------


@pytest.fixture
def two_sizes(running, admin, network, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    """The criterion page for the shipped référentiel and for a large one (60 criteria × 10
    elements, many actions and evidence files on the measured criterion), same auditor."""
    small = {
        "critere": critere_url(running.dossier, "1.1"),
        "overview": overview_url(running.dossier),
    }
    referentiel = import_referentiel(generated_referentiel()).referentiel
    campagne = create_campagne(
        actor=admin,
        nom="Campagne sur le référentiel généré",
        referentiel=referentiel,
        date_ouverture=dt.date(2025, 1, 1),
        date_cloture_autoevaluation=dt.date(2025, 12, 31),
    )
    big = open_dossier(admin, campagne, network["ml_a2"])
    from labelml.structures.roles import Role
    from tests.conftest import member

    direction = member(network["ml_a2"], Role.DIRECTION)
    measured = "6.2.3"
    to_audit_request(big, direction, measured)
    for n in range(8):
        add_preuve(big, measured, f"Pièce {n}", direction)
        add_action(big, f"Action {n}", measured, "1.1", author=direction)
    assign(big, admin, running.audit.auditeur)
    start_audit(big, running.auditor)
    complete_report(Audit.objects.get(dossier=big), "ecart_majeur")
    large = {"critere": critere_url(big, measured), "overview": overview_url(big)}
    client = client_for(running.auditor)
    client.get(small["critere"])  # warm process-wide caches (content types, templates)
    return client, small, large


@pytest.mark.parametrize("page", ["critere", "overview"])
def test_the_page_runs_the_same_small_number_of_queries_whatever_the_size(two_sizes, page):
    client, small, large = two_sizes

    on_small, on_large = page_queries(client, small[page]), page_queries(client, large[page])
    n_small, sql_small, n_large, sql_large = (
        on_small.count,
        on_small.sql,
        on_large.count,
        on_large.sql,
    )

    assert n_small == n_large, (
        f"{page}: {n_small} queries for the shipped référentiel, {n_large} for the large one"
        f"\n--- small ---\n{sql_small}\n--- large ---\n{sql_large}"
    )
    assert n_large <= 15, f"{page}: {n_large} queries\n{sql_large}"


def test_the_large_criterion_page_shows_the_large_data(two_sizes):
    client, _, large = two_sizes

    page = text(client.get(large["critere"]))

    assert page.count('class="declared-element"') == 10
    assert all(f"Pièce {n}" in page for n in range(8))
    assert all(f"Action {n}" in page for n in range(8))
    assert page.count(JUSTIFICATION_1_1) == 10
