"""Security headers on every response, a Content-Security-Policy without unsafe-inline or
unsafe-eval, templates that keep no inline code (so that the policy holds: the browser test
tests/security/test_csp_browser.py checks the pages themselves), and files served as
attachments with nosniff and a sandboxing policy (the letterhead preview, an <img> source, is
inline but sandboxed too)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from labelml.documents.models import Document, ParametresDocuments
from labelml.pilotage.models import Export
from tests.audits_ui.helpers import add_preuve
from tests.campagnes.conftest import admin, campagne, dossier, people  # noqa: F401
from tests.conftest import ROOT, client_for

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
SANDBOX = "default-src 'none'; sandbox"


def directives(header: str) -> dict[str, str]:
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
        if part
    }


def assert_page_headers(response) -> None:  # type: ignore[no-untyped-def]
    csp = response["Content-Security-Policy"]
    assert directives(csp) == POLICY
    assert "unsafe" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_pages_carry_the_security_headers(people):  # noqa: F811
    assert_page_headers(Client().get(reverse("account_login")))
    client = client_for(people.referent)
    assert_page_headers(client.get(reverse("home")))
    # Redirects and errors too.
    assert_page_headers(Client().get(reverse("home")))
    assert_page_headers(client.get("/structures/999999/"))


# --- Templates: no inline code ----------------------------------------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "script"),
    (re.compile(r"<style\b", re.I), "style element"),
    (re.compile(r"\sstyle=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\shx-on[:-]", re.I), "hx-on attribute (evaluated code)"),
    (re.compile(r"(hx-vals|hx-headers|hx-vars)\s*=\s*['\"]\s*(js|javascript):", re.I), "hx js:"),
]
# PDF templates rendered by WeasyPrint on the server, never served to a browser.
EXEMPT = ("labelml/documents/templates/documents/print/",)


def served_templates() -> list[Path]:
    found = []
    for path in ROOT.rglob("*.html"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "staticfiles/", "node_modules/")) or relative.startswith(
            EXEMPT
        ):
            continue
        found.append(path)
    return found


def test_templates_keep_no_inline_code():
    templates = served_templates()
    assert len(templates) > 50
    problems = []
    for path in templates:
        # Django comments are not sent to the browser.
        text = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)
        text = re.sub(r"\{% comment %\}.*?\{% endcomment %\}", "", text, flags=re.S)
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert problems == []


def test_htmx_is_configured_for_the_policy(people):  # noqa: F811
    page = client_for(people.referent).get(reverse("home")).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', page).group(1)  # type: ignore[union-attr]
    assert '"allowEval":false' in config
    assert '"includeIndicatorStyles":false' in config
    assert '"responseHandling"' in config
    css = (ROOT / "static/css/app.css").read_text()
    assert ".htmx-indicator" in css and ".htmx-request" in css


# --- Files --------------------------------------------------------------------------------------


def assert_attachment(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def test_every_download_is_an_attachment(media, dossier, people, admin, referentiel_ml):  # noqa: F811
    reader = client_for(people.lecteur)
    preuve = add_preuve(dossier, "1.1", "Statuts", people.referent)
    assert_attachment(
        reader.get(reverse("autoevaluations:preuve_download", args=[dossier.pk, preuve.pk]))
    )

    from campagnes.autoevaluations.models import FicheMethodologique

    fiche = FicheMethodologique(critere=referentiel_ml.criteres.get(code="1.1"), titre="Guide")
    fiche.fichier.save("guide.pdf", ContentFile(b"%PDF-1.4 guide"), save=True)
    assert_attachment(reader.get(reverse("autoevaluations:fiche_download", args=[fiche.pk])))

    document = Document.objects.create(
        dossier=dossier, type=Document.Type.AUTOEVALUATION, statut=Document.Statut.READY
    )
    document.fichier.save("rapport.pdf", ContentFile(b"%PDF-1.4 rapport"), save=True)
    assert_attachment(
        reader.get(reverse("documents:document_download", args=[dossier.pk, document.pk]))
    )

    export = Export.objects.create(
        dataset=Export.Dataset.DOSSIERS,
        requested_by=admin,
        statut=Export.Statut.READY,
        filename="dossiers.xlsx",
        scope={"national": True, "armls": [], "regions": []},
    )
    export.fichier.save("dossiers.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    national = client_for(admin)
    assert_attachment(national.get(reverse("pilotage:pilotage_export_download", args=[export.pk])))
    csv = national.get(reverse("pilotage:pilotage_export_csv", args=["dossiers"]))
    assert_attachment(csv)
    b"".join(csv.streaming_content)


def test_the_letterhead_preview_is_inline_but_sandboxed(media, admin):  # noqa: F811
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, "PNG")
    parametres = ParametresDocuments.current()
    parametres.logo.save("logo.png", ContentFile(buffer.getvalue()), save=True)
    response = client_for(admin).get(reverse("documents:document_parametres_image", args=["logo"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert not response.get("Content-Disposition", "inline").startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX


def test_downloads_answer_get_only(media, dossier, people):  # noqa: F811
    client = client_for(people.lecteur)
    assert client.post(reverse("autoevaluations:fiche_download", args=[1])).status_code == 405
    assert (
        client.post(reverse("documents:document_download", args=[dossier.pk, 1])).status_code == 405
    )
