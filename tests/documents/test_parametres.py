"""The letterhead settings page (national administrators only): saving, replacing and removing
the images, refusing anything but a reasonable PNG or JPEG with nothing changed, the previews."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from labelml.documents.models import ParametresDocuments
from labelml.documents.parametres import update_parametres
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/administration/documents/"
TEXTS = {
    "emetteur": "Union nationale des Missions Locales",
    "adresse": "21 rue Martel\n75010 Paris",
    "signataire_qualite": "Présidente de l'UNML",
    "signataire_nom": "Jeanne Martin",
}


def image(fmt: str = "PNG", size: tuple[int, int] = (240, 80), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode == "RGB" else 0).save(buffer, fmt)
    return buffer.getvalue()


def upload(content: bytes, name: str = "logo.png", content_type: str = "image/png") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def client(admin):  # type: ignore[no-untyped-def]
    return client_for(admin)


def post(client, django_capture_on_commit_callbacks, **data):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(URL, {**TEXTS, **data})


def test_the_url_is_the_named_route():
    assert reverse("documents:document_parametres") == URL


def test_an_administrator_sees_the_form_with_the_defaults(client):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "En-tête des lettres et attestations" in html
    assert 'value="Union nationale des Missions Locales"' in html
    assert 'enctype="multipart/form-data"' in html and "Aucun logo" in html
    assert not ParametresDocuments.objects.exists()  # reading never writes


def test_saving_then_replacing_then_removing_the_logo(
    client, admin, media, django_capture_on_commit_callbacks
):
    response = post(
        client,
        django_capture_on_commit_callbacks,
        logo=upload(image()),
        signature=upload(image("JPEG"), "signature.jpg", "image/jpeg"),
    )
    assert response.status_code == 302 and response["Location"] == URL
    saved = ParametresDocuments.objects.get(pk=1)
    assert saved.signataire_nom == "Jeanne Martin" and saved.updated_by == admin
    assert saved.adresse == "21 rue Martel\n75010 Paris"
    first_logo = saved.logo.name
    assert first_logo.endswith(".png") and saved.signature.name.endswith(".jpg")
    assert stored_files(media) == sorted([first_logo, saved.signature.name])

    # Replaced: the new file is stored, the old one deleted once committed.
    post(client, django_capture_on_commit_callbacks, logo=upload(image(size=(300, 100))))
    saved.refresh_from_db()
    assert saved.logo.name != first_logo
    assert stored_files(media) == sorted([saved.logo.name, saved.signature.name])
    html = client.get(URL).content.decode()
    assert reverse("documents:document_parametres_image", args=["logo"]) in html
    assert "Paramètres enregistrés" in html

    # Removed.
    post(client, django_capture_on_commit_callbacks, supprimer_logo="on")
    saved.refresh_from_db()
    assert not saved.logo and stored_files(media) == [saved.signature.name]
    # Without a file, the signature is kept.
    assert saved.signature


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"Ceci est du texte, pas une image.\n" * 20, "pas une image"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b'<rect width="10" height="10"/></svg>',
            "image SVG",
        ),
        ("logo.png", b"GIF89a" + image("GIF")[6:], "autre format (GIF)"),
        ("logo.png", image(size=(3001, 20)), "3000 pixels au plus par côté"),
        ("logo.jpg", image("JPEG", mode="CMYK"), "CMJN"),
        ("logo.png", image()[:-40], "illisible"),
        ("logo.jpg", image("JPEG")[:-300], "illisible"),
        ("logo.png", b"", "vide"),
    ],
    ids=["text", "svg", "gif", "too-wide", "cmyk", "truncated-png", "truncated-jpeg", "empty"],
)
def test_refused_images_change_nothing(
    client, media, django_capture_on_commit_callbacks, name, content, message
):
    import weasyprint  # noqa: F401  (as in a web process that rendered: it relaxes Pillow)

    response = post(
        client,
        django_capture_on_commit_callbacks,
        emetteur="Autre émetteur",
        logo=upload(content, name),
    )
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert "Les paramètres n’ont pas été enregistrés" in html
    assert message in html, html
    assert not ParametresDocuments.objects.exists()
    assert stored_files(media) == []


def test_an_oversized_image_is_refused(client, media, django_capture_on_commit_callbacks):
    noise = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert buffer.tell() > 1024 * 1024
    response = post(client, django_capture_on_commit_callbacks, signature=upload(buffer.getvalue()))
    html = response.content.decode().replace("&#x27;", "'")
    assert "L'image de la signature pèse" in html and "1 Mo au plus" in html
    assert not ParametresDocuments.objects.exists() and stored_files(media) == []


def test_a_refused_image_keeps_the_previous_one(client, media, django_capture_on_commit_callbacks):
    post(client, django_capture_on_commit_callbacks, logo=upload(image()))
    before = ParametresDocuments.objects.values().get(pk=1)
    response = post(
        client,
        django_capture_on_commit_callbacks,
        emetteur="Autre émetteur",
        logo=upload(b"<html>pas une image</html>", "logo.png"),
    )
    assert response.status_code == 200
    assert ParametresDocuments.objects.values().get(pk=1) == before
    assert stored_files(media) == [before["logo"]]


def test_sending_and_removing_an_image_at_once_is_refused(
    client, media, django_capture_on_commit_callbacks
):
    post(client, django_capture_on_commit_callbacks, logo=upload(image()))
    before = ParametresDocuments.objects.values().get(pk=1)
    response = post(
        client,
        django_capture_on_commit_callbacks,
        logo=upload(image(size=(50, 50))),
        supprimer_logo="on",
    )
    assert "pas les deux" in response.content.decode()
    assert ParametresDocuments.objects.values().get(pk=1) == before


def test_the_page_is_404_to_anyone_but_a_national_administrator(
    people, media, django_capture_on_commit_callbacks
):
    for user in (people.direction, people.referent, people.arml):
        client = client_for(user)
        assert client.get(URL).status_code == 404
        assert (
            post(client, django_capture_on_commit_callbacks, logo=upload(image())).status_code
            == 404
        )
    assert not ParametresDocuments.objects.exists() and stored_files(media) == []
    with pytest.raises(PermissionDenied):
        update_parametres(actor=people.direction, data=TEXTS, files={})


def test_anonymous_visitors_are_sent_to_the_login_page():
    response = Client().get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
    preview = Client().get(reverse("documents:document_parametres_image", args=["logo"]))
    assert preview.status_code == 302


def test_the_preview_is_served_to_administrators_only(
    client, people, django_capture_on_commit_callbacks
):
    content = image()
    post(client, django_capture_on_commit_callbacks, logo=upload(content))
    url = reverse("documents:document_parametres_image", args=["logo"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content
    assert client_for(people.direction).get(url).status_code == 404
    assert (
        client.get(reverse("documents:document_parametres_image", args=["signature"])).status_code
        == 404
    )
    assert (
        client.get(reverse("documents:document_parametres_image", args=["autre"])).status_code
        == 404
    )


def test_national_administrators_find_the_page_from_home(client, people):
    assert URL in client.get(reverse("home")).content.decode()
    assert URL not in client_for(people.direction).get(reverse("home")).content.decode()


def test_the_saved_images_are_what_the_next_render_prints(
    client, django_capture_on_commit_callbacks
):
    from labelml.documents.renderers.common import data_uri

    post(client, django_capture_on_commit_callbacks, logo=upload(image()))
    parametres = ParametresDocuments.current()
    assert data_uri(parametres.logo).startswith("data:image/png;base64,")
    assert data_uri(parametres.signature) == ""
