"""The letterhead settings of the decision letter and the attestation: image checks and the
service that saves them (national administrators only).

The logo and the signature image are printed in archival PDFs (PDF/A-3a), so only PNG and JPEG
are accepted, checked by their content (libmagic, then Pillow must read them) and never by the
browser's type or the file name: no SVG (it can carry scripts and external references), no
CMYK JPEG (PDF/A with an sRGB output intent wants RGB or grey images). They are stored under a
random name on the default storage, which is never served by URL: the settings page shows them
through a permission-checked view."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import magic
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from labelml.accounts.models import User
from labelml.structures.selectors import is_national_admin

from .models import ParametresDocuments

IMAGE_FIELDS = ("logo", "signature")
TEXT_FIELDS = ("emetteur", "adresse", "signataire_nom", "signataire_qualite")
IMAGE_MAX_BYTES = 1024 * 1024  # 1 Mo
IMAGE_MAX_SIDE = 3000  # pixels
ACCEPT_ATTRIBUTE = "image/png,image/jpeg,.png,.jpg,.jpeg"
IMAGE_HELP = "Image PNG ou JPEG, 1 Mo et 3000 pixels de côté au plus."

# The first bytes of the two accepted formats: enough to name a stored image's type when it is
# read back (previews, data: URIs in the PDFs), since it was checked fully on upload.
IMAGE_SIGNATURES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}

# libmagic type → (Pillow format, extension of the stored file)
_ACCEPTED = {"image/png": ("PNG", "png"), "image/jpeg": ("JPEG", "jpg")}
_HEAD_BYTES = 8 * 1024
_NAMES = {"logo": "Le logo", "signature": "L'image de la signature"}


@dataclass(frozen=True)
class CheckedImage:
    mime: str
    extension: str
    width: int
    height: int


def _size_mo(size: int) -> str:
    # Rounded up, so that a file just over the limit never reads "1,0 Mo".
    return f"{math.ceil(size * 10 / IMAGE_MAX_BYTES) / 10:.1f}".replace(".", ",") + " Mo"


def _upload_size(upload: Any) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    upload.seek(0)
    return int(size)


def check_image(upload: Any, *, field: str = "logo") -> CheckedImage:
    """Validate an uploaded letterhead image; raise ValidationError with a French message.
    The position of `upload` is restored."""
    what = _NAMES.get(field, "L'image")
    size = _upload_size(upload)
    if size == 0:
        raise ValidationError(f"{what} : le fichier envoyé est vide.", code="empty")
    if size > IMAGE_MAX_BYTES:
        raise ValidationError(
            f"{what} pèse {_size_mo(size)} : 1 Mo au plus. Réduisez l'image (dimensions ou "
            "compression) avant de l'envoyer.",
            code="too_big",
        )
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    mime = magic.from_buffer(head, mime=True)
    if mime not in _ACCEPTED:
        if mime == "image/svg+xml":
            found = "est une image SVG, format qui n'est pas accepté"
        elif mime.startswith("image/"):
            found = f"est une image d'un autre format ({mime.removeprefix('image/').upper()})"
        else:
            found = "n'est pas une image"
        raise ValidationError(
            f"{what} doit être une image PNG ou JPEG : le fichier envoyé {found}.",
            code="format",
        )
    pillow_format, extension = _ACCEPTED[mime]
    unreadable = ValidationError(
        f"{what} est illisible : le fichier est endommagé ou n'est pas une image PNG ou JPEG "
        "valide.",
        code="unreadable",
    )
    content = upload.read(IMAGE_MAX_BYTES + 1)  # the size is checked: at most 1 Mo in memory
    upload.seek(0)
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if image.format != pillow_format:
                raise unreadable
            if max(width, height) > IMAGE_MAX_SIDE:
                raise ValidationError(
                    f"{what} mesure {width} × {height} pixels : {IMAGE_MAX_SIDE} pixels au plus "
                    "par côté. Réduisez l'image avant de l'envoyer.",
                    code="too_large",
                )
            if image.mode == "CMYK":
                raise ValidationError(
                    f"{what} est en couleurs CMJN (impression) : enregistrez l'image en RVB.",
                    code="cmyk",
                )
            if pillow_format == "PNG":
                image.verify()  # every chunk's checksum, up to the end marker
        # Decoding catches a corrupt stream. A truncated one does not fail there once WeasyPrint
        # is imported (it sets Pillow's LOAD_TRUNCATED_IMAGES), hence verify() above for PNG
        # and the end-of-image marker below for JPEG.
        with Image.open(io.BytesIO(content)) as image:
            image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise unreadable from None
    if pillow_format == "JPEG" and not content.rstrip(b"\0").endswith(b"\xff\xd9"):
        raise unreadable
    return CheckedImage(mime=mime, extension=extension, width=width, height=height)


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def update_parametres(
    *, actor: User, data: Mapping[str, Any], files: Mapping[str, Any]
) -> ParametresDocuments:
    """Save the letterhead settings. `data` holds the text fields and the booleans
    `supprimer_logo` / `supprimer_signature`; `files` the new images, if any. Every image is
    checked before anything is written; a replaced or removed image file is deleted from the
    storage once the change is committed, and a new file is removed again if it is not."""
    if not is_national_admin(actor):
        raise PermissionDenied("Seule l'administration nationale modifie ces paramètres.")
    uploads: dict[str, tuple[Any, CheckedImage]] = {}
    errors: dict[str, list[str]] = {}
    for name in IMAGE_FIELDS:
        upload = files.get(name)
        if not upload:
            continue
        try:
            uploads[name] = (upload, check_image(upload, field=name))
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    if "emetteur" in data and not str(data["emetteur"] or "").strip():
        raise ValidationError({"emetteur": ["Indiquez l'émetteur des documents."]})

    written: list[str] = []
    try:
        with transaction.atomic():
            parametres, _ = ParametresDocuments.objects.select_for_update().get_or_create(pk=1)
            replaced: list[str] = []
            changed = ["updated_by", "updated_at"]
            for name in TEXT_FIELDS:
                if name in data:
                    setattr(parametres, name, str(data[name] or "").strip())
                    changed.append(name)
            for name in IMAGE_FIELDS:
                field = getattr(parametres, name)
                previous = field.name or ""
                if name in uploads:
                    upload, checked = uploads[name]
                    field.save(f"{name}.{checked.extension}", upload, save=False)
                    written.append(field.name)
                elif data.get(f"supprimer_{name}"):
                    setattr(parametres, name, "")
                else:
                    continue
                changed.append(name)
                if previous:
                    replaced.append(previous)
            parametres.updated_by = actor
            parametres.save(update_fields=changed)
            transaction.on_commit(lambda: _delete_files(replaced))
    except BaseException:
        _delete_files(written)
        raise
    return parametres
