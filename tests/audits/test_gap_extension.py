"""The UNML gives a structure more time to answer the gaps (issue 15's dead ends): once the
campaign's delay has run out with gaps unanswered, the dossier could never reach the
commission. Only a national administrator extends it, with a reason that the structure is told
and the dossier's history keeps."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, ReponseEcart
from audits.selectors import EXTENSION_ACTION, gap_deadline
from audits.services import answer_gap
from campagnes.models import DossierTransition
from labelml.notifications.models import Notification
from tests.audits.conftest import GAP_CRITERE, constat, fresh
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(validated):  # type: ignore[no-untyped-def]
    """A validated report whose answer delay ran out yesterday, its gaps unanswered."""
    delai = validated.dossier.campagne.delai_reponse_jours
    Audit.objects.filter(pk=validated.pk).update(
        valide_le=timezone.now() - dt.timedelta(days=delai + 1)
    )
    audit = fresh(validated)
    assert gap_deadline(audit) < timezone.localdate()
    return audit


def url(audit: Audit) -> str:
    return reverse("audits:audit_extend_gaps", args=[audit.dossier_id])


def gaps_url(audit: Audit) -> str:
    return reverse("audits:audit_gaps", args=[audit.dossier_id])


def test_the_administrator_extends_the_delay_and_the_direction_answers_again(
    overdue, admin, people
):
    until = timezone.localdate() + dt.timedelta(days=15)
    page = client_for(admin).get(gaps_url(overdue)).content.decode()
    assert "Le délai de réponse est dépassé" in page and "Prolonger le délai" in page

    response = client_for(admin).post(
        url(overdue), {"until": until.isoformat(), "motif": "Changement de direction en mai."}
    )
    assert response.status_code == 302 and response["Location"] == gaps_url(overdue)
    assert gap_deadline(fresh(overdue)) == until
    step = DossierTransition.objects.get(dossier=overdue.dossier, action=EXTENSION_ACTION)
    assert step.actor == admin and step.action_label == "Délai de réponse aux écarts prolongé"
    assert f"Jusqu'au {until:%d/%m/%Y} : Changement de direction en mai." == step.reason
    assert Notification.objects.filter(
        destinataire=people.direction, titre="Délai de réponse aux écarts prolongé"
    ).exists()

    answer_gap(
        constat=constat(overdue, GAP_CRITERE),
        actor=people.direction,
        action_corrective="Procédure d'accueil rédigée.",
    )
    assert ReponseEcart.objects.filter(constat__audit=overdue).count() == 1
    page = client_for(people.direction).get(gaps_url(overdue)).content.decode()
    assert "À envoyer au plus tard le" in page and "Prolonger le délai" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"until": "", "motif": "x"}, "Ce champ est obligatoire"),
        ({"until": "2026-02-30", "motif": "x"}, "Saisissez une date valide"),
        ({"until": "<yesterday>", "motif": "x"}, "postérieure à l'échéance actuelle"),
        ({"until": "<in 200 days>", "motif": "x"}, "180 jours au plus"),
        ({"until": "<in 10 days>", "motif": "   "}, "Ce champ est obligatoire"),
    ],
    ids=["sans-date", "date-invalide", "passee", "trop-loin", "sans-motif"],
)
def test_bad_input_is_refused_in_french_and_changes_nothing(overdue, admin, data, message):
    today = timezone.localdate()
    days = {"<yesterday>": -1, "<in 200 days>": 200, "<in 10 days>": 10}
    if data["until"] in days:
        data = {**data, "until": (today + dt.timedelta(days=days[data["until"]])).isoformat()}
    before = gap_deadline(overdue)
    response = client_for(admin).post(url(overdue), data)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    # Said once: a form's own errors sit in one alert box (templates/django/forms/div.html).
    assert html.count(message) == 1
    if message in ("postérieure à l'échéance actuelle", "180 jours au plus"):  # the service's
        assert '<div class="msg msg-error" role="alert">' in html
    assert gap_deadline(fresh(overdue)) == before
    assert not DossierTransition.objects.filter(action=EXTENSION_ACTION).exists()


def test_the_direction_may_not_extend_its_own_delay_and_an_outsider_does_not_see_it(
    overdue, people
):
    data = {"until": (timezone.localdate() + dt.timedelta(days=10)).isoformat(), "motif": "x"}
    assert client_for(people.direction).post(url(overdue), data).status_code == 403
    assert client_for(people.outsider).post(url(overdue), data).status_code == 404
    assert "Prolonger le délai" not in (
        client_for(people.direction).get(gaps_url(overdue)).content.decode()
    )
    assert fresh(overdue).echeance_ecarts_prolongee is None


def test_nothing_to_extend_once_every_gap_is_answered(overdue, admin, people):
    from audits.models import Constat

    Audit.objects.filter(pk=overdue.pk).update(valide_le=timezone.now())
    for c in Constat.objects.filter(
        audit=overdue, niveau__code__in=["ecart_majeur", "ecart_mineur"]
    ):
        answer_gap(constat=c, actor=people.direction, action_corrective="Fait.", envoyer=True)
    data = {"until": (timezone.localdate() + dt.timedelta(days=90)).isoformat(), "motif": "x"}
    response = client_for(admin).post(url(overdue), data)
    assert response.status_code == 400
    assert "rien à prolonger" in unescape(response.content.decode())


def test_the_administrators_home_lists_the_overdue_gaps(overdue, admin):
    from tests.home.test_worklists import a_faire, home, link

    section = a_faire(home(admin))
    assert f"Délai de réponse aux écarts dépassé : {overdue.dossier.structure.nom}" in section
    assert link("audits:audit_gaps", overdue.dossier_id) in section
    assert "2 écarts sans réponse envoyée" in section


def test_only_the_direction_is_called_to_file_the_demande_from_the_gaps_page(
    validated, admin, people
):
    direction = client_for(people.direction).get(gaps_url(validated)).content.decode()
    demande = reverse("audits:audit_demande", args=[validated.dossier_id])
    assert f'<a class="btn" href="{demande}" id="lien-demande">Demande de labellisation</a>' in (
        direction
    )
    for user in (admin, people.referent):
        page = client_for(user).get(gaps_url(validated)).content.decode()
        assert ">Voir la demande de labellisation</a>" in page
        assert ">Demande de labellisation</a>" not in page
