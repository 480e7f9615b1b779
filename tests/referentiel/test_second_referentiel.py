"""A second référentiel (issue 8 point 4): the ARML and the UNML are labelled against their own
référentiel. The shipped example files import like the ML one; a campaign targets a référentiel
and opens only for the structures it concerns; an ARML dossier runs the same journey as a
Mission Locale's — self-assessment, plan, audit, commission, label."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audits.services import assign_audit, start_audit, submit_audit_report, validate_audit_report
from campagnes.autoevaluations.services import submit_autoevaluation
from campagnes.forms import OuvertureForm
from campagnes.models import Dossier
from campagnes.plans.services import request_audit, submit_plan
from campagnes.services import create_campagne, open_campagne
from labelml.structures.models import MembreCommission
from labelml.structures.roles import Role
from referentiel import format as fmt
from referentiel.models import Critere, Element, Niveau, Referentiel
from referentiel.services import export_canon
from tests.conftest import ROOT, client_for, member, with_totp
from tests.factories import AuditeurFactory, MembreCommissionFactory, OrganismeAuditeurFactory

pytestmark = pytest.mark.django_db

ARML_FILE = ROOT / "fixtures" / "referentiel-arml-exemple.yaml"
UNML_FILE = ROOT / "fixtures" / "referentiel-unml-exemple.yaml"


def import_file(path: Path) -> Referentiel:
    out = StringIO()
    call_command("import_referentiel", str(path), stdout=out)
    assert "importé" in out.getvalue()
    code = yaml.safe_load(path.read_text(encoding="utf-8"))["code"]
    return Referentiel.objects.get(code=code, version=1)


@pytest.fixture
def admin(network):  # type: ignore[no-untyped-def]
    return with_totp(member(network["unml"], Role.ADMIN_UNML))


@pytest.fixture
def referentiel_arml(db):  # type: ignore[no-untyped-def]
    return import_file(ARML_FILE)


@pytest.fixture
def campagne_arml(referentiel_arml, admin):  # type: ignore[no-untyped-def]
    return create_campagne(
        actor=admin,
        nom="Labellisation des ARML (exemple)",
        referentiel=referentiel_arml,
        date_ouverture=dt.date.today() - dt.timedelta(days=60),
        date_cloture_autoevaluation=dt.date.today() + dt.timedelta(days=120),
    )


# --- the example files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, code, cible", [(ARML_FILE, "EXEMPLE-ARML", "arml"), (UNML_FILE, "EXEMPLE-UNML", "unml")]
)
def test_the_example_files_import_with_the_shipped_importer(path, code, cible):
    ref = import_file(path)
    assert (ref.code, ref.cible, ref.is_published) == (code, cible, True)
    # Clearly marked as an example, in the title and at the top of the preamble.
    assert (
        ref.titre.startswith("Exemple") and "ne pas utiliser pour une vraie campagne" in ref.titre
    )
    assert ref.preambule[0]["titre"] == "Exemple — ne pas utiliser pour une vraie campagne"
    assert "exemple fictif" in ref.preambule[0]["texte"]
    assert "EXEMPLE — NE PAS UTILISER POUR UNE VRAIE CAMPAGNE" in path.read_text(encoding="utf-8")
    # Small: a few parts, 4 to 6 criteria, 2 to 3 elements each; its own scales.
    criteres = list(Critere.objects.filter(referentiel=ref))
    assert 4 <= len(criteres) <= 6
    for critere in criteres:
        assert 2 <= critere.elements.count() <= 3, critere.code
    assert ref.echelle_autoevaluation is not None and ref.echelle_audit is not None
    assert ref.echelle_autoevaluation.libelle != "Niveau de mise en œuvre"
    assert set(Niveau.objects.filter(echelle=ref.echelle_audit).values_list("code", flat=True)) == {
        "point_fort",
        "conforme",
        "piste_de_progres",
        "ecart_mineur",
        "ecart_majeur",
    }
    # Re-importing the same file changes nothing; the export gives the same content back.
    out = StringIO()
    call_command("import_referentiel", str(path), stdout=out)
    assert "rien n'a changé" in out.getvalue()
    assert export_canon(ref) == fmt.parse(path.read_text(encoding="utf-8"))


def test_the_arml_example_exercises_nested_parts(referentiel_arml):
    codes = set(Critere.objects.filter(referentiel=referentiel_arml).values_list("code", flat=True))
    assert {"2.1.1", "2.2.1"} <= codes


# --- a campaign targets a référentiel --------------------------------------------------------


def test_a_campaign_on_the_arml_referentiel_opens_for_armls_only(campagne_arml, network, admin):
    report = open_campagne(
        actor=admin,
        campagne=campagne_arml,
        structures=[network["arml_a"], network["arml_b"], network["ml_a"], network["unml"]],
    )
    assert {d.structure for d in report.created} == {network["arml_a"], network["arml_b"]}
    assert [(s, reason) for s, reason in report.refused] == [
        (network["ml_a"], "le référentiel de la campagne ne la concerne pas"),
        (network["unml"], "le référentiel de la campagne ne la concerne pas"),
    ]
    assert not Dossier.objects.filter(structure=network["ml_a"]).exists()
    # The opening form offers only the structures the référentiel concerns.
    offered = set(OuvertureForm(campagne=campagne_arml).fields["structures"].queryset)
    assert offered == {network["arml_a"], network["arml_b"]}


def test_the_opening_page_says_why_a_mission_locale_is_refused(campagne_arml, network, admin):
    from django.contrib.messages import get_messages

    client = client_for(admin)
    response = client.post(
        reverse("campagnes:campagne_open", args=[campagne_arml.pk]),
        {"structures": [network["arml_a"].pk]},
    )
    assert response.status_code == 302
    assert Dossier.objects.filter(campagne=campagne_arml, structure=network["arml_a"]).exists()
    # A Mission Locale is not even offered: the page refuses the selection.
    response = client.post(
        reverse("campagnes:campagne_open", args=[campagne_arml.pk]),
        {"structures": [network["ml_a"].pk]},
    )
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Sélection invalide" in m for m in messages)
    assert not Dossier.objects.filter(structure=network["ml_a"]).exists()


def test_a_campaign_on_the_unml_referentiel_opens_for_the_unml_only(network, admin):
    ref = import_file(UNML_FILE)
    campagne = create_campagne(
        actor=admin,
        nom="Labellisation de l'UNML (exemple)",
        referentiel=ref,
        date_ouverture=dt.date.today() - dt.timedelta(days=60),
        date_cloture_autoevaluation=dt.date.today() + dt.timedelta(days=120),
    )
    report = open_campagne(
        actor=admin, campagne=campagne, structures=[network["unml"], network["arml_a"]]
    )
    assert [d.structure for d in report.created] == [network["unml"]]
    assert [s for s, _ in report.refused] == [network["arml_a"]]
    dossier = report.created[0]
    assert (
        dossier.autoevaluation.reponses.count() == Element.objects.filter(referentiel=ref).count()
    )


# --- the same journey ----------------------------------------------------------------------


def _answer_everything(dossier: Any, direction: Any) -> None:
    """The direction rates every element and writes every synthesis through the autosave
    services, exactly as the self-assessment pages do."""
    from campagnes.autoevaluations.models import Reponse, SyntheseCritere
    from campagnes.autoevaluations.services import save_reponse_field, save_synthese_field

    ref = dossier.campagne.referentiel
    etabli = Niveau.objects.get(echelle_id=ref.echelle_autoevaluation_pk, code="3")
    for reponse in Reponse.objects.filter(autoevaluation__dossier=dossier).select_related(
        "autoevaluation__dossier__campagne__referentiel", "element"
    ):
        save_reponse_field(
            reponse=reponse,
            actor=direction,
            champ="niveau",
            valeur=str(etabli.pk),
            version=reponse.version,
        )
        reponse.refresh_from_db()
        save_reponse_field(
            reponse=reponse,
            actor=direction,
            champ="justification",
            valeur="Pratique régionale documentée.",
            version=reponse.version,
        )
    for synthese in SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).select_related(
        "autoevaluation__dossier__campagne__referentiel"
    ):
        save_synthese_field(
            synthese=synthese,
            actor=direction,
            champ="synthese",
            valeur="Critère atteint à l'échelle régionale.",
            version=synthese.version,
        )


def test_an_arml_dossier_runs_the_same_journey_to_the_label(
    campagne_arml,
    network,
    admin,
    settings,
    tmp_path,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from labelml.celery import app as celery_app

    # The PDF is rendered in this process (CI's broker has no worker for this test).
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    from audits.commission import services as commission
    from audits.commission.models import Label
    from audits.models import Audit, Constat
    from campagnes.plans.models import Action, PlanAmelioration
    from labelml.documents.models import Document
    from labelml.documents.services import request_document

    settings.MEDIA_ROOT = tmp_path
    arml = network["arml_a"]
    direction = member(arml, Role.DIRECTION)
    referent = member(arml, Role.REFERENT_QUALITE)
    dossier = open_campagne(actor=admin, campagne=campagne_arml, structures=[arml]).created[0]
    ref = campagne_arml.referentiel
    assert dossier.autoevaluation.reponses.count() == 12  # the example's elements

    # Self-assessment, answered and submitted by the ARML's direction (not its referent).
    _answer_everything(dossier, direction)
    with pytest.raises(PermissionDenied):
        submit_autoevaluation(dossier, referent)
    submit_autoevaluation(dossier, direction)

    # Improvement plan, on a criterion of the ARML référentiel.
    action = Action.objects.create(
        plan=PlanAmelioration.objects.get(dossier=dossier),
        titre="Formaliser le plan régional de professionnalisation",
        created_by=direction,
    )
    action.criteres.add(Critere.objects.get(referentiel=ref, code="2.1.1"))
    submit_plan(dossier, direction)
    request_audit(dossier, direction)

    # External audit, with the référentiel's own finding scale.
    organisme = OrganismeAuditeurFactory(nom="Certif Régions")
    auditeur = AuditeurFactory(organisme=organisme, user=with_totp(_user()))
    lead = AuditeurFactory(organisme=organisme, est_referent=True, user=with_totp(_user()))
    assign_audit(
        dossier,
        admin,
        auditeur=auditeur,
        date_debut=dt.date(2026, 9, 1),
        date_fin=dt.date(2026, 9, 2),
        sites="Siège de l'ARML",
    )
    start_audit(dossier, auditeur.user)
    audit = Audit.objects.get(dossier=dossier)
    assert audit.constats.count() == Critere.objects.filter(referentiel=ref).count() == 5
    levels = {n.code: n for n in Niveau.objects.filter(echelle_id=ref.echelle_audit_pk)}
    Constat.objects.filter(audit=audit).update(niveau=levels["conforme"], observation="Vu.")
    Constat.objects.filter(audit=audit, critere__code="2.2.1").update(
        niveau=levels["point_fort"], observation="Accompagnement exemplaire des Missions Locales."
    )
    Audit.objects.filter(pk=audit.pk).update(
        points_forts="Une animation régionale reconnue.",
        recommandation=Audit.Recommandation.FAVORABLE,
    )
    submit_audit_report(dossier, auditeur.user)
    validate_audit_report(dossier, lead.user)
    dossier.refresh_from_db()
    assert dossier.statut == Dossier.Statut.REPONSE_STRUCTURE

    # Commission: the ARML's own referent sits on it and is recused automatically.
    chair = MembreCommissionFactory(user=with_totp(_user()), college=MembreCommission.College.ETAT)
    m1 = MembreCommissionFactory(user=with_totp(_user()))
    m2 = MembreCommissionFactory(user=with_totp(member(arml, Role.REFERENT_ARML)))
    seance = commission.create_seance(
        actor=admin, date=timezone.now(), president=chair, membres=[m1, m2]
    )
    from audits.services import file_demande

    file_demande(dossier, direction)
    point = commission.add_to_agenda(actor=admin, seance=seance, dossier=dossier)
    assert list(point.recusations.values_list("membre_id", flat=True)) == [m2.pk]
    for m in (chair, m1):
        commission.cast_vote(point=point, user=m.user, choix="favorable")
    commission.close_vote(point=point, user=chair.user)
    decision = commission.decide(
        point=point, user=chair.user, motivation="Une tête de réseau régionale exemplaire."
    )
    assert decision.resultat == "labellise"
    dossier.refresh_from_db()
    assert dossier.statut == Dossier.Statut.LABELLISE

    # The label: the ARML is in the public registry, its certificate verifies.
    label = Label.objects.get(structure=arml)
    assert label.statut_le(timezone.localdate()) == "valide"
    assert arml.nom in Client().get(reverse("commission:label_registry")).content.decode()
    assert (
        "Label valide"
        in Client().get(reverse("commission:label_verify", args=[label.numero])).content.decode()
    )

    # Its reports print with the ARML référentiel, and its history shows the whole journey.
    with django_capture_on_commit_callbacks(execute=True):
        document = request_document(dossier=dossier, actor=direction, kind="autoevaluation")
    document.refresh_from_db()
    assert document.statut == Document.Statut.READY, document.error
    html = (
        client_for(direction)
        .get(reverse("structures:structure_history", args=[arml.pk]))
        .content.decode()
    )
    assert label.numero in html and campagne_arml.nom in html
    assert reverse("documents:document_download", args=[dossier.pk, document.pk]) in html


def _user() -> Any:
    from tests.factories import UserFactory

    return UserFactory()
