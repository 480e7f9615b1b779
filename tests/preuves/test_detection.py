"""Content-type checks of evidence files: by content, never by name or declared type."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from campagnes.autoevaluations.preuves import (
    ACCEPT_ATTRIBUTE,
    FORMAT_BY_EXTENSION,
    FORMATS,
    PREUVE_MAX_BYTES,
    check_upload,
    sanitize_filename,
)
from tests.preuves import samples
from tests.preuves.samples import upload

ACCEPTED = [
    ("rapport.pdf", samples.PDF, "application/pdf"),
    ("photo.png", samples.PNG, "image/png"),
    ("photo.jpg", samples.JPEG, "image/jpeg"),
    ("photo.JPEG", samples.JPEG, "image/jpeg"),
    ("affiche.gif", samples.GIF, "image/gif"),
    ("affiche.webp", samples.WEBP, "image/webp"),
    (
        "procedure.docx",
        samples.DOCX,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "tableau.xlsx",
        samples.XLSX,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "diaporama.pptx",
        samples.PPTX,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("note.odt", samples.ODT, "application/vnd.oasis.opendocument.text"),
    ("budget.ods", samples.ODS, "application/vnd.oasis.opendocument.spreadsheet"),
    ("bilan.odp", samples.ODP, "application/vnd.oasis.opendocument.presentation"),
    ("ancien.doc", samples.DOC, "application/msword"),
    ("ancien.xls", samples.XLS, "application/vnd.ms-excel"),
    ("ancien.ppt", samples.PPT, "application/vnd.ms-powerpoint"),
    ("notes.txt", samples.TEXT, "text/plain"),
    ("export.csv", samples.CSV, "text/csv"),
]


@pytest.mark.parametrize(("name", "content", "mime"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_allowed_formats_are_accepted_with_their_canonical_type(name, content, mime):
    checked = check_upload(upload(name, content, "application/x-whatever"))
    assert checked.format.mime == mime
    assert checked.nom == name
    assert checked.taille == len(content)
    assert checked.empreinte == hashlib.sha256(content).hexdigest()


def test_every_format_of_the_allow_list_is_covered_by_a_test():
    covered = {Path(name).suffix.lower() for name, _, _ in ACCEPTED}
    assert covered == set(FORMAT_BY_EXTENSION)
    assert {f.mime for f in FORMATS} == {mime for _, _, mime in ACCEPTED}


REFUSED = [
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
    (
        "photo.png",
        samples.MACHO,
        "« photo.png » n'est pas une image PNG : son contenu est celui d'un programme exécutable.",
    ),
    (
        "notes.txt",
        samples.SCRIPT,
        "« notes.txt » n'est pas un fichier texte : son contenu est celui d'un programme "
        "exécutable.",
    ),
    (
        "setup.exe",
        samples.PE,
        "« setup.exe » est un programme exécutable : ce type de fichier n'est pas accepté.",
    ),
    ("vide.pdf", b"", "« vide.pdf » est vide."),
    (
        "notes.pdf",
        samples.TEXT,
        "« notes.pdf » n'est pas un PDF : son contenu est du texte brut. Si c'est bien le bon "
        "fichier, renommez-le « notes.txt ».",
    ),
    (
        "rapport.docx",
        samples.PDF,
        "« rapport.docx » n'est pas un document Word : son contenu est celui d'un PDF. Si c'est "
        "bien le bon fichier, renommez-le « rapport.pdf ».",
    ),
    (
        "tableau.xlsx",
        samples.DOCX,
        "« tableau.xlsx » n'est pas un classeur Excel : son contenu est celui d'un document "
        "Word. Si c'est bien le bon fichier, renommez-le « tableau.docx ».",
    ),
    (
        "archive.docx",
        samples.ZIP,
        "« archive.docx » n'est pas un document Word : son contenu est celui d'une archive ZIP.",
    ),
    (
        "outil.docx",
        samples.JAR,
        "« outil.docx » n'est pas un document Word : son contenu est celui d'un programme "
        "exécutable.",
    ),
    (
        "page.txt",
        samples.HTML,
        "« page.txt » n'est pas un fichier texte : son contenu est celui d'une page web (HTML).",
    ),
    (
        "logo.png",
        samples.SVG,
        "« logo.png » n'est pas une image PNG : son contenu est celui d'une image SVG, refusée "
        "car elle peut contenir du code.",
    ),
    (
        "inconnu.pdf",
        samples.RANDOM,
        "« inconnu.pdf » n'est pas un PDF : son contenu est celui d'un fichier binaire non "
        "reconnu.",
    ),
    (
        "macros.docx",
        samples.DOCM,
        "« macros.docx » contient des macros : enregistrez-le sans macros (ou en PDF) avant de "
        "le joindre.",
    ),
    (
        "macros.doc",
        samples.DOC_MACROS,
        "« macros.doc » contient des macros : enregistrez-le sans macros (ou en PDF) avant de "
        "le joindre.",
    ),
    (
        "archive.zip",
        samples.ZIP,
        "« archive.zip » : les fichiers « .zip » ne sont pas acceptés. Formats acceptés : PDF, "
        "images (PNG, JPEG, GIF, WebP), documents Word, Excel, PowerPoint ou OpenDocument, "
        "texte ou CSV.",
    ),
    (
        "scan",
        samples.PDF,
        "« scan » n'a pas d'extension (.pdf, .docx…) : ajoutez celle de son format. Formats "
        "acceptés : PDF, images (PNG, JPEG, GIF, WebP), documents Word, Excel, PowerPoint ou "
        "OpenDocument, texte ou CSV.",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "message"), REFUSED, ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSED)]
)
def test_refusals_name_the_file_and_say_why(name, content, message):
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(name, content, "application/pdf"))
    assert exc.value.messages == [message]


def test_the_size_limit_is_read_from_the_upload_not_from_its_content():
    big = upload("gros.pdf", samples.PDF)
    big.size = int(23.4 * 1024 * 1024)  # what the upload handler counted
    with pytest.raises(ValidationError) as exc:
        check_upload(big)
    assert exc.value.messages[0].startswith("« gros.pdf » dépasse 20 Mo (23,4 Mo).")


def test_a_file_just_over_the_limit_is_never_shown_as_20_mo():
    big = upload("gros.pdf", samples.PDF)
    big.size = PREUVE_MAX_BYTES + 1
    with pytest.raises(ValidationError) as exc:
        check_upload(big)
    assert "(20,1 Mo)" in exc.value.messages[0]


def test_a_file_of_exactly_20_mo_is_accepted():
    content = samples.PDF + b"\n" + b"0" * (PREUVE_MAX_BYTES - len(samples.PDF) - 1)
    checked = check_upload(upload("juste.pdf", content))
    assert checked.taille == PREUVE_MAX_BYTES


def test_plain_file_objects_are_checked_too():
    handle = io.BytesIO(samples.PNG)
    handle.name = "photo.png"  # type: ignore[attr-defined]
    checked = check_upload(handle)
    assert checked.format.key == "png"
    assert handle.tell() == 0


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/rapport.pdf", "rapport.pdf"),
        ("C:\\Users\\marie\\Bureau\\rapport.pdf", "rapport.pdf"),
        ("rap\x00port\r\n.pdf", "rapport.pdf"),
        ("  Procès-verbal   du CA.pdf ", "Procès-verbal du CA.pdf"),
        ("", "fichier"),
        ("..", "fichier"),
    ],
)
def test_original_names_are_sanitised(raw, clean):
    assert sanitize_filename(raw) == clean


def test_long_names_keep_their_extension():
    name = sanitize_filename("a" * 400 + ".pdf")
    assert len(name) == 255
    assert name.endswith(".pdf")


def test_the_include_offers_the_same_extensions_as_the_allow_list():
    template = (
        Path(__file__).resolve().parents[2]
        / "campagnes/autoevaluations/templates/autoevaluations/preuves/_critere.html"
    )
    assert f'accept="{ACCEPT_ATTRIBUTE}"' in template.read_text()
