"""Evidence files ("preuves", SPEC §4): content-type validation, and the services that add and
remove them.

A file is accepted when three things agree: its content (read with libmagic, then by looking
inside ZIP and OLE containers), the allow-list below, and the extension of its name. The stored
and served type is the allow-list's, never the browser's. Files are stored on the default
storage under preuves/<dossier>/<uuid><ext> (MEDIA_ROOT is never served by URL) and only
downloaded through the permission-checked view of preuves_views.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import magic
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from campagnes.models import Dossier
from campagnes.selectors import dossier_capabilities
from labelml.accounts.models import User
from labelml.structures.roles import Capability
from referentiel.models import Critere, Element

from .models import Preuve, Snapshot, SyntheseCritere

PREUVE_MAX_BYTES = 20 * 1024 * 1024
# A piece of evidence whose expiry date falls within this many days is flagged on the pages.
# The include autoevaluations/preuves/_critere.html applies the same window (60 × 86 400 s).
EXPIRY_WARNING_DAYS = 60
# libmagic only needs the beginning of a file; containers are inspected separately.
_HEAD_BYTES = 64 * 1024
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Format:
    key: str
    mime: str  # the type stored and sent on download
    nom: str  # with its indefinite article, for messages: "un PDF"
    extensions: tuple[str, ...]


# The allow-list (SPEC §4: "PDF, images, office documents"). Deliberately absent: SVG and HTML
# (they can carry scripts), archives (ZIP, RAR…: their content cannot be checked), macro-enabled
# Office files (.docm, .xlsm…, and any document with a VBA project inside), RTF, HEIC and TIFF.
# Plain text and CSV are accepted: data exports are common evidence and they are inert.
FORMATS: tuple[Format, ...] = (
    Format("pdf", "application/pdf", "un PDF", (".pdf",)),
    Format("png", "image/png", "une image PNG", (".png",)),
    Format("jpeg", "image/jpeg", "une image JPEG", (".jpg", ".jpeg")),
    Format("gif", "image/gif", "une image GIF", (".gif",)),
    Format("webp", "image/webp", "une image WebP", (".webp",)),
    Format(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "un document Word",
        (".docx",),
    ),
    Format(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "un classeur Excel",
        (".xlsx",),
    ),
    Format(
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "une présentation PowerPoint",
        (".pptx",),
    ),
    Format("odt", "application/vnd.oasis.opendocument.text", "un document OpenDocument", (".odt",)),
    Format(
        "ods",
        "application/vnd.oasis.opendocument.spreadsheet",
        "un classeur OpenDocument",
        (".ods",),
    ),
    Format(
        "odp",
        "application/vnd.oasis.opendocument.presentation",
        "une présentation OpenDocument",
        (".odp",),
    ),
    Format("doc", "application/msword", "un document Word 97-2003", (".doc",)),
    Format("xls", "application/vnd.ms-excel", "un classeur Excel 97-2003", (".xls",)),
    Format(
        "ppt", "application/vnd.ms-powerpoint", "une présentation PowerPoint 97-2003", (".ppt",)
    ),
    Format("txt", "text/plain", "un fichier texte", (".txt",)),
    Format("csv", "text/csv", "un fichier CSV", (".csv",)),
)
FORMATS_BY_KEY = {f.key: f for f in FORMATS}
FORMAT_BY_EXTENSION = {ext: f for f in FORMATS for ext in f.extensions}
# For the file input's `accept` attribute (a hint to the browser, not a check).
ACCEPT_ATTRIBUTE = ",".join(FORMAT_BY_EXTENSION)
ACCEPTED_LABEL = (
    "PDF, images (PNG, JPEG, GIF, WebP), documents Word, Excel, PowerPoint ou OpenDocument, "
    "texte ou CSV"
)

_OOXML = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
_ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
_MAGIC_SIMPLE = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_BY_MAGIC = {
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
}


def _ole_name(name: str) -> bytes:
    # Names of OLE streams are stored as NUL-terminated UTF-16LE in the directory entries.
    return name.encode("utf-16-le") + b"\x00\x00"


_OLE_STREAMS = {
    "doc": (_ole_name("WordDocument"),),
    "xls": (_ole_name("Workbook"), _ole_name("Book")),
    "ppt": (_ole_name("PowerPoint Document"),),
}
_OLE_MACROS = "_VBA_PROJECT".encode("utf-16-le")
_OLE_ENCRYPTED = _ole_name("EncryptedPackage")
_EXECUTABLE_SIGNATURES = (
    b"\x7fELF",  # Linux, BSD
    b"\xfe\xed\xfa\xce",  # Mach-O (macOS), both word sizes and byte orders
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary, Java class
    b"#!",  # script with an interpreter line
)
_EXECUTABLE_MIMES = {
    "application/x-executable",
    "application/x-sharedlib",
    "application/x-pie-executable",
    "application/x-mach-binary",
    "application/x-dosexec",
    "application/x-msdownload",
    "application/vnd.microsoft.portable-executable",
    "application/x-msi",
    "application/java-archive",
    "application/vnd.android.package-archive",
    "text/x-shellscript",
    "text/x-msdos-batch",
}
EXECUTABLE = "celui d'un programme exécutable"
# How the content of a refused file is described ("son contenu est …").
_DESCRIPTIONS = {
    "application/zip": "celui d'une archive ZIP",
    "application/x-rar": "celui d'une archive RAR",
    "application/x-7z-compressed": "celui d'une archive 7-Zip",
    "application/gzip": "celui d'une archive compressée",
    "text/html": "celui d'une page web (HTML)",
    "image/svg+xml": "celui d'une image SVG, refusée car elle peut contenir du code",
    "application/encrypted": "celui d'un document protégé par un mot de passe",
    "text/rtf": "celui d'un document RTF",
    "image/tiff": "celui d'une image TIFF",
    "image/heic": "celui d'une photo HEIC",
    "application/octet-stream": "celui d'un fichier binaire non reconnu",
}


@dataclass(frozen=True)
class Detected:
    """What the content is: the allow-listed formats it may be saved as (none when refused)
    and how to describe it in a message."""

    keys: frozenset[str]
    description: str
    macros: bool = False


@dataclass(frozen=True)
class CheckedFile:
    nom: str  # sanitised original name
    format: Format
    taille: int
    empreinte: str  # sha256, hex


def _format_mo(size: int) -> str:
    # Rounded up, so that a file just over the limit never reads "20,0 Mo".
    mo = math.ceil(round(size * 10 / (1024 * 1024), 6)) / 10
    return f"{mo:.1f}".replace(".", ",") + " Mo"


def sanitize_filename(name: str) -> str:
    """The display name of an upload: its base name, without control characters or path
    separators, at most 255 characters with its extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = PureWindowsPath(PurePosixPath(name).name).name  # both kinds of separator
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if not name:
        return "fichier"
    if len(name) > 255:
        suffix = PurePosixPath(name).suffix[:20]
        name = name[: 255 - len(suffix)] + suffix
    return name


