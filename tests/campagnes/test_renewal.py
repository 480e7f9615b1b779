"""Renewal of a label (SPEC §7b, issue 8): a renewal dossier opens before expiry from the last
submitted self-assessment, every copied answer to confirm (progress and submission count only
confirmed answers), the open plan actions carry over, and a renewal decided in time follows the
old label without a gap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audits.commission import services as commission
from audits.commission.models import Label, PointOrdreDuJour
from campagnes.autoevaluations.models import Reponse, Saisie, SyntheseCritere
from campagnes.autoevaluations.selectors import dossier_progress, missing_items
from campagnes.autoevaluations.services import (
    confirm_critere,
    confirm_reponse,
    confirm_synthese,
    save_reponse_field,
    save_synthese_field,
    submit_autoevaluation,
)
from campagnes.models import Campagne, Dossier, DossierTransition
from campagnes.plans.models import Action
from campagnes.services import (
    create_campagne,
    open_campagne,
    open_renewal,
    renewal_candidates,
)
from labelml.core.transitions import TransitionError
from labelml.structures.models import Membership
from labelml.structures.roles import Role
from tests.campagnes.conftest import niveau
from tests.conftest import client_for, member, with_totp
from tests.factories import MembreCommissionFactory, MissionLocaleFactory
from tests.worlds import rolled_back_world

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


# --- set-up ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _labelled_pk(django_db_setup, django_db_blocker) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """A dossier labelled today through the real workflow (labelml.demo.samples), built once
    for the module (0.6 s); each test runs in a savepoint of its transaction."""
    from labelml.demo.samples import build_complete_dossier

    with rolled_back_world(django_db_blocker) as settle:
        yield settle(build_complete_dossier(seed=11).pk)


@pytest.fixture
def labelled(_labelled_pk: int, db: None) -> Dossier:
    """The module's labelled dossier, read afresh: no test sees another's objects."""
    return Dossier.objects.select_related("structure", "campagne__referentiel").get(pk=_labelled_pk)


@pytest.fixture
def sample_admin(labelled: Dossier) -> Any:
    return with_totp(
        Membership.objects.get(
            structure__code="unml", user__email__startswith="admin-" + labelled.structure.code
        ).user
    )


@pytest.fixture
def direction(labelled: Dossier) -> Any:
    return Membership.objects.get(structure=labelled.structure, role=Role.DIRECTION).user


@pytest.fixture
def campagne_2029(labelled: Dossier, sample_admin: Any) -> Campagne:
    today = timezone.localdate()
    return create_campagne(
        actor=sample_admin,
        nom="Campagne de renouvellement",
        referentiel=labelled.campagne.referentiel,
        date_ouverture=today,
        date_cloture_autoevaluation=today + dt.timedelta(days=90),
    )


@pytest.fixture
def renewal(labelled: Dossier, campagne_2029: Campagne, sample_admin: Any) -> Dossier:
    return open_renewal(actor=sample_admin, campagne=campagne_2029, structure=labelled.structure)


def label_of(dossier: Dossier) -> Label:
    return Label.objects.get(decision__dossier=dossier)


def answers(dossier: Dossier) -> dict[str, Reponse]:
    return {
        r.element.code: r
        for r in Reponse.objects.filter(autoevaluation__dossier=dossier).select_related(
            "element__critere", "niveau", "autoevaluation__dossier__campagne__referentiel"
        )
    }


def submitted(dossier: Dossier) -> dict[str, dict[str, Any]]:
    snapshot = dossier.snapshots.order_by("-numero").first()
    assert snapshot is not None
    return {r["element"]: r for r in snapshot.contenu["reponses"]}


def confirm_everything(dossier: Dossier, actor: Any) -> None:
    for synthese in SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).select_related(
        "critere", "autoevaluation__dossier"
    ):
        versions = dict(
            Reponse.objects.filter(
                autoevaluation__dossier=dossier, element__critere_id=synthese.critere_id
            ).values_list("pk", "version")
        )
        confirm_critere(
            synthese=synthese, actor=actor, versions=versions, synthese_version=synthese.version
        )


# --- opening a renewal: what is copied -----------------------------------------------------------


def test_the_renewal_copies_the_last_submitted_version_not_later_data(
    labelled, campagne_2029, sample_admin
):
    expected = submitted(labelled)
    # Data changed after the submission (nothing in the product does this once labelled, but the
    # copy must read the submitted version, not the live rows).
    Reponse.objects.filter(autoevaluation__dossier=labelled).update(justification="Modifié après")

    renewal = open_renewal(actor=sample_admin, campagne=campagne_2029, structure=labelled.structure)

    copied = answers(renewal)
    assert len(copied) == len(expected) == 99
    for code, row in expected.items():
        assert copied[code].niveau.code == row["niveau"], code
        assert copied[code].justification == row["justification"], code
        assert copied[code].a_confirmer, code
        assert copied[code].version == 0
    assert not any(r.justification == "Modifié après" for r in copied.values())
    assert renewal.renouvellement_de == labelled
    assert renewal.statut == Dossier.Statut.AUTOEVALUATION
    syntheses = SyntheseCritere.objects.filter(autoevaluation__dossier=renewal)
    assert syntheses.count() == 24
    assert all(
        s.a_confirmer and s.synthese.startswith("Le critère est globalement") for s in syntheses
    )
    transition = DossierTransition.objects.get(dossier=renewal)
    assert transition.action == "open_renewal"
    assert transition.actor == sample_admin
    assert label_of(labelled).numero in transition.reason
    assert "99 réponses" in transition.reason


def test_elements_gone_from_the_referentiel_are_skipped_and_new_ones_stay_empty(
    labelled, campagne_2029, sample_admin
):
    snapshot = labelled.snapshots.get()
    contenu = snapshot.contenu
    # As if 1.1.e2 were new in this version and 9.9.e9 had been removed since.
    contenu["reponses"] = [r for r in contenu["reponses"] if r["element"] != "1.1.e2"]
    contenu["reponses"].append(
        {"element": "9.9.e9", "critere": "9.9", "niveau": "3", "justification": "Disparu"}
    )
    type(snapshot).objects.filter(pk=snapshot.pk).update(contenu=contenu)

    renewal = open_renewal(actor=sample_admin, campagne=campagne_2029, structure=labelled.structure)

    copied = answers(renewal)
    assert copied["1.1.e2"].niveau is None
    assert copied["1.1.e2"].justification == ""
    assert not copied["1.1.e2"].a_confirmer
    assert copied["1.1.e1"].a_confirmer
    assert len(copied) == 99
    assert [m.label for m in missing_items(renewal)][:2] == [
        "Élément 1.1.e1 : réponse reprise à confirmer",
        "Élément 1.1.e2 : niveau non renseigné",
    ]


def test_open_plan_actions_carry_over_with_their_progress(labelled, campagne_2029, sample_admin):
    old_actions = list(labelled.plan.actions.order_by("pk"))
    assert len(old_actions) >= 4
    done, dropped = old_actions[0], old_actions[1]
    Action.objects.filter(pk=done.pk).update(statut=Action.Statut.FAIT, avancement=100)
    Action.objects.filter(pk=dropped.pk).update(statut=Action.Statut.ABANDONNE)
    open_ones = {
        a.pk: a
        for a in labelled.plan.actions.filter(
            statut__in=[Action.Statut.A_FAIRE, Action.Statut.EN_COURS]
        ).prefetch_related("criteres")
    }

    renewal = open_renewal(actor=sample_admin, campagne=campagne_2029, structure=labelled.structure)

    carried = list(renewal.plan.actions.prefetch_related("criteres"))
    assert {a.reprise_de_id for a in carried} == set(open_ones)
    for action in carried:
        old = open_ones[action.reprise_de_id]
        assert action.origine == Action.Origine.REPRISE
        assert action.get_origine_display() == "Reprise du plan précédent"
        assert (action.titre, action.statut, action.avancement, action.echeance) == (
            old.titre,
            old.statut,
            old.avancement,
            old.echeance,
        )
        assert action.responsable_id == old.responsable_id
        assert [c.code for c in action.criteres.all()] == [c.code for c in old.criteres.all()]
    # The previous plan is left as it was.
    assert labelled.plan.actions.count() == len(old_actions)
    assert Action.objects.get(pk=done.pk).statut == Action.Statut.FAIT


def test_a_renewal_is_refused_without_a_label_in_force(
    labelled, campagne_2029, sample_admin, direction
):
    structure = labelled.structure
    newcomer = MissionLocaleFactory(parent=structure.parent, region=structure.region)
    with pytest.raises(ValidationError, match="n'a pas de label à renouveler"):
        open_renewal(actor=sample_admin, campagne=campagne_2029, structure=newcomer)

    label = label_of(labelled)
    for statut, message in [
        (Label.Statut.RETIRE, "a été retiré"),
        (Label.Statut.SUSPENDU, "est suspendu"),
    ]:
        Label.objects.filter(pk=label.pk).update(statut=statut)
        with pytest.raises(ValidationError, match=message):
            open_renewal(actor=sample_admin, campagne=campagne_2029, structure=structure)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Label.objects.filter(pk=label.pk).update(statut=Label.Statut.VALIDE, date_fin=yesterday)
    with pytest.raises(ValidationError, match="a expiré le"):
        open_renewal(actor=sample_admin, campagne=campagne_2029, structure=structure)
    assert not campagne_2029.dossiers.exists()

    with pytest.raises(PermissionDenied):
        open_renewal(actor=direction, campagne=campagne_2029, structure=structure)


def test_a_renewal_is_refused_when_the_campaign_already_has_a_dossier(
    renewal, campagne_2029, sample_admin
):
    with pytest.raises(ValidationError, match="a déjà un dossier dans la campagne"):
        open_renewal(actor=sample_admin, campagne=campagne_2029, structure=renewal.structure)
    # Nor does the labelled dossier's own campaign renew it.
    labelled = renewal.renouvellement_de
    with pytest.raises(ValidationError, match="a déjà un dossier"):
        open_renewal(actor=sample_admin, campagne=labelled.campagne, structure=labelled.structure)
    assert campagne_2029.dossiers.count() == 1


def test_opening_the_campaign_renews_labelled_structures_and_opens_the_others_empty(
    labelled, campagne_2029, sample_admin
):
    newcomer = MissionLocaleFactory(parent=labelled.structure.parent, region="11")
    assert [label.structure for label in renewal_candidates(campagne_2029)] == [labelled.structure]

    report = open_campagne(
        actor=sample_admin, campagne=campagne_2029, structures=[labelled.structure, newcomer]
    )

    assert len(report.created) == 2
    [renewed] = report.renewals
    assert renewed.structure == labelled.structure
    assert renewed.renouvellement_de == labelled
    fresh = Dossier.objects.get(campagne=campagne_2029, structure=newcomer)
    assert fresh.renouvellement_de is None
    assert not Reponse.objects.filter(autoevaluation__dossier=fresh, niveau__isnull=False).exists()
    assert Reponse.objects.filter(autoevaluation__dossier=renewed, a_confirmer=True).count() == 99
    assert renewal_candidates(campagne_2029) == []


def test_a_suspended_label_is_not_renewed_by_the_campaign_opening(
    labelled, campagne_2029, sample_admin
):
    Label.objects.filter(decision__dossier=labelled).update(statut=Label.Statut.SUSPENDU)

    report = open_campagne(
        actor=sample_admin, campagne=campagne_2029, structures=[labelled.structure]
    )

    assert report.created == []
    [(structure, reason)] = report.refused
    assert structure == labelled.structure and "suspendu" in reason

    # Once the suspended label has expired, it is not in force any more: an initial dossier.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Label.objects.filter(decision__dossier=labelled).update(date_fin=yesterday)
    report = open_campagne(
        actor=sample_admin, campagne=campagne_2029, structures=[labelled.structure]
    )
    [fresh] = report.created
    assert report.renewals == [] and fresh.renouvellement_de is None


# --- confirming the copied answers ---------------------------------------------------------------


def test_progress_counts_confirmed_answers_only(renewal, direction):
    progress = dossier_progress(renewal)
    assert (progress.rated, progress.total, progress.syntheses_done) == (0, 99, 0)
    assert progress.a_confirmer == 99 + 24

    reponse = answers(renewal)["1.1.e1"]
    confirm_reponse(reponse=reponse, actor=direction, version=reponse.version)
    e2 = answers(renewal)["1.1.e2"]
    level_1 = niveau(renewal, "1" if e2.niveau.code != "1" else "2")
    save_reponse_field(
        reponse=e2, actor=direction, champ="niveau", valeur=str(level_1.pk), version=0
    )

    progress = dossier_progress(renewal)
    assert progress.rated == 2  # one confirmed as it was, one changed
    assert progress.a_confirmer == 99 + 24 - 2
    st = next(c for c in progress.criteres if c.critere.code == "1.1")
    assert (st.rated, st.total, st.a_confirmer) == (2, 2, 1)  # the synthesis is still to confirm


def test_confirm_keeps_the_values_bumps_the_version_and_is_recorded(renewal, direction):
    reponse = answers(renewal)["2.1.e1"]
    niveau, justification = reponse.niveau_id, reponse.justification

    result = confirm_reponse(reponse=reponse, actor=direction, version=0)

    assert result.ok and result.version == 1
    reponse.refresh_from_db()
    assert (reponse.niveau_id, reponse.justification) == (niveau, justification)
    assert (reponse.a_confirmer, reponse.version, reponse.updated_by) == (False, 1, direction)
    saisie = Saisie.objects.get(reponse=reponse)
    assert (saisie.champ, saisie.valeur, saisie.version, saisie.user) == (
        "confirmation",
        str(niveau),
        1,
        direction,
    )
    # Confirming again changes nothing.
    assert confirm_reponse(reponse=reponse, actor=direction, version=1).ok
    assert Saisie.objects.filter(reponse=reponse).count() == 1


def test_a_change_marks_the_answer_or_synthesis_as_confirmed(renewal, direction):
    reponse = answers(renewal)["2.1.e1"]
    save_reponse_field(
        reponse=reponse, actor=direction, champ="justification", valeur="Mis à jour", version=0
    )
    reponse.refresh_from_db()
    assert not reponse.a_confirmer

    synthese = SyntheseCritere.objects.select_related("autoevaluation__dossier").get(
        autoevaluation__dossier=renewal, critere__code="2.1"
    )
    save_synthese_field(
        synthese=synthese, actor=direction, champ="points_forts", valeur="Nouveaux", version=0
    )
    synthese.refresh_from_db()
    assert not synthese.a_confirmer

    other = SyntheseCritere.objects.select_related("autoevaluation__dossier").get(
        autoevaluation__dossier=renewal, critere__code="2.2"
    )
    assert confirm_synthese(synthese=other, actor=direction, version=0).ok
    other.refresh_from_db()
    assert (other.a_confirmer, other.version) == (False, 1)
    assert other.synthese.startswith("Le critère est globalement")


def test_submission_is_refused_until_every_copied_answer_is_confirmed(renewal, direction):
    with pytest.raises(TransitionError) as refused:
        submit_autoevaluation(renewal, direction)
    assert "dont 123 réponses reprises du dossier précédent à confirmer" in str(refused.value)
    assert len(refused.value.missing) == 123
    assert all(m.kind == "a_confirmer" for m in refused.value.missing)
    assert refused.value.missing[0].url.endswith("/criteres/1.1/#element-1.1.e1")

    # All but one confirmed: still refused, and the list names the last one.
    confirm_everything(renewal, direction)
    last = (
        Reponse.objects.filter(autoevaluation__dossier=renewal)
        .select_related("element")
        .order_by("-element__ordre")
        .first()
    )
    assert last is not None
    Reponse.objects.filter(pk=last.pk).update(a_confirmer=True)
    with pytest.raises(TransitionError) as refused:
        submit_autoevaluation(renewal, direction)
    assert [m.label for m in refused.value.missing] == [
        f"Élément {last.element.code} : réponse reprise à confirmer"
    ]

    Reponse.objects.filter(pk=last.pk).update(a_confirmer=False)
    submit_autoevaluation(renewal, direction)

    renewal.refresh_from_db()
    assert renewal.statut == Dossier.Statut.PLAN_AMELIORATION
    assert {c: r["niveau"] for c, r in submitted(renewal).items()} == {
        c: r["niveau"] for c, r in submitted(renewal.renouvellement_de).items()
    }


# --- the views: confirm one, confirm all, permissions, concurrency -------------------------------


def confirm_url(dossier: Dossier, reponse: Reponse) -> str:
    return reverse("autoevaluations:autoevaluation_confirm_reponse", args=[dossier.pk, reponse.pk])


def test_the_criterion_page_shows_the_copied_answers_to_confirm(renewal, direction):
    page = client_for(direction).get(
        reverse("autoevaluations:autoevaluation_critere", args=[renewal.pk, "1.1"])
    )
    html = page.content.decode()

    assert page.status_code == 200
    assert html.count('badge badge-orange">À confirmer') == 3  # two answers and the synthesis
    assert "Réponse reprise du dossier précédent : niveau «" in html
    assert "Confirmer cette réponse" in html
    assert "Tout confirmer pour le critère 1.1" in html
    assert "0 élément noté sur 2" in html
    assert (
        f"Dossier de renouvellement du label {label_of(renewal.renouvellement_de).numero}" in html
    )


def test_htmx_confirm_returns_the_confirmed_row_and_the_progress(renewal, direction):
    reponse = answers(renewal)["1.1.e1"]

    response = client_for(direction).post(confirm_url(renewal, reponse), {"version": "0"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="reponse-block-{reponse.pk}"' in html
    assert "Confirmer cette réponse" not in html
    assert "Lors du précédent label : niveau" in html
    assert '<div id="progress-critere" hx-swap-oob="true">' in html
    assert "1 élément noté sur 2" in html
    reponse.refresh_from_db()
    assert not reponse.a_confirmer and reponse.version == 1


def test_a_stale_confirm_is_refused_with_the_other_persons_answer(renewal, direction, labelled):
    referent = member(labelled.structure, Role.REFERENT_QUALITE)
    reponse = answers(renewal)["1.1.e1"]
    save_reponse_field(
        reponse=reponse, actor=referent, champ="justification", valeur="Sa version", version=0
    )

    htmx = client_for(direction).post(confirm_url(renewal, reponse), {"version": "0"}, **HTMX)
    plain = client_for(direction).post(confirm_url(renewal, reponse), {"version": "0"})

    assert htmx.status_code == 409
    assert "Confirmation non enregistrée" in htmx.content.decode()
    assert "Sa version" in htmx.content.decode()
    assert plain.status_code == 409
    assert "modifié entre-temps" in plain.content.decode()
    reponse.refresh_from_db()
    assert (reponse.justification, reponse.version, reponse.updated_by) == (
        "Sa version",
        1,
        referent,
    )
    assert not Saisie.objects.filter(reponse=reponse, champ="confirmation").exists()


def test_a_confirm_without_version_is_refused_in_the_status_line(renewal, direction):
    reponse = answers(renewal)["1.1.e1"]

    response = client_for(direction).post(confirm_url(renewal, reponse), {}, **HTMX)

    assert response.status_code == 400
    assert response["HX-Retarget"] == f"#status-reponse-{reponse.pk}"
    assert "Version manquante" in response.content.decode()
    reponse.refresh_from_db()
    assert reponse.a_confirmer


def test_htmx_confirm_of_the_synthesis(renewal, direction):
    synthese = SyntheseCritere.objects.get(autoevaluation__dossier=renewal, critere__code="1.1")
    url = reverse("autoevaluations:autoevaluation_confirm_synthese", args=[renewal.pk, synthese.pk])

    response = client_for(direction).post(url, {"version": "0"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="synthese-block-{synthese.pk}"' in html
    assert "Confirmer la synthèse" not in html
    assert "2 réponses reprises du dossier précédent à confirmer" in html  # the two elements
    synthese.refresh_from_db()
    assert (synthese.a_confirmer, synthese.version) == (False, 1)
    assert Saisie.objects.get(synthese=synthese).champ == "confirmation"


def test_a_plain_confirm_redirects_to_the_element(renewal, direction):
    reponse = answers(renewal)["3.1.e1"]

    response = client_for(direction).post(confirm_url(renewal, reponse), {"version": "0"})

    assert response.status_code == 302
    assert response["Location"].endswith("/criteres/3.1/#element-3.1.e1")
    reponse.refresh_from_db()
    assert not reponse.a_confirmer


def test_confirm_all_needs_the_review_box_and_skips_answers_changed_meanwhile(
    renewal, direction, labelled
):
    referent = member(labelled.structure, Role.REFERENT_QUALITE)
    rows = answers(renewal)
    e1, e2 = rows["1.1.e1"], rows["1.1.e2"]
    synthese = SyntheseCritere.objects.get(autoevaluation__dossier=renewal, critere__code="1.1")
    url = reverse("autoevaluations:autoevaluation_confirm_critere", args=[renewal.pk, "1.1"])
    data = {f"reponse-{e1.pk}": "0", f"reponse-{e2.pk}": "0", "synthese": "0"}
    client = client_for(direction)

    without_review = client.post(url, data)
    assert without_review.status_code == 302
    assert Reponse.objects.filter(pk__in=[e1.pk, e2.pk], a_confirmer=True).count() == 2

    # Somebody confirms e2 and re-marks it (as if a later copy) with a new version meanwhile.
    confirm_reponse(reponse=e2, actor=referent, version=0)
    Reponse.objects.filter(pk=e2.pk).update(a_confirmer=True)
    response = client.post(url, {**data, "relu": "1"}, follow=True)

    text = response.content.decode()
    assert "Critère 1.1 : 2 réponses reprises confirmées" in text
    assert "modifiée entre-temps : 1.1.e2" in text
    e1.refresh_from_db()
    e2.refresh_from_db()
    synthese.refresh_from_db()
    assert not e1.a_confirmer and not synthese.a_confirmer
    assert e2.a_confirmer  # its version moved on: left for a second look


@pytest.mark.parametrize("who", ["lecteur", "arml", "contributeur"])
def test_who_may_not_confirm_gets_403(renewal, labelled, who):
    user = {
        "lecteur": lambda: member(labelled.structure, Role.LECTEUR),
        "arml": lambda: member(labelled.structure.parent, Role.REFERENT_ARML),
        "contributeur": lambda: member(labelled.structure, Role.CONTRIBUTEUR),
    }[who]()
    reponse = answers(renewal)["1.1.e1"]
    client = client_for(user)

    assert client.post(confirm_url(renewal, reponse), {"version": "0"}).status_code == 403
    all_url = reverse("autoevaluations:autoevaluation_confirm_critere", args=[renewal.pk, "1.1"])
    assert client.post(all_url, {f"reponse-{reponse.pk}": "0", "relu": "1"}).status_code == 403
    reponse.refresh_from_db()
    assert reponse.a_confirmer


def test_an_assigned_contributor_confirms_their_criteria_only(renewal, labelled):
    contributeur = member(labelled.structure, Role.CONTRIBUTEUR)
    SyntheseCritere.objects.filter(autoevaluation__dossier=renewal, critere__code="1.1").update(
        contributeur=contributeur
    )
    rows = answers(renewal)
    client = client_for(contributeur)

    assert client.post(confirm_url(renewal, rows["1.1.e1"]), {"version": "0"}).status_code == 302
    assert client.post(confirm_url(renewal, rows["1.2.e1"]), {"version": "0"}).status_code == 403


def test_an_outsider_gets_404(renewal):
    outsider = member(MissionLocaleFactory(), Role.DIRECTION)
    reponse = answers(renewal)["1.1.e1"]

    assert (
        client_for(outsider).post(confirm_url(renewal, reponse), {"version": "0"}).status_code
        == 404
    )
    all_url = reverse("autoevaluations:autoevaluation_confirm_critere", args=[renewal.pk, "1.1"])
    assert client_for(outsider).post(all_url, {"relu": "1"}).status_code == 404


def test_nothing_is_confirmed_once_submitted(renewal, direction):
    confirm_everything(renewal, direction)
    submit_autoevaluation(renewal, direction)
    reponse = answers(renewal)["1.1.e1"]
    Reponse.objects.filter(pk=reponse.pk).update(a_confirmer=True)  # not reachable, but guarded

    response = client_for(direction).post(confirm_url(renewal, reponse), {"version": "1"})

    assert response.status_code == 403


# --- the campaign page ----------------------------------------------------------------------


def test_the_campaign_page_lists_the_labels_to_renew_and_opens_them(
    labelled, campagne_2029, sample_admin
):
    client = client_for(sample_admin)
    label = label_of(labelled)

    page = client.get(
        reverse("campagnes:campagne_detail", args=[campagne_2029.pk])
    ).content.decode()
    assert "Renouvellements (1)" in page
    assert label.numero in page

    response = client.post(
        reverse("campagnes:campagne_renew", args=[campagne_2029.pk]), follow=True
    )

    text = response.content.decode()
    assert "1 dossier de renouvellement ouvert" in text
    assert "Renouvellements (0)" in text
    renewal = Dossier.objects.get(campagne=campagne_2029)
    assert renewal.renouvellement_de == labelled
    dashboard = client.get(reverse("campagnes:dossier_detail", args=[renewal.pk])).content.decode()
    assert f"Dossier de renouvellement du label {label.numero}" in dashboard
    assert "123 reprises à confirmer" in dashboard


def test_the_campaign_renewal_page_is_national(labelled, campagne_2029, direction):
    response = client_for(direction).post(
        reverse("campagnes:campagne_renew", args=[campagne_2029.pk])
    )
    assert response.status_code == 404
    assert not campagne_2029.dossiers.exists()


# --- no gap between the old label and the renewed one ----------------------------------------


def decide_favourably(dossier: Dossier, admin: Any) -> Label:
    """The commission's decision on `dossier` through audits.commission.services.decide (the agenda
    point is written directly: the audit of the renewal is not what is tested here)."""
    Dossier.objects.filter(pk=dossier.pk).update(statut=Dossier.Statut.EN_COMMISSION)
    members = [MembreCommissionFactory() for _ in range(3)]
    seance = commission.create_seance(
        actor=admin, date=timezone.now(), president=members[0], membres=members[1:]
    )
    point = PointOrdreDuJour.objects.create(seance=seance, dossier=dossier)
    for m in members:
        commission.cast_vote(point=point, user=m.user, choix="favorable")
    commission.close_vote(point=point, user=members[0].user)
    commission.decide(point=point, user=members[0].user, motivation="Renouvellement accordé.")
    return label_of(dossier)


def test_a_renewal_decided_before_expiry_leaves_no_gap(renewal, sample_admin):
    old = label_of(renewal.renouvellement_de)
    assert old.date_fin > timezone.localdate()

    new = decide_favourably(renewal, sample_admin)

    assert new.date_debut == old.date_fin + dt.timedelta(days=1)
    assert new.date_fin == new.date_debut.replace(year=new.date_debut.year + 3) - dt.timedelta(
        days=1
    )
    assert new.numero != old.numero
    old.refresh_from_db()
    assert old.statut == Label.Statut.VALIDE  # not withdrawn: it simply runs to its end


def test_a_renewal_decided_after_expiry_starts_on_the_decision_day(renewal, sample_admin):
    old = label_of(renewal.renouvellement_de)
    today = timezone.localdate()
    Label.objects.filter(pk=old.pk).update(date_fin=today - dt.timedelta(days=3))

    new = decide_favourably(renewal, sample_admin)

    assert new.date_debut == today
    assert new.date_fin == today.replace(year=today.year + 3) - dt.timedelta(days=1)


def test_label_period_rule(labelled):
    old = label_of(labelled)
    before = old.date_fin - dt.timedelta(days=30)
    assert commission.label_period(labelled, before)[0] == old.date_fin + dt.timedelta(days=1)
    assert commission.label_period(labelled, old.date_fin)[0] == old.date_fin + dt.timedelta(days=1)
    after = old.date_fin + dt.timedelta(days=1)
    assert commission.label_period(labelled, after) == (
        after,
        after.replace(year=after.year + 3) - dt.timedelta(days=1),
    )
    # A suspended label does not delay the new one.
    Label.objects.filter(pk=old.pk).update(statut=Label.Statut.SUSPENDU)
    assert commission.label_period(labelled, before)[0] == before
    # 29 February.
    Label.objects.filter(pk=old.pk).update(
        statut=Label.Statut.VALIDE, date_fin=dt.date(2027, 2, 27)
    )
    assert commission.label_period(labelled, dt.date(2027, 1, 1)) == (
        dt.date(2027, 2, 28),
        dt.date(2030, 2, 27),
    )
    Label.objects.filter(pk=old.pk).update(date_fin=dt.date(2028, 2, 28))
    assert commission.label_period(labelled, dt.date(2028, 1, 1)) == (
        dt.date(2028, 2, 29),
        dt.date(2031, 2, 28),
    )
