"""Issue 15, the commission's journey in a real browser, each person starting from their home
page and following links only: the direction answers the gaps and files the demande de
labellisation; the administrator places the dossier on a séance's agenda (a member of the
structure's ARML is recused automatically); one member votes, the chair sees the count
(« 1 votant sur 3 membres non récusés », no quorum), confirms the close and the item goes back
to the agenda; the administrator places it on a later séance, where the members vote, the
chair sees the quorum reached, closes (confirming) and records the decision the tally gives
(« labellisé sous réserve »); the structure's referent lifts the reservation from its plan and
the UNML records the lifting on the label, which the public verification page then shows."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from audits.commission.models import Decision, Label
from audits.models import Constat
from campagnes.models import Dossier, DossierTransition
from campagnes.plans.models import Action
from tests.browser import login
from tests.commission import conftest as _commission
from tests.commission_ui.conftest import make_seance
from tests.conftest import DEMO_TOTP_SECRET

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "mot-de-passe-solide-42"

admin = _commission.admin
campagne = _commission.campagne
dossier = _commission.dossier
people = _commission.people
body = _commission.body
auditeur = _commission.auditeur
lead = _commission.lead
planifiable = _commission.planifiable
assigned = _commission.assigned
started = _commission.started
submitted = _commission.submitted
validated = _commission.validated


def totp_code() -> str:
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))


def home_of(browser: Any, live_server: Any, email: str, *, totp: bool) -> Any:
    """A fresh browser context logged in (with TOTP when the role requires it), on its home."""
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, email, PASSWORD)
    if totp:
        expect(page).to_have_url(re.compile(r"/2fa/authenticate/"))
        page.fill("input[name=code]", totp_code())
        page.press("input[name=code]", "Enter")
        page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("Se déconnecter")
    page.goto("/")
    return page


def to_item(page: Any, seance: Any, structure: str) -> None:
    """From the home page: the Commission menu, the séance, the item."""
    page.click("nav >> text=Commission")
    page.click(f"a[href='/commission/{seance.pk}/']")
    page.click(f"table.agenda >> text={structure}")


def test_from_the_demande_to_the_lifting_of_the_reservations(
    browser, live_server, settings, tmp_path, validated, people, admin, network
):
    settings.MEDIA_ROOT = tmp_path
    settings.MFA_TOTP_TOLERANCE = 1
    dossier = validated.dossier
    structure = dossier.structure.nom
    first = make_seance(admin, network)
    later = make_seance(admin, network)

    # --- the direction answers the gaps and files the demande ----------------------------------
    direction = home_of(browser, live_server, people.direction.email, totp=False)
    direction.click(f"a[href='/dossiers/{dossier.pk}/']")
    direction.click("text=Répondre aux écarts")
    for constat in Constat.objects.filter(
        audit=validated, niveau__code__in=("ecart_mineur", "ecart_majeur")
    ):
        card = direction.locator(f"#constat-{constat.pk}")
        card.locator("textarea[name$=action_corrective]").fill("Procédure révisée et appliquée.")
        card.locator("button[name=envoyer]").click()
        expect(direction.locator(f"#constat-{constat.pk}")).to_contain_text("Réponse envoyée")
    direction.click("#lien-demande")
    direction.fill("textarea[name=message]", "Nous demandons la labellisation.")
    direction.click("text=Déposer la demande de labellisation")
    expect(direction.locator("#demande-deposee")).to_contain_text("déposée")
    direction.context.close()

    # --- the administrator places the dossier on the first séance's agenda ---------------------
    unml = home_of(browser, live_server, admin.email, totp=True)
    unml.click("nav >> text=Commission")
    unml.click(f"a[href='/commission/{first.pk}/']")
    unml.select_option("select[name=dossier]", value=str(dossier.pk))
    unml.select_option("select[name=rapporteur]", value=str(first.m1.pk))
    unml.click("form.agenda-form button[type=submit]")
    expect(unml.locator("table.agenda")).to_contain_text(structure)
    assert Dossier.objects.get(pk=dossier.pk).statut == Dossier.Statut.EN_COMMISSION

    # --- one member votes; the recused member has no form; no quorum --------------------------
    m3 = home_of(browser, live_server, first.m3.user.email, totp=True)
    to_item(m3, first, structure)
    expect(m3.locator("#recusation")).to_contain_text("récusé")
    expect(m3.locator("form.vote-form")).to_have_count(0)
    m3.context.close()
    m1 = home_of(browser, live_server, first.m1.user.email, totp=True)
    to_item(m1, first, structure)
    expect(m1.locator("#dossier-decision")).to_contain_text("Demande de labellisation déposée")
    m1.check("input[name=choix][value=favorable]")
    m1.click("form.vote-form button[type=submit]")
    expect(m1.locator("#own-vote")).to_contain_text("Favorable")
    m1.context.close()

    chair = home_of(browser, live_server, first.chair.user.email, totp=True)
    to_item(chair, first, structure)
    expect(chair.locator("#participation")).to_contain_text("1 votant sur 3 membres non récusés")
    expect(chair.locator("#quorum-statut")).to_contain_text("Quorum non atteint")
    chair.click("text=Clore le vote…")
    expect(chair.locator("#quorum-statut")).to_contain_text("il manque 1 votant")
    chair.click("text=Confirmer la clôture du vote")
    expect(chair.locator("#sans-quorum")).to_contain_text("revient à l'ordre du jour")
    expect(chair.locator("#decision-form")).to_have_count(0)
    chair.context.close()
    assert DossierTransition.objects.filter(dossier=dossier, action="vote_sans_quorum").exists()

    # --- back on the agenda of a later séance --------------------------------------------------
    unml.click("nav >> text=Commission")
    unml.click(f"a[href='/commission/{later.pk}/']")
    unml.select_option("select[name=dossier]", value=str(dossier.pk))
    unml.click("form.agenda-form button[type=submit]")
    expect(unml.locator("table.agenda")).to_contain_text(structure)

    for membre in (later.m1, later.m2):
        voter = home_of(browser, live_server, membre.user.email, totp=True)
        to_item(voter, later, structure)
        voter.check("input[name=choix][value=favorable_avec_reserves]")
        voter.click("form.vote-form button[type=submit]")
        expect(voter.locator("#own-vote")).to_contain_text("Favorable avec réserves")
        voter.context.close()

    chair = home_of(browser, live_server, later.chair.user.email, totp=True)
    to_item(chair, later, structure)
    expect(chair.locator("#participation")).to_contain_text("2 votants sur 3 membres non récusés")
    expect(chair.locator("#quorum-statut")).to_contain_text("Quorum atteint")
    chair.click("text=Clore le vote…")
    chair.click("text=Confirmer la clôture du vote")
    expect(chair.locator("#issue-decompte")).to_contain_text("Labellisé sous réserve")
    chair.fill("textarea[name=motivation]", "Écart majeur à lever dans les six mois.")
    chair.click("form.decision-form button[type=submit]")
    expect(chair.locator("form.decision-form")).to_contain_text("Confirmez l'issue")
    chair.fill("textarea[name=motivation]", "Écart majeur à lever dans les six mois.")
    chair.check("input[name=confirme]")
    chair.click("form.decision-form button[type=submit]")
    expect(chair.locator("#decision")).to_contain_text("Labellisé sous réserve")
    chair.context.close()
    decision = Decision.objects.get(point__seance=later)
    assert decision.resultat == Decision.Resultat.LABELLISE_SOUS_RESERVE

    # --- the structure lifts the reservation ---------------------------------------------------
    referent = home_of(browser, live_server, people.referent.email, totp=False)
    referent.click(f"a[href='/dossiers/{dossier.pk}/']")
    referent.click("text=actions de levée des réserves")
    referent.click("text=Lever la réserve")
    referent.select_option("select[name=responsable]", value=str(people.referent.pk))
    referent.fill("input[name=echeance]", "2027-03-01")
    referent.select_option("select[name=statut]", value="fait")
    referent.fill("textarea[name=realisation]", "Procédure appliquée sur tous les sites.")
    referent.click("form button[type=submit] >> text=Enregistrer")
    expect(referent.locator(".messages")).to_contain_text("enregistrée")
    referent.context.close()
    action = Action.objects.get(plan__dossier=dossier, origine=Action.Origine.RESERVE)
    assert action.statut == Action.Statut.FAIT and action.responsable == people.referent

    # --- the UNML records the lifting; the public page shows it -------------------------------
    label = Label.objects.get(decision=decision)
    unml.goto("/")
    unml.click("nav >> text=Commission")
    unml.click("text=Labels accordés")
    unml.click(f"text={label.numero}")
    expect(unml.locator("#reserves")).to_contain_text("Procédure appliquée sur tous les sites.")
    unml.fill("#reserves textarea[name=motivation]", "Justificatifs examinés.")
    unml.click("text=Constater la levée des réserves")
    expect(unml.locator("#reserves-statut")).to_contain_text("Réserves levées le")
    unml.click("text=Page publique de vérification")
    expect(unml.locator("#reserves-levees")).to_contain_text("Réserves levées le")
    unml.context.close()