def _extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def _read_head(upload: Any) -> bytes:
    upload.seek(0)
    head: bytes = upload.read(_HEAD_BYTES)
    upload.seek(0)
    return head


def _upload_size(upload: Any) -> int:
    size = getattr(upload, "size", None)
    if size is None:  # a plain file object: ask the file system, never read it all
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    return int(size)


def _scan(upload: Any, needles: Iterable[bytes]) -> set[bytes]:
    """Which of `needles` occur in the file, read chunk by chunk."""
    wanted = set(needles)
    found: set[bytes] = set()
    overlap = max(len(n) for n in wanted) - 1
    tail = b""
    upload.seek(0)
    while wanted - found:
        chunk = upload.read(_CHUNK)
        if not chunk:
            break
        window = tail + chunk
        found |= {n for n in wanted - found if n in window}
        tail = window[-overlap:]
    upload.seek(0)
    return found


def _inspect_zip(upload: Any) -> Detected:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100).strip()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return Detected(frozenset(), "celui d'une archive endommagée")
    finally:
        upload.seek(0)
    lowered = [n.lower() for n in names]
    macros = any(n.endswith("vbaproject.bin") for n in lowered) or any(
        n.startswith(("basic/", "scripts/")) for n in lowered
    )
    odf = _ODF.get(mimetype.decode("ascii", "replace"))
    if odf:
        return Detected(frozenset({odf}), f"celui d'{FORMATS_BY_KEY[odf].nom}", macros)
    if "[Content_Types].xml" in names:
        for prefix, key in _OOXML.items():
            if any(n.startswith(prefix) for n in names):
                return Detected(frozenset({key}), f"celui d'{FORMATS_BY_KEY[key].nom}", macros)
    if any(n.endswith(".class") or n == "classes.dex" for n in lowered):
        return Detected(frozenset(), EXECUTABLE)
    return Detected(frozenset(), _DESCRIPTIONS["application/zip"])


