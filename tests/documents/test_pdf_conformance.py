"""Every one of the documents is a tagged, archivable PDF (PDF/A-3a declaring PDF/UA-1)
whose fonts are the shipped Inter, embedded — the same output on every machine."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from labelml.demo.samples import add_concluded_followup, build_complete_dossier
from labelml.documents.models import Document
from labelml.documents.renderers import render

pytestmark = pytest.mark.django_db


@pytest.fixture
def complete(db):  # type: ignore[no-untyped-def]
    """A labelled dossier that went through the whole workflow."""
    return build_complete_dossier(seed=7)


@pytest.mark.parametrize("kind", Document.Type.values)
def test_the_document_is_tagged_archivable_and_uses_only_the_shipped_fonts(complete, kind):
    if kind == Document.Type.SUIVI:  # the follow-up audit of the label, concluded
        add_concluded_followup(complete)
    pdf, pages = render(kind, complete)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == pages
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged
    assert "/StructTreeRoot" in root  # the structure tree a screen reader follows
    assert root["/Lang"] == "fr"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert root["/OutputIntents"]  # PDF/A: sRGB output intent
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert 'pdfuaid:part="1"' in xmp
    assert Document.Type(kind).label.split()[0] in xmp  # the title names the document
    fonts = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/DescendantFonts" in font:  # composite (Type0) font
                font = font["/DescendantFonts"][0].get_object()
            fonts.add(str(font["/BaseFont"]))
            descriptor = font["/FontDescriptor"]
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all("Inter" in f for f in fonts), fonts
