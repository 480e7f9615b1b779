"""Small, real files of each kind, built in memory."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00" + b"\x00" * 14
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
MACHO = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 200
SCRIPT = b"#!/bin/sh\nrm -rf ~\n"
TEXT = "Compte rendu de la réunion d'équipe du 3 mars.\nPrésents : 12 conseillers.\n".encode()
CSV = "date;entrées\n2024-01-01;12\n2024-02-01;15\n".encode()
# Bytes without any known signature.
RANDOM = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(64))
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = _png()


def zip_of(entries: list[tuple[str, bytes | str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            # The ODF mimetype entry must be stored first and uncompressed.
            compress = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            # A fixed date keeps the bytes identical on every xdist worker's collection.
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = compress
            archive.writestr(info, data)
    return buffer.getvalue()


CONTENT_TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
DOCX = zip_of([("[Content_Types].xml", CONTENT_TYPES), ("word/document.xml", "<w:document/>")])
XLSX = zip_of([("[Content_Types].xml", CONTENT_TYPES), ("xl/workbook.xml", "<workbook/>")])
PPTX = zip_of([("[Content_Types].xml", CONTENT_TYPES), ("ppt/presentation.xml", "<p/>")])
DOCM = zip_of(
    [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("word/document.xml", "<w:document/>"),
        ("word/vbaProject.bin", b"\x00" * 64),
    ]
)
ZIP = zip_of([("notes.txt", "bonjour")])
JAR = zip_of([("META-INF/MANIFEST.MF", "Main-Class: A\n"), ("A.class", b"\xca\xfe\xba\xbe")])


def odf(mimetype: str) -> bytes:
    return zip_of([("mimetype", mimetype), ("content.xml", "<office:document-content/>")])


ODT = odf("application/vnd.oasis.opendocument.text")
ODS = odf("application/vnd.oasis.opendocument.spreadsheet")
ODP = odf("application/vnd.oasis.opendocument.presentation")


def ole(*streams: str) -> bytes:
    """An OLE2 compound file whose directory names the given streams (enough for detection)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = b"".join(
        (name.encode("utf-16-le") + b"\x00\x00").ljust(128, b"\x00") for name in streams
    )
    return header + directory.ljust(512, b"\x00")


DOC = ole("Root Entry", "WordDocument", "\x05SummaryInformation")
XLS = ole("Root Entry", "Workbook")
PPT = ole("Root Entry", "PowerPoint Document")
DOC_MACROS = ole("Root Entry", "WordDocument", "Macros", "VBA", "_VBA_PROJECT")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):  # type: ignore[no-untyped-def]
    # The browser's declared type is deliberately wrong: it must never matter.
    return SimpleUploadedFile(name, content, content_type=content_type)
