"""The commission's séance in a real browser. The administrator places ML A's dossier on the
agenda; the member who belongs to ML A's ARML is recused automatically and sees no vote form; two
members vote (one changes their vote), neither sees the other's choice; the chair closes the
vote, reads the tally and records the decision with its motivation; the label then appears on
the public registry, without login."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from audits.commission.models import Decision, Label, PointOrdreDuJour, Vote
from tests.browser import login
from tests.commission_ui.conftest import make_seance
from tests.conftest import DEMO_TOTP_SECRET

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "mot-de-passe-solide-42"


def totp_code() -> str:
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))


def open_as(browser: Any, live_server: Any, email: str) -> Any:
    """A fresh browser context (own cookies) logged in with password and TOTP."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/2fa/authenticate/"))
    page.fill("input[name=code]", totp_code())
    page.press("input[name=code]", "Enter")
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("Se déconnecter")
    return page


def test_a_seance_votes_and_decides_and_the_label_is_public(
    browser, live_server, settings, tmp_path, answered, admin, network
):
    settings.MEDIA_ROOT = tmp_path
    # A code computed at the very end of its 30-s window may reach the server in the next one.
    settings.MFA_TOTP_TOLERANCE = 1
    seance = make_seance(admin, network)
    structure = answered.structure.nom

    # --- the administrator places the dossier on the agenda --------------------------------------
    page = open_as(browser, live_server, admin.email)
    page.goto("/commission/")
    page.click(f"a[href='/commission/{seance.pk}/']")
    page.select_option("select[name=dossier]", value=str(answered.pk))
    page.select_option("select[name=rapporteur]", value=str(seance.m1.pk))
    page.click("form.agenda-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("1 membre récusé automatiquement")
    expect(page.locator("table.agenda")).to_contain_text(structure)
    point = PointOrdreDuJour.objects.get(seance=seance, dossier=answered)
    point_url = f"/commission/{seance.pk}/points/{point.pk}/"
    page.context.close()

    # --- the ARML's member is recused: no vote form ----------------------------------------------
    m3 = open_as(browser, live_server, seance.m3.user.email)
    m3.goto("/commission/")
    m3.click(f"a[href='/commission/{seance.pk}/']")
    m3.click(f"text={structure}")
    expect(m3).to_have_url(re.compile(re.escape(point_url) + "$"))
    expect(m3.locator("#recusation")).to_contain_text("Vous êtes récusé(e)")
    expect(m3.locator("input[name=choix]")).to_have_count(0)
    expect(m3.locator("form.vote-form")).to_have_count(0)

    # --- m1 votes, then changes their vote --------------------------------------------------------
    m1 = open_as(browser, live_server, seance.m1.user.email)
    m1.goto(point_url)
    expect(m1.locator("input[name=choix]")).to_have_count(4)
    m1.check("input[name=choix][value=defavorable]")
    m1.click("form.vote-form button[type=submit]")
    expect(m1.locator(".messages")).to_contain_text("Votre vote est enregistré")
    expect(m1.locator("#own-vote")).to_contain_text("Défavorable")
    expect(m1.locator("input[name=choix][value=defavorable]")).to_be_checked()
    m1.check("input[name=choix][value=favorable]")
    m1.click("form.vote-form button[type=submit]")
    expect(m1.locator("#own-vote")).to_contain_text("Favorable")
    expect(m1.locator("input[name=choix][value=favorable]")).to_be_checked()
    assert Vote.objects.filter(point=point).count() == 1

    # --- m2 votes without seeing m1's choice -----------------------------------------------------
    m2 = open_as(browser, live_server, seance.m2.user.email)
    m2.goto(point_url)
    expect(m2.locator("input[name=choix]:checked")).to_have_count(0)
    expect(m2.locator("#decompte")).to_have_count(0)
    expect(m2.locator("main")).not_to_contain_text("Vous avez voté")
    m2.check("input[name=choix][value=favorable]")
    m2.click("form.vote-form button[type=submit]")
    expect(m2.locator("#own-vote")).to_contain_text("Favorable")
    expect(m2.locator("#decompte")).to_have_count(0)

    # --- the chair closes the vote and records the decision --------------------------------------
    chair = open_as(browser, live_server, seance.chair.user.email)
    chair.goto(point_url)
    expect(chair.locator("#decompte")).to_have_count(0)
    expect(chair.locator("#participation")).to_contain_text("2 votants sur 3 membres non récusés")
    chair.click("text=Clore le vote…")
    expect(chair.locator("#quorum-statut")).to_contain_text("Quorum atteint")
    chair.click("form.close-form button[type=submit]")
    expect(chair.locator(".messages")).to_contain_text("Vote clos")
    expect(chair.locator("#quorum")).to_contain_text("Quorum atteint")
    expect(chair.locator("#decompte")).to_contain_text("2 votants sur 3 membres non récusés")
    expect(chair.locator("#issue-decompte")).to_contain_text("Labellisé")
    expect(chair.locator(".votes")).to_contain_text(seance.m1.user.get_full_name())
    # The motivation is required.
    chair.click("form.decision-form button[type=submit]")
    expect(chair.locator("form.decision-form")).to_contain_text("obligatoire")
    chair.fill("textarea[name=motivation]", "Dossier solide ; actions correctives engagées.")
    chair.check("input[name=confirme]")
    chair.click("form.decision-form button[type=submit]")
    expect(chair.locator(".messages")).to_contain_text("Décision enregistrée")
    expect(chair.locator("#decision")).to_contain_text("Dossier solide")
    label = Label.objects.get(decision__point=point)
    assert Decision.objects.get(point=point).motivation.startswith("Dossier solide")
    expect(chair.locator("#label")).to_contain_text(label.numero)

    # Once closed, m2 reads the individual votes.
    m2.reload()
    expect(m2.locator(".votes")).to_contain_text(seance.m1.user.get_full_name())
    expect(m2.locator("form.vote-form")).to_have_count(0)

    # --- the public registry, without login ------------------------------------------------------
    public = browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    public.goto("/labels/")
    row = public.locator("tbody tr", has_text=structure)
    expect(row).to_contain_text(label.numero)
    row.locator(f"text={label.numero}").click()
    expect(public.locator("main")).to_contain_text("Label valide")
    for p in (m3, m1, m2, chair, public):
        p.context.close()
