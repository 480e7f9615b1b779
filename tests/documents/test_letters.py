"""The decision letter and the attestation (SPEC §7, §8), rendered through the renderers (the
HTTP views and the task are tested in test_reports): when each can be produced, what it says
for each result, the QR code and the verification address, the letterhead images."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from audits.commission.models import Decision, Label, PointOrdreDuJour, Seance
from labelml.documents.models import ParametresDocuments
from labelml.documents.renderers import build_html, render, unavailable_reason
from labelml.documents.renderers.attestation import NO_LABEL, qr_data_uri
from labelml.documents.renderers.commission_common import emitter_subject, place_of_issue
from labelml.documents.renderers.decision import NO_DECISION
from labelml.documents.templatetags.print_tags import date_longue
from tests.factories import MembreCommissionFactory

pytestmark = pytest.mark.django_db

SITE = "https://labelml.example.org"
NUMERO = "LML-2026-00042"
MOTIVATION = (
    "La gouvernance est structurée : le conseil d'administration suit le plan d'action.\n\n"
    "L'accueil des jeunes est formalisé dans toutes les antennes."
)
RESERVES = "Formaliser la procédure de traitement des réclamations avant six mois."
DECOMPTE = {
    "counts": {"favorable": 2, "favorable_avec_reserves": 1, "defavorable": 0, "abstention": 1},
    "eligible": 5,
    "participants": 4,
}
MOIS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"


def french_date(day: dt.date) -> str:
    """Written independently of the template filter."""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MOIS.split()[day.month - 1]} {day.year}"


def pdf_text(pdf: bytes) -> str:
    """The text of every page, spaces normalised (no-break and narrow no-break spaces)."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def pdf_images(pdf: bytes) -> int:
    """Distinct images (pages may share their resources)."""
    return len({image.data for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images})


def fonts(pdf: bytes) -> set[str]:
    found = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            found.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return found


def alt_texts(pdf: bytes) -> list[str]:
    """The /Alt entries of the tagged PDF's structure tree (what a screen reader says)."""
    reader = PdfReader(io.BytesIO(pdf))
    found: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "get"):
            return
        if "/Alt" in node:
            found.append(str(node["/Alt"]))
        if "/K" in node:
            walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def png(width: int = 240, height: int = 80, color: str = "#1d3f72") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def validity() -> tuple[dt.date, dt.date]:
    """From the first day of this month (the "1er" of French dates), for three years."""
    start = timezone.localdate().replace(day=1)
    return start, start.replace(year=start.year + 3) - dt.timedelta(days=1)


def decide(dossier: Any, resultat: str, *, reserves: str = "") -> Decision:
    """A decision (and its label when granted) written through the ORM, as the commission
    services would have."""
    seance = Seance.objects.create(
        date=timezone.make_aware(dt.datetime(2026, 2, 12, 14, 0)),
        lieu="Paris",
        president=MembreCommissionFactory(),
    )
    point = PointOrdreDuJour.objects.create(seance=seance, dossier=dossier, vote="clos")
    decision = Decision.objects.create(
        point=point, dossier=dossier, resultat=resultat, motivation=MOTIVATION, decompte=DECOMPTE
    )
    Decision.objects.filter(pk=decision.pk).update(
        decide_le=timezone.make_aware(dt.datetime(2026, 3, 12, 16, 30))
    )
    if resultat in (Decision.Resultat.LABELLISE, Decision.Resultat.LABELLISE_SOUS_RESERVE):
        start, end = validity()
        Label.objects.create(
            structure=dossier.structure,
            decision=decision,
            numero=NUMERO,
            date_debut=start,
            date_fin=end,
            reserves=reserves,
        )
    return decision


