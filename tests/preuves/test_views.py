"""The evidence pages: upload, refusals, download, deletion, and who may do what."""

from __future__ import annotations

import datetime
import hashlib
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from campagnes.autoevaluations.models import Preuve
from campagnes.autoevaluations.preuves import PREUVE_MAX_BYTES, add_preuve
from campagnes.autoevaluations.preuves_forms import FILE_AGAIN
from campagnes.models import Dossier
from tests.conftest import client_for
from tests.preuves import samples
from tests.preuves.conftest import stored_files
from tests.preuves.samples import upload

pytestmark = pytest.mark.django_db

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def add_url(dossier) -> str:  # type: ignore[no-untyped-def]
    return reverse("autoevaluations:preuve_add", args=[dossier.pk])


def list_url(dossier) -> str:  # type: ignore[no-untyped-def]
    return reverse("autoevaluations:preuve_list", args=[dossier.pk])


def post_data(critere, fichier, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "critere": critere.code,
        "element": critere.elements.order_by("ordre")[1].code,
        "titre": "Rapport d'activité 2024",
        "date_effet": "2025-03-01",
        "date_expiration": "2027-02-28",
        "fichier": fichier,
    }
    data.update(overrides)
    return data


def make_preuve(dossier, actor, critere, **overrides):  # type: ignore[no-untyped-def]
    fields = {
        "dossier": dossier,
        "actor": actor,
        "critere": critere,
        "titre": "Agrément",
        "date_effet": datetime.date(2025, 1, 1),
        "upload": upload("agrement.pdf", samples.PDF),
    }
    fields.update(overrides)
    return add_preuve(**fields)


@pytest.fixture
def preuve(dossier, referent, critere):  # type: ignore[no-untyped-def]
    return make_preuve(dossier, referent, critere)


@pytest.fixture
def preuve_b(dossiers, network, critere):  # type: ignore[no-untyped-def]
    """A piece of evidence of ML B's dossier."""
    from labelml.structures.roles import Role
    from tests.conftest import member

    return make_preuve(dossiers[1], member(network["ml_b"], Role.REFERENT_QUALITE), critere)


