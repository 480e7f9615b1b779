"""A request body too large is refused before it is read.

A form's fields are bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (Django checks Content-Length before
reading), but a file is streamed to a temporary file whatever its size, and only then refused by
the form (20 Mo for evidence): a 50 MB upload would be written to disk first. This handler runs
first for every multipart request and refuses one whose declared length exceeds
MAX_REQUEST_BYTES, without reading it: RequestDataTooBig, answered 413 (labelml/core/errors.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

# The largest file accepted (evidence: campagnes.autoevaluations.preuves.PREUVE_MAX_BYTES, 20 Mo),
# the
# form around it, and room for a file a little too large, which the form refuses with its own
# message ("dépasse 20 Mo (21,0 Mo)", the form kept); beyond, the 413 page.
MAX_REQUEST_BYTES = 32 * 1024 * 1024


class RequestSizeLimitHandler(FileUploadHandler):
    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 - Django's signature
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        if content_length > MAX_REQUEST_BYTES:
            raise RequestDataTooBig(
                f"Envoi de {content_length} octets, plus que {MAX_REQUEST_BYTES} octets."
            )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data  # the next handlers store the file

    def file_complete(self, file_size: int) -> None:
        return None