def _inspect_ole(upload: Any, mime: str) -> Detected:
    needles = [_OLE_MACROS, _OLE_ENCRYPTED, *(n for ns in _OLE_STREAMS.values() for n in ns)]
    found = _scan(upload, needles)
    if _OLE_ENCRYPTED in found:
        return Detected(frozenset(), _DESCRIPTIONS["application/encrypted"])
    macros = _OLE_MACROS in found
    if mime in _OLE_BY_MAGIC:
        keys = {_OLE_BY_MAGIC[mime]}
    else:
        keys = {key for key, streams in _OLE_STREAMS.items() if found & set(streams)}
    if not keys:
        return Detected(frozenset(), "celui d'un fichier Microsoft non reconnu")
    key = next(f.key for f in FORMATS if f.key in keys)
    return Detected(frozenset(keys), f"celui d'{FORMATS_BY_KEY[key].nom}", macros)


def detect(upload: Any) -> Detected:
    """Identify the content of a file-like object (read from the start, position restored)."""
    head = _read_head(upload)
    mime = magic.from_buffer(head, mime=True)
    if head.startswith(_EXECUTABLE_SIGNATURES) or mime in _EXECUTABLE_MIMES:
        return Detected(frozenset(), EXECUTABLE)
    if head.startswith(b"MZ") and not mime.startswith("text/"):
        return Detected(frozenset(), EXECUTABLE)  # Windows (PE) and DOS programs
    if head.startswith(b"PK\x03\x04"):
        return _inspect_zip(upload)
    if head.startswith(_OLE_SIGNATURE):
        return _inspect_ole(upload, mime)
    if mime in _MAGIC_SIMPLE:
        key = _MAGIC_SIMPLE[mime]
        return Detected(frozenset({key}), f"celui d'{FORMATS_BY_KEY[key].nom}")
    if mime in {"text/plain", "text/csv"}:
        return Detected(frozenset({"txt", "csv"}), "du texte brut")
    description = _DESCRIPTIONS.get(mime, f"d'un type non accepté ({mime})")
    return Detected(frozenset(), description)


