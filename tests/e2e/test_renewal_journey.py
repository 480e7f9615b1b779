"""Renewal of a label in a real browser (issue 8): the national administrator opens the renewal
dossier of a labelled Mission Locale from the campaign page; the quality referent finds the
previous answers copied and marked "À confirmer"; the direction's submission is refused with the
list of answers to confirm; the referent confirms one answer on its own, changes another, and
confirms the rest criterion by criterion ("Tout confirmer"); the submission then goes through.
The database is checked at the end."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone
from playwright.sync_api import expect

from audits.commission.models import Label
from campagnes.autoevaluations.models import Reponse, Saisie, SyntheseCritere
from campagnes.models import Dossier
from campagnes.plans.models import Action
from campagnes.services import create_campagne
from labelml.structures.roles import Role
from tests.browser import login
from tests.conftest import DEMO_TOTP_SECRET, member, with_totp

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "mot-de-passe-solide-42"


def new_page(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def login_with_totp(page: Any, email: str) -> None:
    login(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/2fa/authenticate/"))
    page.fill(
        "input[name=code]", format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
    )
    page.press("input[name=code]", "Enter")
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("Se déconnecter")


@pytest.fixture
def labelled(db):  # type: ignore[no-untyped-def]
    from labelml.demo.samples import build_complete_dossier

    return build_complete_dossier(seed=21)


def test_a_renewal_starts_from_the_copied_answers_and_needs_each_one_confirmed(
    browser, live_server, settings, labelled
):
    settings.MFA_TOTP_TOLERANCE = 1
    structure = labelled.structure
    unml = structure.__class__.objects.get(code="unml")
    admin = with_totp(member(unml, Role.ADMIN_UNML))
    referent = member(structure, Role.REFERENT_QUALITE)
    direction = member(structure, Role.DIRECTION)
    old_label = Label.objects.get(decision__dossier=labelled)
    today = timezone.localdate()
    campagne = create_campagne(
        actor=admin,
        nom="Campagne de renouvellement 2029",
        referentiel=labelled.campagne.referentiel,
        date_ouverture=today,
        date_cloture_autoevaluation=today + dt.timedelta(days=90),
    )

    # --- the administrator opens the renewal from the campaign page ----------------------------
    adm = new_page(browser, live_server)
    login_with_totp(adm, admin.email)
    adm.goto(f"/campagnes/{campagne.pk}/")
    renewals = adm.locator("#renouvellements")
    expect(renewals).to_contain_text("Renouvellements (1)")
    expect(renewals).to_contain_text(old_label.numero)
    expect(renewals).to_contain_text(structure.nom)
    renewals.locator("button[type=submit]").click()
    expect(adm.locator(".messages")).to_contain_text("1 dossier de renouvellement ouvert")
    expect(adm.locator("#renouvellements")).to_contain_text("Renouvellements (0)")
    dossier = Dossier.objects.get(campagne=campagne, structure=structure)
    assert dossier.renouvellement_de == labelled
    adm.context.close()

    # --- the referent finds the copied answers, each to confirm ---------------------------------
    ref = new_page(browser, live_server)
    login(ref, referent.email, PASSWORD)
    ref.goto(f"/dossiers/{dossier.pk}/")
    expect(ref.locator("#renouvellement")).to_contain_text(
        f"Dossier de renouvellement du label {old_label.numero}"
    )
    expect(ref.locator(".kpis")).to_contain_text("0 / 99 éléments")
    expect(ref.locator(".kpis")).to_contain_text("123 reprises à confirmer")
    ref.goto(f"/dossiers/{dossier.pk}/autoevaluation/criteres/1.1/")
    e1 = Reponse.objects.select_related("niveau").get(
        autoevaluation__dossier=dossier, element__code="1.1.e1"
    )
    e1_block = ref.locator(f"#reponse-block-{e1.pk}")
    expect(e1_block.locator(".badge-orange")).to_have_text("À confirmer")
    expect(e1_block).to_contain_text(f"niveau « {e1.niveau.code} — {e1.niveau.libelle} »")
    expect(ref.locator(f"#niveau-{e1.pk} option:checked")).to_contain_text(e1.niveau.libelle)
    expect(ref.locator(".element-row .badge-orange")).to_have_count(2)
    expect(ref.locator("#progress-critere")).to_contain_text("0 élément noté sur 2")
    expect(ref.locator("#a-confirmer")).to_contain_text("3 réponses reprises du dossier précédent")

    # --- the direction's submission is refused, with the list ------------------------------------
    dir_page = new_page(browser, live_server)
    login(dir_page, direction.email, PASSWORD)
    dir_page.goto(f"/dossiers/{dossier.pk}/autoevaluation/soumettre/")
    dir_page.click("form >> text=Soumettre l'auto-évaluation")
    expect(dir_page.locator("[role=alert]")).to_contain_text(
        "dont 123 réponses reprises du dossier précédent à confirmer"
    )
    missing = dir_page.locator("#manquants")
    expect(missing).to_contain_text("Élément 1.1.e1 : réponse reprise à confirmer")
    expect(missing).to_contain_text("Critère 5.2 : synthèse reprise à confirmer")
    assert Dossier.objects.get(pk=dossier.pk).statut == Dossier.Statut.AUTOEVALUATION

    # --- the referent confirms one answer on its own (htmx) -------------------------------------
    e1_block.locator("button", has_text="Confirmer cette réponse").click()
    expect(e1_block.locator(".badge-orange")).to_have_count(0)
    expect(e1_block).to_contain_text("Lors du précédent label")
    expect(ref.locator("#progress-critere")).to_contain_text("1 élément noté sur 2")

    # ...changes the level of another one (the save confirms it)...
    e2 = Reponse.objects.select_related("niveau").get(
        autoevaluation__dossier=dossier, element__code="1.2.e1"
    )
    ref.goto(f"/dossiers/{dossier.pk}/autoevaluation/criteres/1.2/")
    other = "1 — Non engagé" if e2.niveau.code != "1" else "2 — En cours de mise en œuvre"
    ref.select_option(f"#niveau-{e2.pk}", label=other)
    expect(ref.locator(f"#status-reponse-{e2.pk}")).to_contain_text("Enregistré")
    expect(ref.locator(f"#reponse-block-{e2.pk} .badge-orange")).to_have_count(0)

    # ...and confirms the rest, criterion by criterion, after reading them.
    codes = list(
        SyntheseCritere.objects.filter(autoevaluation__dossier=dossier)
        .order_by("critere__ordre")
        .values_list("critere__code", flat=True)
    )
    assert len(codes) == 24
    for code in codes:
        ref.goto(f"/dossiers/{dossier.pk}/autoevaluation/criteres/{code}/")
        form = ref.locator("#tout-confirmer")
        form.locator("input[name=relu]").check()
        form.locator("button[type=submit]").click()
        expect(ref.locator(".messages")).to_contain_text(f"Critère {code} :")
        expect(ref.locator("#tout-confirmer")).to_have_count(0)
        expect(ref.locator(".badge-orange")).to_have_count(0)

    # --- the direction submits ------------------------------------------------------------------
    dir_page.goto(f"/dossiers/{dossier.pk}/autoevaluation/soumettre/")
    expect(dir_page.locator("text=Tout est complet")).to_be_visible()
    dir_page.click("form >> text=Soumettre l'auto-évaluation")
    expect(dir_page.locator(".messages")).to_contain_text("Auto-évaluation soumise")

    # The plan carries the previous plan's open actions.
    dir_page.goto(f"/dossiers/{dossier.pk}/plan/")
    expect(dir_page.locator("body")).to_contain_text("Reprise du plan précédent")

    dossier.refresh_from_db()
    assert dossier.statut == Dossier.Statut.PLAN_AMELIORATION
    assert not Reponse.objects.filter(autoevaluation__dossier=dossier, a_confirmer=True).exists()
    assert not SyntheseCritere.objects.filter(
        autoevaluation__dossier=dossier, a_confirmer=True
    ).exists()
    assert (
        Saisie.objects.filter(
            autoevaluation__dossier=dossier, champ="confirmation", user=referent
        ).count()
        == 99 - 1 + 24
    )  # every answer but the changed one, and every synthesis
    assert Saisie.objects.get(reponse=e2, champ="niveau").user == referent
    snapshot = {r["element"]: r for r in dossier.snapshots.get().contenu["reponses"]}
    previous = {r["element"]: r for r in labelled.snapshots.get().contenu["reponses"]}
    assert snapshot["1.1.e1"] == previous["1.1.e1"]
    assert snapshot["1.2.e1"]["niveau"] != previous["1.2.e1"]["niveau"]
    carried = Action.objects.filter(plan__dossier=dossier)
    assert (
        carried.count()
        == labelled.plan.actions.filter(
            statut__in=[Action.Statut.A_FAIRE, Action.Statut.EN_COURS]
        ).count()
    )
    assert set(carried.values_list("origine", flat=True)) == {Action.Origine.REPRISE}