# --- Upload and download ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("Procès-verbal du CA.pdf", samples.PDF, "application/pdf"),
        ("organigramme.png", samples.PNG, "image/png"),
        ("procédure d'accueil.docx", samples.DOCX, DOCX_MIME),
    ],
    ids=["pdf", "png", "docx"],
)
def test_accepted_files_are_stored_and_downloaded_as_attachments(
    dossier, referent, critere, lecteur, name, content, mime
):
    client = client_for(referent)
    response = client.post(add_url(dossier), post_data(critere, upload(name, content, "text/html")))
    assert response.status_code == 302
    assert response["Location"] == f"{list_url(dossier)}?critere={quote(critere.code)}"
    preuve = Preuve.objects.get()
    assert (preuve.nom_original, preuve.type_mime, preuve.taille) == (name, mime, len(content))
    assert preuve.element.code == post_data(critere, None)["element"]
    assert preuve.date_expiration == datetime.date(2027, 2, 28)

    # A reader of the same structure downloads it.
    download = client_for(lecteur).get(
        reverse("autoevaluations:preuve_download", args=[dossier.pk, preuve.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == mime
    assert download["X-Content-Type-Options"] == "nosniff"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert quote(name) in disposition  # RFC 5987 filename*=utf-8''…
    assert "no-store" in download["Cache-Control"]


def test_a_large_upload_spooled_to_disk_is_stored_too(dossier, referent, critere, media_root):
    # Over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): Django hands over a temporary file.
    content = samples.PDF + b"\n" + b"0" * (3 * 1024 * 1024)
    response = client_for(referent).post(
        add_url(dossier), post_data(critere, upload("annexes.pdf", content))
    )
    assert response.status_code == 302
    preuve = Preuve.objects.get()
    assert preuve.taille == len(content)
    assert preuve.empreinte == hashlib.sha256(content).hexdigest()
    assert (media_root / preuve.fichier.name).read_bytes() == content


def test_a_safe_next_url_brings_the_user_back(dossier, referent, critere):
    back = (
        reverse("autoevaluations:autoevaluation_critere", args=[dossier.pk, critere.code])
        + "#preuves"
    )
    response = client_for(referent).post(
        add_url(dossier), post_data(critere, upload("a.pdf", samples.PDF), next=back)
    )
    assert response.status_code == 302
    assert response["Location"] == back


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_an_outside_next_url_is_ignored(dossier, referent, critere, unsafe):
    response = client_for(referent).post(
        add_url(dossier), post_data(critere, upload("a.pdf", samples.PDF), next=unsafe)
    )
    assert response.status_code == 302
    assert response["Location"].startswith(list_url(dossier))


REFUSALS = [
    (
        "rapport.pdf",
        samples.ELF,
        "« rapport.pdf » n'est pas un PDF : son contenu est celui d'un programme exécutable.",
    ),
    (
        "rapport.pdf",
        samples.PE,
        "« rapport.pdf » n'est pas un PDF : son contenu est celui d'un programme exécutable.",
    ),
    ("vide.pdf", b"", "« vide.pdf » est vide."),
    (
        "notes.pdf",
        samples.TEXT,
        "« notes.pdf » n'est pas un PDF : son contenu est du texte brut.",
    ),
    (
        "rapport.docx",
        samples.PDF,
        "« rapport.docx » n'est pas un document Word : son contenu est celui d'un PDF.",
    ),
]


def assert_refused_and_form_kept(response, critere, message, media_root):  # type: ignore[no-untyped-def]
    assert response.status_code == 400
    html = response.content.decode()
    assert escape(message) in html
    assert escape(FILE_AGAIN) in html
    # Every typed field is still there; only the file has to be chosen again.
    assert 'value="Rapport d&#x27;activité 2024"' in html
    assert 'value="2025-03-01"' in html
    assert 'value="2027-02-28"' in html
    assert f'<option value="{critere.code}" selected>' in html
    element = critere.elements.order_by("ordre")[1]
    assert f'<option value="{element.code}" selected>' in html
    assert not Preuve.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("name", "content", "message"), REFUSALS, ids=["elf", "pe", "vide", "texte", "pdf-docx"]
)
def test_refused_files_keep_the_form_and_store_nothing(
    dossier, referent, critere, media_root, name, content, message
):
    response = client_for(referent).post(
        add_url(dossier), post_data(critere, upload(name, content, "application/pdf"))
    )
    assert_refused_and_form_kept(response, critere, message, media_root)


def test_an_oversize_file_is_refused(dossier, referent, critere, media_root):
    content = samples.PDF + b"\n" + b"0" * (21 * 1024 * 1024 - len(samples.PDF) - 1)
    assert len(content) > PREUVE_MAX_BYTES
    response = client_for(referent).post(
        add_url(dossier), post_data(critere, upload("gros.pdf", content))
    )
    assert_refused_and_form_kept(
        response, critere, "« gros.pdf » dépasse 20 Mo (21,0 Mo).", media_root
    )


def test_form_errors_are_all_shown_and_the_next_url_kept(dossier, referent, critere):
    back = reverse("autoevaluations:autoevaluation_critere", args=[dossier.pk, critere.code])
    response = client_for(referent).post(
        add_url(dossier),
        post_data(
            critere,
            upload("rapport.pdf", samples.ELF),
            titre="",
            date_expiration="2025-01-01",
            next=back,
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "programme exécutable" in html
    assert escape("La date d'expiration doit suivre la date d'effet.") in html
    assert f'name="next" value="{back}"' in html


def test_an_element_of_another_criterion_is_refused(dossier, referent, critere, autre_critere):
    response = client_for(referent).post(
        add_url(dossier),
        post_data(
            critere,
            upload("a.pdf", samples.PDF),
            element=autre_critere.elements.first().code,
        ),
    )
    assert response.status_code == 400
    assert not Preuve.objects.exists()


def test_the_add_page_preselects_the_criterion(dossier, referent, critere):
    response = client_for(referent).get(add_url(dossier), {"critere": critere.code})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{critere.code}" selected>' in html
    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert 'enctype="multipart/form-data"' in html


# --- List --------------------------------------------------------------------------------------


def test_the_list_groups_by_criterion_and_warns_about_expiry(
    dossier, referent, critere, autre_critere
):
    today = timezone.localdate()
    make_preuve(
        dossier,
        referent,
        critere,
        titre="Agrément périmé",
        date_effet=today - datetime.timedelta(days=400),
        date_expiration=today - datetime.timedelta(days=1),
    )
    make_preuve(
        dossier,
        referent,
        critere,
        titre="Attestation à renouveler",
        date_effet=today - datetime.timedelta(days=300),
        date_expiration=today + datetime.timedelta(days=30),
    )
    make_preuve(
        dossier,
        referent,
        autre_critere,
        titre="Convention valable",
        date_effet=today,
        date_expiration=today + datetime.timedelta(days=365),
    )
    response = client_for(referent).get(list_url(dossier))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 preuve expirée" in html
    assert "1 preuve expire dans les 60 jours" in html
    assert html.count(">Expirée</span>") == 1
    assert html.count("Expire bientôt") == 1
    assert f"Critère {critere.code}" in html and f"Critère {autre_critere.code}" in html
    assert html.index("Agrément périmé") < html.index("Convention valable")
    assert f'action="{add_url(dossier)}"' in html  # the upload form

    filtered = client_for(referent).get(list_url(dossier), {"critere": autre_critere.code})
    assert "Convention valable" in filtered.content.decode()
    assert "Agrément périmé" not in filtered.content.decode()
    assert client_for(referent).get(list_url(dossier), {"critere": "nope"}).status_code == 404


def test_readers_see_the_list_without_upload_form(dossier, preuve, lecteur):
    response = client_for(lecteur).get(list_url(dossier))
    assert response.status_code == 200
    html = response.content.decode()
    assert preuve.titre in html
    assert reverse("autoevaluations:preuve_download", args=[dossier.pk, preuve.pk]) in html
    assert add_url(dossier) not in html
    assert reverse("autoevaluations:preuve_delete", args=[dossier.pk, preuve.pk]) not in html


# --- Deletion ----------------------------------------------------------------------------------


def test_delete_asks_for_confirmation_then_removes_row_and_file(
    dossier, referent, preuve, media_root, django_capture_on_commit_callbacks
):
    url = reverse("autoevaluations:preuve_delete", args=[dossier.pk, preuve.pk])
    client = client_for(referent)
    assert client.get(url).status_code == 200
    path = media_root / preuve.fichier.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not Preuve.objects.exists()
    assert not path.exists()


# --- Permissions ---------------------------------------------------------------------------------


def all_urls(dossier, preuve) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "autoevaluations:preuve_list": list_url(dossier),
        "autoevaluations:preuve_add": add_url(dossier),
        "autoevaluations:preuve_download": reverse(
            "autoevaluations:preuve_download", args=[dossier.pk, preuve.pk]
        ),
        "autoevaluations:preuve_delete": reverse(
            "autoevaluations:preuve_delete", args=[dossier.pk, preuve.pk]
        ),
    }


@pytest.mark.parametrize("who", ["lecteur", "referent_arml"])
def test_readers_and_arml_referents_may_not_upload_or_delete(
    request, dossier, critere, preuve, media_root, who
):
    client = client_for(request.getfixturevalue(who))
    files_before = stored_files(media_root)
    assert client.get(add_url(dossier)).status_code == 403
    response = client.post(add_url(dossier), post_data(critere, upload("a.pdf", samples.PDF)))
    assert response.status_code == 403
    delete = reverse("autoevaluations:preuve_delete", args=[dossier.pk, preuve.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete).status_code == 403
    assert list(Preuve.objects.all()) == [preuve]
    assert stored_files(media_root) == files_before
    # They may still look.
    assert client.get(list_url(dossier)).status_code == 200
    download = client.get(reverse("autoevaluations:preuve_download", args=[dossier.pk, preuve.pk]))
    assert download.status_code == 200


def test_a_member_of_another_ml_gets_404_everywhere(dossier, critere, preuve, outsider):
    client = client_for(outsider)
    for name, url in all_urls(dossier, preuve).items():
        assert client.get(url).status_code == 404, name
        response = client.post(url, post_data(critere, upload("a.pdf", samples.PDF)))
        assert response.status_code in {404, 405}, name
    assert list(Preuve.objects.all()) == [preuve]


def test_an_id_from_another_dossier_is_a_404(dossier, referent, preuve_b):
    client = client_for(referent)
    download = reverse("autoevaluations:preuve_download", args=[dossier.pk, preuve_b.pk])
    delete = reverse("autoevaluations:preuve_delete", args=[dossier.pk, preuve_b.pk])
    assert client.get(download).status_code == 404
    assert client.get(delete).status_code == 404
    assert client.post(delete).status_code == 404
    assert Preuve.objects.filter(pk=preuve_b.pk).exists()


def test_once_submitted_evidence_is_read_only(dossier, referent, critere, preuve):
    Dossier.objects.filter(pk=dossier.pk).update(statut=Dossier.Statut.PLAN_AMELIORATION)
    client = client_for(referent)
    assert client.get(add_url(dossier)).status_code == 403
    response = client.post(add_url(dossier), post_data(critere, upload("a.pdf", samples.PDF)))
    assert response.status_code == 403
    delete = reverse("autoevaluations:preuve_delete", args=[dossier.pk, preuve.pk])
    assert client.post(delete).status_code == 403
    page = client.get(list_url(dossier))
    assert page.status_code == 200
    assert add_url(dossier) not in page.content.decode()
    assert (
        client.get(
            reverse("autoevaluations:preuve_download", args=[dossier.pk, preuve.pk])
        ).status_code
        == 200
    )
    assert Preuve.objects.count() == 1


def test_anonymous_visitors_are_sent_to_login(client, dossier, preuve):
    login = reverse("account_login")
    for name, url in all_urls(dossier, preuve).items():
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, name
            assert response["Location"].startswith(login), name


def test_a_missing_file_is_a_404_not_a_crash(dossier, referent, preuve, media_root):
    (media_root / preuve.fichier.name).unlink()
    url = reverse("autoevaluations:preuve_download", args=[dossier.pk, preuve.pk])
    assert client_for(referent).get(url).status_code == 404


def test_downloads_only_accept_get(dossier, referent, preuve):
    url = reverse("autoevaluations:preuve_download", args=[dossier.pk, preuve.pk])
    assert client_for(referent).post(url).status_code == 405


def test_the_stored_hash_matches_the_download(dossier, lecteur, preuve):
    response = client_for(lecteur).get(
        reverse("autoevaluations:preuve_download", args=[dossier.pk, preuve.pk])
    )
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == preuve.empreinte