def check_upload(upload: Any) -> CheckedFile:
    """Validate an uploaded file for use as evidence; raise ValidationError with a French
    message naming the file. The file is read in chunks, never loaded whole in memory."""
    nom = sanitize_filename(getattr(upload, "name", "") or "")
    size = _upload_size(upload)
    if size == 0:
        raise ValidationError(f"« {nom} » est vide.", code="empty")
    if size > PREUVE_MAX_BYTES:
        raise ValidationError(
            f"« {nom} » dépasse 20 Mo ({_format_mo(size)}). Réduisez-le (PDF compressé, "
            "images moins lourdes) ou découpez-le en plusieurs pièces.",
            code="too_big",
        )
    detected = detect(upload)
    ext = _extension(nom)
    expected = FORMAT_BY_EXTENSION.get(ext)
    if detected.description == EXECUTABLE:
        if expected is None:
            raise ValidationError(
                f"« {nom} » est un programme exécutable : ce type de fichier n'est pas accepté.",
                code="executable",
            )
        raise ValidationError(
            f"« {nom} » n'est pas {expected.nom} : son contenu est {EXECUTABLE}.",
            code="executable",
        )
    if expected is None:
        if ext:
            problem = f" : les fichiers « {ext} » ne sont pas acceptés"
        else:
            problem = " n'a pas d'extension (.pdf, .docx…) : ajoutez celle de son format"
        raise ValidationError(
            f"« {nom} »{problem}. Formats acceptés : {ACCEPTED_LABEL}.", code="extension"
        )
    if expected.key not in detected.keys:
        message = f"« {nom} » n'est pas {expected.nom} : son contenu est {detected.description}."
        if detected.keys:
            right = next(f for f in FORMATS if f.key in detected.keys).extensions[0]
            stem = PurePosixPath(nom).stem
            message += f" Si c'est bien le bon fichier, renommez-le « {stem}{right} »."
        raise ValidationError(message, code="mismatch")
    if detected.macros:
        raise ValidationError(
            f"« {nom} » contient des macros : enregistrez-le sans macros (ou en PDF) avant de "
            "le joindre.",
            code="macros",
        )
    digest = hashlib.sha256()
    counted = 0
    upload.seek(0)
    chunks = (
        upload.chunks()
        if isinstance(upload, UploadedFile)
        else iter(lambda: upload.read(_CHUNK), b"")
    )
    for chunk in chunks:
        digest.update(chunk)
        counted += len(chunk)
        if counted > PREUVE_MAX_BYTES:  # the declared size lied
            raise ValidationError(f"« {nom} » dépasse 20 Mo.", code="too_big")
    upload.seek(0)
    return CheckedFile(nom=nom, format=expected, taille=counted, empreinte=digest.hexdigest())


# --- Services ----------------------------------------------------------------------------------


def _require_upload_right(actor: User, dossier: Dossier) -> None:
    if Capability.UPLOAD_PREUVE not in dossier_capabilities(actor, dossier):
        if dossier.statut != Dossier.Statut.AUTOEVALUATION:
            raise PermissionDenied("Les preuves ne se modifient que pendant l'auto-évaluation.")
        raise PermissionDenied("Votre rôle ne permet pas de gérer les preuves de ce dossier.")


def add_preuve(
    *,
    dossier: Dossier,
    actor: User,
    critere: Critere,
    element: Element | None = None,
    titre: str,
    date_effet: datetime.date,
    date_expiration: datetime.date | None = None,
    upload: Any,
) -> Preuve:
    """Attach an evidence file to a criterion (and optionally one of its elements).

    PermissionDenied without Capability.UPLOAD_PREUVE; ValidationError (keyed by field:
    critere, element, titre, date_expiration, fichier) for anything wrong, all at once."""
    _require_upload_right(actor, dossier)
    errors: dict[str, list[str]] = {}
    titre = (titre or "").strip()
    if not titre:
        errors["titre"] = ["Donnez un titre à la preuve."]
    elif len(titre) > 200:
        errors["titre"] = ["Le titre ne doit pas dépasser 200 caractères."]
    if critere.referentiel_id != dossier.campagne.referentiel_id:
        errors["critere"] = ["Ce critère n'appartient pas au référentiel de la campagne."]
    if element is not None and element.critere_id != critere.pk:
        errors["element"] = ["Cet élément d'appréciation n'appartient pas au critère choisi."]
    if date_expiration is not None and date_expiration <= date_effet:
        errors["date_expiration"] = ["La date d'expiration doit suivre la date d'effet."]
    checked: CheckedFile | None = None
    if upload is None:
        errors["fichier"] = ["Choisissez le fichier à joindre."]
    else:
        try:
            checked = check_upload(upload)
        except ValidationError as exc:
            errors["fichier"] = list(exc.messages)
    if errors or checked is None:
        raise ValidationError(errors)

    preuve = Preuve(
        dossier=dossier,
        critere=critere,
        element=element,
        titre=titre,
        nom_original=checked.nom,
        type_mime=checked.format.mime,
        taille=checked.taille,
        empreinte=checked.empreinte,
        date_effet=date_effet,
        date_expiration=date_expiration,
        ajoute_par=actor,
    )
    # The stored name only keeps the (checked) extension: see models._preuve_path.
    preuve.fichier.save(f"preuve{_extension(checked.nom)}", upload, save=False)
    stored = preuve.fichier.name or ""
    try:
        with transaction.atomic():
            preuve.save()
    except Exception:
        preuve.fichier.storage.delete(stored)
        raise
    return preuve


