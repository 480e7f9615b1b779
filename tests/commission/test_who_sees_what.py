"""What stays inside (issue 15; docs/decisions.md "Who sees what"), audience by audience, on a
dossier that went the whole way: the lead auditor returned the report once with remarks, the
auditor resubmitted, the lead validated, the structure answered the gaps, the dossier is on a
séance's agenda and decided.

- the lead auditor's remarks: the assigned auditor and the lead auditor read them; the structure,
  its ARML, the commission and the administrators never do (pages, PDFs);
- the history speaks French: no code name of a step on any history a person reads;
- the public verification page: holder, number, status, validity; never the motivation."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audits.commission import services as commission
from audits.commission.models import Label
from audits.models import Audit
from audits.services import (
    answer_gap,
    file_demande,
    return_audit_report,
    submit_audit_report,
    validate_audit_report,
)
from campagnes.models import DossierTransition
from labelml.documents.renderers import build_html, unavailable_reason
from labelml.structures.models import MembreCommission
from tests.audits.conftest import GAP_CRITERE, MINOR_GAP_CRITERE, complete_report, constat
from tests.conftest import client_for, with_totp
from tests.factories import MembreCommissionFactory

pytestmark = pytest.mark.django_db

REMARK = "Remarque interne du référent : l'écart 1.2 est mal étayé, reprenez-le."
MOTIVATION = "Motivation confidentielle : la direction doit revoir sa gouvernance."


@pytest.fixture
def decided(started, auditeur, lead, people, admin):  # type: ignore[no-untyped-def]
    dossier = started.dossier
    complete_report(started)
    submit_audit_report(dossier, auditeur.user)
    return_audit_report(dossier, lead.user, REMARK)
    submit_audit_report(dossier, auditeur.user)
    validate_audit_report(dossier, lead.user)
    audit = Audit.objects.get(pk=started.pk)
    for code in (GAP_CRITERE, MINOR_GAP_CRITERE):
        answer_gap(
            constat=constat(audit, code),
            actor=people.direction,
            action_corrective="Action corrective engagée.",
            envoyer=True,
        )
    file_demande(dossier, people.direction)
    chair = with_totp(MembreCommissionFactory(college=MembreCommission.College.ETAT).user)
    member = with_totp(MembreCommissionFactory().user)
    seance = commission.create_seance(
        actor=admin,
        date=timezone.now(),  # the séance is today: votes are accepted from its date
        president=chair.membre_commission,
        membres=[member.membre_commission],
        lieu="Paris",
    )
    point = commission.add_to_agenda(actor=admin, seance=seance, dossier=dossier)
    dossier.refresh_from_db()
    return dossier, point, chair, member


def _pages(dossier) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        reverse("campagnes:dossier_detail", args=[dossier.pk]),
        reverse("campagnes:dossier_history", args=[dossier.pk]),
        reverse("audits:audit_overview", args=[dossier.pk]),
        reverse("audits:audit_gaps", args=[dossier.pk]),
        reverse("audits:audit_comparison", args=[dossier.pk]),
    ]


def _read_all(user, urls) -> str:  # type: ignore[no-untyped-def]
    client = client_for(user)
    html = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html.append(response.content.decode())
    return "\n".join(html)


def _code_names(dossier) -> set[str]:  # type: ignore[no-untyped-def]
    return set(DossierTransition.objects.filter(dossier=dossier).values_list("action", flat=True))


def test_the_lead_auditors_remarks_are_read_by_the_auditors_only(
    decided, auditeur, lead, people, admin
):
    dossier, point, chair, member = decided
    overview = reverse("audits:audit_overview", args=[dossier.pk])
    for user in (auditeur.user, lead.user):
        assert escape(REMARK) in client_for(user).get(overview).content.decode()

    audiences = {
        "structure": [people.direction, people.referent, people.lecteur, people.contributeur],
        "arml": [people.arml],
        "commission": [chair, member],
        "unml": [admin],
    }
    for name, users in audiences.items():
        for user in users:
            html = _read_all(user, _pages(dossier))
            assert "mal étayé" not in html, name
            assert "Remarques de l" not in html, name
    # The journal only says the report went back; no PDF prints the remarks.
    assert not DossierTransition.objects.filter(reason__contains="mal étayé").exists()
    for kind in ("autoevaluation", "plan", "audit"):
        assert unavailable_reason(kind, dossier) is None
        assert "mal étayé" not in build_html(kind, dossier)


def test_every_history_a_person_reads_speaks_french(decided, people, auditeur, admin):
    dossier, point, chair, member = decided
    codes = _code_names(dossier)
    assert {"submit_plan", "return_audit_report", "place_on_agenda"} <= codes
    words = DossierTransition(subject="dossier")._words()[1]
    assert codes <= set(words)  # every step written has its words (its app's included)
    for user in (people.direction, people.arml, auditeur.user, admin, chair):
        html = _read_all(
            user,
            [
                reverse("campagnes:dossier_detail", args=[dossier.pk]),
                reverse("campagnes:dossier_history", args=[dossier.pk]),
            ],
        )
        for code in codes:
            assert not re.search(rf"\b{code}\b", html), (user, code)
    html = _read_all(people.direction, [reverse("campagnes:dossier_history", args=[dossier.pk])])
    assert "Plan d&#x27;amélioration soumis" in html
    assert "Rapport d&#x27;évaluation renvoyé à l&#x27;auditeur pour reprise" in html
    assert "Inscription à l&#x27;ordre du jour de la commission" in html


def test_a_step_without_words_never_shows_its_code_name(decided, people):
    dossier = decided[0]
    DossierTransition.objects.create(
        dossier=dossier, subject="dossier", subject_id=dossier.pk, action="new_step_xyz"
    )
    html = _read_all(people.direction, [reverse("campagnes:dossier_history", args=[dossier.pk])])
    assert "new_step_xyz" not in html and "Étape du dossier" in html


def test_the_public_sees_holder_number_status_and_validity_never_the_motivation(decided, admin):
    dossier, point, chair, member = decided
    commission.cast_vote(point=point, user=member, choix="favorable")
    commission.cast_vote(point=point, user=chair, choix="favorable")
    commission.close_vote(point=point, user=chair)
    commission.decide(point=point, user=chair, motivation=MOTIVATION)
    label = Label.objects.get(decision__dossier=dossier)
    html = Client().get(reverse("commission:label_verify", args=[label.numero])).content.decode()
    assert label.numero in html and dossier.structure.nom in html
    assert "Label valide" in html
    assert label.date_fin.strftime("%Y") in html
    assert "gouvernance" not in html and "Réserves" not in html