@pytest.fixture(autouse=True)
def site(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def labellise(dossier):  # type: ignore[no-untyped-def]
    decide(dossier, Decision.Resultat.LABELLISE)
    return dossier


@pytest.fixture
def sous_reserve(dossier):  # type: ignore[no-untyped-def]
    decide(dossier, Decision.Resultat.LABELLISE_SOUS_RESERVE, reserves=RESERVES)
    return dossier


@pytest.fixture
def refuse(dossier):  # type: ignore[no-untyped-def]
    decide(dossier, Decision.Resultat.REFUSE)
    return dossier


@pytest.fixture
def letterhead(db):  # type: ignore[no-untyped-def]
    parametres = ParametresDocuments(
        pk=1,
        adresse="21 rue Martel\n69003 Lyon Cedex 03",
        signataire_nom="Jeanne Martin",
        signataire_qualite="Présidente de l'UNML",
    )
    parametres.logo.save("logo.png", ContentFile(png()), save=False)
    parametres.signature.save("signature.png", ContentFile(png(160, 60, "#000000")), save=False)
    parametres.save()
    return parametres


# --- Availability --------------------------------------------------------------------------


def test_before_any_decision_neither_document_is_available(dossier):
    assert unavailable_reason("decision", dossier) == NO_DECISION
    assert unavailable_reason("attestation", dossier) == NO_LABEL


def test_a_refusal_has_a_letter_but_no_attestation(refuse):
    assert unavailable_reason("decision", refuse) is None
    assert unavailable_reason("attestation", refuse) == NO_LABEL


def test_a_withdrawn_suspended_or_expired_label_has_no_attestation(labellise):
    assert unavailable_reason("attestation", labellise) is None
    label = Label.objects.get(numero=NUMERO)
    Label.objects.filter(pk=label.pk).update(statut=Label.Statut.RETIRE)
    assert unavailable_reason("attestation", labellise) == "Le label de cette structure est retiré."
    Label.objects.filter(pk=label.pk).update(statut=Label.Statut.SUSPENDU)
    assert (
        unavailable_reason("attestation", labellise) == "Le label de cette structure est suspendu."
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Label.objects.filter(pk=label.pk).update(
        statut=Label.Statut.VALIDE, date_debut=yesterday.replace(year=yesterday.year - 3)
    )
    Label.objects.filter(pk=label.pk).update(date_fin=yesterday)
    reason = unavailable_reason("attestation", labellise) or ""
    assert reason.replace("\u00a0", " ") == (
        f"Le label de cette structure a expiré le {french_date(yesterday)}."
    )
    # The letter stays available: it records the decision, whatever the label became.
    assert unavailable_reason("decision", labellise) is None


def test_the_latest_decision_counts(refuse):
    """An adjourned dossier comes back to the commission: the documents follow the last
    decision."""
    assert unavailable_reason("attestation", refuse) == NO_LABEL
    decision = decide(refuse, Decision.Resultat.LABELLISE)
    Decision.objects.filter(pk=decision.pk).update(
        decide_le=timezone.make_aware(dt.datetime(2026, 9, 1, 10, 0))
    )
    assert unavailable_reason("attestation", refuse) is None
    assert "Labellisé" in pdf_text(render("decision", refuse)[0])


# --- Decision letter -----------------------------------------------------------------------


def test_the_letter_of_a_granted_label(labellise):
    pdf, pages = render("decision", labellise)
    text = pdf_text(pdf)
    start, end = validity()
    assert pages == 1
    assert labellise.structure.nom in text and "À l’attention de la direction" in text
    assert "Paris, le 12 mars 2026" in text  # the date of the decision, not of the print
    assert "Objet : décision de la commission nationale de labellisation" in text
    assert "Réunie le 12 février 2026 (Paris)" in text
    assert "Décision de la commission : Labellisé" in text
    assert "La gouvernance est structurée : le conseil d’administration suit" in text
    assert "L’accueil des jeunes est formalisé" in text
    assert "Sur 5 membres non récusés, 4 ont pris part au vote" in text
    assert "2 voix favorables, 1 voix favorable avec réserves, 0 voix défavorable" in text
    assert NUMERO in text
    assert f"du {french_date(start)} au {french_date(end)}" in text
    assert f"{SITE}/labels/{NUMERO}/" in text.replace(" ", "")
    assert "Président de l’UNML" in text  # the default signatory
    assert pdf_images(pdf) == 0  # no logo, no signature: the emitter's name instead
    assert fonts(pdf) <= {"Inter", "Inter-Bold", "Inter-Semi-Bold"}
    assert "Union nationale des Missions Locales" in text


def test_the_letter_of_a_label_under_reservations_says_what_to_do(sous_reserve):
    text = pdf_text(render("decision", sous_reserve)[0])
    assert "Décision de la commission : Labellisé sous réserve" in text
    assert "Réserves à lever" in text and RESERVES in text
    assert "plan d’amélioration" in text and "audit de suivi" in text
    assert NUMERO in text


def test_the_letter_of_a_refusal_gives_the_next_steps_and_no_certificate(refuse):
    text = pdf_text(render("decision", refuse)[0])
    assert "Décision de la commission : Refusé" in text
    assert "Suites à donner" in text and "prochaine campagne" in text
    assert "certificat" not in text.lower()


def test_the_letter_of_an_adjournment_sends_back_to_the_plan(dossier):
    decide(dossier, Decision.Resultat.AJOURNE)
    text = pdf_text(render("decision", dossier)[0])
    assert "Décision de la commission : Ajourné" in text
    assert "nouvelle évaluation externe" in text


def test_user_text_is_escaped_in_the_letter(dossier):
    decision = decide(dossier, Decision.Resultat.REFUSE)
    Decision.objects.filter(pk=decision.pk).update(motivation="<b>gras</b> & <script>x</script>")
    html = build_html("decision", dossier)
    assert "<script>" not in html and "&lt;b&gt;gras&lt;/b&gt; &amp;" in html


# --- Attestation ---------------------------------------------------------------------------


def test_the_attestation_of_a_granted_label(labellise):
    pdf, pages = render("attestation", labellise)
    text = pdf_text(pdf)
    start, end = validity()
    url = f"{SITE}/labels/{NUMERO}/"
    assert pages == 1
    assert "Attestation de labellisation" in text
    assert "L’Union nationale des Missions Locales atteste que" in text
    assert labellise.structure.nom in text
    assert "est labellisée au titre du référentiel ML-2022 v1" in text
    assert NUMERO in text
    assert f"du {french_date(start)} au {french_date(end)}" in text
    assert url in text.replace(" ", "")
    assert "Fait à Paris, le 12 mars 2026" in text
    assert "sous réserve" not in text
    # The QR code encodes the same absolute address, drawn as vectors (no raster image).
    assert qr_data_uri(url) in build_html("attestation", labellise)
    assert pdf_images(pdf) == 0
    assert f"Code QR de la page publique de vérification du certificat {NUMERO}" in alt_texts(pdf)
    # Only the shipped fonts: every character of the certificate is in Inter.
    assert fonts(pdf) <= {"Inter", "Inter-Bold", "Inter-Semi-Bold"}


def test_the_attestation_shows_the_reservations(sous_reserve):
    text = pdf_text(render("attestation", sous_reserve)[0])
    assert "sous réserve" in text and RESERVES in text


def test_reservations_too_long_for_one_page_are_left_to_the_letter(dossier, letterhead):
    last = "Dernière réserve : publier le rapport d'activité."
    reserves = "\n\n".join([RESERVES * 3] * 8 + [last])
    decide(dossier, Decision.Resultat.LABELLISE_SOUS_RESERVE, reserves=reserves)
    pdf, pages = render("attestation", dossier)
    text = pdf_text(pdf)
    assert pages == 1
    assert "elles figurent dans la lettre de décision du 12 mars 2026" in text
    assert "Dernière réserve" not in text  # never a truncated text
    assert "Dernière réserve : publier le rapport d’activité." in pdf_text(
        render("decision", dossier)[0]
    )


def test_letterhead_images_are_printed_with_their_alternative_text(labellise, letterhead):
    letter, letter_pages = render("decision", labellise)
    attestation, pages = render("attestation", labellise)
    assert pdf_images(letter) == 2 and pdf_images(attestation) == 2
    assert letter_pages == 1 and pages == 1
    for pdf in (letter, attestation):
        alts = alt_texts(pdf)
        assert "Union nationale des Missions Locales" in alts  # the logo
        assert "Signature de Jeanne Martin" in alts
    letter_text, attestation_text = pdf_text(letter), pdf_text(attestation)
    assert "Lyon, le 12 mars 2026" in letter_text  # the town of the letterhead's address
    assert "69003 Lyon Cedex 03" in letter_text
    assert "Présidente de l’UNML" in letter_text and "Jeanne Martin" in letter_text
    assert "Fait à Lyon, le 12 mars 2026" in attestation_text


def test_a_missing_image_file_does_not_stop_the_render(labellise, letterhead):
    letterhead.logo.storage.delete(letterhead.logo.name)
    pdf, _ = render("attestation", labellise)
    assert pdf_images(pdf) == 1  # the signature only


# --- Through the real commission services --------------------------------------------------


def test_a_decision_taken_by_the_commission_prints_its_count_and_follow_up(
    answered, admin, network
):
    from audits.commission import services
    from campagnes.plans.models import Action
    from tests.commission_ui.conftest import make_seance

    seance = make_seance(admin, network)
    point = services.add_to_agenda(actor=admin, seance=seance, dossier=answered)
    for membre in (seance.m1, seance.m2):
        services.cast_vote(point=point, user=membre.user, choix="favorable")
    services.cast_vote(point=point, user=seance.chair.user, choix="abstention")
    services.close_vote(point=point, user=seance.chair.user)
    decision = services.decide(point=point, user=seance.chair.user, motivation="Dossier solide.")
    # An open major gap turns "labellisé" into "sous réserve" (campaign rule).
    assert decision.resultat == Decision.Resultat.LABELLISE_SOUS_RESERVE
    label = Label.objects.get(decision=decision)
    action = Action.objects.get(plan__dossier=answered, origine=Action.Origine.RESERVE)
    before = list(Label.objects.values()), list(Decision.objects.values())

    text = pdf_text(render("decision", answered)[0])
    assert "Sur 3 membres non récusés, 3 ont pris part au vote" in text  # m3 recused
    assert "le quorum, fixé à 2 participants, était atteint" in text
    assert "2 voix favorables" in text and "1 abstention" in text
    assert "Labellisé sous réserve" in text and label.numero in text
    assert "Les réserves de la commission sont celles exposées dans la motivation" in text
    assert f"à échéance du {french_date(action.echeance)}" in text
    attestation = pdf_text(render("attestation", answered)[0])
    assert label.numero in attestation and "Un écart majeur reste ouvert" in attestation
    # A render never changes data.
    assert before == (list(Label.objects.values()), list(Decision.objects.values()))


# --- Helpers -------------------------------------------------------------------------------


def test_french_long_dates():
    assert date_longue(dt.date(2026, 3, 1)) == "1er\u00a0mars 2026"
    assert date_longue(dt.date(2029, 2, 28)) == "28\u00a0février 2029"
    assert date_longue(None) == ""


def test_place_of_issue_and_emitter():
    assert place_of_issue("") == "Paris"
    assert place_of_issue("21 rue Martel\n75010 Paris") == "Paris"
    assert place_of_issue("3 place X, 69003 Lyon Cedex 03") == "Lyon"
    assert place_of_issue("Boîte postale 12") == "Paris"
    assert emitter_subject("Union nationale des Missions Locales") == (
        "L’Union nationale des Missions Locales"
    )
    assert emitter_subject("Fédération X") == "Fédération X"