def may_delete_preuve(actor: User, preuve: Preuve) -> bool:
    """Those who edit the whole self-assessment delete any evidence; a contributor only what
    they added or what belongs to a criterion assigned to them (SPEC §2)."""
    caps = dossier_capabilities(actor, preuve.dossier)
    if Capability.UPLOAD_PREUVE not in caps:
        return False
    if Capability.EDIT_AUTOEVALUATION in caps:
        return True
    actor_id = getattr(actor, "pk", None)
    return preuve.ajoute_par_id == actor_id or (
        SyntheseCritere.objects.filter(
            autoevaluation__dossier_id=preuve.dossier_id,
            critere_id=preuve.critere_id,
            contributeur_id=actor_id,
        ).exists()
    )


def require_delete_right(actor: User, preuve: Preuve) -> None:
    _require_upload_right(actor, preuve.dossier)
    if not may_delete_preuve(actor, preuve):
        raise PermissionDenied(
            "Vous ne pouvez supprimer que vos preuves ou celles des critères qui vous sont confiés."
        )


def named_by_a_snapshot(preuve: Preuve) -> bool:
    """Whether a submitted version of the dossier lists this evidence (by its fingerprint)."""
    return any(
        entry.get("empreinte") == preuve.empreinte
        for preuves in Snapshot.objects.filter(dossier_id=preuve.dossier_id).values_list(
            "contenu__preuves", flat=True
        )
        for entry in preuves or []
    )


def delete_preuve(*, preuve: Preuve, actor: User) -> None:
    """Remove an evidence from the self-assessment. One that a submitted version lists (the
    self-assessment was reopened since) stays, with its file, for that version: it only leaves
    the current self-assessment. Any other goes, the stored file once the deletion is
    committed."""
    require_delete_right(actor, preuve)
    if named_by_a_snapshot(preuve):
        preuve.supprimee_le = timezone.now()
        preuve.supprimee_par = actor
        preuve.save(update_fields=["supprimee_le", "supprimee_par"])
        return
    storage, name = preuve.fichier.storage, preuve.fichier.name or ""
    with transaction.atomic():
        preuve.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


def snapshot_preuve(dossier: Dossier, numero: int, empreinte: str) -> Preuve | None:
    """The evidence a submitted version lists under `empreinte`, deleted since or not; None
    when the version does not list it or its file is no longer kept."""
    listed = (
        Snapshot.objects.filter(dossier=dossier, numero=numero)
        .values_list("contenu__preuves", flat=True)
        .first()
    )
    if not any(entry.get("empreinte") == empreinte for entry in listed or []):
        return None
    return (
        Preuve.with_deleted.filter(dossier=dossier, empreinte=empreinte)
        .order_by("-ajoute_le")
        .first()
    )


# --- Reads -------------------------------------------------------------------------------------


def expiry_status(preuve: Preuve, today: datetime.date | None = None) -> str:
    """Return "expiree", "bientot" (expires within EXPIRY_WARNING_DAYS) or "". A document
    stays valid through its expiry date."""
    if preuve.date_expiration is None:
        return ""
    today = today or timezone.localdate()
    if preuve.date_expiration < today:
        return "expiree"
    if preuve.date_expiration <= today + datetime.timedelta(days=EXPIRY_WARNING_DAYS):
        return "bientot"
    return ""
